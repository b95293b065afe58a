//! A minimal threaded HTTP/1.1 server for the fake AWS: one thread per connection, keep-alive,
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`; plain or over TLS
//! (rustls, blocking), as AWS serves it.
//!
//! Hand-written rather than tiny_http because failure injection must be able to drop a
//! connection without answering, which tiny_http cannot do (its `Request` always answers).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A parsed request. Header names are lower-cased; values have surrounding whitespace removed.
pub struct Request {
    pub method: String,
    /// The raw request target's path, still percent-encoded.
    pub path: String,
    /// The raw query string (without `?`), still percent-encoded.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// All values of a header joined by `,` (the SigV4 rule for repeated headers).
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(","))
        }
    }
}

/// What to do with a request.
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without writing anything.
    Close,
    /// Write nothing and keep the connection open until the server stops.
    Hang,
}

pub type Handler = dyn Fn(Request) -> Reply + Send + Sync;

/// The listening server; stops accepting on drop (open connections end with their client).
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves on 127.0.0.1:`port`, over TLS when `tls` is given.
    pub fn start(
        port: u16,
        handler: Arc<Handler>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("fake-aws-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop_flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let handler = Arc::clone(&handler);
                    let stop = Arc::clone(&stop_flag);
                    let tls = tls.clone();
                    let _ = thread::Builder::new()
                        .name("fake-aws-conn".into())
                        .spawn(move || {
                            // Idle keep-alive connections give up after a while so their
                            // threads end.
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            // As AWS's servers: no Nagle delay. Without it a TLS answer's last
                            // record waited for the client's delayed ACK (~40 ms a request).
                            let _ = stream.set_nodelay(true);
                            match tls.map(rustls::ServerConnection::new) {
                                None => serve_connection(Plain(stream), &*handler, &stop),
                                Some(Ok(conn)) => serve_connection(
                                    Tls(rustls::StreamOwned::new(conn, stream)),
                                    &*handler,
                                    &stop,
                                ),
                                Some(Err(_)) => {}
                            }
                        });
                }
            })?;
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A connection the server reads requests from and writes answers to.
trait Connection: Read + Write {
    /// Ends the connection without an answer.
    fn abort(&mut self);
}

struct Plain(TcpStream);

impl Read for Plain {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Connection for Plain {
    fn abort(&mut self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

struct Tls(rustls::StreamOwned<rustls::ServerConnection, TcpStream>);

impl Read for Tls {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Tls {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Connection for Tls {
    fn abort(&mut self) {
        // No close_notify: the client sees the connection drop, as with a plain socket.
        let _ = self.0.sock.shutdown(Shutdown::Both);
    }
}

fn serve_connection(stream: impl Connection, handler: &Handler, stop: &AtomicBool) {
    let mut reader = BufReader::new(stream);
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => break,
            Err(_) => {
                let _ = write_response(reader.get_mut(), 400, &[], b"bad request", true);
                break;
            }
        };
        let close = wants_close(&request);
        match handler(request) {
            Reply::Close => {
                reader.get_mut().abort();
                break;
            }
            Reply::Hang => {
                while !stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(50));
                }
                reader.get_mut().abort();
                break;
            }
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                if write_response(reader.get_mut(), status, &headers, &body, close).is_err()
                    || close
                {
                    break;
                }
            }
        }
    }
}

fn wants_close(request: &Request) -> bool {
    request
        .header("connection")
        .is_some_and(|v| v.to_ascii_lowercase().contains("close"))
}

fn read_line(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader.take(64 * 1024).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "non-UTF-8 header"))
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

fn read_request<C: Read + Write>(reader: &mut BufReader<C>) -> io::Result<Option<Request>> {
    let line = loop {
        match read_line(reader)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue, // tolerate stray CRLF between requests
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let method = parts.next().ok_or_else(|| bad("no method"))?.to_string();
    let target = parts.next().ok_or_else(|| bad("no target"))?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or_else(|| bad("eof in headers"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| bad("bad header"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut request = Request {
        method,
        path,
        query,
        headers,
        body: Vec::new(),
    };
    if request
        .header("expect")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
    {
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        reader.get_mut().flush()?;
    }
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        loop {
            let size_line = read_line(reader)?.ok_or_else(|| bad("eof in chunk"))?;
            let size_hex = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                // Trailers until the blank line.
                while read_line(reader)?.is_some_and(|l| !l.is_empty()) {}
                break;
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..])?;
            read_line(reader)?;
        }
    } else if let Some(len) = request.header("content-length") {
        let len: usize = len.trim().parse().map_err(|_| bad("bad content-length"))?;
        request.body.resize(len, 0);
        reader.read_exact(&mut request.body)?;
    }
    Ok(Some(request))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn write_response(
    writer: &mut impl Write,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    close: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    // One write: over TLS one record, and no small segment waiting for an ACK.
    let mut message = head.into_bytes();
    message.extend_from_slice(body);
    writer.write_all(&message)?;
    writer.flush()
}
