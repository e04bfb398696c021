//! README.md renders as intended and its samples are what the tool really prints.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::fake_attio::{Consent, Tokens};
use crate::login::{Typed, login_on_a_terminal};
use crate::support::TestEnv;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The documents: README.md and every file under docs/.
fn documents() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| format!("docs/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".md"))
        .collect();
    docs.sort();
    names.extend(docs);
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

/// The `##`/`###` headings a CommonMark parser sees in `text`, checking that every one
/// written is one (none is swallowed by a code block that never closes) and that every
/// code block closes; with the number of code blocks.
fn headings(name: &str, text: &str) -> (Vec<String>, usize) {
    let written: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### "))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let mut parsed = Vec::new();
    let mut heading: Option<String> = None;
    let mut code_blocks = 0;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2 | HeadingLevel::H3,
                ..
            }) => {
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => parsed.extend(heading.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                code_blocks += 1;
                let block = &text[range];
                let fence = block.lines().next().unwrap_or("").trim_start();
                if fence.starts_with("```") {
                    assert!(
                        block.trim_end().ends_with("```") && block.trim_end().lines().count() > 1,
                        "{name}: a code block never closes: {}",
                        &block[..block.len().min(200)]
                    );
                }
            }
            _ => {}
        }
    }
    let written: Vec<String> = written.iter().map(|w| w.replace('`', "")).collect();
    assert_eq!(
        parsed, written,
        "{name}: headings the parser sees vs those written"
    );
    (parsed, code_blocks)
}

#[test]
fn every_document_renders_every_heading_outside_code() {
    let mut code_blocks = 0;
    for (name, text) in documents() {
        let (parsed, blocks) = headings(&name, &text);
        code_blocks += blocks;
        if name == "README.md" {
            assert_eq!(parsed.last().map(String::as_str), Some("License"));
        }
    }
    assert!(code_blocks > 10);
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped,
/// spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// README is short enough to read, and every link between the documents lands on a
/// file and, where it names one, a heading.
#[test]
fn readme_is_short_and_every_link_between_documents_lands() {
    let documents = documents();
    let readme = &documents[0].1;
    assert!(
        readme.lines().count() <= 250,
        "README.md has {} lines: move reference to docs/",
        readme.lines().count()
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, text) in &documents {
        let dir = root.join(name).parent().unwrap().to_path_buf();
        for event in Parser::new(text) {
            let Event::Start(Tag::Link { dest_url, .. }) = event else {
                continue;
            };
            if dest_url.contains("://") {
                continue;
            }
            let (file, fragment) = dest_url.split_once('#').unwrap_or((&dest_url, ""));
            let target = if file.is_empty() {
                root.join(name)
            } else {
                dir.join(file)
            };
            assert!(target.exists(), "{name}: link to {dest_url}: no such file");
            if !fragment.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let linked = std::fs::read_to_string(&target).unwrap();
                let anchors: Vec<String> = linked
                    .lines()
                    .filter(|l| l.starts_with('#'))
                    .map(|l| anchor(l.trim_start_matches('#').trim()))
                    .collect();
                assert!(
                    anchors.iter().any(|a| a == fragment),
                    "{name}: link to {dest_url}: no such heading in {anchors:?}"
                );
            }
        }
    }
}

