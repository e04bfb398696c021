//! The chaos run: refreshes of every kind (`token --min-ttl`, `refresh`, storms of
//! concurrent `token`s, and `exec --proxy` with a command making requests) through a TCP
//! front that, at random from a printed seed, refuses connects, closes idle connections
//! after 0–10 s, resets connections as soon as they are accepted, while the request
//! arrives or once the server has it, stalls past the HTTP timeout, and truncates
//! answers.
//!
//! What it proves, with the figures it prints:
//! - a fault that struck before a byte of the refresh could be written (a refused
//!   connect, a closed idle connection) never loses the login;
//! - a fault after that point may (the client cannot know whether the server acted),
//!   but no refresh token is ever sent twice, and every failure exits 1 or 3 with one
//!   error line that says what happened, leaking nothing.
//!
//! `cargo test` runs a short run (`ATTIO_CHAOS_REFRESHES`, default 60 refreshes reaching
//! the server); `tests/bench/chaos.sh` runs 1,000 and more. `ATTIO_CHAOS_SEED` repeats a
//! run's choices (the timing of concurrent processes still varies).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::fake_attio::{Consent, FakeAttio, Tokens};
use crate::support::{Run, TestEnv, assert_no_leak, stored_document};
use crate::wire::{Fault, Struck};

/// SplitMix64: small, and the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the front's plan draws from, shared with the driver.
struct Dice {
    rng: Rng,
    /// Off while the driver logs in again: faults strike only the refreshes.
    faults: bool,
}

/// A connection's fault: mostly an idle close after 0–10 s (as servers do), else one of
/// the five faults.
fn draw(dice: &mut Dice) -> Fault {
    if !dice.faults {
        return Fault::Idle(crate::wire::IDLE_CLOSE);
    }
    let rng = &mut dice.rng;
    match rng.below(100) {
        // Half within 0.2 s, so that processes as short-lived as these meet them too.
        0..30 => Fault::Idle(Duration::from_millis(rng.below(201))),
        30..60 => Fault::Idle(Duration::from_millis(rng.below(10_001))),
        60..68 => Fault::ResetAtOnce,
        68..76 => Fault::ResetDuring(1 + rng.below(100) as usize),
        76..84 => Fault::ResetAfterRequest,
        84..92 => Fault::Stall,
        _ => Fault::Truncate(rng.below(150) as usize),
    }
}

/// A fault after which the request may have been acted on, or never known to be sent.
fn after_connect(fault: Fault) -> bool {
    !matches!(fault, Fault::Idle(_))
}

#[derive(Default)]
struct Tally {
    iterations: usize,
    by_kind: BTreeMap<&'static str, usize>,
    faults: BTreeMap<String, usize>,
    refused_iterations: usize,
    /// Logins lost where only faults before the first byte struck (goal 0).
    lost_before: usize,
    /// Logins lost after a fault past that point.
    lost_after: usize,
    /// Of those, the refresh never reached the server (the client cannot know that).
    lost_after_unsent: usize,
    /// Iterations where a fault past the first byte struck.
    after_iterations: usize,
    /// Of those faults, how many struck before a byte of the request reached the front.
    struck_unread: usize,
    failures_by_code: BTreeMap<i32, usize>,
    proxy_statuses: BTreeMap<String, usize>,
}

