//! Names: a profile's validated name, and how close a mistyped name is to a known one.
//! A leaf: it imports nothing of the crate but `failure`.

use std::fmt;

use anyhow::Result;

use crate::failure::Failure;

/// A profile name that is safe as a file name and as a keyring account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProfileName(String);

impl ProfileName {
    /// Accepts 1 to 64 characters of `A-Z a-z 0-9 . _ -`, not starting with `.` or `-`.
    pub fn parse(raw: &str) -> Result<Self> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let valid = !raw.is_empty()
            && raw.len() <= 64
            && raw.chars().all(ok_char)
            && !raw.starts_with(['.', '-']);
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err(Failure::usage(format!(
                "invalid profile name {raw:?}: use 1 to 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`"
            ))
            .into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `default`: the profile used when nothing names one and nothing was switched to.
    pub fn fallback() -> Self {
        Self("default".into())
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stored name closest to a mistyped one (at most two edits away, or the same but
/// for case), if any.
pub fn closest<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|&name| {
            let distance = if name.eq_ignore_ascii_case(typed) {
                0
            } else {
                edit_distance(&typed.to_ascii_lowercase(), &name.to_ascii_lowercase())
            };
            (distance, name)
        })
        .filter(|&(distance, name)| distance <= 2 && distance < name.len().max(1) && name != typed)
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance, with a swap of two neighbours counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_profile_finds_its_closest_stored_name() {
        let names = ["default", "work", "acme-prod"];
        assert_eq!(closest("defualt", &names), Some("default"));
        assert_eq!(closest("Work", &names), Some("work"));
        assert_eq!(closest("acme-prd", &names), Some("acme-prod"));
        assert_eq!(closest("globex", &names), None);
        assert_eq!(closest("w", &names), None);
        assert_eq!(closest("default", &names), None);
    }

    #[test]
    fn profile_names_cannot_escape_their_directory() {
        for bad in [
            "",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "-flag",
            "a\nb",
            "é",
            &"x".repeat(65),
        ] {
            assert!(
                ProfileName::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        for good in ["default", "work", "acme-prod", "a.b_c", "X1"] {
            assert_eq!(ProfileName::parse(good).unwrap().as_str(), good);
        }
    }
}
