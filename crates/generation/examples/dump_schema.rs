//! Prints the strict output schema of every generation task, for inspection.
fn main() {
    for kind in generation::TaskKind::ALL {
        println!(
            "### {kind}\n{}",
            serde_json::to_string_pretty(&kind.output_schema()).expect("schema serialises")
        );
    }
}
