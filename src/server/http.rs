//! Just enough HTTP/1.1 for the container credentials protocol: read one request head (no body,
//! bounded in size and time), answer it, close the connection. No keep-alive, no chunking: the
//! SDKs make one GET per credential fetch and accept `Connection: close`.

use std::io::{self, Read, Write};

use crate::secret::SecretText;

/// A request head larger than this is refused (the SDKs send a few hundred bytes).
pub const MAX_HEAD: usize = 16 * 1024;

/// The parts of a request the server looks at. Header values are trimmed; names compared
/// case-insensitively.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    /// The `Authorization` header: the bearer secret. Held as a secret, never printed.
    pub authorization: Option<SecretText>,
    /// More than one `Host` or `Authorization` header (refused: ambiguous).
    pub repeated: bool,
}

/// Reads up to the blank line that ends the head (wiped when dropped: it holds the token).
/// `Ok(None)` when the client closed the connection first or sent more than [`MAX_HEAD`] bytes;
/// a read timeout is an error.
pub fn read_head(stream: &mut impl Read) -> io::Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let mut head = zeroize::Zeroizing::new(Vec::with_capacity(MAX_HEAD + 1024));
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(end) = find_end(&head) {
            head.truncate(end);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
    }
}

fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a request head (without the final blank line). `None` when it is not HTTP/1.x.
pub fn parse(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (first.next()?, first.next()?, first.next()?);
    if first.next().is_some() || !version.starts_with("HTTP/1.") || method.is_empty() {
        return None;
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        host: None,
        authorization: None,
        repeated: false,
    };
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("host") {
            request.repeated |= request.host.is_some();
            request.host = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("authorization") {
            request.repeated |= request.authorization.is_some();
            request.authorization = Some(SecretText::new(value));
        }
    }
    Some(request)
}

/// An answer: a status and a JSON body (a secret when it carries credentials).
pub struct Response {
    pub status: u16,
    pub body: SecretText,
}

impl Response {
    /// `{"code": …, "message": …}`: the error shape the SDKs' container providers show.
    pub fn error(status: u16, code: &str, message: &str) -> Response {
        Response {
            status,
            body: SecretText::from_string(
                serde_json::json!({ "code": code, "message": message }).to_string(),
            ),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    }
}

/// Writes the whole answer in one buffer (which is wiped afterwards: it may hold a session).
pub fn write(stream: &mut impl Write, response: &Response) -> io::Result<()> {
    let body = response.body.expose_secret();
    let text = SecretText::from_string(format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        response.status,
        reason(response.status),
        body.len(),
    ));
    stream.write_all(text.expose_secret().as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_read_up_to_the_blank_line_and_parsed() {
        let raw = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:4321\r\nauthorization:  tok \r\nAccept: */*\r\n\r\nignored";
        let head = read_head(&mut &raw[..]).unwrap().unwrap();
        let r = parse(&head).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/");
        assert_eq!(r.host.as_deref(), Some("127.0.0.1:4321"));
        assert_eq!(r.authorization.unwrap().expose_secret(), "tok");
        assert!(!r.repeated);
    }

    #[test]
    fn repeated_headers_are_flagged_and_junk_is_refused() {
        let r = parse(b"GET / HTTP/1.1\r\nHost: a\r\nHOST: b").unwrap();
        assert!(r.repeated);
        assert_eq!(parse(b"GET /\r\nHost: a"), None);
        assert_eq!(parse(b"GET / HTTP/1.1\r\nno colon here"), None);
        assert_eq!(parse(b"\xff\xfe / HTTP/1.1"), None);
        // Closed early, or endless: nothing to answer.
        assert!(
            read_head(&mut &b"GET / HTTP/1.1\r\n"[..])
                .unwrap()
                .is_none()
        );
        let endless = vec![b'a'; MAX_HEAD + 2048];
        assert!(read_head(&mut &endless[..]).unwrap().is_none());
    }

    #[test]
    fn answers_close_the_connection_and_errors_are_json() {
        let mut out = Vec::new();
        write(
            &mut out,
            &Response::error(401, "Unauthorized", "no \"token\""),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{text}");
        assert!(text.contains("Connection: close\r\n"), "{text}");
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["code"], "Unauthorized");
        assert_eq!(v["message"], "no \"token\"");
        assert!(text.contains(&format!("Content-Length: {}\r\n", body.len())));
    }
}
