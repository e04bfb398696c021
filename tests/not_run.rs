//! Runs after the integration tests (cargo runs test targets in the order of their
//! names) and names each test that said it could not run here, and why: libtest counted
//! it as passed above. Nothing to say when every test ran.

use std::path::Path;

fn main() {
    #[cfg(unix)]
    {
        let cargo = std::os::unix::process::parent_id();
        let record = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("not-run-{cargo}"));
        let Ok(text) = std::fs::read_to_string(&record) else {
            return;
        };
        let _ = std::fs::remove_file(&record);
        // One entry per test, with each reason it gave (a test may skip several parts).
        let mut tests: Vec<(&str, Vec<&str>)> = Vec::new();
        for line in text.lines() {
            let (test, why) = line.split_once('\t').unwrap_or((line, ""));
            match tests.iter_mut().find(|(name, _)| *name == test) {
                Some((_, reasons)) => reasons.push(why),
                None => tests.push((test, vec![why])),
            }
        }
        let mut out = format!(
            "\n*** {} NOT RUN, in whole or in part (libtest counted {} as passed) ***\n",
            match tests.len() {
                1 => "1 test".to_string(),
                n => format!("{n} tests"),
            },
            if tests.len() == 1 { "it" } else { "them" }
        );
        for (test, reasons) in tests {
            out.push_str(&format!("  {test}: {}\n", reasons.join("; ")));
        }
        out.push_str("tests/setup.sh installs what they need (see docs/development.md)\n");
        let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    }
    #[cfg(not(unix))]
    let _ = Path::new("");
}
