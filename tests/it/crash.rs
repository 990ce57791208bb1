//! Crash safety: `jobfeed build` killed with SIGKILL at random moments while a reader keeps
//! reading the output directory. Guards atomic publishing (temp file + fsync + rename) and
//! the state database's durability (WAL, full sync).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::{bin, example_copy};

/// Checks one published file is complete: JSON parses, XML reads to the end, snippets close.
fn check_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path.to_string_lossy();
    if name.ends_with(".json") || name.ends_with(".jsonld") {
        serde_json::from_slice::<serde_json::Value>(bytes).map_err(|e| format!("{name}: {e}"))?;
    } else if name.ends_with(".xml") {
        let mut r = quick_xml::Reader::from_reader(bytes);
        let mut buf = Vec::new();
        let mut depth = 0i32;
        loop {
            match r.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(format!("{name}: {e}")),
            }
            buf.clear();
        }
        if depth != 0 || bytes.is_empty() {
            return Err(format!("{name}: truncated XML"));
        }
    } else if name.ends_with(".html") && !String::from_utf8_lossy(bytes).contains("</script>") {
        return Err(format!("{name}: truncated snippet"));
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn sigkill_during_build_never_exposes_a_partial_file_and_the_next_run_repairs() {
    let dir = example_copy();
    let root = dir.path().to_path_buf();
    assert!(
        bin()
            .current_dir(&root)
            .arg("build")
            .status()
            .unwrap()
            .success()
    );
    let first_seen = jobfeed::state::State::open(&root.join("state"))
        .unwrap()
        .first_seen("example")
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let public = root.join("public");
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0usize, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let mut files = Vec::new();
                walk(&public, &mut files);
                for f in files {
                    // A file may vanish between listing and reading (a removal): fine.
                    if let Ok(bytes) = std::fs::read(&f) {
                        reads += 1;
                        if let Err(e) = check_file(&f, &bytes) {
                            bad.push(e);
                        }
                    }
                }
            }
            (reads, bad)
        })
    };

    let posting = root.join("feeds/example/content/en/career/backend-developer-go.md");
    let original = std::fs::read_to_string(&posting).unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..50 {
        // Each round changes content so that the build really rewrites files.
        std::fs::write(
            &posting,
            original.replace(
                "Backend Developer (Go)",
                &format!("Backend Developer (Go) {i}"),
            ),
        )
        .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % 60_000);
        let mut child = bin()
            .current_dir(&root)
            .args(["build", "--quiet"])
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
    }
    stop.store(true, Ordering::Relaxed);
    let (reads, bad) = reader.join().unwrap();
    assert!(reads > 100, "the reader hardly read anything ({reads})");
    assert!(
        bad.is_empty(),
        "{} partial reads, first: {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );

    // The next run repairs everything, and nothing remembered was lost.
    std::fs::write(&posting, &original).unwrap();
    let out = bin().current_dir(&root).arg("build").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files = Vec::new();
    walk(&root.join("public"), &mut files);
    for f in &files {
        check_file(f, &std::fs::read(f).unwrap()).unwrap();
    }
    let postings: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(root.join("public/example/postings.json")).unwrap())
            .unwrap();
    assert_eq!(postings.len(), 4);
    assert!(
        postings
            .iter()
            .any(|p| p["title"] == "Backend Developer (Go)")
    );
    let conn = rusqlite::Connection::open(root.join("state/jobfeed.sqlite3")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let after = jobfeed::state::State::open(&root.join("state"))
        .unwrap()
        .first_seen("example")
        .unwrap();
    for (id, t) in first_seen {
        assert_eq!(after.get(&id), Some(&t), "first-seen date of {id} lost");
    }
}
