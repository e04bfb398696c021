//! The import rules of ARCHITECTURE.md, checked: every module is in its layer table, every
//! path in `src/` that names another file (unit tests aside) points to a lower layer, and
//! inside a module the files import one another without a ring. With that, the import
//! graph has no cycles, between modules or between files.
//!
//! A path is read the way rustc resolves it: `crate::`, `super::` at any depth, `self::`,
//! and a child module's own name in the file that declares it (`mod proxy;` then
//! `proxy::run`); `use` groups are expanded at any depth; paths inside functions count,
//! and so does code after a unit-test module. Comments, string and character literals
//! and `#[cfg(test)]` items are blanked first. `the_checker_catches_each_escape` holds
//! the checker to that.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each module, from ARCHITECTURE.md's table (`| N | `a`, `b` | … |`).
/// `x::*` stands for each child of the directory `x/`, each a module of its own.
fn layers() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut layers = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(layer), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Ok(layer) = layer.parse::<u32>() else {
            continue;
        };
        for module in modules.split('`').skip(1).step_by(2) {
            assert!(
                layers.insert(module.to_string(), layer).is_none(),
                "{module} is listed twice"
            );
        }
    }
    assert!(layers.len() > 10, "the layer table was not found");
    layers
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, by its path relative to `src/`, with its text.
fn sources() -> BTreeMap<PathBuf, String> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(path.strip_prefix(src).unwrap().to_path_buf(), text);
            }
        }
    }
    let src = root().join("src");
    let mut out = BTreeMap::new();
    walk(&src, &src, &mut out);
    out
}

/// The module path of a file: `main.rs` is the crate root (`[]`), `a.rs` and `a/mod.rs`
/// are `[a]`, `a/b.rs` is `[a, b]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// The row of the layer table a file module belongs to: the root is `main`; `a::b…` is
/// `a::b` when the table lists `a::*`, else `a`.
fn table_module(path: &[String], layers: &BTreeMap<String, u32>) -> String {
    match path {
        [] => "main".to_string(),
        [dir, child, ..] if layers.contains_key(&format!("{dir}::*")) => {
            format!("{dir}::{child}")
        }
        [first, ..] => first.clone(),
    }
}

/// A module's layer: its own row, or its directory's `x::*` row.
fn layer_of(module: &str, layers: &BTreeMap<String, u32>) -> Option<u32> {
    layers.get(module).copied().or_else(|| {
        let (dir, _) = module.split_once("::")?;
        layers.get(&format!("{dir}::*")).copied()
    })
}

/// The code with comments, string and character literals blanked to spaces (line breaks
/// kept), so that nothing in them reads as a path or a brace.
fn blank_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if !ident_before && (c == 'r' || c == 'b') && raw_string_at(&chars, i).is_some() {
            let (start, hashes) = raw_string_at(&chars, i).unwrap();
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut j = start + 1;
            while j < chars.len() && !chars[j..].starts_with(&closing) {
                j += 1;
            }
            let end = (j + closing.len()).min(chars.len());
            chars[i..end].iter().for_each(|&c| blank(&mut out, c));
            i = end;
        } else if c == '"' || (c == 'b' && !ident_before && next == Some('"')) {
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            chars[i..end].iter().for_each(|&c| blank(&mut out, c));
            i = end;
        } else if c == '\'' && char_literal_len(&chars[i..]).is_some() {
            let len = char_literal_len(&chars[i..]).unwrap();
            chars[i..i + len].iter().for_each(|&c| blank(&mut out, c));
            i += len;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `r"`, `r#"`, `br##"` … at `i`: the index of the opening quote and the number of `#`s.
fn raw_string_at(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some((j + hashes, hashes))
}

/// The length of a character literal starting here (`'a'`, `'\n'`, `'\u{1F600}'`), or
/// `None` for a lifetime (`'a`).
fn char_literal_len(chars: &[char]) -> Option<usize> {
    match chars.get(1)? {
        '\\' => chars.iter().skip(2).position(|&c| c == '\'').map(|p| p + 3),
        _ => (chars.get(2) == Some(&'\'')).then_some(3),
    }
}

/// The code with every test-only item (`#[cfg(test)]`, `#[cfg(all(test, …))]`) blanked:
/// up to its `;`, or through its braces when it has a body. Code after it stays.
fn without_test_items(code: &str) -> String {
    let mut code = code.to_string();
    let mut from = 0;
    while let Some(found) = code[from..].find("#[cfg(") {
        let at = from + found;
        let inner_start = at + "#[cfg(".len();
        let Some(close) = code[inner_start..].find(")]") else {
            break;
        };
        let inner = &code[inner_start..inner_start + close];
        let test_only = inner.trim() == "test"
            || (inner.trim_start().starts_with("all(")
                && inner
                    .split(|c: char| !is_ident(c))
                    .any(|word| word == "test"));
        if !test_only {
            from = inner_start;
            continue;
        }
        let rest = &code[at..];
        let end = match (rest.find(';'), rest.find('{')) {
            (Some(semi), Some(open)) if semi < open => at + semi + 1,
            (_, Some(open)) => closing_brace(&code, at + open) + 1,
            (Some(semi), None) => at + semi + 1,
            (None, None) => code.len(),
        };
        let blanked: String = code[at..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        code.replace_range(at..end, &blanked);
        from = end;
    }
    code
}

/// The index of the `}` that closes the `{` at `open` (the end of the code when none
/// does); literals and comments are blanked first, so every brace counts.
fn closing_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + k;
                }
            }
            _ => {}
        }
    }
    code.len().saturating_sub(1)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The child modules a file declares (`mod name;`, `pub mod name;`).
