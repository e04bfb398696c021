//! The login's loopback listener under attack: oversized and endless requests, floods,
//! idle connections, and other local users' browsers and connections.

use std::io::{Read, Write};
use std::net::TcpStream;

#[cfg(target_os = "linux")]
use crate::browsers::script;
use crate::browsers::{connect, login_survives, login_with, page_browser, saved_page};
use crate::fake_attio::{Consent, Tokens};
#[cfg(target_os = "linux")]
use crate::support::BROWSER;
use crate::support::TestEnv;
#[cfg(target_os = "linux")]
use crate::support::can_chown;

#[test]
fn a_huge_content_length_does_not_crash_the_listener() {
    login_survives("", |port| {
        let mut stream = connect(port);
        stream
            .write_all(
                b"GET /callback HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1099511627776\r\n\r\n",
            )
            .unwrap();
        // The answer comes without the body ever being read.
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 "), "{answer:?}");
    });
}

#[test]
fn an_endless_header_line_is_cut_off() {
    login_survives("", |port| {
        let mut stream = connect(port);
        let chunk = vec![b'a'; 1024 * 1024];
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nX-Big: ");
        let mut sent = 0;
        while sent < 256 && stream.write_all(&chunk).is_ok() {
            sent += 1;
        }
        assert!(sent < 256, "the listener read 256 MiB of one header");
    });
}

#[test]
fn a_flood_of_pipelined_requests_that_are_never_read_does_not_block_it() {
    login_survives("", |port| {
        let mut stream = connect(port);
        stream
            .set_write_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let request = b"GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(200_000);
        // Kept open and never read: the answers pile up on the listener's side.
        let _ = stream.write_all(&request);
        std::mem::forget(stream);
    });
}

#[test]
fn idle_connections_cannot_exhaust_its_file_descriptors() {
    // A soft limit of 256 descriptors, as a cautious system might set; attio-auth raises
    // its own to the hard limit.
    login_survives("ulimit -Sn 256; ", |port| {
        let idle: Vec<TcpStream> = (0..300).map(|_| connect(port)).collect();
        std::mem::forget(idle);
    });
}

#[test]
fn a_second_fetch_of_the_start_url_ends_the_login() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // Another program fetched the start URL first; then the browser does.
    let browser = page_browser(
        &env,
        "curl --silent --output /dev/null \"$1\"\ncurl --silent --output \"$HOME/page\" \"$1\"",
    );
    let run = login_with(&env, &browser);
    assert_eq!((run.code, run.stdout.as_str()), (4, ""), "{run:?}");
    assert!(
        run.stderr
            .contains("another program opened this login's URL"),
        "{run:?}"
    );
    assert!(env.fake.seen("/oauth/token").is_empty());
    let page = saved_page(&env);
    assert!(page.contains("terminal"), "{page}");
}

