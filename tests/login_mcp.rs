//! `login --mcp`: a login to a hosted MCP server with no app of one's own (discovery,
//! dynamic registration, resource indicators, `iss`), and the token and refresh of such a
//! profile, against a fake MCP server and authorization server on two ports.

use crate::fake_attio::{Consent, Tokens};
use crate::fake_hosted::{FakeHosted, Hostile};
use crate::support::{Run, TestEnv, assert_no_leak};

fn login(env: &TestEnv, hosted: &FakeHosted, extra: &[&str]) -> Run {
    let mut args = vec!["login", "--mcp", "--mcp-url", &hosted.mcp_url];
    args.extend_from_slice(extra);
    for (flag, default) in [("--port", "0"), ("--timeout", "5")] {
        if !extra.contains(&flag) {
            args.extend_from_slice(&[flag, default]);
        }
    }
    env.run(&args)
}

#[test]
fn login_mcp_discovers_registers_and_stores_a_login_that_refreshes() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    let run = login(&env, &hosted, &[]);
    run.expect_after_prompt(
        0,
        "",
        &format!(
            "Logged in to the hosted MCP server {} (authorization server {}).\n\
             Credentials for profile `default` are stored in the file {}.\n",
            hosted.mcp_url,
            hosted.issuer,
            env.credentials_file("default").display()
        ),
    );
    // Discovery: the server's 401, its resource metadata, the authorization server's.
    let paths: Vec<String> = hosted.requests().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/mcp",
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-authorization-server",
            "/oauth/register",
            "/oidc/authorize",
            "/oidc/token"
        ]
    );
    let registration: serde_json::Value =
        serde_json::from_str(&hosted.seen("/oauth/register")[0].body).unwrap();
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    assert_eq!(registration["client_name"], "attio-auth");
    let redirect = registration["redirect_uris"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(redirect.starts_with("http://localhost:") && redirect.ends_with("/callback"));
    let authorize = &hosted.seen("/oidc/authorize")[0].query;
    assert_eq!(authorize["resource"], hosted.mcp_url);
    assert_eq!(authorize["scope"], "mcp offline_access");
    assert_eq!(authorize["redirect_uri"], redirect);
    let exchange = &hosted.seen("/oidc/token")[0].form;
    assert_eq!(exchange["resource"], hosted.mcp_url);
    assert!(!exchange.contains_key("client_secret"), "a public client");
    // The app of the REST flow (in the environment) is never asked anything.
    assert!(env.fake.requests().is_empty(), "{:?}", env.fake.requests());

    let token = env.run(&["token"]);
    assert_eq!(
        (token.code, token.stdout.clone()),
        (0, format!("{}\n", hosted.issued()[0])),
        "{token:?}"
    );
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 0, "{refresh:?}");
    let grant = &hosted.seen("/oidc/token")[1].form;
    assert_eq!(grant["grant_type"], "refresh_token");
    assert_eq!(grant["resource"], hosted.mcp_url);
    assert!(!grant.contains_key("client_secret"));
    let token = env.run(&["token"]);
    assert_eq!(token.stdout, format!("{}\n", hosted.issued()[1]));
    assert_eq!(hosted.refresh_reuses(), 0);
    for run in [&run, &refresh] {
        assert_no_leak(&env, run, "login --mcp");
        for issued in hosted.issued() {
            assert!(!run.stderr.contains(&issued), "{run:?}");
        }
    }
}

