//! When a stored access token is good enough to hand out, and how expiry is described.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A token is fresh while `now + min_ttl < expiry`; one without an expiry (Attio's
/// long-lived tokens) is always fresh.
pub fn is_fresh(expires_at: Option<u64>, now: u64, min_ttl: u64) -> bool {
    expires_at.is_none_or(|exp| now.saturating_add(min_ttl) < exp)
}

/// An expiry for people: `never (long-lived token)`, or an RFC 3339 time with how far off
/// it is.
pub fn describe(expires_at: Option<u64>, now: u64) -> String {
    let Some(exp) = expires_at else {
        return "never (long-lived token)".into();
    };
    let when = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(exp));
    if exp > now {
        format!(
            "{when} (in {})",
            humantime::format_duration(Duration::from_secs(exp - now))
        )
    } else {
        format!(
            "{when} (expired {} ago)",
            humantime::format_duration(Duration::from_secs(now - exp))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_respects_min_ttl_and_long_lived_tokens() {
        assert!(is_fresh(None, 1_000, 60));
        assert!(is_fresh(Some(1_061), 1_000, 60));
        assert!(!is_fresh(Some(1_060), 1_000, 60));
        assert!(!is_fresh(Some(999), 1_000, 0));
        assert!(is_fresh(Some(1_001), 1_000, 0));
    }

    #[test]
    fn expiry_is_described_for_people() {
        assert_eq!(describe(None, 0), "never (long-lived token)");
        assert_eq!(describe(Some(3_600), 0), "1970-01-01T01:00:00Z (in 1h)");
        assert_eq!(
            describe(Some(0), 90),
            "1970-01-01T00:00:00Z (expired 1m 30s ago)"
        );
    }
}
