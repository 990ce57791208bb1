//! Fault tolerance of remote sources (issue #9, part 4): a slow-drip server, a server that
//! hangs after its headers, TLS failures, a name that cannot be resolved, and 2 GB answers
//! (endless, declared, lying about their length, gzip bombs).
//!
//! Every test runs the real CLI (`jobfeed build`) twice against a scripted server on
//! 127.0.0.1: a good run stores the last good answer, then the faulty run must finish in
//! bounded time, keep publishing the last good postings and name the source URL in a clear
//! diagnostic. The CLI runs as a child so a hang can be killed and its peak memory read from
//! `/proc/<pid>/status` without other tests' allocations in the way. Servers stop by
//! themselves: every connection ends when the client goes away or after a fixed budget.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{Loopback, bin, feed_toml, openssl, read_head};

const LIST: &str = "/v1/boards/nordvik/jobs?content=true";
/// What a "2 GB answer" sends at most, never held in memory by the server either.
const TWO_GB: u64 = 2 << 30;
/// The client's default `max_bytes` (20 MB): the 2 GB tests run with the shipped default.
const DEFAULT_LIMIT: u64 = 20 * 1024 * 1024;
/// Peak resident memory allowed for a whole `jobfeed build` that meets a 2 GB answer: the
/// body buffer may reach about twice the 20 MB limit while growing, plus the program itself.
const PEAK_RSS_MAX_KB: u64 = 200 * 1024;

/// How the server answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// A good Greenhouse answer with two jobs.
    Good,
    /// Headers, then one body byte per second.
    Drip,
    /// Headers (promising a body), then silence.
    HangAfterHeaders,
    /// A chunked body that never ends (up to 2 GB).
    Endless,
    /// `Content-Length: 2 GB`, and that much body.
    DeclaredHuge,
    /// `Content-Length: 64`, followed by 2 GB.
    LyingLength,
    /// A gzip body that inflates to 2 GB of zeros (about 2 MB on the wire).
    GzipBomb,
    /// Plain-text garbage in answer to the TLS ClientHello.
    TlsGarbage,
    /// Accepts the connection, reads the ClientHello and never answers it.
    TlsSilent,
}

struct FaultServer {
    tcp: Loopback,
    fault: Arc<Mutex<Fault>>,
    /// Body bytes the server managed to write in the current fault.
    written: Arc<AtomicU64>,
}

impl FaultServer {
    fn start() -> FaultServer {
        let fault = Arc::new(Mutex::new(Fault::Good));
        let written = Arc::new(AtomicU64::new(0));
        let (f, w) = (fault.clone(), written.clone());
        let tcp = Loopback::start(move |conn| {
            let mode = *f.lock().unwrap();
            answer(conn, mode, &w)
        });
        FaultServer {
            tcp,
            fault,
            written,
        }
    }

    fn set(&self, f: Fault) {
        *self.fault.lock().unwrap() = f;
        self.written.store(0, Ordering::SeqCst);
    }

    fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

fn good_body() -> Vec<u8> {
    let jobs: Vec<serde_json::Value> = (0..2)
        .map(|i| {
            serde_json::json!({
                "id": 5000 + i, "title": format!("Job {i}"),
                "absolute_url": format!("https://job-boards.greenhouse.io/nordvik/jobs/{}", 5000 + i),
                "location": {"name": "Stockholm, Sweden"}, "first_published": "2026-11-01T09:00:00Z",
                "updated_at": "2026-11-01T09:00:00Z", "language": "en",
                "content": "&lt;p&gt;Work.&lt;/p&gt;", "departments": [], "offices": []
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"jobs": jobs})).unwrap()
}

/// Waits until the client closes the connection (or `limit` passes), discarding what it sends.
fn until_client_leaves(conn: &mut TcpStream, limit: Duration) {
    let start = Instant::now();
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

/// Counts body bytes written into the shared counter.
struct Counting<'a> {
    conn: TcpStream,
    n: &'a AtomicU64,
}

impl Write for Counting<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let k = self.conn.write(b)?;
        self.n.fetch_add(k as u64, Ordering::SeqCst);
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.conn.flush()
    }
}

