//! Many processes at once on one profile, against a server that revokes the whole grant
//! when a refresh token is reused.

use std::time::Duration;

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

#[test]
fn fifty_mixed_processes_never_reuse_a_refresh_token_or_lose_credentials() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    env.logged_in(&["--profile", "bystander"]);
    let bystander = env.fake.last_access_token();
    env.fake.set_refresh_latency(Duration::from_millis(20));
    // Tokens living 30 s are due for refresh under the default --min-ttl of 60 s.
    let commands: Vec<&[&str]> = (0..50)
        .map(|i| match i {
            25 => &["logout"][..],
            _ if i % 4 == 0 => &["refresh"][..],
            _ if i % 4 == 1 => &["whoami"][..],
            _ => &["token"][..],
        })
        .collect();
    let runs = env.run_all(&commands);

    for (args, run) in commands.iter().zip(&runs) {
        assert!(!run.stderr.contains("panicked"), "{args:?}: {run:?}");
        match (args[0], run.code) {
            ("logout", 0) => {}
            // Before the logout: success. After it: "not logged in".
            (_, 0) => {}
            (_, 3) => assert!(
                run.stderr.contains("profile `default` is not logged in"),
                "{args:?}: {run:?}"
            ),
            _ => panic!("unexpected outcome of {args:?}: {run:?}"),
        }
        if args[0] == "token" && run.code == 0 {
            assert!(
                env.fake.issued().contains(&run.stdout.trim().to_string()),
                "{run:?}"
            );
        }
    }
    assert_eq!(
        env.fake.refresh_reuses(),
        0,
        "no refresh token was sent twice"
    );
    assert!(
        !env.credentials_file("default").exists(),
        "the logout won: nothing written back"
    );
    assert!(!env.meta_file("default").exists());
    assert_eq!(
        env.run(&["token", "--profile", "bystander", "--min-ttl", "0"])
            .stdout,
        format!("{bystander}\n")
    );
}