/// The commands of one iteration, run at once, and their results.
fn run_all(env: &TestEnv, commands: Vec<Vec<&str>>) -> Vec<Run> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .iter()
            .map(|args| scope.spawn(move || env.run(args)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The command `exec --proxy` runs: three API calls 0.3 s apart (idle gaps), printing
/// their statuses.
const CALLS: &str = r#"for i in 1 2 3; do sleep 0.3; curl -sS -o /dev/null -w '%{http_code} ' -H "Authorization: Bearer $ATTIO_API_KEY" "$ATTIO_BASE_URL/objects/people/records"; done"#;

#[cfg(unix)]
#[test]
fn no_fault_before_the_first_byte_loses_a_login_and_no_refresh_token_is_sent_twice() {
    let seed = std::env::var("ATTIO_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let target: usize = std::env::var("ATTIO_CHAOS_REFRESHES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    crate::support::say(&format!(
        "chaos run: seed {seed} (ATTIO_CHAOS_SEED={seed} repeats it), {target} refreshes"
    ));
    let dice = Arc::new(Mutex::new(Dice {
        rng: Rng(seed),
        faults: false,
    }));
    let plan = {
        let dice = dice.clone();
        Box::new(move || draw(&mut dice.lock().unwrap()))
    };
    // Tokens live an hour; `--min-ttl 7200` makes every command refresh.
    let env = TestEnv::around(FakeAttio::behind(
        Consent::Approve,
        Tokens::Rotating { ttl: 3600 },
        plan,
    ));
    let mut driver = Rng(seed ^ 0x5eed);
    let mut tally = Tally::default();
    let timeout = ["--http-timeout", "1"];
    env.logged_in(&[]);
    let mut logins = 1;

    while env.fake.token_requests("refresh_token").len() < target {
        tally.iterations += 1;
        let refuse = driver.below(100) < 8;
        let (kind, commands): (&'static str, Vec<Vec<&str>>) = match driver.below(100) {
            0..35 => ("token --min-ttl", vec![vec!["token", "--min-ttl", "7200"]]),
            35..60 => ("refresh", vec![vec!["refresh"]]),
            60..80 => (
                "storm of 4 tokens",
                vec![vec!["token", "--min-ttl", "7200"]; 4],
            ),
            _ => (
                "exec --proxy",
                vec![vec![
                    "exec",
                    "--proxy",
                    "--min-ttl",
                    "7200",
                    "--",
                    "sh",
                    "-c",
                    CALLS,
                ]],
            ),
        };
        *tally.by_kind.entry(kind).or_default() += 1;
        let commands: Vec<Vec<&str>> = commands
            .into_iter()
            .map(|mut args| {
                // Before any `--`: exec's command takes what follows.
                args.splice(1..1, timeout);
                args
            })
            .collect();
        if refuse {
            env.fake.front().refuse(true);
            tally.refused_iterations += 1;
        }
        dice.lock().unwrap().faults = true;
        let runs = run_all(&env, commands);
        dice.lock().unwrap().faults = false;
        env.fake.front().refuse(false);
        let struck: Vec<Struck> = env
            .fake
            .front()
            .take()
            .into_iter()
            .filter(|s| s.struck)
            .collect();
        tally.struck_unread += struck
            .iter()
            .filter(|s| s.received == 0 && after_connect(s.fault))
            .count();
        let struck: Vec<Fault> = struck.into_iter().map(|s| s.fault).collect();
        for fault in &struck {
            let name = format!("{fault:?}");
            let name = name.split('(').next().unwrap().to_string();
            *tally.faults.entry(name).or_default() += 1;
        }
        let past_first_byte = struck.iter().any(|f| after_connect(*f));
        if past_first_byte {
            tally.after_iterations += 1;
        }

        let document = stored_document(&env, "default");
        let lost = document["refresh_pending"] == true || !document["refresh_refused"].is_null();
        for run in &runs {
            honest(&env, run, kind, lost, &mut tally);
        }
        assert_eq!(
            env.fake.refresh_reuses(),
            0,
            "a refresh token was sent twice (seed {seed}, iteration {})",
            tally.iterations
        );
        if lost {
            if past_first_byte {
                tally.lost_after += 1;
                let pending = document["refresh_token"].as_str().unwrap_or_default();
                let reached = env.fake.token_requests("refresh_token").iter().any(|seen| {
                    seen.form.get("refresh_token").map(String::as_str) == Some(pending)
                });
                if !reached {
                    tally.lost_after_unsent += 1;
                }
            } else {
                tally.lost_before += 1;
                crate::support::say(&format!(
                    "chaos: login lost with no fault past the first byte (seed {seed}, iteration {}, {kind}, struck {struck:?}): {runs:?}",
                    tally.iterations
                ));
            }
            env.logged_in(&[]);
            logins += 1;
        }
    }

    let refreshes = env.fake.token_requests("refresh_token").len();
    let report = format!(
        "chaos run, seed {seed}: {iterations} iterations ({kinds}), {refreshes} refreshes reached the server, {logins} logins\n\
         faults struck: {faults}; connects refused in {refused} iterations\n\
         before the first byte (refused, idle-closed): {lost_before} logins lost (goal 0)\n\
         after it: {after} iterations struck ({unread} faults before a byte of the request reached the server's side), {lost_after} logins lost ({lost_after_unsent} of them never reached the server, which the client cannot know)\n\
         refresh tokens sent twice: {reuses} (goal 0); failures by exit code: {codes:?}; proxied statuses: {statuses:?}",
        iterations = tally.iterations,
        kinds = listed(tally.by_kind.iter().map(|(k, n)| format!("{n} {k}"))),
        faults = listed(tally.faults.iter().map(|(k, n)| format!("{k} {n}"))),
        refused = tally.refused_iterations,
        lost_before = tally.lost_before,
        after = tally.after_iterations,
        unread = tally.struck_unread,
        lost_after = tally.lost_after,
        lost_after_unsent = tally.lost_after_unsent,
        reuses = env.fake.refresh_reuses(),
        codes = tally.failures_by_code,
        statuses = tally.proxy_statuses,
    );
    crate::support::say(&report);
    if let Ok(path) = std::env::var("ATTIO_CHAOS_REPORT") {
        std::fs::write(path, format!("{report}\n")).unwrap();
    }
    assert_eq!(tally.lost_before, 0, "{report}");
    assert_eq!(env.fake.refresh_reuses(), 0, "{report}");
}

/// Items joined by commas.
fn listed(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// Checks that one command's outcome tells the truth: exit 0 with a token the server
/// issued (or, for `exec`, the command's own statuses), or exit 1 or 3 with one error
/// line; 3 only when the login is over; nothing secret shown.
fn honest(env: &TestEnv, run: &Run, kind: &str, lost: bool, tally: &mut Tally) {
    // Only `token` may print a secret, and only on stdout when it succeeds.
    let shown = Run {
        code: run.code,
        stdout: if run.code == 0 && kind != "refresh" {
            String::new()
        } else {
            run.stdout.clone()
        },
        stderr: run.stderr.clone(),
    };
    assert_no_leak(env, &shown, kind);
    let errors = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("attio-auth: error: "))
        .count();
    match run.code {
        // exec ends as its command did: a call that failed (an answer cut short passes
        // through as one) is the command's exit code, not attio-auth's.
        _ if kind == "exec --proxy" && errors == 0 => {
            for status in run.stdout.split_whitespace() {
                assert!(
                    ["200", "401", "502", "000"].contains(&status),
                    "a proxied call got {status}: {run:?}"
                );
                *tally.proxy_statuses.entry(status.to_string()).or_default() += 1;
            }
        }
        0 => {
            assert_eq!(errors, 0, "{run:?}");
            if kind != "refresh" {
                let token = run
                    .stdout
                    .strip_suffix('\n')
                    .unwrap_or_else(|| panic!("{run:?}"));
                assert!(env.fake.issued().iter().any(|t| t == token), "{run:?}");
            }
        }
        1 | 3 => {
            *tally.failures_by_code.entry(run.code).or_default() += 1;
            assert_eq!((errors, run.stdout.as_str()), (1, ""), "{run:?}");
            assert!(
                run.code == 1 || lost,
                "exit 3 with the login intact: {run:?}"
            );
            // A lone command whose own refresh went unanswered says so.
            if lost && run.code == 1 && !kind.starts_with("storm") {
                assert!(
                    run.stderr.contains("outcome is unknown")
                        || run.stderr.contains("did not finish"),
                    "{run:?}"
                );
            }
        }
        _ => panic!("an exit code no failure has: {run:?}"),
    }
}
