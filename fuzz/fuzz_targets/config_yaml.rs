//! Fuzz target: arbitrary UTF-8 as the YAML configuration file, loaded the way `config::load`
//! loads a file (`${VAR}` substitution against an environment snapshot, YAML, environment
//! overrides, typed settings, validation). Loading never panics; settings that load render as
//! redacted YAML, and loading that YAML back never panics either.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|yaml: &str| {
    let env: BTreeMap<String, String> = [
        ("FUZZ_HOST", "127.0.0.1"),
        ("FUZZ_PORT", "8080"),
        ("FUZZ_TOKEN", "t0ken"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    let Ok(settings) = config::from_parts(Some(("fuzz.yaml", yaml)), &env) else {
        return;
    };
    let rendered = config::redacted_yaml(&settings);
    assert!(!rendered.starts_with("# cannot render"), "{rendered}");
    let _ = config::from_parts(Some(("redacted.yaml", &rendered)), &env);
});
