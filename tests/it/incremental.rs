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

use crate::support::{example_copy, files_under, replace_in};

/// A copy of the example feed, and a work directory for its outputs and state.
struct Example {
    dir: tempfile::TempDir,
    work: tempfile::TempDir,
}

impl Example {
    fn new() -> Self {
        Example {
            dir: example_copy(),
            work: tempfile::tempdir().unwrap(),
        }
    }

    fn site(&self) -> &Path {
        self.dir.path()
    }

    /// A directory `name` under the work directory (need not exist yet).
    fn work(&self, name: &str) -> std::path::PathBuf {
        self.work.path().join(name)
    }
}

/// Every published file of feed `example` under `out`, by path.
fn published(out: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(&out.join("example"))
}

/// One run of the example feed at day `day` of the month, into `sink`.
fn run_into(
    site: &Path,
    state_dir: &Path,
    state: Option<&mut State>,
    cache: &mut Cache,
    sink: &dyn jobfeed::publish::Sink,
    day: u32,
) -> jobfeed::pipeline::FeedRun {
    let feed = load_feed(&site.join("feeds/example.toml")).unwrap();
    let opts = RunOptions {
        drafts: false,
        state_dir: state_dir.to_path_buf(),
    };
    let now = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
    pipeline::run(&feed, &Gate::new(), &opts, now, state, cache, sink)
}

/// One run of the example feed into `out` with `cache`, state in `state_dir`.
fn run(
    site: &Path,
    out: &Path,
    state_dir: &Path,
    cache: &mut Cache,
    day: u32,
) -> jobfeed::pipeline::FeedRun {
    let mut state = State::open(state_dir).unwrap();
    let stage = DirStage::begin(out, "example").unwrap();
    let run = run_into(site, state_dir, Some(&mut state), cache, &stage, day);
    let ok = stage.commit(&run).is_ok();
    cache.set_published(ok);
    assert!(run.blocked.is_empty(), "{:?}", run.report.diagnostics);
    run
}