/// Whether `line` matches `pattern`, where `…` in the pattern stands for any text.
fn matches(pattern: &str, line: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('…').collect();
    let mut rest = line;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(piece) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == pieces.len() - 1 {
            return rest.ends_with(piece);
        } else {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// The opening sample of a login, line by line, is what a login on a terminal prints
/// (values that differ run to run, like IDs and ports, are written `…`).
#[test]
fn readme_login_sample_is_real_output() {
    let text = readme();
    let start = text
        .find("```console\n$ attio-auth login")
        .expect("the login sample");
    let block = &text[start..];
    let block = &block[block.find('\n').unwrap() + 1..block[3..].find("```").unwrap() + 3];
    let sample: Vec<&str> = block
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("$ "))
        .collect();
    assert!(sample.len() >= 5, "{sample:?}");

    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let (code, transcript, _) = login_on_a_terminal(&env, Typed::default(), 200);
    assert_eq!(code, 0, "{transcript}");
    let printed: Vec<String> = transcript.split("\r\n").map(|l| l.to_string()).collect();
    let mut from = 0;
    for want in sample {
        let want = want
            .replace("https://app.attio.com", &env.fake.url)
            .replace("3456", "…")
            .replace("8f1c…", "…")
            .replace("5e1d…", "…")
            .replace("5:00", "…")
            // Said only when the app URL is Attio's own.
            .replace(
                " (the app must have exactly this redirect URI at build.attio.com)",
                "",
            )
            // The tests store in a file; the sample shows the default, the keyring.
            .replace(
                "the OS keyring (service `attio-auth`, account `default`)",
                "…",
            );
        // A prompt's line goes on with what was typed after it.
        let found = printed[from..].iter().position(|line| {
            matches(&want, line) || (want.ends_with(':') && line.starts_with(&want))
        });
        match found {
            Some(at) => from += at + 1,
            None => {
                panic!("README line {want:?} is not in the real output, in order:\n{transcript}")
            }
        }
    }
}

#[test]
fn tracked_file_names_are_plain() {
    if !crate::support::have("git", "apt-get install git") {
        return;
    }
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
    let names: Vec<String> = listed
        .stdout
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    assert!(names.iter().any(|n| n == "README.md"), "{names:?}");
    let odd: Vec<&String> = names
        .iter()
        .filter(|n| n.chars().any(|c| c.is_control() || "\"'`\\".contains(c)))
        .collect();
    assert!(
        odd.is_empty(),
        "file names with quotes, backticks or control characters: {odd:?}"
    );
}

/// Every `attio-auth …` command README shows parses: each, with `--help` added before
/// any `--`, exits 0 (a flag or value that does not exist would be a usage error).
#[test]
fn every_command_readme_shows_parses() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let text = readme();
    // Shell lines: all of a `sh` block, the `$ ` lines of a `console` block.
    let mut blocks = Vec::new();
    let mut language: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(fence) = trimmed.strip_prefix("```") {
            language = match language {
                Some(_) => None,
                None => Some(fence.to_string()),
            };
            continue;
        }
        match language.as_deref() {
            Some("sh") => blocks.push(trimmed.to_string()),
            Some("console") => blocks.extend(trimmed.strip_prefix("$ ").map(str::to_string)),
            _ => {}
        }
    }
    let mut checked = 0;
    for line in blocks.iter().filter(|l| !l.starts_with('#')) {
        let code = line.split(" # ").next().unwrap_or_default();
        for piece in code.split("attio-auth ").skip(1) {
            // The command ends where the shell's syntax takes over.
            let end = piece
                .find(['|', '&', ')', '>', ';', '"'])
                .unwrap_or(piece.len());
            let words: Vec<&str> = piece[..end].split_whitespace().collect();
            if words.is_empty() || words[0].starts_with('-') && words[0] != "--profile" {
                continue;
            }
            let mut args: Vec<&str> = Vec::new();
            let dashes = words.iter().position(|w| *w == "--");
            args.extend(&words[..dashes.unwrap_or(words.len())]);
            args.push("--help");
            let run = env.run(&args);
            assert_eq!(
                run.code,
                0,
                "README's `attio-auth {}`: {run:?}",
                words.join(" ")
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} commands checked");
}

/// The documented ways to install the manual page and the completions by hand work as
/// printed on a fresh HOME, for a binary that `cargo install` put in `~/.cargo/bin`
/// (README's bash line once failed there: no `mkdir -p`), and `man` then finds the page.
#[cfg(target_os = "linux")]
#[test]
fn the_documented_man_page_and_completion_lines_work_on_a_fresh_home() {
    if !crate::support::have("man", "apt-get install man-db") {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = std::fs::read_to_string(root.join("docs/reference.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut lines: Vec<String> = ["| bash | `", "| zsh | `", "| fish | `"]
        .iter()
        .map(|row| {
            let at = reference
                .find(row)
                .unwrap_or_else(|| panic!("no {row:?} row"));
            let rest = &reference[at + row.len()..];
            rest[..rest.find('`').unwrap()].to_string()
        })
        .collect();
    let block = reference
        .split("```sh\nman1=")
        .nth(1)
        .expect("the man page block");
    let block = format!(
        "man1={}",
        &block[..block.find("man attio-auth\n```").unwrap()]
    );
    lines.push(block);
    // Any such line README shows, as printed.
    for line in readme.lines() {
        if line.contains("attio-auth completions ") || line.contains("attio-auth man >") {
            lines.push(line.trim().trim_matches('`').to_string());
        }
    }
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_attio-auth"), bin.join("attio-auth")).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let sh = |script: &str| {
        std::process::Command::new("sh")
            .args(["-c", script])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", &path)
            .current_dir(home.path())
            .output()
            .unwrap()
    };
    for line in &lines {
        let output = sh(line);
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            ),
            (Some(0), "".into()),
            "{line}"
        );
    }
    for file in [
        ".local/share/bash-completion/completions/attio-auth",
        ".zfunc/_attio-auth",
        ".config/fish/completions/attio-auth.fish",
        ".cargo/share/man/man1/attio-auth.1",
    ] {
        assert!(home.path().join(file).is_file(), "{file}");
    }
    let found = sh("man -w attio-auth");
    let found = String::from_utf8_lossy(&found.stdout);
    let found = std::fs::canonicalize(found.trim()).unwrap();
    assert_eq!(
        found,
        std::fs::canonicalize(home.path().join(".cargo/share/man/man1/attio-auth.1")).unwrap()
    );
}