/// Writes `total` bytes of spaces in 64 KiB pieces (as HTTP chunks when `chunked`),
/// stopping at the first error: the client went away.
fn stream(w: &mut impl Write, total: u64, chunked: bool) {
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0u64;
    while sent < total {
        let r = if chunked {
            write!(w, "{:x}\r\n", chunk.len())
                .and_then(|_| w.write_all(&chunk))
                .and_then(|_| w.write_all(b"\r\n"))
        } else {
            w.write_all(&chunk)
        };
        if r.is_err() {
            return;
        }
        sent += chunk.len() as u64;
    }
}

fn answer(mut conn: TcpStream, fault: Fault, written: &AtomicU64) {
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // TLS clients speak first and never send an HTTP head.
    match fault {
        Fault::TlsGarbage => {
            let mut hello = [0u8; 512];
            let _ = conn.read(&mut hello);
            let _ = conn
                .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nno TLS here\n");
            return;
        }
        Fault::TlsSilent => return until_client_leaves(&mut conn, Duration::from_secs(60)),
        _ => {}
    }
    if read_head(&mut conn).is_none() {
        return;
    }
    let head =
        |extra: &str| format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}\r\n");
    let mut w = Counting { conn, n: written };
    match fault {
        Fault::Good => {
            let body = good_body();
            let _ = w.conn.write_all(
                head(&format!(
                    "Content-Length: {}\r\nConnection: close\r\n",
                    body.len()
                ))
                .as_bytes(),
            );
            let _ = w.write_all(&body);
        }
        Fault::Drip => {
            if w.conn
                .write_all(head("Content-Length: 100000\r\n").as_bytes())
                .is_err()
            {
                return;
            }
            // One byte a second for at most two minutes, or until the client hangs up.
            for b in b"{\"jobs\": [".iter().chain([b' '; 110].iter()) {
                if w.write_all(&[*b]).and_then(|_| w.flush()).is_err() {
                    return;
                }
                thread::sleep(Duration::from_secs(1));
            }
        }
        Fault::HangAfterHeaders => {
            if w.conn
                .write_all(head("Content-Length: 5000\r\n").as_bytes())
                .is_ok()
            {
                until_client_leaves(&mut w.conn, Duration::from_secs(60));
            }
        }
        Fault::Endless => {
            if w.conn
                .write_all(head("Transfer-Encoding: chunked\r\n").as_bytes())
                .is_ok()
            {
                stream(&mut w, TWO_GB, true);
            }
        }
        Fault::DeclaredHuge => {
            if w.conn
                .write_all(head(&format!("Content-Length: {TWO_GB}\r\n")).as_bytes())
                .is_ok()
            {
                stream(&mut w, TWO_GB, false);
            }
        }
        Fault::LyingLength => {
            if w.conn
                .write_all(head("Content-Length: 64\r\n").as_bytes())
                .is_ok()
            {
                stream(&mut w, TWO_GB, false);
            }
        }
        Fault::GzipBomb => {
            let hdr = head("Content-Encoding: gzip\r\nConnection: close\r\n");
            if w.conn.write_all(hdr.as_bytes()).is_ok() {
                let mut gz = flate2::write::GzEncoder::new(&mut w, flate2::Compression::fast());
                let zeros = vec![0u8; 64 * 1024];
                let mut inflated = 0u64;
                while inflated < TWO_GB && gz.write_all(&zeros).is_ok() {
                    inflated += zeros.len() as u64;
                }
                let _ = gz.finish();
            }
        }
        Fault::TlsGarbage | Fault::TlsSilent => unreachable!("answered above"),
    }
}

// ---- the CLI run -------------------------------------------------------------------------

