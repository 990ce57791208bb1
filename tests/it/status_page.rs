//! The status page as a person sees it: loaded in headless Chromium, it lists every feed
//! and shows a posting's validation warning.

use std::process::Command;
use std::time::Duration;

use crate::support::{Daemon, example_copy};

fn chromium() -> String {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c.to_string();
        }
    }
    panic!("Chromium is not installed: run the suite with scripts/test.sh, which installs it");
}

#[test]
fn status_page_in_headless_chromium_shows_each_feed_and_a_posting_warning() {
    let dir = example_copy();
    let d = Daemon::start(dir.path(), &[]);
    let (r, _) = d.wait_for("/readyz", Duration::from_secs(60), |r| r.status == 200);
    assert_eq!(r.status, 200);
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--timeout=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("http://{}/", d.addr))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("id=\"feed-example\""), "{dom}");
    assert!(dom.contains("Nordvik Cloud careers"), "{dom}");
    let row_start = dom
        .find("id=\"posting-datacentertekniker-sv\"")
        .expect("posting row");
    let row = &dom[row_start..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    assert!(
        row.contains("class=\"warning\""),
        "no warning shown for the posting: {row}"
    );
    assert!(dom.contains("<svg"), "run chart missing");
}