#[cfg(target_os = "linux")]
#[test]
fn another_users_browser_cannot_take_the_login() {
    if !can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The neighbour polls /proc, finds the URL and fetches it first, as uid 65534.
    let browser = script(
        &env,
        "neighbour-first",
        &format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups curl --silent --output /dev/null --write-out '%{{http_code}}' \"$1\" > \"$HOME/neighbour\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 0, "{run:?}");
    let neighbour = std::fs::read_to_string(env.home.path().join("neighbour")).unwrap();
    assert_eq!(neighbour, "403");
    assert_eq!(
        env.fake.seen("/authorize").len(),
        1,
        "only our browser got there"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn another_user_flooding_the_listener_cannot_evict_the_browser_s_connection() {
    if !can_chown() || !crate::support::have("setpriv", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // uid 65534 opens 100 idle connections (more than the 64 waiting slots) after the
    // browser has connected and before it sends its request, and says `ready` once the
    // listener has closed one of them: by then it has accepted enough of them to be full.
    let flood = r#"import select, socket, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
held = [socket.create_connection((p.hostname, p.port)) for _ in range(100)]
readable, _, _ = select.select(held, [], [], 30)
print("ready", flush=True)
sys.stdin.read()"#;
    // The browser, as us: connects, lets the neighbour flood, then sends its request
    // on the same connection, and follows the redirect with curl.
    let slow_browser = format!(
        r#"import socket, subprocess, sys, urllib.parse as u
url = sys.argv[1]
p = u.urlsplit(url)
s = socket.create_connection((p.hostname, p.port))
flood = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
    "/usr/bin/python3", "-c", sys.argv[2], url], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
flood.stdout.readline()
target = p.path + ("?" + p.query if p.query else "")
s.sendall(f"GET {{target}} HTTP/1.1\r\nHost: {{p.netloc}}\r\n\r\n".encode())
reply = b""
while b"\r\n\r\n" not in reply:
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
flood.stdin.close()
flood.wait()
location = [l.split(":", 1)[1].strip() for l in reply.decode().split("\r\n") if l.lower().startswith("location:")]
if not location:
    sys.exit("evicted: " + repr(reply))
subprocess.run("{BROWSER} '" + location[0] + "'", shell=True)"#
    );
    std::fs::write(env.home.path().join("browser.py"), slow_browser).unwrap();
    std::fs::write(env.home.path().join("flood.py"), flood).unwrap();
    let browser = script(
        &env,
        "slow-browser",
        "exec /usr/bin/python3 \"$HOME/browser.py\" \"$1\" \"$(cat \"$HOME/flood.py\")\" 2> \"$HOME/browser.err\"",
    );
    let run = login_with(&env, &browser);
    let said = std::fs::read_to_string(env.home.path().join("browser.err")).unwrap_or_default();
    assert_eq!(
        run.code, 0,
        "the browser's connection survived: {run:?}\n{said}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn another_user_who_resets_the_start_connection_cannot_end_the_login() {
    if !can_chown() || !crate::support::have("setpriv", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The neighbour fetches the start URL first as uid 65534 and resets the connection at
    // once (SO_LINGER 0), so that its socket is gone before the listener looks it up.
    let reset = r#"import socket, struct, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
s = socket.create_connection((p.hostname, p.port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.sendall(f"GET {p.path} HTTP/1.1\r\nHost: {p.netloc}\r\n\r\n".encode())
s.close()"#;
    let browser = script(
        &env,
        "neighbour-resets",
        &format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '{reset}' \"$1\" 2> \"$HOME/neighbour\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    let neighbour = std::fs::read_to_string(env.home.path().join("neighbour")).unwrap();
    assert_eq!(neighbour, "", "the neighbour's request was sent");
    assert_eq!(
        run.code, 0,
        "the login is not ended by the neighbour: {run:?}"
    );
    assert_eq!(
        env.fake.seen("/authorize").len(),
        1,
        "only our browser got there"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_login_flooded_by_another_user_says_who_when_it_gives_up() {
    if !can_chown() || !crate::support::have("setpriv", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // uid 65534 connects again and again (the listener closes what it cannot hold),
    // for as long as the login waits; the browser never comes.
    let flood = r#"import socket, sys, time, urllib.parse as u
p = u.urlsplit(sys.argv[1])
held, end = [], time.time() + 6
while time.time() < end:
    try:
        held.append(socket.create_connection((p.hostname, p.port), timeout=1))
    except OSError:
        pass
    held = held[-200:]"#;
    std::fs::write(env.home.path().join("flood.py"), flood).unwrap();
    let browser = script(
        &env,
        "flooding-neighbour",
        "setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \"$HOME/flood.py\" \"$1\" >/dev/null 2>&1 &",
    );
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "3"],
        &[("BROWSER", &browser)],
    );
    assert_eq!(run.code, 4, "{run:?}");
    let error = run
        .stderr
        .lines()
        .find(|l| l.starts_with("attio-auth: error: "))
        .unwrap_or_else(|| panic!("{run:?}"));
    assert!(
        error.starts_with("attio-auth: error: no redirect arrived within 3 s; meanwhile the listener turned away connections that were not the browser's: ")
            && error.contains(" from another local user (uid 65534)")
            && error.ends_with(". A flood from another account can keep the browser's own connection from getting through"),
        "{run:?}"
    );
    let hint = run
        .stderr
        .lines()
        .find(|l| l.starts_with("attio-auth: hint: "))
        .unwrap();
    assert!(hint.contains("paste it at the prompt"), "{hint}");
}