struct Outcome {
    log: String,
    elapsed: Duration,
    /// Peak resident set of the `jobfeed build` process (VmHWM), in kB.
    peak_kb: u64,
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `jobfeed build` in `dir`; kills it and fails the test if it outlives `limit`.
/// VmHWM only grows, so polling it while the process runs sees its peak. Earlier outputs
/// are removed first, so what is found afterwards was published by this run.
fn build(dir: &Path, limit: Duration) -> Outcome {
    let _ = std::fs::remove_dir_all(dir.join("public"));
    let mut cmd: Command = bin();
    cmd.current_dir(dir)
        .args([
            "build",
            "--config",
            "feed.toml",
            "--state-dir",
            "state",
            "--out",
            "public",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut peak_kb = 0;
    loop {
        if let Some(kb) = vm_hwm_kb(child.id()) {
            peak_kb = peak_kb.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "jobfeed build did not finish within {limit:?}:\n{}",
                reader.join().unwrap()
            );
        }
        thread::sleep(Duration::from_millis(10));
    }
    Outcome {
        log: reader.join().unwrap(),
        elapsed: start.elapsed(),
        peak_kb,
    }
}

/// A feed directory whose one Greenhouse source reads from `base` with `extra` settings.
fn write_feed(dir: &Path, base: &str, extra: &str) {
    let source = format!(
        "[[sources]]\ntype = \"greenhouse\"\nboard = \"nordvik\"\nbase_url = \"{base}\"\nretries = 0\n{extra}\n"
    );
    std::fs::write(
        dir.join("feed.toml"),
        feed_toml("faults", "Fault tests", &source),
    )
    .unwrap();
}

fn published_ids(dir: &Path) -> Vec<String> {
    let bytes = std::fs::read(dir.join("public/faults/postings.json")).unwrap();
    let postings: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
    let mut ids: Vec<String> = postings
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// A feed that has published the good answer once, so a last good answer is stored.
fn seeded(server: &FaultServer, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_feed(dir.path(), &base(server), extra);
    server.set(Fault::Good);
    let out = build(dir.path(), Duration::from_secs(60));
    assert_eq!(
        published_ids(dir.path()),
        ["greenhouse-5000", "greenhouse-5001"],
        "{}",
        out.log
    );
    dir
}

fn base(server: &FaultServer) -> String {
    server.tcp.base()
}

/// The faulty run ended by itself, kept the last good postings and said what went wrong
/// where: the diagnostic names `url` and contains `says`.
fn kept_last_good(dir: &Path, out: &Outcome, url: &str, says: &str) {
    let line = out
        .log
        .lines()
        .find(|l| l.contains("error[source.fetch]") || l.contains("error[source.parse]"))
        .unwrap_or_else(|| panic!("no source error reported:\n{}", out.log));
    assert!(line.contains(url), "the diagnostic names {url}: {line}");
    assert!(line.contains(says), "the diagnostic says {says:?}: {line}");
    assert!(
        line.contains("the last good postings (2 from"),
        "the diagnostic says the last good postings are kept: {line}"
    );
    assert_eq!(
        published_ids(dir),
        ["greenhouse-5000", "greenhouse-5001"],
        "last good postings are still published:\n{}",
        out.log
    );
}

/// Seeds, switches the server to `fault`, runs again with a hang guard of `limit`.
fn fault_run(
    fault: Fault,
    extra: &str,
    limit: Duration,
) -> (FaultServer, tempfile::TempDir, Outcome) {
    let server = FaultServer::start();
    let dir = seeded(&server, extra);
    server.set(fault);
    let out = build(dir.path(), limit);
    (server, dir, out)
}

// ---- slow and silent servers -------------------------------------------------------------

/// Guards the total request deadline over the body (`RequestBuilder::timeout` in
/// `HttpClient::once`): reqwest's blocking client otherwise only bounds each read, and a
/// byte a second never trips a 2 s per-read wait, so the run would drip for minutes.
#[test]
fn faults_a_slow_drip_server_fails_within_the_timeout_and_keeps_last_good() {
    let (server, dir, out) = fault_run(Fault::Drip, "timeout = \"2s\"", Duration::from_secs(30));
    kept_last_good(
        dir.path(),
        &out,
        &format!("{}{LIST}", base(&server)),
        "did not answer in time",
    );
    assert!(
        server.written() < 20,
        "the drip was cut off near the 2 s deadline, not read to its end ({} bytes)",
        server.written()
    );
}

/// Guards the timeout while waiting for body bytes: headers promise 5000 bytes, none come.
#[test]
fn faults_a_server_that_hangs_after_its_headers_fails_within_the_timeout() {
    let (server, dir, out) = fault_run(
        Fault::HangAfterHeaders,
        "timeout = \"2s\"",
        Duration::from_secs(30),
    );
    kept_last_good(
        dir.path(),
        &out,
        &format!("{}{LIST}", base(&server)),
        "did not answer in time",
    );
}

// ---- TLS ---------------------------------------------------------------------------------

/// The good run reads over plain HTTP; the faulty run points the same source (same name, so
/// the same stored state) at `https://` on a server that cannot do TLS.
fn tls_fault(fault: Fault) -> (FaultServer, tempfile::TempDir, Outcome, String) {
    let server = FaultServer::start();
    let dir = seeded(&server, "timeout = \"3s\"\nconnect_timeout = \"3s\"");
    let https = format!("https://127.0.0.1:{}", server.tcp.port);
    write_feed(
        dir.path(),
        &https,
        "timeout = \"3s\"\nconnect_timeout = \"3s\"",
    );
    server.set(fault);
    let out = build(dir.path(), Duration::from_secs(30));
    (server, dir, out, format!("{https}{LIST}"))
}

/// Guards the classification of handshake failures (`tls_error` in the HTTP client): a
/// fetch error that says it was TLS, with last good kept (no panic, no empty feed).
#[test]
fn faults_a_tls_handshake_answered_with_garbage_is_a_clear_error_and_keeps_last_good() {
    let (_server, dir, out, url) = tls_fault(Fault::TlsGarbage);
    kept_last_good(dir.path(), &out, &url, &format!("TLS with {url} failed"));
}

/// Guards the deadline over the TLS handshake: the server takes the ClientHello and never
/// answers, which only a timeout covering the handshake ends.
#[test]
fn faults_a_tls_handshake_that_never_completes_fails_within_the_timeout() {
    let (_server, dir, out, url) = tls_fault(Fault::TlsSilent);
    kept_last_good(dir.path(), &out, &url, &url);
    assert!(
        out.log.contains("in time") || out.log.contains("timed out"),
        "a handshake that never ends is reported as a timeout:\n{}",
        out.log
    );
}

/// Guards certificate verification: a real TLS server with a self-signed certificate for
/// 127.0.0.1 (played by `openssl s_server`) must be refused, not read.
#[test]
fn faults_an_untrusted_certificate_is_refused_and_keeps_last_good() {
    let server = FaultServer::start();
    let dir = seeded(&server, "timeout = \"5s\"\nconnect_timeout = \"5s\"");
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            // A leaf certificate, so the refusal is about trust, not about a CA as a server.
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ],
    );
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let tls = Command::new("openssl")
        .args([
            "s_server", "-quiet", "-www", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let tls_guard = Kill(tls);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "openssl s_server did not listen"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let https = format!("https://127.0.0.1:{port}");
    write_feed(d, &https, "timeout = \"5s\"\nconnect_timeout = \"5s\"");
    let out = build(d, Duration::from_secs(30));
    drop(tls_guard);
    let url = format!("{https}{LIST}");
    kept_last_good(d, &out, &url, &format!("TLS with {url} failed"));
    let line = out
        .log
        .lines()
        .find(|l| l.contains("error[source"))
        .unwrap();
    assert!(
        line.contains("invalid peer certificate: UnknownIssuer"),
        "the reason names the untrusted certificate: {line}"
    );
}

// ---- DNS ---------------------------------------------------------------------------------

/// Guards the handling of a name that cannot be resolved: a fetch error naming the URL, last
/// good kept, bounded in time.
///
/// No DNS query may leave the machine, so the name can never reach a name server: its first
/// label is 64 characters long, one more than DNS allows. URL parsing accepts it (WHATWG URLs
/// do not check DNS lengths), but the stub resolvers (glibc's and musl's `res_mkquery`,
/// systemd-resolved) refuse to encode such a name and fail before sending anything; and should
/// one ever try, the name is under `.invalid`, which RFC 6761 reserves as never existing.
/// A resolver override in the client would avoid the system resolver altogether but would
/// test a code path production never takes.
#[test]
fn faults_a_name_that_cannot_be_resolved_is_a_clear_error_and_keeps_last_good() {
    let server = FaultServer::start();
    let dir = seeded(&server, "");
    let host = format!("{}.invalid", "x".repeat(64));
    let unresolvable = format!("http://{host}");
    write_feed(dir.path(), &unresolvable, "connect_timeout = \"5s\"");
    let out = build(dir.path(), Duration::from_secs(30));
    kept_last_good(
        dir.path(),
        &out,
        &format!("{unresolvable}{LIST}"),
        "could not connect to",
    );
    let line = out
        .log
        .lines()
        .find(|l| l.contains("error[source"))
        .unwrap();
    assert!(
        line.contains("dns") || line.contains("resolve"),
        "the reason says the name could not be resolved: {line}"
    );
}

// ---- 2 GB answers ------------------------------------------------------------------------

fn two_gb(fault: Fault, says: &str) -> (FaultServer, Outcome) {
    // The default size limit; a timeout generous enough that the limit, not the clock, ends it.
    let (server, dir, out) = fault_run(fault, "timeout = \"30s\"", Duration::from_secs(60));
    kept_last_good(dir.path(), &out, &format!("{}{LIST}", base(&server)), says);
    assert!(
        out.peak_kb < PEAK_RSS_MAX_KB,
        "jobfeed build peaked at {} MB resident (limit {} MB) meeting {fault:?}",
        out.peak_kb / 1024,
        PEAK_RSS_MAX_KB / 1024
    );
    (server, out)
}

/// Guards the streaming size limit (`take(limit + 1)` in `HttpClient::once`): without a
/// Content-Length, the body is cut off one byte past 20 MB instead of growing to 2 GB.
#[test]
fn faults_an_endless_body_stops_at_the_size_limit_in_bounded_memory() {
    let (server, out) = two_gb(Fault::Endless, "larger than the limit of 20971520 bytes");
    assert!(
        server.written() < TWO_GB / 4,
        "the client stopped reading ({} bytes sent, {:?})",
        server.written(),
        out.elapsed
    );
}

/// Guards the check of the declared length before reading: a 2 GB Content-Length is refused
/// on the headers, so the server cannot even push the limit's worth of body.
#[test]
fn faults_a_declared_2gb_body_is_refused_before_reading() {
    let (server, _) = two_gb(
        Fault::DeclaredHuge,
        "larger than the limit of 20971520 bytes",
    );
    assert!(
        server.written() < DEFAULT_LIMIT,
        "refused on the headers, yet {} body bytes were taken",
        server.written()
    );
}

/// Guards that a body ends at its declared length: 64 bytes are read and found not to be
/// JSON, the 2 GB behind them are never read.
#[test]
fn faults_a_content_length_that_lies_small_reads_only_what_it_declares() {
    let (server, _) = two_gb(Fault::LyingLength, "malformed JSON");
    assert!(
        server.written() < DEFAULT_LIMIT,
        "{} bytes were taken past a 64-byte body",
        server.written()
    );
}

/// Guards that the size limit counts decompressed bytes: about 2 MB of gzip on the wire
/// inflate to 2 GB of zeros, and reading stops one byte past 20 MB of them.
#[test]
fn faults_a_gzip_bomb_stops_at_the_size_limit_after_decompression() {
    two_gb(Fault::GzipBomb, "larger than the limit of 20971520 bytes");
}