#[test]
fn runs_reusing_cached_work_publish_what_a_run_from_nothing_publishes() {
    let ex = Example::new();
    let site = ex.site();
    let (out, fresh_out, state) = (ex.work("out"), ex.work("fresh"), ex.work("state"));
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
    replace_in(
        &file,
        "Backend Developer (Go)",
        "Backend Developer (Go and Rust)",
    );
    let fresh_state = ex.work("fresh-state");
    crate::support::copy_dir(&state, &fresh_state);
    let cached_run = run(site, &out, &state, &mut cache, 21);
    assert!(
        cached_run
            .postings
            .iter()
            .all(|p| !p.description_html.is_spilled())
    );
    let mut lean = Cache::lean();
    let fresh_run = run(site, &fresh_out, &fresh_state, &mut lean, 21);
    // A one-off build moves descriptions to its spill file; the daemon keeps them in memory.
    assert!(
        fresh_run
            .postings
            .iter()
            .all(|p| p.description_html.is_spilled())
    );
    // A one-off build keeps verdicts, never bytes: its memory stays that of one run. It
    // writes a combined feed and its per-language files in one pass, each item made and
    // checked once for all of them, so it keeps no item either.
    assert!(
        lean.bodies.is_empty() && lean.files.is_empty() && lean.items.is_empty(),
        "{lean:?}"
    );
    assert!(!cache.items.is_empty(), "{cache:?}");
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
    let ex = Example::new();
    let site = ex.site();
    let (out, state) = (ex.work("out"), ex.work("state"));
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

#[test]
fn a_rewrite_keeping_size_and_modification_time_is_read_again() {
    let ex = Example::new();
    let site = ex.site();
    let (out, fresh_out, state) = (ex.work("out"), ex.work("fresh"), ex.work("state"));
    // Pages are reused by their metadata only once it has settled (two seconds old).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut cache = Cache::new();
    run(site, &out, &state, &mut cache, 20);
    assert!(!cache.pages.is_empty(), "settled pages are kept: {cache:?}");

    // Same length, same modification time: only the change time (and the bytes) differ.
    let file = site.join("feeds/example/content/en/career/backend-developer-go.md");
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    replace_in(&file, "Backend Developer (Go)", "Backend Developer (Rs)");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    // Settled again: now only the change time tells the rewrite apart.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    run(site, &out, &state, &mut cache, 20);
    let cached = published(&out);
    let page = &cached["jobs/backend-developer-go-en.jsonld"];
    assert!(
        String::from_utf8_lossy(page).contains("Backend Developer (Rs)"),
        "the cached page was served for a changed file"
    );
    run(site, &fresh_out, &state, &mut Cache::new(), 20);
    assert_eq!(cached, published(&fresh_out));
}

/// Records what a run hands over, in order (`None`: the documents are all in).
#[derive(Default)]
struct Order(std::sync::Mutex<Vec<Option<String>>>);

impl jobfeed::publish::Sink for Order {
    fn put(&self, files: Vec<jobfeed::render::Rendered>) {
        self.0
            .lock()
            .unwrap()
            .extend(files.into_iter().map(|f| Some(f.path)));
    }

    fn documents_done(&self) {
        self.0.lock().unwrap().push(None);
    }
}

#[test]
fn posting_documents_are_all_handed_over_before_any_file_that_lists_them() {
    let dir = example_copy();
    let state_dir = tempfile::tempdir().unwrap();
    let order = Order::default();
    run_into(
        dir.path(),
        state_dir.path(),
        None,
        &mut Cache::new(),
        &order,
        20,
    );
    let events = order.0.into_inner().unwrap();
    let done: Vec<usize> = (0..events.len()).filter(|&i| events[i].is_none()).collect();
    assert_eq!(done.len(), 1, "{events:?}");
    let (before, after) = events.split_at(done[0]);
    assert!(
        !before.is_empty()
            && before
                .iter()
                .flatten()
                .all(|p| !jobfeed::publish::is_index(p)),
        "{before:?}"
    );
    assert!(
        after[1..]
            .iter()
            .flatten()
            .all(|p| jobfeed::publish::is_index(p)),
        "{after:?}"
    );
    assert!(after.len() > 1, "no feed files after the documents");
}

#[test]
fn linkedin_verdicts_kept_between_runs_follow_the_posting_content() {
    let ex = Example::new();
    let site = ex.site();
    let (out, state_dir) = (ex.work("out"), ex.work("state"));
    let file = site.join("feeds/example/content/en/career/site-reliability-engineer.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let body_start = original[3..].find("\n---\n").unwrap() + 3 + 5;
    replace_in(&file, &original[body_start..], "Too short.\n");
    let id = "site-reliability-engineer-en";
    let mut cache = Cache::new();
    // Whether the LinkedIn feed lists the posting, and whether the run says why not.
    let run_on = |day: u32, cache: &mut Cache| {
        let run = run(site, &out, &state_dir, cache, day);
        let feed = std::fs::read_to_string(out.join("example/linkedin.xml")).unwrap();
        let warned = run
            .report
            .diagnostics
            .iter()
            .any(|d| d.rule == "linkedin.eligible" && d.posting.as_deref() == Some(id));
        (feed.contains(id), warned)
    };
    assert_eq!(run_on(20, &mut cache), (false, true), "first run");
    assert_eq!(run_on(21, &mut cache), (false, true), "from the cache");
    std::fs::write(&file, &original).unwrap();
    assert_eq!(run_on(22, &mut cache), (true, false), "after the edit");
}

/// A preview of edited files of the example feed at day `day`, beside `previous`, an hour
/// before the runs of that day.
fn preview(
    site: &Path,
    state_dir: &Path,
    edited: &[&Path],
    previous: &[jobfeed::normalise::Member],
    day: u32,
) -> BTreeMap<String, Vec<u8>> {
    let feed = load_feed(&site.join("feeds/example.toml")).unwrap();
    let opts = RunOptions {
        drafts: false,
        state_dir: state_dir.to_path_buf(),
    };
    let now = Utc.with_ymd_and_hms(2026, 11, day, 8, 0, 0).unwrap();
    let edited = edited.iter().map(|f| f.canonicalize().unwrap()).collect();
    pipeline::preview(&feed, &Gate::new(), &opts, now, &edited, previous)
        .into_iter()
        .map(|f| (f.path, f.bytes))
        .collect()
}

#[test]
fn a_preview_of_an_edit_serves_the_documents_its_run_then_publishes() {
    let ex = Example::new();
    // The site through a link: the watcher names files by their real paths, the feed's
    // sources by the configured ones.
    let site = &ex.work("site");
    std::os::unix::fs::symlink(ex.site(), site).unwrap();
    let (out, state) = (ex.work("out"), ex.work("state"));
    let mut cache = Cache::new();
    let first = run(site, &out, &state, &mut cache, 20);

    // A translated posting: its snippet links the Swedish version, which the preview
    // knows only from the last run.
    let file = site.join("feeds/example/content/en/career/site-reliability-engineer.md");
    replace_in(&file, "## ", "## Edited: ");
    let ahead = preview(site, &state, &[&file], &first.members, 21);
    run(site, &out, &state, &mut cache, 21);
    let published = published(&out);
    assert_eq!(
        ahead.keys().collect::<Vec<_>>(),
        [
            "jobs/site-reliability-engineer-en.html",
            "jobs/site-reliability-engineer-en.jsonld"
        ],
        "exactly the edited posting's documents"
    );
    same_as_published(&ahead, &published);
    let doc = String::from_utf8_lossy(&ahead["jobs/site-reliability-engineer-en.jsonld"]);
    assert!(doc.contains("Edited: "), "{doc}");
    let snippet = String::from_utf8_lossy(&ahead["jobs/site-reliability-engineer-en.html"]);
    assert!(snippet.contains("hreflang=\"sv\""), "{snippet}");
}

#[test]
fn a_preview_leaves_broken_files_and_taken_ids_to_the_run() {
    let ex = Example::new();
    let site = ex.site();
    let state = ex.work("state");
    let first = run(site, &ex.work("out"), &state, &mut Cache::new(), 20);
    let career = site.join("feeds/example/content/en/career");

    // Front matter that no longer parses: nothing to serve, the last good copy stays.
    let broken = career.join("security-engineer.md");
    replace_in(&broken, "---\n", "---\n: [\n");
    // An id another file's posting has: the run decides which of the two keeps it.
    let taker = career.join("backend-developer-go.md");
    replace_in(&taker, "---\n", "---\nid: \"datacentertekniker-sv\"\n");
    // A plain edit beside them still goes ahead.
    let plain = career.join("site-reliability-engineer.md");
    replace_in(&plain, "## ", "## Edited: ");
    let ahead = preview(site, &state, &[&broken, &taker, &plain], &first.members, 21);
    assert_eq!(
        ahead.keys().collect::<Vec<_>>(),
        [
            "jobs/site-reliability-engineer-en.html",
            "jobs/site-reliability-engineer-en.jsonld"
        ]
    );
}

/// Asserts that every file of `ahead` is published with the same bytes.
fn same_as_published(ahead: &BTreeMap<String, Vec<u8>>, published: &BTreeMap<String, Vec<u8>>) {
    for (path, bytes) in ahead {
        assert!(
            published.get(path) == Some(bytes),
            "{path}: the preview differs from what its run published:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_preview_links_translations_and_holds_ids_the_gate_left_out_as_the_run_does() {
    let ex = Example::new();
    let (site, out, state) = (ex.site(), ex.work("out"), ex.work("state"));
    // The Swedish translation breaks Google's rules (a description that only repeats the
    // title): the run leaves it out, yet still links it from the English posting.
    let sv = site.join("feeds/example/content/sv/career/site-reliability-engineer.md");
    let text = std::fs::read_to_string(&sv).unwrap();
    let body = text[3..].find("\n---\n").unwrap() + 3 + 5;
    std::fs::write(&sv, format!("{}Driftsingenjör (SRE)\n", &text[..body])).unwrap();
    let mut cache = Cache::new();
    let mut state_store = State::open(&state).unwrap();
    let stage = DirStage::begin(&out, "example").unwrap();
    let first = run_into(site, &state, Some(&mut state_store), &mut cache, &stage, 20);
    stage.commit(&first).unwrap();
    assert!(
        !published(&out).contains_key("jobs/site-reliability-engineer-sv.jsonld"),
        "the translation was expected to fail the gate"
    );

    let en = site.join("feeds/example/content/en/career/site-reliability-engineer.md");
    replace_in(&en, "## ", "## Edited: ");
    let ahead = preview(site, &state, &[&en], &first.members, 21);
    let stage = DirStage::begin(&out, "example").unwrap();
    let second = run_into(site, &state, Some(&mut state_store), &mut cache, &stage, 21);
    stage.commit(&second).unwrap();
    assert_eq!(ahead.len(), 2, "{:?}", ahead.keys());
    same_as_published(&ahead, &published(&out));
}

#[test]
fn a_preview_of_files_edited_together_follows_what_each_gives_now() {
    let ex = Example::new();
    let (site, out, state) = (ex.site(), ex.work("out"), ex.work("state"));
    let mut cache = Cache::new();
    let first = run(site, &out, &state, &mut cache, 20);
    // One translation becomes a draft, the other is edited: the other's links must no
    // longer name the draft, though the last run had it.
    let career = |lang: &str| site.join(format!("feeds/example/content/{lang}/career"));
    let en = career("en").join("site-reliability-engineer.md");
    let sv = career("sv").join("site-reliability-engineer.md");
    replace_in(&en, "draft: false", "draft: true");
    replace_in(&sv, "## ", "## Ändrad: ");
    let ahead = preview(site, &state, &[&en, &sv], &first.members, 21);
    run(site, &out, &state, &mut cache, 21);
    assert_eq!(
        ahead.keys().collect::<Vec<_>>(),
        [
            "jobs/site-reliability-engineer-sv.html",
            "jobs/site-reliability-engineer-sv.jsonld"
        ]
    );
    same_as_published(&ahead, &published(&out));
}
