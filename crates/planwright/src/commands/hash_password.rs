//! `planwright hash-password`: turn a password into an argon2 PHC string for AUTH_PASSWORD_HASH.
//!
//! The password comes from a hidden prompt on a terminal, or from stdin when piped, never from
//! argv, where it would land in shell history and `ps` output.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use argon2::{Argon2, PasswordHasher};

pub fn run() -> anyhow::Result<()> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let second = rpassword::prompt_password("Repeat: ").context("reading the password")?;
        if first != second {
            bail!("the two passwords differ; nothing was printed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("the password is empty; pipe it on stdin or type it at the prompt");
    }
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    println!("{hash}");
    Ok(())
}