fn declared_children(code: &str) -> BTreeSet<String> {
    let mut children = BTreeSet::new();
    for (at, _) in code.match_indices("mod ") {
        if at > 0 && is_ident(code[..at].chars().next_back().unwrap()) {
            continue;
        }
        let name: String = code[at + 4..]
            .chars()
            .take_while(|&c| is_ident(c))
            .collect();
        if !name.is_empty() && code[at + 4 + name.len()..].trim_start().starts_with(';') {
            children.insert(name);
        }
    }
    children
}

/// The paths a file's code names, each as its segments from the start of the path
/// (`super::super::x::Y` is `[super, super, x, Y]`), `use` groups expanded: `use
/// crate::{a::{b, c}, d}` gives `[crate, a, b]`, `[crate, a, c]` and `[crate, d]`. A
/// path starts at `crate`, `super`, `self` or the name of a child module the file
/// declares, and not in the middle of another path.
fn paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(is_ident(bytes[i - 1] as char) || bytes[i - 1] == b':');
        if !starts_word || !is_ident(bytes[i] as char) {
            i += 1;
            continue;
        }
        let word: String = code[i..].chars().take_while(|&c| is_ident(c)).collect();
        let after = i + word.len();
        let is_start =
            matches!(word.as_str(), "crate" | "super" | "self") || children.contains(&word);
        if is_start && code[after..].trim_start().starts_with("::") {
            let mut rest = &code[i..];
            found.extend(tree(&mut rest, Vec::new()));
            i = code.len() - rest.len();
        } else {
            i = after;
        }
    }
    found
}

/// Reads one path tree (`a::b::{c, d::{e}}::*`) from the front of `rest`, after `prefix`;
/// nothing when `rest` starts with no path.
fn tree(rest: &mut &str, prefix: Vec<String>) -> Vec<Vec<String>> {
    let own = prefix.len();
    let mut path = prefix;
    loop {
        *rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            *rest = group;
            let mut all = Vec::new();
            loop {
                *rest = rest.trim_start();
                if let Some(after) = rest.strip_prefix('}') {
                    *rest = after;
                    return all;
                }
                if let Some(after) = rest.strip_prefix(',') {
                    *rest = after;
                    continue;
                }
                if rest.is_empty() {
                    return all;
                }
                let before = rest.len();
                all.extend(tree(rest, path.clone()));
                if rest.len() == before {
                    // Something that is no path (`*`, `as name`): skip one character.
                    *rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
                }
            }
        }
        let word: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if word.is_empty() {
            return if path.len() > own {
                vec![path]
            } else {
                Vec::new()
            };
        }
        *rest = &rest[word.len()..];
        if word != "self" || path.is_empty() {
            path.push(word);
        }
        let after = rest.trim_start();
        match after.strip_prefix("::") {
            Some(more) => *rest = more,
            None => return vec![path],
        }
    }
}

/// The file module a path names: its segments made absolute from `from` (the naming
/// file's module path), then the longest of their prefixes that is a file.
fn resolve(path: &[String], from: &[String], files: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut base: Vec<String> = from.to_vec();
    let mut segments = path.iter().peekable();
    match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            base.clear();
            segments.next();
        }
        Some("self") => {
            segments.next();
        }
        Some("super") => {
            while segments.peek().is_some_and(|s| *s == "super") {
                segments.next();
                base.pop()?;
            }
        }
        _ => {}
    }
    let absolute: Vec<String> = base.into_iter().chain(segments.cloned()).collect();
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|prefix| files.contains(prefix))
}

