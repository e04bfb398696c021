//! The loopback listener that catches the OAuth redirect, and the stdin reader that lets a
//! user paste the redirect URL instead (remote and headless machines). Both feed one
//! channel; the login command decides what each arrival means.
//!
//! The listener is built to survive any one client, since another local user can connect
//! to it: it reads at most [`MAX_HEAD`] bytes of one request head per connection (never a
//! body, never a second request), gives each connection [`HEAD_TIMEOUT`] to send its head,
//! keeps at most [`MAX_WAITING`] connections waiting for theirs (when full, another
//! user's go first, then the oldest of whoever holds the most: see [`Room`]; a
//! browser sends its request at once), and writes every answer from its own thread (a client that never reads
//! cannot block the login). It raises its soft limit on open files to the hard limit, runs
//! on a single-threaded tokio runtime of its own, and tells the login at once if it stops
//! accepting.

use std::io::{self, BufRead, IsTerminal};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use super::callback;
use super::port::bind_error;
use super::room::{Room, is_transient};
use super::wire::{page, parse_head, redirect};
use crate::output;

/// The largest request head read; a browser's redirect is well under 2 KiB.
const MAX_HEAD: usize = 8 * 1024;
/// How long a connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an answer may take to be written.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection waits for the login to decide its answer (a code exchange and
/// identity check, with their own timeouts, may run meanwhile).
const REPLY_TIMEOUT: Duration = Duration::from_secs(600);
/// The most connections kept waiting for their request head (see [`Room`]).
const MAX_WAITING: usize = 64;
/// How long the login waits for its last answer to be written before it ends.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// Something that may be the redirect, or the end of the wait.
pub enum Arrival {
    Http(Incoming),
    Pasted(String),
    /// Ctrl-C (SIGINT) while waiting.
    Interrupted,
    /// The listener stopped accepting connections: the redirect can no longer arrive.
    ListenerStopped(String),
}

/// One request head that reached the listener, waiting for the login's answer.
pub struct Incoming {
    pub method: String,
    /// The request target (path and query), as sent.
    pub target: String,
    /// The `Host` header, if any.
    pub host: Option<String>,
    /// Who opened the connection, where the platform tells (Linux).
    pub peer: crate::os::Peer,
    reply: oneshot::Sender<Reply>,
    /// Told once the answer has been written (or given up on).
    written: Receiver<()>,
}

/// What the login answers a request with.
pub enum Reply {
    /// A small page: status, title and a plain sentence (never server text).
    Page {
        status: u16,
        title: String,
        message: String,
    },
    /// A 302 to another URL (the start URL's one use).
    Redirect(String),
}

impl Incoming {
    /// Hands the answer to the connection's own task, which writes it.
    pub fn respond(self, reply: Reply) {
        // The client may be gone already; the login's outcome does not depend on it.
        let _ = self.reply.send(reply);
    }

    /// Answers with the login's last page and waits (briefly) until it is written, since
    /// the process ends next.
    pub fn last_page(self, status: u16, title: &str, message: &str) {
        let written = self.reply_page(status, title, message);
        let _ = written.recv_timeout(FLUSH_TIMEOUT);
    }

    fn reply_page(self, status: u16, title: &str, message: &str) -> Receiver<()> {
        let _ = self.reply.send(Reply::Page {
            status,
            title: title.into(),
            message: message.into(),
        });
        self.written
    }

    /// Answers with a small page.
    pub fn page(self, status: u16, title: &str, message: &str) {
        self.reply_page(status, title, message);
    }

    /// Who sent this, when it must be refused: a local user who is neither us nor root
    /// (root is out of scope anyway, and port forwarders that carry a real browser's
    /// connection, docker-proxy or WSL's localhost relay, often run as root), or a
    /// connection gone before its user could be checked (a reset is how another user
    /// would hide).
    pub fn refused_peer(&self) -> Option<String> {
        if !self.peer.is_foreign() {
            return None;
        }
        Some(match self.peer {
            crate::os::Peer::Uid(uid) => format!("another local user (uid {uid})"),
            _ => "a connection that closed before its user could be checked".into(),
        })
    }

