//! Attio scopes: which spellings exist, and whether the granted ones cover what a caller
//! requires (`X:read-write` covers `X:read`).

use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::output;

/// Every scope Attio's documentation and seeds name, with the exact spelling.
const KNOWN: &[&str] = &[
    "object_configuration:read",
    "object_configuration:read-write",
    "record_permission:read",
    "record_permission:read-write",
    "list_configuration:read",
    "list_configuration:read-write",
    "list_entry:read",
    "list_entry:read-write",
    "note:read",
    "note:read-write",
    "task:read",
    "task:read-write",
    "comment:read",
    "comment:read-write",
    "webhook:read",
    "webhook:read-write",
    "meeting:read",
    "meeting:read-write",
    "call_recording:read",
    "call_recording:read-write",
    "file:read",
    "file:read-write",
    "user_management:read",
    "user_management:read-write",
    "public_collection:read",
    "public_collection:read-write",
    "private_collection:read",
    "private_collection:read-write",
    "scim_management:read",
    "scim_management:read-write",
];

/// Splits repeated and space- or comma-separated scope arguments into single scopes.
pub fn split(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| a.split([' ', ',']))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Scopes that are not Attio scopes (a likely typo such as `record_permission:read_write`).
pub fn unknown(scopes: &[String]) -> Vec<&str> {
    scopes
        .iter()
        .filter(|s| !KNOWN.contains(&s.as_str()))
        .map(String::as_str)
        .collect()
}

/// Whether the granted scopes satisfy one required scope.
fn satisfied(granted: &[String], required: &str) -> bool {
    granted.iter().any(|g| {
        g == required
            || required
                .strip_suffix(":read")
                .is_some_and(|object| g.strip_suffix(":read-write") == Some(object))
    })
}

/// The required scopes that are not granted, in the order asked for.
pub fn missing<'a>(granted: &[String], required: &'a [String]) -> Vec<&'a str> {
    required
        .iter()
        .filter(|r| !satisfied(granted, r))
        .map(String::as_str)
        .collect()
}

/// Warns about required scopes that are not Attio's spelling.
pub fn warn_unknown(scopes: &[String]) {
    for scope in unknown(scopes) {
        output::warn(format!(
            "`{scope}` is not a known Attio scope (Attio spells them like `record_permission:read-write`)"
        ));
    }
}

/// Scopes for people: comma-separated, or `(none)`.
pub fn listed(scopes: &[String]) -> String {
    if scopes.is_empty() {
        "(none)".into()
    } else {
        scopes.join(", ")
    }
}

/// The exit-5 failure naming the missing scopes.
pub fn failure(missing: &[&str], granted: &[String]) -> anyhow::Error {
    let granted = if granted.is_empty() {
        "none".to_string()
    } else {
        granted.join(", ")
    };
    Failure::new(
        Kind::ScopeMissing,
        format!(
            "required scope not granted: {} (granted: {granted})",
            missing.join(", ")
        ),
    )
    .advise(Advice::AddScope)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn read_write_covers_read_but_not_the_reverse() {
        let granted = v(&["record_permission:read-write", "note:read"]);
        assert!(missing(&granted, &v(&["record_permission:read"])).is_empty());
        assert!(missing(&granted, &v(&["record_permission:read-write"])).is_empty());
        assert_eq!(
            missing(&granted, &v(&["note:read-write", "task:read"])),
            ["note:read-write", "task:read"]
        );
    }

    #[test]
    fn wild_spellings_are_flagged() {
        let asked = v(&[
            "record_permission:read_write",
            "object:read",
            "list_entry:read",
        ]);
        assert_eq!(
            unknown(&asked),
            ["record_permission:read_write", "object:read"]
        );
    }

    #[test]
    fn scope_arguments_split_on_spaces_and_commas() {
        assert_eq!(
            split(&v(&["a:read b:read", "c:read,d:read"])),
            ["a:read", "b:read", "c:read", "d:read"]
        );
    }
}
