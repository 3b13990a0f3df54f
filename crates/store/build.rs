//! Rebuilds the crate when a migration is added or edited: `sqlx::migrate!` embeds the SQL files
//! at compile time, and Cargo does not otherwise watch that directory.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
