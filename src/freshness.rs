//! When a stored access token is good enough to hand out, when a grant expires, and how
//! expiry is described. Every number here may come from a server or a stored file, so
//! nothing overflows or panics, whatever its value.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest lifetime believed: a larger `expires_in` or `exp` (up to `u64::MAX` from a
/// broken server) counts as this, about a century.
const MAX_LIFETIME: u64 = 100 * 365 * 24 * 3600;

/// The wall clock, read in this one place: the system's, or (in unit tests) a fixed
/// time, for the rules that depend on it. Commands get it from their context; monotonic
/// timers (`Instant`) for time limits are not the wall clock and stay where they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// The Unix seconds it always reads; `None`: the system's clock.
    fixed: Option<u64>,
}

impl Clock {
    /// The system's clock.
    pub const SYSTEM: Clock = Clock { fixed: None };

    /// A clock that always reads these Unix seconds.
    #[cfg(test)]
    pub fn fixed(seconds: u64) -> Clock {
        Clock {
            fixed: Some(seconds),
        }
    }

    /// Seconds since the Unix epoch, now.
    pub fn now(self) -> u64 {
        match self.fixed {
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            Some(seconds) => seconds,
        }
    }

    /// Now, as a `SystemTime` (for HTTP dates such as `Retry-After`).
    pub fn system_time(self) -> SystemTime {
        match self.fixed {
            None => SystemTime::now(),
            Some(seconds) => UNIX_EPOCH + Duration::from_secs(seconds),
        }
    }
}

/// The one rule for when a newly issued token expires, after a login and after a refresh:
/// the token endpoint's `expires_in` when it gave one, else `/v2/self`'s `exp` (asked only
/// when needed), else never (Attio's documented long-lived tokens).
pub fn grant_expiry(
    now: u64,
    expires_in: Option<u64>,
    identity_exp: impl FnOnce() -> Option<u64>,
) -> Option<u64> {
    let ceiling = now.saturating_add(MAX_LIFETIME);
    match expires_in {
        Some(seconds) => Some(now.saturating_add(seconds.min(MAX_LIFETIME))),
        None => identity_exp().map(|exp| exp.min(ceiling)),
    }
}

/// The `min_ttl` to apply to a token obtained at `obtained_at` that expires at
/// `expires_at`: at most half its whole lifetime, so that a token that lives less than
/// `min_ttl` is refreshed once per half lifetime rather than on every call.
pub fn min_ttl_within(min_ttl: u64, obtained_at: Option<u64>, expires_at: Option<u64>) -> u64 {
    match (obtained_at, expires_at) {
        (Some(obtained), Some(expires)) if expires > obtained => {
            min_ttl.min((expires - obtained) / 2)
        }
        _ => min_ttl,
    }
}

/// A token is fresh while `now + min_ttl < expiry`; one without an expiry (Attio's
/// long-lived tokens) is always fresh.
pub fn is_fresh(expires_at: Option<u64>, now: u64, min_ttl: u64) -> bool {
    expires_at.is_none_or(|exp| now.saturating_add(min_ttl) < exp)
}

/// An expiry for people: `never (long-lived token)`, or an RFC 3339 time with how far off
/// it is. Any stored number is described, the absurd ones as such.
pub fn describe(expires_at: Option<u64>, now: u64) -> String {
    let Some(exp) = expires_at else {
        return "never (long-lived token)".into();
    };
    if exp > now.saturating_add(MAX_LIFETIME) {
        return "in more than 100 years (as the server said)".into();
    }
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
        assert!(!is_fresh(Some(u64::MAX), u64::MAX, 60));
    }

    #[test]
    fn expiry_is_described_for_people_whatever_the_number() {
        assert_eq!(describe(None, 0), "never (long-lived token)");
        assert_eq!(describe(Some(3_600), 0), "1970-01-01T01:00:00Z (in 1h)");
        assert_eq!(
            describe(Some(0), 90),
            "1970-01-01T00:00:00Z (expired 1m 30s ago)"
        );
        assert!(describe(Some(u64::MAX), 1_000).contains("more than 100 years"));
    }

    #[test]
    fn one_rule_for_the_expiry_of_a_grant() {
        assert_eq!(grant_expiry(1_000, Some(60), || Some(5)), Some(1_060));
        assert_eq!(grant_expiry(1_000, None, || Some(5_000)), Some(5_000));
        assert_eq!(grant_expiry(1_000, None, || None), None);
        assert_eq!(
            grant_expiry(1_000, Some(u64::MAX), || None),
            Some(1_000 + MAX_LIFETIME)
        );
        assert_eq!(
            grant_expiry(1_000, None, || Some(u64::MAX)),
            Some(1_000 + MAX_LIFETIME)
        );
    }
}
