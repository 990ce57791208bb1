//! Helpers shared by the integration tests: example copies, feed configs, loopback servers
//! (axum or raw TCP), a running daemon, a tiny HTTP client, openssl.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jobfeed"));
    c.env_remove("JOBFEED_LOG")
        .env_remove("JOBFEED_ADMIN_TOKEN");
    c
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Replaces `from` with `to` in the file at `path`; `from` must be there.
pub fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// Every file under `base` with its bytes, keyed by its `/`-separated path below `base`.
pub fn files_under(base: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![base.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let key = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(key, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A private copy of the bundled example feed (config + content) in a temporary directory.
pub fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("feeds"), &dir.path().join("feeds"));
    dir
}

/// A feed config `id` for the Nordvik example organisation (contact e-mails included, as
/// the job-board outputs need them), followed by `sources`: `[[sources]]` tables as TOML.
pub fn feed_toml(id: &str, title: &str, sources: &str) -> String {
    format!(
        r#"id = "{id}"
title = "{title}"
base_url = "https://jobs.nordvik.example/{id}/"
language = "en"
timezone = "Europe/Stockholm"

[organization]
name = "Nordvik Cloud AB"
url = "https://www.nordvik.example/"
logo = "https://www.nordvik.example/logo.png"
email = "jobs@nordvik.example"
poster_email = "recruiting@nordvik.example"

{sources}"#
    )
}

/// Serves `app` on a free loopback port from a thread and runtime of its own; returns the
/// base URL (`http://127.0.0.1:<port>`). The server ends with the test process.
pub fn serve_router(app: axum::Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// A raw TCP server on a free loopback port, for answers no HTTP library would send: each
/// connection goes (blocking) to `answer` on a thread of its own. Stops accepting when dropped.
pub struct Loopback {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Loopback {
    pub fn start(answer: impl Fn(TcpStream) + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        // Non-blocking, so the accept loop sees `stop` without another connection arriving.
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        let answer = answer.clone();
                        std::thread::spawn(move || answer(conn));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Loopback { port, stop }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads an HTTP request head up to its blank line; `None` when the client sent none.
/// Byte by byte, so nothing after the head is consumed.
pub fn read_head(conn: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Runs `openssl` in `dir` and insists it succeeds (keys and certificates for TLS and JWT tests).
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed: run the suite with scripts/test.sh");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A `jobfeed serve` process, killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub addr: String,
    logs: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    /// Starts `jobfeed serve` in `dir` on a free loopback port and waits until it listens.
    pub fn start(dir: &Path, extra_env: &[(&str, &str)]) -> Daemon {
        Self::start_with(dir, &[], extra_env)
    }

    /// Like [`Daemon::start`], with extra `serve` arguments.
    pub fn start_with(dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Daemon {
        let mut cmd = bin();
        cmd.current_dir(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                {
                    let mut l = sink.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
                if !sent
                    && let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && let Some(a) = v["fields"]["address"].as_str()
                {
                    let _ = tx.send(a.to_string());
                    sent = true;
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("jobfeed serve did not start listening within 60 s");
        Daemon { child, addr, logs }
    }

    /// Everything the daemon logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The logs once they contain `needle`, or as they are after `limit` (they are read
    /// from the daemon's pipe by a thread of their own, so they may trail what it serves).
    pub fn logs_with(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let logs = self.logs();
            if logs.contains(needle) || start.elapsed() > limit {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        request(&self.addr, "GET", path, headers)
    }

    /// Polls `path` until `ok` holds or `limit` passes; returns the last response.
    pub fn wait_for(
        &self,
        path: &str,
        limit: Duration,
        ok: impl Fn(&Resp) -> bool,
    ) -> (Resp, Duration) {
        let start = Instant::now();
        loop {
            // A connection refused or reset while the daemon recovers is another "not yet".
            match try_request(&self.addr, "GET", path, &[]) {
                Ok(r) if ok(&r) || start.elapsed() > limit => return (r, start.elapsed()),
                Err(e) if start.elapsed() > limit => {
                    panic!("no answer from {path} within {limit:?}: {e}")
                }
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 client (one request per connection) for loopback tests.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    try_request(addr, method, path, headers)
        .unwrap_or_else(|e| panic!("{method} {path} on {addr}: {e}"))
}

/// Like [`request`], with connection errors returned instead of panicking.
pub fn try_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Content-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 2 + size + 2..];
    }
    out
}
