//! The bad-input corpus (`tests/fixtures/bad-input/`): every broken file gives a clear
//! diagnostic naming it, never a panic or a hang, and the other postings still publish.
//! Guards the per-file isolation of the markdown source and the parser limits.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, example_copy, repo};

const GOOD: u64 = 4;

/// Runs `cmd`, killing it after `limit`: a hang fails the test instead of stalling CI.
fn bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("jobfeed did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `check --format json` on the example with one extra file; returns (exit code, report).
fn check_with(name: &str, write: impl FnOnce(&Path)) -> (i32, serde_json::Value, String) {
    let dir = example_copy();
    write(
        &dir.path()
            .join("feeds/example/content/en/career")
            .join(name),
    );
    let mut cmd = bin();
    cmd.current_dir(dir.path())
        .args(["check", "--format", "json"]);
    let out = bounded(cmd, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{name}: panic: {stderr}");
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}): {stderr}"));
    (out.status.code().unwrap_or(-1), reports[0].clone(), stderr)
}

fn about<'a>(report: &'a serde_json::Value, name: &str) -> Vec<&'a serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(name)))
        .collect()
}

/// Guards per-file isolation on the corpus (anchor bombs, deep nesting, binary and
/// mis-encoded files, broken front matter, impossible dates): each file gets an error or
/// warning naming it (errors with a line where the parser knows one), and the good postings
/// still publish.
#[test]
fn every_corpus_file_gets_a_clear_diagnostic_and_the_rest_still_publishes() {
    let corpus = repo().join("tests/fixtures/bad-input");
    let mut names: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    names.sort();
    assert!(
        names.len() >= 40,
        "the corpus has only {} files",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        let (code, report, stderr) = check_with(name, |p| std::fs::write(p, &bytes).unwrap());
        let found = about(&report, name);
        let published = report["published"].as_u64().unwrap();
        let problem = if name.starts_with("e-") {
            let errors: Vec<_> = found.iter().filter(|d| d["severity"] == "error").collect();
            if code != 1 {
                Some(format!("exit {code}, expected 1"))
            } else if errors.is_empty() {
                Some(format!("no error names the file; found {found:?}"))
            } else if published != GOOD {
                Some(format!(
                    "{published} published, expected the {GOOD} good ones"
                ))
            } else if errors
                .iter()
                .any(|d| d["message"].as_str().is_none_or(|m| m.len() < 10))
            {
                Some("an error without a useful message".into())
            } else if (name.starts_with("e-yaml")
                || name.starts_with("e-toml")
                || name.starts_with("e-json")
                || name.starts_with("e-date"))
                && errors.iter().all(|d| d["line"].is_null())
            {
                Some(format!("no line number: {errors:?}"))
            } else {
                None
            }
        } else {
            // A warning about this problem, not just the generic advice every posting may get.
            let generic = [
                "jsonld.salary-missing",
                "jsonld.valid-through-missing",
                "jsonld.description-short",
            ];
            let warnings: Vec<_> = found
                .iter()
                .filter(|d| d["severity"] == "warning")
                .filter(|d| !generic.contains(&d["rule"].as_str().unwrap_or("")))
                .collect();
            if warnings.is_empty() {
                Some(format!("no warning names the file; found {found:?}"))
            } else if published != GOOD + 1 {
                Some(format!("{published} published, expected {}", GOOD + 1))
            } else {
                None
            }
        };
        if let Some(p) = problem {
            failures.push(format!(
                "{name}: {p}\n{}",
                stderr.lines().take(3).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

/// Guards the per-file size limit (`MAX_FILE_BYTES`, checked on the file's metadata before
/// it is read): a 20 MB posting is skipped with a diagnostic instead of being parsed.
#[test]
fn a_20_mb_file_is_skipped_with_a_diagnostic_in_bounded_time() {
    let (code, report, stderr) = check_with("e-huge.md", |p| {
        let mut text = String::from("---\nTitle: \"Huge\"\ndate: \"2026-11-01\"\n---\n");
        while text.len() < 20 * 1024 * 1024 {
            text.push_str("All work and no play makes a very long posting. ");
        }
        std::fs::write(p, text).unwrap();
    });
    assert!(!about(&report, "e-huge.md").is_empty(), "{stderr}");
    assert_eq!(report["published"].as_u64(), Some(GOOD));
    assert!(code == 0 || code == 1);
}

/// Guards the content walk against symlink loops: each directory is walked once, by its
/// canonical path (and never deeper than `MAX_DEPTH`), so a link to its parent ends.
#[cfg(unix)]
#[test]
fn a_symlink_loop_in_the_content_tree_does_not_hang_the_walk() {
    let (_, report, stderr) = check_with("loop", |p| {
        std::os::unix::fs::symlink(p.parent().unwrap(), p).unwrap();
    });
    assert_eq!(report["published"].as_u64(), Some(GOOD), "{stderr}");
}

/// Guards the isolation of read errors in the markdown source (`unreadable`, and `walk`
/// reporting directories it cannot list): a posting file and a section directory the process
/// may not read each give one `markdown.read` error that names them and says they cannot be
/// read, and the other postings still publish. Root reads whatever the mode, so as root (as
/// in CI) the build runs as `nobody` (uid 65534) under `setpriv`, on a copy every user may
/// read, with only the output and state directories writable.
#[cfg(unix)]
#[test]
fn unreadable_posting_files_and_directories_get_one_clear_error_each_and_the_rest_publish() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    let dir = example_copy();
    let root = dir.path();
    let as_root = std::fs::metadata(root).unwrap().uid() == 0;
    let mut cmd = if as_root {
        open_to_everyone(root);
        // The test binary's own directory may be private (a checkout under /root): nobody
        // runs a link (or copy) of jobfeed placed inside the shared directory.
        let exe = root.join("jobfeed");
        let built = Path::new(env!("CARGO_BIN_EXE_jobfeed"));
        if std::fs::hard_link(built, &exe).is_err() {
            std::fs::copy(built, &exe).unwrap();
        }
        Command::new("setpriv")
            .arg("--version")
            .output()
            .expect("setpriv (util-linux) is needed: run the suite with scripts/test.sh");
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .env_remove("JOBFEED_LOG")
            .env_remove("JOBFEED_ADMIN_TOKEN");
        c
    } else {
        bin()
    };
    for writable in ["public", "state"] {
        std::fs::create_dir(root.join(writable)).unwrap();
        mode(&root.join(writable), 0o777).unwrap();
    }
    let content = root.join("feeds/example/content");
    mode(&content.join("en/career/backend-developer-go.md"), 0o000).unwrap();
    mode(&content.join("sv/career"), 0o000).unwrap();
    cmd.current_dir(root).arg("build");
    let out = bounded(cmd, Duration::from_secs(60));
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{log}");
    for (name, says) in [
        (
            "en/career/backend-developer-go.md:",
            "the file cannot be read",
        ),
        ("sv/career:", "the directory cannot be read"),
    ] {
        let about: Vec<&str> = log.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(about.len(), 1, "one diagnostic names {name}: {log}");
        for says in ["error[markdown.read]", says, "permission denied"] {
            assert!(about[0].contains(says), "{says:?} in {}", about[0]);
        }
    }
    let mut published: Vec<String> = std::fs::read_dir(root.join("public/example/jobs"))
        .unwrap_or_else(|e| panic!("nothing published ({e}): {log}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonld"))
        .collect();
    published.sort();
    assert_eq!(published, ["site-reliability-engineer-en.jsonld"], "{log}");
}

/// Makes a tree readable and traversable by every user: directories 0755, files 0644.
#[cfg(unix)]
fn open_to_everyone(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            open_to_everyone(&e.path());
        } else {
            std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

/// `build` in `dir` into `public/`, state in `state/`.
fn build_in(dir: &Path) -> Output {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(["build", "--out", "public", "--state-dir", "state"]);
    bounded(cmd, Duration::from_secs(120))
}

#[test]
fn a_broken_file_keeps_its_postings_last_published_version_and_a_deleted_one_takes_it_down() {
    let dir = example_copy();
    let file = dir
        .path()
        .join("feeds/example/content/en/career/backend-developer-go.md");
    let build = || build_in(dir.path());
    let feed = dir.path().join("public/example");
    let postings = || -> Vec<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(feed.join("postings.json")).unwrap()).unwrap()
    };
    let of_file = |all: &[serde_json::Value]| -> Option<serde_json::Value> {
        all.iter()
            .find(|p| {
                p["origin"]
                    .as_str()
                    .is_some_and(|o| o.ends_with("backend-developer-go.md"))
            })
            .cloned()
    };
    let out = build();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = of_file(&postings()).expect("the posting was published");
    let id = before["id"].as_str().unwrap().to_string();
    let url = before["url"].as_str().unwrap().to_string();
    let doc = feed.join(format!("jobs/{id}.jsonld"));
    let doc_before = std::fs::read(&doc).unwrap();

    // A typo: the front matter no longer parses.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("---\n", "---\nbad: [unclosed\n", 1)).unwrap();
    let out = build();
    assert_eq!(out.status.code(), Some(1), "the error is still reported");
    assert_eq!(of_file(&postings()).as_ref(), Some(&before));
    assert_eq!(std::fs::read(&doc).unwrap(), doc_before);
    let rss = std::fs::read_to_string(feed.join("rss.xml")).unwrap();
    assert!(rss.contains(&url), "the feeds still list it");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(feed.join("report.json")).unwrap()).unwrap();
    let here = about(&report, "backend-developer-go.md");
    assert!(here.iter().any(|d| d["severity"] == "error"), "{here:?}");
    assert!(
        here.iter()
            .any(|d| d["rule"] == "posting.last-good-kept" && d["posting"] == id.as_str()),
        "{here:?}"
    );

    // Deleted, the file takes its posting with it.
    std::fs::remove_file(&file).unwrap();
    let out = build();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(of_file(&postings()), None);
    assert!(!doc.exists());
}

#[test]
fn a_site_path_that_is_gone_keeps_the_feed_and_a_section_that_matches_nothing_is_said() {
    let dir = example_copy();
    let config = dir.path().join("feeds/example.toml");
    let good = std::fs::read_to_string(&config).unwrap();
    let build = || build_in(dir.path());
    let feed = dir.path().join("public/example");
    let ids = || -> Vec<String> {
        let all: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(feed.join("postings.json")).unwrap()).unwrap();
        all.iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let report = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(feed.join("report.json")).unwrap()).unwrap()
    };
    let rules = |r: &serde_json::Value| -> Vec<String> {
        r["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(build().status.success());
    let live = ids();
    assert!(!live.is_empty());

    // The content directory is gone (a typo in `path`, an unmounted volume).
    std::fs::write(
        &config,
        good.replace("path = \"example\"", "path = \"exampel\""),
    )
    .unwrap();
    let out = build();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ids(), live, "the last good postings stay");
    let r = report();
    assert!(rules(&r).contains(&"markdown.path".to_string()), "{r}");
    assert_eq!(
        rules(&r)
            .iter()
            .filter(|x| *x == "posting.last-good-kept")
            .count(),
        live.len()
    );

    // A section that matches no file reads as a site with no jobs, and is said to.
    std::fs::write(
        &config,
        good.replace("section = \"career\"", "section = \"careers\""),
    )
    .unwrap();
    assert!(build().status.success());
    assert!(ids().is_empty());
    assert!(rules(&report()).contains(&"markdown.no-files".to_string()));
}
