//! Real networks (issue 23, item 5): the fake Attio behind TLS with a CA of the test's
//! own, given through `SSL_CERT_FILE`, reached directly, through an HTTP CONNECT proxy
//! and through a SOCKS5 proxy, all on 127.0.0.1. The proxies send every connection to
//! the TLS front, whatever host it asks for, and record what they were asked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{Run, TestEnv};

const API_KEY: &str = "sk_live_network_0123456789abcdef";
/// A name only the proxies can resolve (they send everything to the TLS front).
const REMOTE: &str = "https://api.attio.test";

/// A test's network: the fake Attio, the TLS front before it with its CA's PEM file,
/// and a CONNECT and a SOCKS5 proxy before that.
struct Net {
    env: TestEnv,
    /// `https://localhost:PORT`: the TLS front, reached directly.
    local: String,
    ca: PathBuf,
    connect: Proxy,
    socks: Proxy,
    _runtime: std::thread::JoinHandle<()>,
}

/// A proxy's address and what it was asked for: `host:port` for each connection, and
/// whether it was given credentials.
#[derive(Clone)]
struct Proxy {
    port: u16,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Net {
    fn new() -> Self {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        env.fake.accept_api_key(API_KEY);
        let fake: SocketAddr = env.fake.url.trim_start_matches("http://").parse().unwrap();

        // A CA of the test's own, and a certificate it signs for both names.
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "attio-auth test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "api.attio.test".into()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let ca = env.home.path().join("test-ca.pem");
        std::fs::write(&ca, ca_cert.pem()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let bind = || std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let (tls, connect, socks) = (bind(), bind(), bind());
        let front = tls.local_addr().unwrap();
        let port = |l: &std::net::TcpListener| l.local_addr().unwrap().port();
        let connect_proxy = Proxy {
            port: port(&connect),
            asked: Arc::default(),
        };
        let socks_proxy = Proxy {
            port: port(&socks),
            asked: Arc::default(),
        };
        let (c, s) = (connect_proxy.clone(), socks_proxy.clone());
        let runtime = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listen = |l: std::net::TcpListener| {
                    l.set_nonblocking(true).unwrap();
                    TcpListener::from_std(l).unwrap()
                };
                let (tls, connect, socks) = (listen(tls), listen(connect), listen(socks));
                tokio::spawn(serve(connect, move |stream| {
                    handle_connect(stream, front, c.clone())
                }));
                tokio::spawn(serve(socks, move |stream| {
                    handle_socks(stream, front, s.clone())
                }));
                serve(tls, move |stream| {
                    let acceptor = acceptor.clone();
                    async move {
                        let mut tls = acceptor.accept(stream).await.ok()?;
                        let mut plain = TcpStream::connect(fake).await.ok()?;
                        tokio::io::copy_bidirectional(&mut tls, &mut plain)
                            .await
                            .ok()?;
                        Some(())
                    }
                })
                .await;
            });
        });
        Net {
            local: format!("https://localhost:{}", front.port()),
            env,
            ca,
            connect: connect_proxy,
            socks: socks_proxy,
            _runtime: runtime,
        }
    }

    /// `attio-auth ARGS` with the API at `api` and these variables.
    fn run(&self, args: &[&str], api: &str, vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.env.cmd(args);
        cmd.env("ATTIO_API_URL", api);
        for (key, value) in vars {
            cmd.env(key, value);
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdin = if args.contains(&"--with-token") {
            API_KEY
        } else {
            ""
        };
        let _ = std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes());
        child.wait_with_output().unwrap().into()
    }

    fn ca(&self) -> &str {
        self.ca.to_str().unwrap()
    }
}

/// Accepts connections for ever, each handled on its own task.
async fn serve<F, Fut>(listener: TcpListener, handle: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: std::future::Future<Output = Option<()>> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(handle(stream));
    }
}

