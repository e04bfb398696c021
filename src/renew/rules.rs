//! The refresh protocol's rules, without I/O: whether a stored token will do, what to do
//! once the profile is locked, and what the token endpoint's answer means for what is
//! stored. The time is passed in (`now`, Unix seconds), so each rule is unit-tested
//! below; `super` (the shell) does the locking, the request and the storing.

use anyhow::Error;

use crate::attio::oauth::{TokenError, Tokens};
use crate::credentials::Credentials;
use crate::freshness;
use crate::mcp::Hosted;
use crate::secret::Secret;

/// When to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only when the token expires within this many seconds (`None`: the default,
    /// [`DEFAULT_MIN_TTL`], at most half the token's lifetime).
    IfExpiring(Option<u64>),
    /// Now, whatever the expiry (unless another process just did).
    Force,
}

/// How long a token must still be valid when no `--min-ttl` is given.
pub const DEFAULT_MIN_TTL: u64 = 60;

/// How long before its expiry a token is replaced: `min_ttl` as given, or by default
/// [`DEFAULT_MIN_TTL`] at most half the token's lifetime, so that a token that lives
/// less than that is refreshed once per half lifetime, not on every call.
pub fn refresh_margin(creds: &Credentials, min_ttl: Option<u64>) -> u64 {
    min_ttl.unwrap_or_else(|| {
        freshness::min_ttl_within(DEFAULT_MIN_TTL, creds.obtained_at, creds.expires_at)
    })
}

/// What the stored token is good for, before any lock is taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Unlocked {
    /// Hand it out as it is.
    Fresh,
    /// It is due, there is nothing to refresh it with, and it has not expired: hand it
    /// out, with a warning that a new login is needed before it expires.
    LastsUnrefreshable,
    /// Refresh it, under the lock.
    Refresh,
}

/// What the stored token is good for under `mode`, before locking.
pub fn unlocked(creds: &Credentials, mode: Mode, now: u64) -> Unlocked {
    let Mode::IfExpiring(min_ttl) = mode else {
        return Unlocked::Refresh;
    };
    if freshness::is_fresh(creds.expires_at, now, refresh_margin(creds, min_ttl)) {
        Unlocked::Fresh
    } else if creds.refresh_token.is_none() && freshness::is_fresh(creds.expires_at, now, 0) {
        Unlocked::LastsUnrefreshable
    } else {
        Unlocked::Refresh
    }
}

/// Whether another process already did what `mode` asks since this one read `seen`.
pub fn done_elsewhere(creds: &Credentials, seen: &Credentials, mode: Mode, now: u64) -> bool {
    let changed = creds.access_token != seen.access_token;
    match mode {
        // Another process refreshed: use its token even when the server's lifetimes are
        // shorter than `min_ttl`, rather than refresh again.
        Mode::IfExpiring(min_ttl) => {
            freshness::is_fresh(creds.expires_at, now, refresh_margin(creds, min_ttl))
                || (changed && freshness::is_fresh(creds.expires_at, now, 0))
        }
        Mode::Force => changed,
    }
}

/// What to do once the profile is locked and read again.
#[derive(Debug, PartialEq, Eq)]
pub enum Locked {
    /// Another process refreshed meanwhile: use what it stored, send nothing.
    DoneElsewhere,
    /// The server refused the refresh token earlier (why): the login is over.
    RefusedBefore(String),
    /// No refresh token was ever issued.
    NoRefreshToken,
    /// An earlier refresh never finished: its refresh token may be used up, so it is
    /// never sent again. The access token is handed out while it lasts (`usable`).
    Unfinished { usable: bool },
    /// Mark the refresh token as sent, store that, then send it.
    Send(Secret<String>),
}

/// What to do under the lock, given what was read before (`seen`) and now (`creds`).
pub fn locked(creds: &Credentials, seen: &Credentials, mode: Mode, now: u64) -> Locked {
    if done_elsewhere(creds, seen, mode, now) {
        return Locked::DoneElsewhere;
    }
    if let Some(why) = &creds.refresh_refused {
        return Locked::RefusedBefore(why.clone());
    }
    let Some(refresh_token) = &creds.refresh_token else {
        return Locked::NoRefreshToken;
    };
    if creds.refresh_pending {
        return Locked::Unfinished {
            usable: matches!(mode, Mode::IfExpiring(_))
                && freshness::is_fresh(creds.expires_at, now, 0),
        };
    }
    Locked::Send(refresh_token.clone())
}

