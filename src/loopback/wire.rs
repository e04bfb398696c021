//! HTTP/1.1 as the listener speaks it: a strictly parsed request head, and the few
//! small responses it sends (pages with escaped text, a redirect).

/// The method, target and `Host` of a request head.
pub(super) fn parse_head(head: &[u8]) -> Option<(String, String, Option<String>)> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (first.next()?, first.next()?, first.next()?);
    if first.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    let host = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then(|| value.trim().to_string())
    });
    Some((method.to_string(), target.to_string(), host))
}

/// A complete answer with a small HTML page. Nothing secret, and no server text, is
/// ever put in it.
pub(super) fn page(status: u16, title: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>attio-auth: {}</title></head>\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{}</h1><p>{}</p></body></html>\n",
        escape(title),
        escape(title),
        escape(message)
    );
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        reason(status),
        body.len()
    )
    .into_bytes()
}

/// A 302 to `location`, which must not be cached or sent on as a referrer.
pub(super) fn redirect(location: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    }
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
    use super::*;

    #[test]
    fn page_text_is_escaped() {
        assert_eq!(escape("<script>&\""), "&lt;script&gt;&amp;&quot;");
    }

    #[test]
    fn request_heads_are_parsed_strictly() {
        let head = b"GET /callback?code=a HTTP/1.1\r\nhost: localhost:3456\r\nX: y";
        let (method, target, host) = parse_head(head).unwrap();
        assert_eq!(
            (method.as_str(), target.as_str()),
            ("GET", "/callback?code=a")
        );
        assert_eq!(host.as_deref(), Some("localhost:3456"));
        assert!(parse_head(b"GET http://evil/ HTTP/1.1").is_none());
        assert!(parse_head(b"GET / SPDY/3").is_none());
        assert!(parse_head(b"GET / HTTP/1.1 extra").is_none());
    }
}