/// An HTTP proxy that only tunnels (`CONNECT host:port`), to `front` whatever the host.
async fn handle_connect(stream: TcpStream, front: SocketAddr, proxy: Proxy) -> Option<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await.ok()?;
    let target = line
        .strip_prefix("CONNECT ")?
        .split(' ')
        .next()?
        .to_string();
    let mut authorised = false;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        if header.trim().is_empty() {
            break;
        }
        authorised |= header
            .to_ascii_lowercase()
            .starts_with("proxy-authorization: basic ");
    }
    let note = if authorised { " with credentials" } else { "" };
    proxy.asked.lock().unwrap().push(format!("{target}{note}"));
    tunnel(
        reader.into_inner(),
        front,
        b"HTTP/1.1 200 Connection established\r\n\r\n",
    )
    .await
}

/// Connects to `front`, answers the client with `granted`, then carries bytes both ways.
async fn tunnel(mut client: TcpStream, front: SocketAddr, granted: &[u8]) -> Option<()> {
    let mut upstream = TcpStream::connect(front).await.ok()?;
    client.write_all(granted).await.ok()?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream)
        .await
        .ok()?;
    Some(())
}

/// A SOCKS5 proxy (no authentication), to `front` whatever the address; records a
/// name as `name:port` and an address as `ip a.b.c.d:port`.
async fn handle_socks(mut client: TcpStream, front: SocketAddr, proxy: Proxy) -> Option<()> {
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting).await.ok()?;
    let mut methods = vec![0u8; usize::from(greeting[1])];
    client.read_exact(&mut methods).await.ok()?;
    client.write_all(&[5, 0]).await.ok()?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await.ok()?;
    let target = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await.ok()?;
            format!("ip {}", std::net::Ipv4Addr::from(ip))
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await.ok()?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name).await.ok()?;
            String::from_utf8(name).ok()?
        }
        _ => return None,
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port).await.ok()?;
    proxy
        .asked
        .lock()
        .unwrap()
        .push(format!("{target}:{}", u16::from_be_bytes(port)));
    tunnel(client, front, &[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await
}

/// Logs in with the API key and asks who it is; both must work.
fn logs_in_and_whoami(net: &Net, api: &str, vars: &[(&str, &str)]) {
    let login = net.run(&["login", "--with-token", "--store", "file"], api, vars);
    assert_eq!(login.code, 0, "{login:?}");
    let whoami = net.run(&["whoami", "--json"], api, vars);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    let whoami: serde_json::Value = serde_json::from_str(&whoami.stdout).unwrap();
    assert_eq!(whoami["workspace_slug"], "acme");
}

#[test]
fn https_with_a_ca_from_ssl_cert_file_works_directly() {
    let net = Net::new();
    logs_in_and_whoami(&net, &net.local, &[("SSL_CERT_FILE", net.ca())]);
    assert!(net.connect.asked().is_empty() && net.socks.asked().is_empty());
}

#[test]
fn an_untrusted_certificate_says_how_to_trust_a_company_ca() {
    let net = Net::new();
    let run = net.run(
        &["login", "--with-token", "--store", "file"],
        &net.local,
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(
        run.stderr
            .contains("attio-auth: hint: the server's certificate is not trusted here")
            && run
                .stderr
                .contains("set SSL_CERT_FILE to your company's CA certificate"),
        "{run:?}"
    );
}

#[test]
fn a_bad_ssl_cert_file_or_dir_is_named() {
    let net = Net::new();
    let missing = net.env.home.path().join("no-such-ca.pem");
    let not_pem = net.env.home.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let empty = tempfile::tempdir().unwrap();
    // The system's own words for a missing file, on every platform.
    let not_found = std::io::Error::from_raw_os_error(2).to_string();
    for (variable, path, why) in [
        ("SSL_CERT_FILE", missing.as_path(), not_found.as_str()),
        (
            "SSL_CERT_FILE",
            not_pem.as_path(),
            "it holds no PEM certificate",
        ),
        ("SSL_CERT_DIR", empty.path(), "it holds no PEM certificate"),
    ] {
        let run = net.run(
            &["login", "--with-token", "--store", "file"],
            &net.local,
            &[(variable, path.to_str().unwrap())],
        );
        run.expect(
            1,
            "",
            &format!(
                "attio-auth: error: checking the token with Attio; nothing was stored: {variable} names {}, which cannot be used: {why}\n\
                 attio-auth: hint: point {variable} at your CA certificates (PEM), or unset it to use only the system's trust store\n",
                path.display()
            ),
        );
        assert!(net.env.fake.seen("/v2/self").is_empty(), "nothing was sent");
    }
    // A directory of PEM files is read too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&net.ca, dir.path().join("company.pem")).unwrap();
    logs_in_and_whoami(
        &net,
        &net.local,
        &[("SSL_CERT_DIR", dir.path().to_str().unwrap())],
    );
}

#[test]
fn https_goes_through_a_connect_proxy_with_credentials_that_are_never_shown() {
    let net = Net::new();
    let proxy = format!("http://alice:proxy-pass-42@127.0.0.1:{}", net.connect.port);
    let vars = [("SSL_CERT_FILE", net.ca()), ("HTTPS_PROXY", proxy.as_str())];
    logs_in_and_whoami(&net, REMOTE, &vars);
    assert_eq!(
        net.connect.asked(),
        vec!["api.attio.test:443 with credentials"; 2]
    );
    let verbose = net.run(&["--verbose", "whoami"], REMOTE, &vars);
    assert_eq!(verbose.code, 0, "{verbose:?}");
    assert!(
        verbose.stderr.contains(&format!(
            "https://api.attio.test goes through the proxy http://127.0.0.1:{}; certificates from the system's trust store and SSL_CERT_FILE ({})",
            net.connect.port,
            net.ca.display()
        )),
        "{verbose:?}"
    );
    let doctor = net.run(&["doctor", "--json"], REMOTE, &vars);
    for run in [&verbose, &doctor] {
        assert!(
            !run.stderr.contains("proxy-pass-42") && !run.stdout.contains("proxy-pass-42"),
            "{run:?}"
        );
    }
    let doctor: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    let network = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "network")
        .cloned()
        .unwrap_or_default();
    assert_eq!(network["status"], "ok", "{doctor}");
    assert!(
        network["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!(
                "https://api.attio.test goes through the proxy http://127.0.0.1:{}",
                net.connect.port
            )),
        "{doctor}"
    );
}