/// Every file-to-file import: for each file, the other files its code names.
fn file_imports(
    sources: &BTreeMap<PathBuf, String>,
) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files: BTreeSet<Vec<String>> = sources.keys().map(|p| module_path(p)).collect();
    let mut graph = BTreeMap::new();
    for (relative, text) in sources {
        let from = module_path(relative);
        let code = without_test_items(&blank_literals(text));
        let children = declared_children(&code);
        let targets: BTreeSet<Vec<String>> = paths(&code, &children)
            .iter()
            .filter_map(|path| resolve(path, &from, &files))
            .filter(|to| *to != from)
            .collect();
        graph.insert(from, targets);
    }
    graph
}

fn shown(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_string()
    } else {
        path.join("::")
    }
}

/// What is wrong with these sources against the layer table: an import sideways or up,
/// a module missing from the table, and each ring of files that import one another.
fn violations(sources: &BTreeMap<PathBuf, String>, layers: &BTreeMap<String, u32>) -> Vec<String> {
    let graph = file_imports(sources);
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        let module = table_module(from, layers);
        let Some(layer) = layer_of(&module, layers) else {
            wrong.push(format!("`{module}` is not in ARCHITECTURE.md's table"));
            continue;
        };
        for to in targets {
            let target = table_module(to, layers);
            if target == module {
                continue;
            }
            match layer_of(&target, layers) {
                Some(below) if below < layer => {}
                Some(other) => wrong.push(format!(
                    "`{}` (module `{module}`, layer {layer}) imports `{}` (module `{target}`, layer {other})",
                    shown(from),
                    shown(to)
                )),
                None => wrong.push(format!(
                    "`{}` imports `{}`, whose module `{target}` is not in the table",
                    shown(from),
                    shown(to)
                )),
            }
        }
    }
    for ring in rings(&graph) {
        let names: Vec<String> = ring.iter().map(|p| format!("`{}`", shown(p))).collect();
        wrong.push(format!("files import one another: {}", names.join(" ↔ ")));
    }
    wrong
}

/// The groups of two or more files that reach one another through imports (the
/// strongly connected components of the graph).
fn rings(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    let reach = |start: &Vec<String>| -> BTreeSet<Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.clone()];
        while let Some(at) = todo.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> =
        graph.keys().map(|k| (k, reach(k))).collect();
    let mut placed = BTreeSet::new();
    let mut rings = Vec::new();
    for (file, reached) in &reachable {
        if placed.contains(*file) || !reached.contains(*file) {
            continue;
        }
        let ring: Vec<Vec<String>> = reached
            .iter()
            .filter(|other| reachable.get(other).is_some_and(|r| r.contains(*file)))
            .cloned()
            .collect();
        placed.extend(ring.iter().cloned());
        rings.push(ring);
    }
    rings
}