    /// Whether the `Host` header names a loopback address (a DNS-rebinding page would
    /// send its own host name).
    pub fn host_is_loopback(&self) -> bool {
        let Some(host) = self.host.as_deref().map(str::to_ascii_lowercase) else {
            return false;
        };
        let name = match host.rsplit_once(':') {
            Some((name, port))
                if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) =>
            {
                name
            }
            _ => host.as_str(),
        };
        matches!(name, "localhost" | "127.0.0.1" | "[::1]")
    }
}

/// The port of the conventional redirect URI `http://localhost:3456/callback`.
pub const DEFAULT_PORT: u16 = 3456;

/// Listening sockets bound to the loopback addresses on one port.
pub struct Listener {
    sockets: Vec<TcpListener>,
    port: u16,
}

impl Listener {
    /// Binds 127.0.0.1 (and [::1] where the machine has it) on `port`; 0 takes a free
    /// port. Binding happens before any browser is opened.
    pub fn bind(port: u16) -> Result<Self> {
        crate::os::raise_fd_limit();
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| bind_error(e, port))?;
        let port = v4
            .local_addr()
            .context("reading the listener's port")?
            .port();
        let mut sockets = vec![v4];
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
            Ok(v6) => sockets.push(v6),
            // Someone else on [::1]:port could receive the browser's redirect.
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => return Err(bind_error(e, port)),
            Err(_) => {} // no IPv6 loopback here: browsers will use 127.0.0.1
        }
        let listener = Self { sockets, port };
        output::verbose(format!(
            "listening for the redirect on {}",
            listener.addresses().join(" and ")
        ));
        Ok(listener)
    }

    /// The addresses listened on, for people (`127.0.0.1:3456`, `[::1]:3456`).
    pub fn addresses(&self) -> Vec<String> {
        self.sockets
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .map(|a| a.to_string())
            .collect()
    }

    /// The port listened on (the one taken when 0 was asked for).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The redirect URI registered for this port.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}{}", self.port, callback::PATH)
    }

    /// The one-time URL the browser is given instead of the authorize URL.
    pub fn start_uri(&self, nonce: &str) -> String {
        format!(
            "http://localhost:{}{}{nonce}",
            self.port,
            callback::START_PREFIX
        )
    }

    /// Serves every connection on a thread of its own, forwarding each request head to
    /// `tx`, until the process ends. Returns the room of waiting connections, which
    /// knows whose were turned away.
    pub fn serve(self, tx: &Sender<Arrival>) -> Result<Arc<Room>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .context("starting the callback listener")?;
        let tx = tx.clone();
        let sockets = self.sockets;
        let room = Arc::new(Room::new(MAX_WAITING));
        let waiting = Arc::clone(&room);
        thread::spawn(move || {
            runtime.block_on(async move {
                let mut loops = Vec::new();
                for socket in sockets {
                    let stopped = tx.clone();
                    let accepted = match socket
                        .set_nonblocking(true)
                        .and_then(|()| tokio::net::TcpListener::from_std(socket))
                    {
                        Ok(listener) => accept_loop(listener, tx.clone(), Arc::clone(&waiting)),
                        Err(e) => {
                            let _ = stopped.send(Arrival::ListenerStopped(e.to_string()));
                            continue;
                        }
                    };
                    loops.push(tokio::spawn(accepted));
                }
                for handle in loops {
                    let _ = handle.await;
                }
            });
        });
        Ok(room)
    }
}

