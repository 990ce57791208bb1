//! Runs that reuse an earlier run's work (the daemon's cache) publish exactly what a run
//! from nothing publishes: guards the cache keys and the keeping of unchanged files.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use jobfeed::cache::Cache;
use jobfeed::config::load_feed;
use jobfeed::pipeline::{self, RunOptions};
use jobfeed::publish::DirStage;
use jobfeed::state::State;
use jobfeed::validate::Gate;

use crate::support::{example_copy, files_under};

/// Every published file of feed `example` under `out`, by path.
fn published(out: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(&out.join("example"))
}

/// One run of the example feed into `out` with `cache`, state in `state_dir`.
fn run(site: &Path, out: &Path, state_dir: &Path, cache: &mut Cache, day: u32) {
    let feed = load_feed(&site.join("feeds/example.toml")).unwrap();
    let opts = RunOptions {
        drafts: false,
        state_dir: state_dir.to_path_buf(),
    };
    let mut state = State::open(state_dir).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
    let stage = DirStage::begin(out, "example").unwrap();
    let run = pipeline::run(
        &feed,
        &Gate::new(),
        &opts,
        now,
        Some(&mut state),
        cache,
        &stage,
    );
    let ok = stage.commit(&run).is_ok();
    cache.set_published(ok);
    assert!(run.blocked.is_empty(), "{:?}", run.report.diagnostics);
}

#[test]
fn runs_reusing_cached_work_publish_what_a_run_from_nothing_publishes() {
    let dir = example_copy();
    let site = dir.path();
    let work = tempfile::tempdir().unwrap();
    let (out, fresh_out) = (work.path().join("out"), work.path().join("fresh"));
    let state = work.path().join("state");
    let mut cache = Cache::new();
    run(site, &out, &state, &mut cache, 20);
    let first = published(&out);
    assert!(
        first.keys().any(|k| k.ends_with(".jsonld")),
        "{:?}",
        first.keys()
    );

    // An edit, then a second run with the cache, against a run from nothing on a copy of
    // the same state (change times come from it).
    let file = site.join("feeds/example/content/en/career/backend-developer-go.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("Backend Developer (Go)", "Backend Developer (Go and Rust)"),
    )
    .unwrap();
    let fresh_state = work.path().join("fresh-state");
    crate::support::copy_dir(&state, &fresh_state);
    run(site, &out, &state, &mut cache, 21);
    let mut lean = Cache::lean();
    run(site, &fresh_out, &fresh_state, &mut lean, 21);
    // A one-off build keeps verdicts, never bytes: its memory stays that of one run.
    assert!(lean.bodies.is_empty() && lean.files.is_empty(), "{lean:?}");
    assert!(
        !cache.bodies.is_empty() && !cache.files.is_empty(),
        "{cache:?}"
    );
    let (cached, fresh) = (published(&out), published(&fresh_out));
    assert_eq!(
        cached.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(
            cached[path] == *bytes,
            "{path} differs from a run from nothing"
        );
    }
    let edited = "jobs/backend-developer-go-en.jsonld";
    assert_ne!(
        first[edited], cached[edited],
        "the edit reached its posting"
    );
    assert_eq!(
        first["sv/rss.xml"], cached["sv/rss.xml"],
        "other languages untouched"
    );

    // A published file removed behind jobfeed's back is not "kept": it is written again.
    std::fs::remove_file(out.join("example/sv/rss.xml")).unwrap();
    std::fs::remove_file(out.join("example/jobs/backend-developer-go-en.html")).unwrap();
    run(site, &out, &state, &mut cache, 21);
    let again = published(&out);
    assert_eq!(again["sv/rss.xml"], fresh["sv/rss.xml"]);
    assert_eq!(
        again["jobs/backend-developer-go-en.html"],
        fresh["jobs/backend-developer-go-en.html"]
    );
}

#[test]
fn after_a_failed_publish_nothing_is_kept_on_trust() {
    let dir = example_copy();
    let site = dir.path();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let state = work.path().join("state");
    let mut cache = Cache::new();
    run(site, &out, &state, &mut cache, 20);
    // The last publish is reported failed: a file that is there but holds other bytes
    // must be rewritten, not kept.
    cache.set_published(false);
    std::fs::write(out.join("example/rss.xml"), b"stale").unwrap();
    run(site, &out, &state, &mut cache, 20);
    assert_ne!(
        std::fs::read(out.join("example/rss.xml")).unwrap(),
        b"stale"
    );
}