#[test]
fn every_import_points_down_the_layer_table() {
    let wrong = violations(&sources(), &layers());
    assert!(
        wrong.is_empty(),
        "imports against ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
}

/// Each way an upward import once slipped past the checker, added to a copy of the real
/// sources: each must be reported, and nothing but what involves that file (an upward
/// import also closes a ring through the files that import it).
#[test]
fn the_checker_catches_each_escape() {
    let layers = layers();
    let escapes: [(&str, &str, &str); 7] = [
        (
            "`super::` from a top-level file",
            "failure.rs",
            "fn up() { super::renew::Mode::Force; }",
        ),
        (
            "`super::super::` from inside a folder",
            "commands/doctor/setup.rs",
            "use super::super::login::run as other;",
        ),
        (
            "a nested `use crate::{a::{b}, c}`",
            "store/mod.rs",
            "use crate::{paths::{Paths as P}, profile::{Stored}};",
        ),
        (
            "`super::run` from a command up to the dispatcher",
            "commands/token.rs",
            "fn again() { let _ = super::run; }",
        ),
        (
            "code after the unit-test module",
            "secret.rs",
            "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n\nfn after() { crate::renew::Mode::Force; }",
        ),
        (
            "a child that imports its parent",
            "commands/exec/proxy/forward.rs",
            "use super::super::run as parent;",
        ),
        (
            "a parent's item used by its child, in a function",
            "profile/meta.rs",
            "fn f() { let _ = super::Repository::new; }",
        ),
    ];
    let clean = sources();
    assert_eq!(violations(&clean, &layers), Vec::<String>::new());
    for (escape, file, code) in escapes {
        let mut sources = clean.clone();
        let text = sources.get_mut(Path::new(file)).unwrap();
        text.push('\n');
        text.push_str(code);
        let found = violations(&sources, &layers);
        let named = format!("`{}`", shown(&module_path(Path::new(file))));
        assert!(
            !found.is_empty() && found.iter().all(|f| f.contains(&named)),
            "{escape} ({file}): {found:#?}"
        );
    }
}

#[test]
fn the_checker_reads_paths_as_rustc_does() {
    let children: BTreeSet<String> = ["proxy".to_string()].into();
    let code = blank_literals(
        "use crate::{a, b::{c, d::{e, f}}, g::*};\n// crate::comment\nlet s = \"crate::string\"; let c = '{';\nfn x<'a>() { super::super::h::i(); proxy::run(); other::proxy::no(); self::j; }",
    );
    let found: Vec<String> = paths(&code, &children)
        .iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        found,
        [
            "crate::a",
            "crate::b::c",
            "crate::b::d::e",
            "crate::b::d::f",
            "crate::g",
            "super::super::h::i",
            "proxy::run",
            "self::j",
        ]
    );
    let files: BTreeSet<Vec<String>> =
        [vec![], vec!["h".to_string()], vec!["x".into(), "y".into()]].into();
    let from = ["x".to_string(), "y".into(), "z".into()];
    let path = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    assert_eq!(
        resolve(&path("super::h::i"), &from, &files),
        Some(vec!["x".to_string(), "y".into()])
    );
    assert_eq!(
        resolve(&path("super::super::super::h::i"), &from, &files),
        Some(vec!["h".to_string()])
    );
    assert_eq!(resolve(&path("crate::q"), &from, &files), Some(vec![]));
    let blank = |n: usize| " ".repeat(n);
    assert_eq!(
        without_test_items("a\n#[cfg(all(test, unix))]\nmod tests {\n { }\n}\nb"),
        format!(
            "a\n{}\n{}\n{}\n{}\nb",
            blank(23),
            blank(11),
            blank(4),
            blank(1)
        )
    );
    assert_eq!(module_path(Path::new("main.rs")), Vec::<String>::new());
    assert_eq!(
        module_path(Path::new("commands/doctor/mod.rs")),
        path("commands::doctor")
    );
    let layers = layers();
    assert_eq!(
        table_module(&path("commands::doctor::setup"), &layers),
        "commands::doctor"
    );
    assert_eq!(
        table_module(&path("profile::repository"), &layers),
        "profile"
    );
}

/// The longest a function may be without saying why in its header.
const LONGEST_FUNCTION: usize = 80;

/// Every function in `src/` (unit tests included) fits in [`LONGEST_FUNCTION`] lines, or
/// its doc comment gives the reason in a line starting `/// Long:`.
#[test]
fn no_function_is_long_without_a_reason() {
    let mut long = Vec::new();
    for (relative, text) in sources() {
        let code = blank_literals(&text);
        let lines: Vec<&str> = text.lines().collect();
        for (at, _) in code.match_indices("fn ") {
            if at > 0 && is_ident(code[..at].chars().next_back().unwrap()) {
                continue;
            }
            let (Some(open), semi) = (code[at..].find('{'), code[at..].find(';')) else {
                continue;
            };
            if semi.is_some_and(|semi| semi < open) {
                continue;
            }
            let end = closing_brace(&code, at + open);
            let first = code[..at].matches('\n').count();
            let last = code[..end].matches('\n').count();
            let length = last - first + 1;
            let header = lines[..first].iter().rev().take_while(|line| {
                line.trim_start().starts_with("///") || line.trim_start().starts_with("#[")
            });
            let reason = header
                .into_iter()
                .any(|line| line.trim_start().starts_with("/// Long:"));
            if length > LONGEST_FUNCTION && !reason {
                let name: String = code[at + 3..]
                    .chars()
                    .take_while(|&c| is_ident(c))
                    .collect();
                long.push(format!(
                    "{}:{}: fn {name} is {length} lines",
                    relative.display(),
                    first + 1
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {LONGEST_FUNCTION} lines, and no `/// Long:` line says why:\n{}",
        long.join("\n")
    );
}

/// Every next step is worded in `src/advice.rs`: elsewhere an error carries an `Advice`
/// (a typed fact), never words of its own, and nothing else builds a `Next` from text.
#[test]
fn next_steps_are_worded_only_in_advice() {
    let mut wrong = Vec::new();
    for (relative, text) in sources() {
        if relative == Path::new("advice.rs") {
            continue;
        }
        let code = without_test_items(&blank_literals(&text));
        for words in [
            ".hint(",
            "Next::from(",
            "Next::text(",
            "Into<Next>",
            ": Next = ",
        ] {
            for (at, _) in code.match_indices(words) {
                let line = code[..at].matches('\n').count() + 1;
                wrong.push(format!("{}:{line}: {words}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "next steps worded outside src/advice.rs (give the error an `Advice` instead):\n{}",
        wrong.join("\n")
    );
}