/// Accepts connections until an error that will not pass; then tells the login.
async fn accept_loop(listener: tokio::net::TcpListener, tx: Sender<Arrival>, waiting: Arc<Room>) {
    let local = listener.local_addr().ok();
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let id = waiting.next_id();
                let queue = Arc::clone(&waiting);
                let tx = tx.clone();
                let task = tokio::spawn(async move {
                    handle(stream, peer, local, tx, id, queue).await;
                });
                waiting.admit(id, peer, local, task.abort_handle());
            }
            // Out of descriptors or buffers for now: they come back as connections close.
            Err(e) if is_transient(&e) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => {
                let _ = tx.send(Arrival::ListenerStopped(e.to_string()));
                return;
            }
        }
    }
}

/// One connection: one request head in, one answer out, then closed.
async fn handle(
    mut stream: tokio::net::TcpStream,
    peer: SocketAddr,
    local: Option<SocketAddr>,
    tx: Sender<Arrival>,
    id: u64,
    waiting: Arc<Room>,
) {
    let head = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await;
    // Past its head, a connection can no longer be dropped for a newer one.
    waiting.leave(id);
    let head = match head {
        Ok(Ok(Some(head))) => head,
        Ok(Ok(None)) => {
            write(
                &mut stream,
                &page(431, "Request too large", "This request was not accepted."),
            )
            .await;
            return;
        }
        _ => return,
    };
    let Some((method, target, host)) = parse_head(&head) else {
        write(
            &mut stream,
            &page(400, "Bad request", "This request was not understood."),
        )
        .await;
        return;
    };
    let (reply, answer) = oneshot::channel();
    let (written, flushed) = mpsc::channel();
    let incoming = Incoming {
        method,
        target,
        host,
        peer: local.map_or(crate::os::Peer::Unknown, |local| {
            crate::os::peer(peer, local)
        }),
        reply,
        written: flushed,
    };
    if tx.send(Arrival::Http(incoming)).is_err() {
        write(
            &mut stream,
            &page(
                503,
                "Login over",
                "This login has ended. You can close this tab.",
            ),
        )
        .await;
        return;
    }
    if let Ok(Ok(reply)) = tokio::time::timeout(REPLY_TIMEOUT, answer).await {
        let bytes = match reply {
            Reply::Page {
                status,
                title,
                message,
            } => page(status, &title, &message),
            Reply::Redirect(location) => redirect(&location),
        };
        write(&mut stream, &bytes).await;
    }
    let _ = written.send(());
}

/// Writes an answer, giving up after [`WRITE_TIMEOUT`].
async fn write(stream: &mut tokio::net::TcpStream, bytes: &[u8]) {
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        stream.write_all(bytes).await?;
        stream.shutdown().await
    })
    .await;
}

/// Reads up to the end of the request head; `None` when it is larger than [`MAX_HEAD`].
async fn read_head(stream: &mut tokio::net::TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
    }
}

/// When stdin is a terminal, forwards each line typed or pasted there to `tx`. Returns
/// whether it does.
pub fn watch_stdin(tx: &Sender<Arrival>) -> bool {
    if !io::stdin().is_terminal() {
        return false;
    }
    let tx = tx.clone();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if !line.trim().is_empty() && tx.send(Arrival::Pasted(line)).is_err() {
                break;
            }
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::is_transient;
    use std::io;

    #[test]
    fn accept_errors_that_pass_keep_the_listener_going() {
        #[cfg(windows)]
        let (passing, fatal) = ([10004, 10024, 10053, 10054, 10055], [10022, 10038]);
        #[cfg(unix)]
        let (passing, fatal) = (
            [
                libc::EINTR,
                libc::EMFILE,
                libc::ENFILE,
                libc::ENOBUFS,
                libc::ECONNABORTED,
            ],
            [libc::EBADF, libc::EINVAL],
        );
        for code in passing {
            assert!(is_transient(&io::Error::from_raw_os_error(code)), "{code}");
        }
        for code in fatal {
            assert!(!is_transient(&io::Error::from_raw_os_error(code)), "{code}");
        }
    }
}