#[test]
fn a_registration_is_reused_for_the_same_redirect_uri() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    let port = crate::support::free_port().to_string();
    for _ in 0..2 {
        let run = login(&env, &hosted, &["--port", &port]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    assert_eq!(hosted.registrations(), 1);
    // Another redirect URI needs a registration of its own.
    let run = login(&env, &hosted, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(hosted.registrations(), 2);
}

/// The client ID stored with a profile.
fn client_id(env: &TestEnv, profile: &str) -> String {
    let meta = std::fs::read_to_string(env.meta_file(profile)).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["client_id"].as_str().unwrap().to_string()
}

/// What the token endpoint was asked: each grant's client and code (`code` for one the
/// fake issued, `refresh` for a refresh).
fn grants(hosted: &FakeHosted) -> Vec<(String, String)> {
    hosted
        .seen("/oidc/token")
        .into_iter()
        .map(|s| {
            let code = match s.form.get("code") {
                Some(code) if code.starts_with("code_") => "code".to_string(),
                Some(code) => code.clone(),
                None => "refresh".to_string(),
            };
            (s.form["client_id"].clone(), code)
        })
        .collect()
}

/// A login on a fixed port whose registration the server then forgot: the environment,
/// the server, the port and the forgotten client ID.
fn registration_forgotten() -> (TestEnv, FakeHosted, String, String) {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    let port = crate::support::free_port().to_string();
    assert_eq!(login(&env, &hosted, &["--port", &port]).code, 0);
    let first = client_id(&env, "default");
    hosted.forget_registrations();
    (env, hosted, port, first)
}

#[test]
fn a_registration_the_server_forgot_is_replaced_by_itself_at_login() {
    let (env, hosted, port, first) = registration_forgotten();
    let run = login(&env, &hosted, &["--port", &port]);
    assert_eq!(run.code, 0, "{run:?}");
    let second = client_id(&env, "default");
    assert_ne!(first, second);
    assert_eq!(hosted.registrations(), 2);
    // Before the browser: the old registration, with a code no server issued, which the
    // server refused as an unknown client; then the new registration's exchange.
    assert_eq!(
        grants(&hosted),
        [
            (first.clone(), "code".to_string()),
            (first, "attio-auth-registration-check".to_string()),
            (second, "code".to_string()),
        ]
    );
    let token = env.run(&["token"]);
    assert_eq!(token.stdout, format!("{}\n", hosted.last_access_token()));
}

#[test]
fn a_refresh_the_server_refuses_as_an_unknown_client_makes_the_next_login_register_anew() {
    let (env, hosted, port, first) = registration_forgotten();
    let refresh = env.run(&["refresh"]);
    assert_eq!(
        (refresh.code, refresh.stderr.as_str()),
        (
            3,
            format!(
                "attio-auth: error: refreshing the access token of profile `default`: the login of profile `default` was refused by Attio when it was last refreshed (the token endpoint refused (HTTP 401): invalid_client; the server no longer knows attio-auth's registration, and the next login registers anew)\nattio-auth: hint: run `attio-auth login --mcp --port {port} --mcp-url {}`\n",
                hosted.mcp_url
            )
            .as_str()
        )
    );
    let run = login(&env, &hosted, &["--port", &port]);
    assert_eq!(run.code, 0, "{run:?}");
    // No check of the forgotten registration: the refusal said enough.
    let second = client_id(&env, "default");
    assert_eq!(
        grants(&hosted),
        [
            (first.clone(), "code".to_string()),
            (first, "refresh".to_string()),
            (second, "code".to_string()),
        ]
    );
}

#[test]
fn hostile_metadata_and_refused_registrations_end_the_login_before_the_browser() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    let cases = [
        (
            Hostile {
                resource: Some("https://elsewhere.example/mcp".into()),
                ..Hostile::default()
            },
            "is for `https://elsewhere.example/mcp`: tokens for another resource are not asked for",
        ),
        (
            Hostile {
                issuer: Some("https://evil.example".into()),
                ..Hostile::default()
            },
            "says its issuer is `https://evil.example`: a server that names itself otherwise is not trusted",
        ),
        (
            Hostile {
                token_endpoint: Some("http://auth.example/oidc/token".into()),
                ..Hostile::default()
            },
            "the token_endpoint URL `http://auth.example/oidc/token` is not https:// (plain http:// is allowed only on this machine)",
        ),
        (
            Hostile {
                refuse_registration: true,
                ..Hostile::default()
            },
            "refused to register attio-auth (invalid_client_metadata: registrations are closed)",
        ),
    ];
    for (hostile, said) in cases {
        hosted.hostile(hostile);
        let run = login(&env, &hosted, &[]);
        assert_eq!(run.code, 1, "{run:?}");
        let error = run.stderr.lines().next().unwrap_or_default();
        assert!(
            error.starts_with("attio-auth: error: ") && error.contains(said),
            "{said}: {run:?}"
        );
        assert!(!run.stderr.contains("Open this URL"), "no browser: {run:?}");
    }
    assert!(hosted.seen("/oidc/authorize").is_empty());
    assert!(!env.meta_file("default").exists(), "nothing stored");
}

#[test]
fn a_redirect_with_another_iss_is_not_taken() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    hosted.hostile(Hostile {
        iss: Some("https://mix-up.example".into()),
        ..Hostile::default()
    });
    let run = login(&env, &hosted, &["--timeout", "3"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains(
            "attio-auth: warning: ignored a redirect: its `iss` is `https://mix-up.example`, not "
        ),
        "{run:?}"
    );
    assert!(
        hosted.seen("/oidc/token").is_empty(),
        "the code was not exchanged"
    );
    assert!(!env.meta_file("default").exists(), "nothing stored");
}

#[test]
fn whoami_status_and_doctor_know_a_hosted_mcp_profile() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    assert_eq!(login(&env, &hosted, &["--profile", "agent"]).code, 0);

    let whoami = env.run(&["whoami", "--profile", "agent"]);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    let lines: Vec<&str> = whoami.stdout.lines().collect();
    assert_eq!(lines[0], "Profile:    agent");
    assert_eq!(
        lines[1],
        format!(
            "Server:     {} (fake-attio-mcp 0.1.0, MCP 2025-06-18)",
            hosted.mcp_url
        )
    );
    assert_eq!(lines[2], format!("Issuer:     {}", hosted.issuer));
    assert_eq!(lines[3], "Scopes:     mcp, offline_access");
    let initialize = hosted
        .seen("/mcp")
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(
        initialize.authorization,
        Some(format!("Bearer {}", hosted.issued()[0]))
    );
    // The session the check opened is ended, with its ID, the same token and the version.
    let session = hosted.sessions_opened()[0].clone();
    let ended: Vec<_> = hosted
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.method == "DELETE")
        .map(|s| {
            (
                s.header("mcp-session-id").map(String::from),
                s.authorization.clone(),
                s.header("mcp-protocol-version").map(String::from),
            )
        })
        .collect();
    assert_eq!(
        ended,
        [(
            Some(session),
            initialize.authorization.clone(),
            Some("2025-06-18".to_string())
        )]
    );
    assert_eq!(hosted.open_sessions(), 0);
    // The REST API's /v2/self is never asked about an MCP token.
    assert!(env.fake.requests().is_empty());

    let status = env.run(&["status", "--profile", "agent"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status.stdout.contains(&format!(
            "  Server:     {} (hosted MCP; authorization server {})\n  Scopes:     mcp, offline_access\n",
            hosted.mcp_url, hosted.issuer
        )),
        "{status:?}"
    );
    let doctor = env.run(&["doctor", "--json", "--profile", "agent"]);
    let value: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    let row = value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "profile agent")
        .unwrap()
        .clone();
    assert_eq!(row["status"], "ok", "{row}");
    assert_eq!(
        row["detail"],
        "live (the hosted MCP server, fake-attio-mcp 0.1.0, accepted the token just now)"
    );
    assert_eq!(
        (hosted.sessions_opened().len(), hosted.open_sessions()),
        (2, 0),
        "doctor's check ends its session too"
    );
}

#[test]
fn logout_revokes_a_hosted_mcp_login_at_its_server() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(3600);
    assert_eq!(login(&env, &hosted, &[]).code, 0);
    let refresh_token = crate::support::stored_document(&env, "default")["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let run = env.run(&["logout"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .ends_with(&format!("Revoked its tokens at {}.\n", hosted.issuer)),
        "{run:?}"
    );
    assert!(!run.stderr.contains("uninstall the app"), "{run:?}");
    let revoked = &hosted.seen("/oidc/revoke")[0].form;
    assert_eq!(revoked["token"], refresh_token);
    assert_eq!(revoked["token_type_hint"], "refresh_token");
    assert!(revoked.contains_key("client_id"));
}
