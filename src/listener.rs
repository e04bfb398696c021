//! The loopback listener that catches the OAuth redirect, and the stdin reader that lets a
//! user paste the redirect URL instead (remote and headless machines). Both feed one
//! channel; the login command decides what each arrival means.

use std::io::{self, BufRead, IsTerminal};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread;

use anyhow::{Context, Result};
use tiny_http::{Header, Request, Response, Server};

use crate::callback;
use crate::failure::{Failure, Kind};
use crate::output;

/// Something that may be the redirect, or the user giving up.
pub enum Arrival {
    Http(Request),
    Pasted(String),
    /// Ctrl-C (SIGINT) while waiting.
    Interrupted,
}

/// Servers bound to the loopback addresses on one port.
pub struct Listener {
    servers: Vec<Arc<Server>>,
    port: u16,
}

impl Listener {
    /// Binds 127.0.0.1 (and [::1] where the machine has it) on `port`; 0 takes a free
    /// port. Binding happens before any browser is opened.
    pub fn bind(port: u16) -> Result<Self> {
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| bind_error(e, port))?;
        let port = v4
            .local_addr()
            .context("reading the listener's port")?
            .port();
        let mut listeners = vec![v4];
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
            Ok(v6) => listeners.push(v6),
            // Someone else on [::1]:port could receive the browser's redirect.
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => return Err(bind_error(e, port)),
            Err(_) => {} // no IPv6 loopback here: browsers will use 127.0.0.1
        }
        let addresses: Vec<String> = listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .map(|a| a.to_string())
            .collect();
        output::verbose(format!(
            "listening for the redirect on {}",
            addresses.join(" and ")
        ));
        let servers = listeners
            .into_iter()
            .map(|l| {
                Server::from_listener(l, None)
                    .map(Arc::new)
                    .map_err(|e| anyhow::anyhow!("starting the callback listener: {e}"))
            })
            .collect::<Result<_>>()?;
        Ok(Self { servers, port })
    }

    /// The redirect URI registered for this port.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}{}", self.port, callback::PATH)
    }

    /// Forwards every incoming request to `tx` until the listener is dropped.
    pub fn serve(&self, tx: &Sender<Arrival>) {
        for server in &self.servers {
            let server = Arc::clone(server);
            let tx = tx.clone();
            thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    if tx.send(Arrival::Http(request)).is_err() {
                        break;
                    }
                }
            });
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        for server in &self.servers {
            server.unblock();
        }
    }
}

/// A clear message for a port that cannot be bound.
fn bind_error(err: io::Error, port: u16) -> anyhow::Error {
    if err.kind() == io::ErrorKind::AddrInUse {
        Failure::new(Kind::Failed, format!("port {port} is already in use on the loopback interface"))
            .hint(format!(
                "stop the program listening on port {port}, or pass --port N with a redirect URI registered for that port (--port 0 picks any free port where the app allows it)"
            ))
            .into()
    } else {
        anyhow::Error::new(err).context(format!(
            "listening on 127.0.0.1:{port} for the OAuth redirect"
        ))
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

/// Whether the request's `Host` names a loopback address (a DNS-rebinding page would send
/// its own host name).
pub fn host_is_loopback(request: &Request) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host.as_str(),
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// Answers the browser with a small page. Nothing secret is ever put in it.
pub fn respond(request: Request, status: u16, title: &str, message: &str) {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>attio-auth: {title}</title></head>\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{title}</h1><p>{}</p></body></html>\n",
        escape(message)
    );
    let response = Response::from_string(page)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("Connection", "close"));
    // The browser may be gone already; the login's outcome does not depend on it.
    let _ = request.respond(response);
}

/// A header built from known-good ASCII.
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// Escapes text for an HTML page.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn page_text_is_escaped() {
        assert_eq!(escape("<script>&\""), "&lt;script&gt;&amp;&quot;");
    }
}
