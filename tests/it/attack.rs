//! The HTTP server under attack: oversized requests, slow clients, connection floods and
//! secrets. Each test names the protection it guards; each is bounded in time and count.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{Daemon, example_copy, request};

fn ready(d: &Daemon) {
    let (r, _) = d.wait_for("/readyz", Duration::from_secs(60), |r| r.status == 200);
    assert_eq!(r.status, 200);
}

#[test]
fn uri_length_limit_answers_414() {
    let dir = example_copy();
    let d = Daemon::start(dir.path(), &[]);
    ready(&d);
    let long = format!("/example/{}", "a".repeat(10_000));
    assert_eq!(d.get(&long, &[]).status, 414);
    assert_eq!(d.get("/example/postings.json", &[]).status, 200);
}

#[test]
fn header_size_limit_answers_431() {
    let dir = example_copy();
    let d = Daemon::start(dir.path(), &[]);
    ready(&d);
    let big = "x".repeat(64 * 1024);
    let r = request(
        &d.addr,
        "GET",
        "/example/postings.json",
        &[("X-Padding", &big)],
    );
    assert_eq!(r.status, 431);
}

#[test]
fn header_read_timeout_drops_a_slow_client() {
    let dir = example_copy();
    let d = Daemon::start(dir.path(), &[("JOBFEED_HEADER_TIMEOUT_MS", "500")]);
    ready(&d);
    let mut s = TcpStream::connect(&d.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // Half a request line, then silence.
    s.write_all(b"GET /example/postings.json HT").unwrap();
    let start = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "slow client kept for {:?}",
        start.elapsed()
    );
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
}

#[test]
fn connection_cap_refuses_floods_and_recovers() {
    let dir = example_copy();
    let d = Daemon::start(dir.path(), &[("JOBFEED_MAX_CONNECTIONS", "8")]);
    ready(&d);
    // Hold every slot with idle connections.
    let held: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(&d.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(&d.addr).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = Vec::new();
    let _ = extra.read_to_end(&mut buf);
    assert!(
        buf.is_empty(),
        "a connection over the cap was served: {}",
        String::from_utf8_lossy(&buf)
    );
    drop(held);
    let (r, _) = d.wait_for("/healthz", Duration::from_secs(10), |r| r.status == 200);
    assert_eq!(r.status, 200, "service did not recover after the flood");
}

#[test]
fn admin_token_never_reaches_logs_or_pages() {
    let dir = example_copy();
    let token = "tok-very-secret-123456";
    let mut d = Daemon::start(
        dir.path(),
        &[("JOBFEED_ADMIN_TOKEN", token), ("JOBFEED_LOG", "debug")],
    );
    ready(&d);
    let _ = request(
        &d.addr,
        "POST",
        "/admin/feeds/example/run",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    let _ = request(
        &d.addr,
        "POST",
        "/admin/feeds/example/run",
        &[("Authorization", "Bearer wrong")],
    );
    for path in ["/", "/metrics", "/example/report.json"] {
        assert!(
            !d.get(path, &[]).text().contains(token),
            "{path} shows the token"
        );
    }
    d.signal("TERM");
    let _ = d.child.wait();
    std::thread::sleep(Duration::from_millis(100));
    let logs = d.logs();
    assert!(
        logs.contains("Feed published"),
        "logs were not captured: {logs}"
    );
    assert!(!logs.contains(token), "token in logs");
}
