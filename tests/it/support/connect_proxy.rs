//! A recording CONNECT proxy for the endpoint tests: it answers `CONNECT host:port` on
//! 127.0.0.1, records `host:port`, and tunnels the bytes to one fixed loopback address (the
//! fake AWS). It never resolves or dials the requested host, so a client may ask for
//! `sts.cn-north-1.amazonaws.com.cn:443` and the test sees exactly where the request would
//! have gone, while nothing leaves the machine. Bounded: at most [`MAX_TUNNELS`] tunnels at
//! once (more get 503), request heads up to 8 KiB, idle tunnels end after 30 s.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Tunnels open at the same time, at most.
pub const MAX_TUNNELS: usize = 32;
const MAX_HEAD: u64 = 8 * 1024;
const IDLE: Duration = Duration::from_secs(30);

/// A running proxy; stops accepting when dropped.
pub struct ConnectProxy {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    /// Listens on a free 127.0.0.1 port; every tunnel goes to `upstream` (a loopback address).
    pub fn start(upstream: SocketAddr) -> ConnectProxy {
        assert!(
            upstream.ip().is_loopback(),
            "the proxy only tunnels to loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the CONNECT proxy");
        let addr = listener.local_addr().expect("proxy address");
        let targets = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let (seen, stopping) = (Arc::clone(&targets), Arc::clone(&stop));
        let thread = thread::Builder::new()
            .name("connect-proxy".into())
            .spawn(move || {
                for client in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (seen, open) = (Arc::clone(&seen), Arc::clone(&open));
                    let _ = thread::Builder::new()
                        .name("connect-tunnel".into())
                        .spawn(move || {
                            if open.fetch_add(1, Ordering::SeqCst) < MAX_TUNNELS {
                                let _ = serve(client, upstream, &seen);
                            } else {
                                let _ = (&client).write_all(
                                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                                );
                            }
                            open.fetch_sub(1, Ordering::SeqCst);
                        });
                }
            })
            .expect("start the CONNECT proxy");
        ConnectProxy {
            addr,
            targets,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `host:port` of every CONNECT so far, in order.
    pub fn connects(&self) -> Vec<String> {
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One client: read `CONNECT host:port HTTP/1.x` and its headers, record the target, answer
/// 200 and copy bytes both ways until either side closes. Anything but CONNECT gets 405.
fn serve(client: TcpStream, upstream: SocketAddr, seen: &Mutex<Vec<String>>) -> io::Result<()> {
    client.set_read_timeout(Some(IDLE))?;
    let mut reader = BufReader::new(client.try_clone()?).take(MAX_HEAD);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(());
        }
        if header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        (&client).write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(target.to_string());
    let server = TcpStream::connect_timeout(&upstream, Duration::from_secs(5))?;
    server.set_read_timeout(Some(IDLE))?;
    (&client).write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    // Bytes the client sent right after the head (none, for a client that waits for the 200).
    let early = reader.into_inner().buffer().to_vec();
    (&server).write_all(&early)?;
    let (client_in, server_out) = (client.try_clone()?, server.try_clone()?);
    let up = thread::spawn(move || pipe(client_in, server_out));
    pipe(server, client);
    let _ = up.join();
    Ok(())
}

/// Copies `from` to `to` until `from` ends, then ends the writing side of `to`.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}
