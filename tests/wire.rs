//! A TCP front between attio-auth and the fake Attio, behaving as real servers and
//! networks do: it closes a connection left idle between requests (Node after 5 s, nginx
//! after 75 s; here after a second, so tests stay short), and, for the chaos run, it
//! refuses connects, resets connections before, during or after the request, stalls, and
//! truncates answers, recording what it did and whether any byte of the request had
//! reached it when it struck.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a connection may sit idle between requests before the front closes it.
pub const IDLE_CLOSE: Duration = Duration::from_secs(1);

/// What the front does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// Relays faithfully; closes the connection once idle for this long between requests.
    Idle(Duration),
    /// Resets the connection as soon as it is accepted, reading nothing.
    ResetAtOnce,
    /// Resets the connection after this many bytes of the request reached it (nothing
    /// is passed on).
    ResetDuring(usize),
    /// Passes the whole first request on, then resets before any answer.
    ResetAfterRequest,
    /// Reads the request and never answers (past any client's timeout).
    Stall,
    /// Passes the request on and cuts the answer after this many bytes.
    Truncate(usize),
}

/// One connection the front saw, and what became of it.
#[derive(Debug, Clone)]
pub struct Struck {
    pub fault: Fault,
    /// Bytes of the request that had reached the front when the fault struck (or when
    /// the connection ended).
    pub received: usize,
    /// Whether the fault happened (an idle connection used again before the close, or a
    /// client gone before a later fault, leaves it not struck).
    pub struck: bool,
}

/// Decides each connection's fault, in order of arrival.
pub type Plan = Box<dyn FnMut() -> Fault + Send>;

pub struct Front {
    pub port: u16,
    stop: Arc<AtomicBool>,
    /// `true` while connects are refused (the port is closed).
    refusing: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Struck>>>,
    thread: Option<JoinHandle<()>>,
}

impl Front {
    /// A front on a free port of 127.0.0.1 that gives each connection the fault `plan`
    /// picks.
    pub fn start(backend: SocketAddr, mut plan: Plan) -> Front {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the TCP front");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let refusing = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, refusing, seen) = (stop.clone(), refusing.clone(), seen.clone());
            thread::spawn(move || {
                let mut listener = Some(listener);
                listener.as_ref().unwrap().set_nonblocking(true).unwrap();
                while !stop.load(Ordering::SeqCst) {
                    // Refusing: the port is closed, so connects get ECONNREFUSED.
                    if refusing.load(Ordering::SeqCst) {
                        listener = None;
                    } else if listener.is_none()
                        && let Ok(l) = TcpListener::bind(("127.0.0.1", port))
                    {
                        l.set_nonblocking(true).unwrap();
                        listener = Some(l);
                    }
                    let accepted = listener.as_ref().map(TcpListener::accept);
                    match accepted {
                        Some(Ok((client, _))) => {
                            client.set_nonblocking(false).unwrap();
                            let fault = plan();
                            let seen = seen.clone();
                            thread::spawn(move || serve(client, backend, fault, &seen));
                        }
                        // Nothing to accept (or refusing): look again shortly.
                        _ => thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Front {
            port,
            stop,
            refusing,
            seen,
            thread: Some(thread),
        }
    }

    /// Closes the port (connects are refused) or opens it again.
    pub fn refuse(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
        // Wait until the accept loop has done it, so the next connect sees it.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let open = TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if open != refusing || Instant::now() > deadline {
                break;
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// The connections seen so far, and takes them off the record.
    pub fn take(&self) -> Vec<Struck> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Closes a connection with a reset (RST) rather than a FIN.
fn reset(stream: TcpStream) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: setsockopt on an open socket with a properly sized value.
        unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&raw const linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
    }
    drop(stream);
}

/// The length of a whole request at the start of `bytes` (head and `Content-Length`
/// body), once it is all there.
fn request_length(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let body: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (bytes.len() >= end + body).then_some(end + body)
}

fn serve(client: TcpStream, backend: SocketAddr, fault: Fault, seen: &Mutex<Vec<Struck>>) {
    let record = |received: usize, struck: bool| {
        seen.lock().unwrap().push(Struck {
            fault,
            received,
            struck,
        });
    };
    match fault {
        Fault::ResetAtOnce => {
            reset(client);
            record(0, true);
        }
        Fault::ResetDuring(_) | Fault::Stall | Fault::ResetAfterRequest => {
            // Read the request (or part of it) before striking.
            let mut client = client;
            let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            let enough = |got: &[u8]| match fault {
                Fault::ResetDuring(n) => got.len() >= n,
                _ => request_length(got).is_some(),
            };
            while !enough(&got) {
                match client.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        record(got.len(), false);
                        return;
                    }
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            match fault {
                Fault::ResetDuring(_) => {
                    reset(client);
                    record(got.len(), true);
                }
                Fault::Stall => {
                    record(got.len(), true);
                    // Hold the connection, answering nothing, until the client leaves.
                    while matches!(client.read(&mut buf), Ok(n) if n > 0) {}
                }
                _ => {
                    let length = request_length(&got).unwrap();
                    let Ok(mut upstream) = TcpStream::connect(backend) else {
                        return;
                    };
                    let _ = upstream.write_all(&got[..length]);
                    // The server has the request: wait for its first answer byte, then
                    // reset, so it acted but the client never hears of it.
                    let _ = upstream.read(&mut buf);
                    reset(client);
                    record(got.len(), true);
                }
            }
        }
        Fault::Idle(_) | Fault::Truncate(_) => relay(client, backend, fault, &record),
    }
}

/// Relays both ways; closes an idle connection, or cuts the answer short.
fn relay(client: TcpStream, backend: SocketAddr, fault: Fault, record: &dyn Fn(usize, bool)) {
    let Ok(upstream) = TcpStream::connect(backend) else {
        return;
    };
    /// Whose turn it is, and since when: idle means the client's turn, for long.
    struct Turn {
        clients: bool,
        since: Instant,
        received: usize,
    }
    let turn = Arc::new(Mutex::new(Turn {
        clients: true,
        since: Instant::now(),
        received: 0,
    }));
    let answers = {
        let (mut from, mut to) = (upstream.try_clone().unwrap(), client.try_clone().unwrap());
        let turn = turn.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 16384];
            let mut sent = 0;
            loop {
                match from.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Fault::Truncate(limit) = fault {
                            let room = limit.saturating_sub(sent);
                            let _ = to.write_all(&buf[..n.min(room)]);
                            if n >= room {
                                return true;
                            }
                        } else if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        sent += n;
                        let mut turn = turn.lock().unwrap();
                        turn.clients = true;
                        turn.since = Instant::now();
                    }
                }
            }
            false
        })
    };
    let (mut from, mut to) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 16384];
    let mut idled = false;
    loop {
        if answers.is_finished() {
            break;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                let mut turn = turn.lock().unwrap();
                turn.clients = false;
                turn.received += n;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                let turn = turn.lock().unwrap();
                if let Fault::Idle(after) = fault
                    && turn.clients
                    && turn.since.elapsed() >= after
                {
                    idled = true;
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    let truncated = answers.join().unwrap_or(false);
    let received = turn.lock().unwrap().received;
    record(received, idled || truncated);
}
