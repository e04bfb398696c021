//! The import rules of ARCHITECTURE.md, checked: every module is in its layer table, and
//! every `crate::` path in `src/` (unit tests aside) points to a lower layer. With that,
//! the import graph has no cycles.

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

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The module a source file belongs to: `src/a.rs` and `src/a/mod.rs` are `a`, and
/// `src/a/b.rs` and everything in `src/a/b/` are `a::b` when the table lists `a::*`,
/// else part of `a`.
fn module_of(relative: &Path, layers: &BTreeMap<String, u32>) -> String {
    let parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [file] => file.clone(),
        [dir, file] if file == "mod" => dir.clone(),
        [dir, child, ..] if layers.contains_key(&format!("{dir}::*")) => {
            format!("{dir}::{child}")
        }
        [dir, ..] => dir.clone(),
        [] => unreachable!(),
    }
}

/// The modules a file's code names through `crate::` (`crate::a::b`, `use crate::{a,
/// b::c}`) and, in a directory of separate modules, through `super::sibling`.
fn imports(code: &str, layers: &BTreeMap<String, u32>, dir: Option<&str>) -> BTreeSet<String> {
    let resolve = |first: &str, second: Option<&str>| -> String {
        match second {
            Some(child) if layers.contains_key(&format!("{first}::*")) && child != "*" => {
                let dir = root().join("src").join(first);
                if dir.join(format!("{child}.rs")).exists() || dir.join(child).is_dir() {
                    return format!("{first}::{child}");
                }
                first.to_string()
            }
            _ => first.to_string(),
        }
    };
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let mut path = item.trim().split("::");
                let first = ident(path.next().unwrap_or(""));
                if !first.is_empty() {
                    found.insert(resolve(&first, path.next().map(ident).as_deref()));
                }
            }
        } else {
            let first = ident(rest);
            let after = &rest[first.len()..];
            let second = after.strip_prefix("::").map(ident);
            found.insert(resolve(&first, second.as_deref()));
        }
    }
    if let Some(dir) = dir {
        for (at, _) in code.match_indices("super::") {
            let name = ident(&code[at + "super::".len()..]);
            let dir_path = root().join("src").join(dir);
            if !name.is_empty()
                && (dir_path.join(format!("{name}.rs")).exists() || dir_path.join(&name).is_dir())
            {
                found.insert(format!("{dir}::{name}"));
            }
        }
    }
    found
}

/// A file's code without its unit tests (`#[cfg(test)] mod tests { … }` at the end).
fn without_tests(code: &str) -> &str {
    code.find("#[cfg(test)]\nmod tests")
        .map_or(code, |at| &code[..at])
}

/// A module's layer: its own row, or its directory's `x::*` row.
fn layer_of(module: &str, layers: &BTreeMap<String, u32>) -> Option<u32> {
    layers.get(module).copied().or_else(|| {
        let (dir, _) = module.split_once("::")?;
        layers.get(&format!("{dir}::*")).copied()
    })
}

#[test]
fn every_import_points_down_the_layer_table() {
    let layers = layers();
    let src = root().join("src");
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let module = module_of(relative, &layers);
        let Some(layer) = layer_of(&module, &layers) else {
            wrong.push(format!(
                "{}: module `{module}` is not in ARCHITECTURE.md's table",
                relative.display()
            ));
            continue;
        };
        let code = std::fs::read_to_string(&file).unwrap();
        let dir = module.split_once("::").map(|(dir, _)| dir);
        for target in imports(without_tests(&code), &layers, dir) {
            if target == module {
                continue;
            }
            match layer_of(&target, &layers) {
                Some(to) if to < layer => {}
                Some(to) => wrong.push(format!(
                    "{}: `{module}` (layer {layer}) imports `{target}` (layer {to})",
                    relative.display()
                )),
                None => wrong.push(format!(
                    "{}: `{module}` imports `{target}`, which is not in the table",
                    relative.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against ARCHITECTURE.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_what_it_must() {
    let layers = layers();
    let found = imports(
        "use crate::{a, commands::login, b::c};\nlet x = crate::d::e(); super::status::x; super::doctor::z; crate::commands::doctor::y",
        &layers,
        Some("commands"),
    );
    let expected: BTreeSet<String> = [
        "a",
        "b",
        "commands::login",
        "d",
        "commands::status",
        "commands::doctor",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(found, expected);
    assert_eq!(
        module_of(Path::new("commands/login.rs"), &layers),
        "commands::login"
    );
    assert_eq!(
        module_of(Path::new("profile/repository.rs"), &layers),
        "profile"
    );
    assert_eq!(module_of(Path::new("store/mod.rs"), &layers), "store");
    assert_eq!(
        module_of(Path::new("commands/doctor/setup.rs"), &layers),
        "commands::doctor"
    );
}
