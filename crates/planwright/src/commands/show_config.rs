//! `planwright config`: print the effective configuration with every secret redacted.

use config::Settings;

pub fn run(settings: &Settings) {
    print!("{}", config::redacted_yaml(settings));
}