#[test]
fn no_proxy_sends_a_host_directly() {
    let net = Net::new();
    let proxy = format!("http://127.0.0.1:{}", net.connect.port);
    let through = [("SSL_CERT_FILE", net.ca()), ("HTTPS_PROXY", proxy.as_str())];
    logs_in_and_whoami(&net, &net.local, &through);
    assert_eq!(
        net.connect.asked().len(),
        2,
        "without NO_PROXY, through the proxy"
    );
    let direct = [
        ("SSL_CERT_FILE", net.ca()),
        ("HTTPS_PROXY", proxy.as_str()),
        ("NO_PROXY", "example.com,localhost"),
    ];
    let whoami = net.run(&["whoami"], &net.local, &direct);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    assert_eq!(
        net.connect.asked().len(),
        2,
        "NO_PROXY: not through the proxy"
    );
}

#[test]
fn https_goes_through_a_socks5_proxy_which_resolves_names_with_socks5h() {
    let net = Net::new();
    let socks5h = format!("socks5h://127.0.0.1:{}", net.socks.port);
    logs_in_and_whoami(
        &net,
        REMOTE,
        &[("SSL_CERT_FILE", net.ca()), ("ALL_PROXY", socks5h.as_str())],
    );
    assert_eq!(net.socks.asked(), vec!["api.attio.test:443"; 2]);
    // socks5://: the name is resolved here, and the proxy is given the address.
    let socks5 = format!("socks5://127.0.0.1:{}", net.socks.port);
    let login = net.run(
        &[
            "--profile",
            "by-address",
            "login",
            "--with-token",
            "--store",
            "file",
        ],
        &net.local,
        &[("SSL_CERT_FILE", net.ca()), ("ALL_PROXY", socks5.as_str())],
    );
    assert_eq!(login.code, 0, "{login:?}");
    let port = net.local.rsplit(':').next().unwrap();
    assert_eq!(
        net.socks.asked().last().unwrap(),
        &format!("ip 127.0.0.1:{port}")
    );
}