/// What the token endpoint's answer meant, once applied to the stored credentials.
#[derive(Debug)]
pub enum Settled {
    /// New tokens: storing them must succeed before the token is handed out.
    Refreshed,
    /// The server refused (why, scrubbed): the login is over. Stored so that later runs
    /// do not ask again; failing to store only adds a warning.
    Refused(String),
    /// The request never left: the refresh token is as good as before (the mark is
    /// cleared; failing to store only adds a warning).
    Unsent(Error),
    /// The answer was unusable but carried a new refresh token, which is the grant now:
    /// storing it must succeed.
    Rotated(String),
    /// The outcome is unknown: nothing changes, and the pending mark stays, so the
    /// refresh token is never sent again.
    Unknown(String),
}

/// Applies the answer to a refresh that sent `sent` at `now` to the credentials (and,
/// for a server that forgot its registration, to the hosted server's record).
/// `identity_exp` is asked for the new token's expiry only when the answer gave no
/// lifetime (the one rule of `freshness::grant_expiry`).
pub fn settle(
    creds: &mut Credentials,
    hosted: Option<&mut Hosted>,
    answer: Result<Tokens, TokenError>,
    sent: Secret<String>,
    now: u64,
    identity_exp: impl FnOnce(&Secret<String>) -> Option<u64>,
) -> Settled {
    match answer {
        Ok(tokens) => {
            creds.expires_at = freshness::grant_expiry(now, tokens.expires_in, || {
                identity_exp(&tokens.access_token)
            });
            creds.access_token = tokens.access_token;
            // A server that does not rotate keeps the old refresh token valid.
            creds.refresh_token = tokens.refresh_token.or(Some(sent));
            creds.obtained_at = Some(now);
            creds.refresh_pending = false;
            Settled::Refreshed
        }
        Err(TokenError::Rejected {
            why,
            unknown_client,
        }) => {
            // Kept for later runs, so scrubbed now, while this process knows the secrets.
            let mut why = crate::secret::scrub(&why);
            if let Some(hosted) = hosted.filter(|_| unknown_client) {
                hosted.registration_forgotten = true;
                why.push_str(
                    "; the server no longer knows attio-auth's registration, and the next login registers anew",
                );
            }
            creds.refresh_pending = false;
            creds.refresh_refused = Some(why.clone());
            Settled::Refused(why)
        }
        Err(TokenError::Unsent(why)) => {
            creds.refresh_pending = false;
            Settled::Unsent(why)
        }
        Err(TokenError::Failed {
            why,
            new_refresh_token: Some(new_refresh_token),
        }) => {
            // The old access token stays until it expires.
            creds.refresh_token = Some(new_refresh_token);
            creds.refresh_pending = false;
            Settled::Rotated(why)
        }
        Err(TokenError::Failed { why, .. }) => Settled::Unknown(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed time of every test: 2026-12-07 12:00:00 UTC.
    const NOW: u64 = 1_796_644_800;

    fn secret(s: &str) -> Secret<String> {
        Secret::new(s.to_string())
    }

    /// Credentials obtained `age` seconds ago that expire in `left` seconds (`None`:
    /// never), with or without a refresh token.
    fn creds(age: u64, left: Option<u64>, refresh: bool) -> Credentials {
        let mut creds = Credentials::new(
            secret("at_old"),
            refresh.then(|| secret("rt_old")),
            left.map(|left| NOW + left),
            "client".into(),
            None,
            "https://app.example/".into(),
            NOW - age,
        );
        creds.expires_at = left.map(|left| NOW + left);
        creds
    }

    #[test]
    fn the_margin_is_min_ttl_or_at_most_half_the_lifetime() {
        // An hour-long token: the default 60 s.
        assert_eq!(refresh_margin(&creds(0, Some(3600), true), None), 60);
        // A 100 s token: half its lifetime, 50 s, so it is not refreshed on every call.
        assert_eq!(refresh_margin(&creds(0, Some(100), true), None), 50);
        // `--min-ttl` as given, whatever the lifetime.
        assert_eq!(refresh_margin(&creds(0, Some(100), true), Some(90)), 90);
        // Unknown lifetimes: the default.
        assert_eq!(refresh_margin(&creds(0, None, true), None), 60);
    }

    #[test]
    fn before_the_lock_only_a_due_token_is_refreshed() {
        let if_expiring = Mode::IfExpiring(None);
        #[rustfmt::skip]
        let rows = [
            // age,  left,       refresh, mode,                     what
            (0,      Some(3600), true,    if_expiring,              Unlocked::Fresh),
            (0,      None,       false,   if_expiring,              Unlocked::Fresh),
            (3540,   Some(60),   true,    if_expiring,              Unlocked::Refresh),
            (3540,   Some(61),   true,    if_expiring,              Unlocked::Fresh),
            (3540,   Some(60),   false,   if_expiring,              Unlocked::LastsUnrefreshable),
            (3600,   Some(0),    false,   if_expiring,              Unlocked::Refresh),
            (0,      Some(3600), true,    Mode::IfExpiring(Some(3600)), Unlocked::Refresh),
            (0,      Some(3600), true,    Mode::IfExpiring(Some(3599)), Unlocked::Fresh),
            (0,      Some(3600), true,    Mode::Force,              Unlocked::Refresh),
            (0,      None,       false,   Mode::Force,              Unlocked::Refresh),
        ];
        for (age, left, refresh, mode, what) in rows {
            assert_eq!(
                unlocked(&creds(age, left, refresh), mode, NOW),
                what,
                "age {age}, left {left:?}, refresh token {refresh}, {mode:?}"
            );
        }
    }

    #[test]
    fn under_the_lock_another_process_refresh_is_used_not_repeated() {
        let seen = creds(3590, Some(10), true);
        let mut other = creds(0, Some(3600), true);
        other.access_token = secret("at_new");
        // Another process refreshed: its token is used, whatever the mode.
        assert_eq!(
            locked(&other, &seen, Mode::IfExpiring(None), NOW),
            Locked::DoneElsewhere
        );
        assert_eq!(
            locked(&other, &seen, Mode::Force, NOW),
            Locked::DoneElsewhere
        );
        // Even when its token lives less than `--min-ttl` (the server's choice).
        assert_eq!(
            locked(&other, &seen, Mode::IfExpiring(Some(7200)), NOW),
            Locked::DoneElsewhere
        );
        // Nothing changed: send the refresh token.
        assert_eq!(
            locked(&seen, &seen, Mode::IfExpiring(None), NOW),
            Locked::Send(secret("rt_old"))
        );
        assert_eq!(
            locked(&seen, &seen, Mode::Force, NOW),
            Locked::Send(secret("rt_old"))
        );
    }

    #[test]
    fn a_pending_mark_is_never_sent_again() {
        let mut pending = creds(3590, Some(10), true);
        pending.refresh_pending = true;
        // Due, still valid: handed out while it lasts, never refreshed.
        assert_eq!(
            locked(&pending, &pending, Mode::IfExpiring(None), NOW),
            Locked::Unfinished { usable: true }
        );
        // A forced refresh, or an expired token: the login is over.
        assert_eq!(
            locked(&pending, &pending, Mode::Force, NOW),
            Locked::Unfinished { usable: false }
        );
        let mut expired = creds(3600, Some(0), true);
        expired.refresh_pending = true;
        assert_eq!(
            locked(&expired, &expired, Mode::IfExpiring(None), NOW),
            Locked::Unfinished { usable: false }
        );
        // A refusal stored earlier wins over everything but another's refresh.
        let mut refused = creds(3590, Some(10), true);
        refused.refresh_refused = Some("invalid_grant".into());
        assert_eq!(
            locked(&refused, &refused, Mode::Force, NOW),
            Locked::RefusedBefore("invalid_grant".into())
        );
        let none = creds(3590, Some(10), false);
        assert_eq!(
            locked(&none, &none, Mode::Force, NOW),
            Locked::NoRefreshToken
        );
    }

    #[test]
    fn clock_skew_decides_by_the_local_clock_and_never_panics() {
        // A token the server says expired an hour ago by this clock (a clock running
        // fast): due at once.
        let mut early = creds(0, None, true);
        early.expires_at = Some(NOW - 3600);
        assert_eq!(
            unlocked(&early, Mode::IfExpiring(None), NOW),
            Unlocked::Refresh
        );
        // Obtained "in the future" (the clock was set back): the lifetime is unknown, so
        // the default margin holds.
        let mut future = creds(0, Some(3600), true);
        future.obtained_at = Some(NOW + 7200);
        assert_eq!(refresh_margin(&future, None), 60);
        // Absurd numbers from a stored file or a server.
        let mut absurd = creds(0, None, true);
        absurd.expires_at = Some(u64::MAX);
        assert_eq!(
            unlocked(&absurd, Mode::IfExpiring(Some(u64::MAX)), NOW),
            Unlocked::Refresh
        );
        assert_eq!(
            unlocked(&absurd, Mode::IfExpiring(None), u64::MAX),
            Unlocked::Refresh
        );
    }

    fn tokens(access: &str, refresh: Option<&str>, expires_in: Option<u64>) -> Tokens {
        Tokens {
            access_token: secret(access),
            refresh_token: refresh.map(secret),
            expires_in,
        }
    }

    #[test]
    fn a_rotated_refresh_token_replaces_the_old_one_and_a_kept_one_stays() {
        let mut rotated = creds(3590, Some(10), true);
        rotated.refresh_pending = true;
        let answer = Ok(tokens("at_new", Some("rt_new"), Some(3600)));
        let settled = settle(&mut rotated, None, answer, secret("rt_old"), NOW, |_| None);
        assert!(matches!(settled, Settled::Refreshed));
        assert_eq!(rotated.access_token, secret("at_new"));
        assert_eq!(rotated.refresh_token, Some(secret("rt_new")));
        assert_eq!(rotated.expires_at, Some(NOW + 3600));
        assert_eq!(rotated.obtained_at, Some(NOW));
        assert!(!rotated.refresh_pending);
        // A server that does not rotate: the refresh token sent stays the grant; no
        // lifetime given, so `/v2/self`'s `exp` decides.
        let mut kept = creds(3590, Some(10), true);
        let answer = Ok(tokens("at_new", None, None));
        settle(&mut kept, None, answer, secret("rt_old"), NOW, |token| {
            assert_eq!(token, &secret("at_new"));
            Some(NOW + 600)
        });
        assert_eq!(kept.refresh_token, Some(secret("rt_old")));
        assert_eq!(kept.expires_at, Some(NOW + 600));
    }

    #[test]
    fn each_failure_leaves_the_grant_as_the_protocol_says() {
        let pending = || {
            let mut creds = creds(3590, Some(10), true);
            creds.refresh_pending = true;
            creds
        };
        // Refused: the login is over, and says so to later runs; a forgotten
        // registration is marked on the hosted server's record.
        let mut refused = pending();
        let mut hosted: Hosted = serde_json::from_value(serde_json::json!({
            "url": "https://mcp.example/mcp", "issuer": "https://auth.example",
            "authorization_endpoint": "https://auth.example/a", "token_endpoint": "https://auth.example/t"
        }))
        .unwrap();
        let answer = Err(TokenError::Rejected {
            why: "invalid_client".into(),
            unknown_client: true,
        });
        let settled = settle(
            &mut refused,
            Some(&mut hosted),
            answer,
            secret("rt_old"),
            NOW,
            |_| None,
        );
        let Settled::Refused(why) = settled else {
            panic!("{settled:?}")
        };
        assert!(
            why.starts_with("invalid_client; the server no longer knows"),
            "{why}"
        );
        assert_eq!(refused.refresh_refused.as_deref(), Some(why.as_str()));
        assert!(hosted.registration_forgotten && !refused.refresh_pending);
        // Never sent: as good as before.
        let mut unsent = pending();
        let answer = Err(TokenError::Unsent(anyhow::anyhow!("connection refused")));
        assert!(matches!(
            settle(&mut unsent, None, answer, secret("rt_old"), NOW, |_| None),
            Settled::Unsent(_)
        ));
        assert!(!unsent.refresh_pending && unsent.refresh_token == Some(secret("rt_old")));
        // Unusable, but rotated: the new refresh token is the grant; the access token stays.
        let mut rotated = pending();
        let answer = Err(TokenError::Failed {
            why: "no access_token".into(),
            new_refresh_token: Some(secret("rt_new")),
        });
        assert!(matches!(
            settle(&mut rotated, None, answer, secret("rt_old"), NOW, |_| None),
            Settled::Rotated(_)
        ));
        assert_eq!(rotated.refresh_token, Some(secret("rt_new")));
        assert_eq!(rotated.access_token, secret("at_old"));
        assert!(!rotated.refresh_pending);
        // Unknown: the mark stays, so the refresh token is never sent again.
        let mut unknown = pending();
        let answer = Err(TokenError::Failed {
            why: "timed out".into(),
            new_refresh_token: None,
        });
        assert!(matches!(
            settle(&mut unknown, None, answer, secret("rt_old"), NOW, |_| None),
            Settled::Unknown(_)
        ));
        assert!(unknown.refresh_pending);
        assert_eq!(unknown.refresh_token, Some(secret("rt_old")));
    }
}
