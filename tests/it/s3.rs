//! Publishing to a real S3-compatible server (s3s-fs, which checks request signatures) on
//! 127.0.0.1: only changed objects are uploaded, and a wrong secret fails clearly.

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, example_copy};

const KEY_ID: &str = "JOBFEEDTESTKEY";
const SECRET: &str = "jobfeed-test-secret-key-0123456789";

struct S3 {
    child: Child,
    root: tempfile::TempDir,
    endpoint: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> PathBuf {
    if let Ok(p) = std::env::var("JOBFEED_S3S_FS") {
        return PathBuf::from(p);
    }
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/s3s-fs");
    if home.is_file() {
        return home;
    }
    let found = Command::new("sh")
        .args(["-c", "command -v s3s-fs"])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "s3s-fs is not installed: run the suite with scripts/test.sh, which installs it"
    );
    PathBuf::from(String::from_utf8_lossy(&found.stdout).trim())
}

fn start_s3() -> S3 {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("jobs")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(s3s_fs())
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            KEY_ID,
            "--secret-key",
            SECRET,
        ])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "s3s-fs did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    S3 {
        child,
        root,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

fn configure(dir: &Path, endpoint: &str) {
    let cfg = dir.join("feeds/example.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[publish]\ntype = \"s3\"\nbucket = \"jobs\"\nprefix = \"feeds/\"\nendpoint = \"{endpoint}\"\nallow_http = true\n"
    ));
    std::fs::write(cfg, text).unwrap();
}

/// Runs `build` with the given secret and returns (success, stderr, uploaded keys).
fn build(dir: &Path, secret: &str) -> (bool, String, Vec<String>) {
    let out = bin()
        .current_dir(dir)
        .args(["build", "--log-format", "json"])
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("JOBFEED_LOG", "jobfeed=debug")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let uploaded = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "Uploaded.")
        .filter_map(|v| v["fields"]["key"].as_str().map(str::to_string))
        .collect();
    (out.status.success(), stderr, uploaded)
}

/// Object contents as stored by the server, keyed by object key.
fn stored(s3: &S3) -> BTreeMap<String, Vec<u8>> {
    crate::support::files_under(&s3.root.path().join("jobs"))
}

#[test]
fn republishing_after_one_edit_uploads_exactly_the_changed_objects() {
    let s3 = start_s3();
    let dir = example_copy();
    configure(dir.path(), &s3.endpoint);

    let (ok, log, first) = build(dir.path(), SECRET);
    assert!(ok, "{log}");
    let before = stored(&s3);
    for key in &first {
        assert!(
            before.contains_key(key),
            "{key} uploaded but not stored: {:?}",
            before.keys()
        );
    }
    assert!(before.contains_key("feeds/example/rss.xml"));
    assert!(before.contains_key("feeds/example/jobs/backend-developer-go-en.jsonld"));
    // Posting documents go up before the feeds that link to them.
    let first_index = first.iter().position(|k| !k.contains("/jobs/")).unwrap();
    assert!(
        first[..first_index].iter().all(|k| k.contains("/jobs/")),
        "{first:?}"
    );
    assert!(
        first[first_index..].iter().all(|k| !k.contains("/jobs/")),
        "{first:?}"
    );

    let (ok, log, again) = build(dir.path(), SECRET);
    assert!(ok, "{log}");
    assert!(again.is_empty(), "unchanged input re-uploaded {again:?}");

    let posting = dir
        .path()
        .join("feeds/example/content/en/career/backend-developer-go.md");
    let text = std::fs::read_to_string(&posting).unwrap();
    std::fs::write(
        &posting,
        text.replace(
            "Backend Developer (Go)",
            "Backend Developer (Go, Kubernetes)",
        ),
    )
    .unwrap();
    let (ok, log, changed) = build(dir.path(), SECRET);
    assert!(ok, "{log}");
    let after = stored(&s3);
    let really_changed: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    let mut uploaded = changed.clone();
    uploaded.sort();
    assert_eq!(
        uploaded, really_changed,
        "uploads must be exactly the changed objects"
    );
    assert!(uploaded.contains(&"feeds/example/jobs/backend-developer-go-en.jsonld".to_string()));
    assert!(!uploaded.contains(&"feeds/example/jobs/datacentertekniker-sv.jsonld".to_string()));
}

#[test]
fn wrong_secret_key_fails_with_a_clear_error_and_no_secret_in_it() {
    let s3 = start_s3();
    let dir = example_copy();
    configure(dir.path(), &s3.endpoint);
    let wrong = "definitely-not-the-right-secret";
    let (ok, log, uploaded) = build(dir.path(), wrong);
    assert!(!ok);
    assert!(uploaded.is_empty());
    assert!(
        log.contains("refused the credentials for bucket jobs"),
        "{log}"
    );
    assert!(
        !log.contains(wrong) && !log.contains(SECRET),
        "secret in output: {log}"
    );
}
