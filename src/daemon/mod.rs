//! The long-running service behind `jobfeed serve`: runs feeds on schedules and on file
//! changes, publishes, swaps the served snapshot atomically, and reloads on SIGHUP.

pub mod disk;
pub mod latest;
pub mod scheduler;
pub mod sdnotify;
pub mod watch;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cache::Cache;
use crate::config::{self, LoadedFeed};
use crate::lock;
use crate::metrics::Metrics;
use crate::pipeline::{self, Report, RunOptions};
use crate::publish;
use crate::server::files::{Published, Snapshot};
use crate::state::State;
use crate::validate::Gate;

/// How `serve` was started.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Feed files (empty: every `feeds/*.toml`).
    pub configs: Vec<PathBuf>,
    pub run: RunOptions,
    /// Output directory the runs publish into.
    pub out: PathBuf,
    pub listen: SocketAddr,
    /// Bearer token for `/admin/…`; admin endpoints are disabled without one.
    pub admin_token: Option<String>,
    /// Watch markdown sources and rebuild on change.
    pub watch: bool,
    /// Only the feeds of this shard.
    pub shard: Option<crate::cli::Shard>,
}

/// One finished run, for the status page and metrics.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub at: DateTime<Utc>,
    pub seconds: f64,
    pub published: usize,
    pub invalid: usize,
    pub ok: bool,
    /// Why the run counts as failed (source or publish errors).
    pub failure: Option<String>,
}

/// What the daemon knows about one feed.
#[derive(Debug, Clone)]
pub struct FeedStatus {
    pub feed: Arc<LoadedFeed>,
    pub published_once: bool,
    pub report: Option<Report>,
    /// (id, title, url, language) of the published postings.
    pub postings: Vec<(String, String, String, String)>,
    /// Every posting of the last run before the gate: a preview of an edit links
    /// translations and checks ids against them.
    pub members: Arc<Vec<crate::normalise::Member>>,
    pub history: VecDeque<RunRecord>,
}

const HISTORY: usize = 100;

/// State shared by the HTTP server, the runners, the scheduler and the watcher.
pub struct Shared {
    pub snapshot: RwLock<Arc<Snapshot>>,
    pub feeds: RwLock<BTreeMap<String, FeedStatus>>,
    pub metrics: Metrics,
    pub settings: Settings,
    pub state: Mutex<State>,
    pub gate: Gate,
    /// HTTP client for change notifications.
    pub http: reqwest::Client,
    triggers: RwLock<BTreeMap<String, mpsc::Sender<()>>>,
    failures: RwLock<BTreeMap<String, Arc<AtomicU32>>>,
    /// Each feed's work kept between its runs (runs of one feed never overlap).
    caches: RwLock<BTreeMap<String, Arc<Mutex<Cache>>>>,
    /// Compression of what is served, asked for after each swap.
    compression: Arc<latest::Latest<()>>,
    /// Each feed's writer of the output directory and object storage.
    writers: disk::Writers,
    /// Deflated chunks of large files, for the next compression pass.
    chunks: Mutex<crate::server::gzip::ChunkCache>,
    /// Orders runs' starts and previews: each takes the next number.
    order: AtomicU64,
    /// Posting documents served ahead of their run (see [`preview`]), by served path,
    /// with the preview's number: a run that began before it keeps the preview's entry.
    ahead: Mutex<HashMap<String, u64>>,
    /// The one thread previews run on: they never queue behind a run's work.
    previews: rayon::ThreadPool,
}

impl Shared {
    /// The snapshot currently served.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Asks for a run of `feed`; coalesces with a run already queued. False if unknown.
    pub fn trigger(&self, feed: &str) -> bool {
        let triggers = self.triggers.read().unwrap_or_else(|e| e.into_inner());
        match triggers.get(feed) {
            Some(tx) => {
                let _ = tx.try_send(());
                true
            }
            None => false,
        }
    }

    /// True once every feed of this replica has published at least once (a replica that
    /// owns no feed is ready at once).
    pub fn ready(&self) -> bool {
        let feeds = self.feeds.read().unwrap_or_else(|e| e.into_inner());
        feeds.values().all(|f| f.published_once)
    }

    /// Consecutive failed runs of `feed` (drives the scheduler's backoff).
    pub fn failures(&self, feed: &str) -> Arc<AtomicU32> {
        let mut map = self.failures.write().unwrap_or_else(|e| e.into_inner());
        map.entry(feed.to_string()).or_default().clone()
    }

    /// Records how writing a run's files went: a failure counts against that run (status
    /// page, backoff, metrics) and the previous files stay.
    fn disk_written(&self, job: &disk::DiskJob, outcome: disk::Outcome) {
        let (target, error) = match outcome {
            disk::Outcome::Written(stats) => {
                tracing::debug!(feed = %job.feed, written = stats.written, removed = stats.removed, "Output directory written.");
                return;
            }
            disk::Outcome::Failed(target, error) => (target, error),
        };
        tracing::error!(feed = %job.feed, target, error = %error, "Publishing failed; the previous files stay there.");
        self.metrics.inc(
            "jobfeed_publish_failures_total",
            "Writes of a run's files that failed, by target.",
            &[("feed", &job.feed), ("target", target)],
            1.0,
        );
        self.failures(&job.feed).fetch_add(1, Ordering::Relaxed);
        let mut feeds = self.feeds.write().unwrap_or_else(|e| e.into_inner());
        if let Some(run) = feeds
            .get_mut(&job.feed)
            .and_then(|st| st.history.iter_mut().rev().find(|r| r.at == job.at))
        {
            run.ok = false;
            run.failure = Some(error);
        }
    }

    /// The work kept between runs of `feed`.
    pub fn cache(&self, feed: &str) -> Arc<Mutex<Cache>> {
        let mut map = self.caches.write().unwrap_or_else(|e| e.into_inner());
        map.entry(feed.to_string()).or_default().clone()
    }
}

/// The daemon's sink: files that passed the gate are kept in memory for the next snapshot,
/// served as soon as the run ends; the output directory gets them after (see [`disk`]).
struct Served<'a> {
    feed: &'a str,
    prefix: String,
    /// The snapshot served when the run began.
    current: Arc<Snapshot>,
    /// The snapshot served now, for the run's posting documents to go live early.
    live: &'a RwLock<Arc<Snapshot>>,
    now: DateTime<Utc>,
    put: Mutex<Vec<crate::render::Rendered>>,
    kept: Mutex<Vec<String>>,
    /// Posting documents already served (made live by [`publish::Sink::documents_done`]).
    early: Mutex<Vec<(String, Arc<crate::server::files::Entry>)>>,
    /// The run's number (see [`Shared::order`]) and the documents served ahead of runs.
    begun: u64,
    ahead: &'a Mutex<HashMap<String, u64>>,
    /// The feed's output directory: the last publish of an earlier life of the daemon.
    dir: std::path::PathBuf,
}

impl publish::Sink for Served<'_> {
    fn put(&self, files: Vec<crate::render::Rendered>) {
        lock(&self.put).extend(files);
    }

    /// New and changed posting documents go live now: an edit is served before the feeds
    /// that list it are assembled (the order a publish always keeps: documents first).
    fn documents_done(&self) {
        let docs: Vec<crate::render::Rendered> = {
            let mut put = lock(&self.put);
            let (docs, rest) = std::mem::take(&mut *put)
                .into_iter()
                .partition(|f| !publish::is_index(&f.path));
            *put = rest;
            docs
        };
        if docs.is_empty() {
            return;
        }
        let entries = self.current.entries(
            self.feed,
            docs.into_iter()
                .map(|f| (f.path, Published::Bytes(f.bytes, self.now)))
                .collect(),
        );
        let entries: Vec<_> = {
            let mut snap = self.live.write().unwrap_or_else(|e| e.into_inner());
            // A preview of a later edit stays: this run read the file before it.
            let ahead = lock(self.ahead);
            let entries: Vec<_> = entries
                .into_iter()
                .filter(|(path, _)| {
                    ahead
                        .get(&format!("{}{path}", self.prefix))
                        .is_none_or(|&n| n < self.begun)
                })
                .collect();
            *snap = Arc::new(snap.with_entries(self.feed, &entries));
            entries
        };
        lock(&self.early).extend(entries);
    }

    /// Kept when served now: the entry (and its compressed forms) carries over.
    fn keep(&self, path: &str) -> bool {
        let key = format!("{}{path}", self.prefix);
        // A previewed document is not what the last run published.
        let served = self.current.files.contains_key(&key) && !lock(self.ahead).contains_key(&key);
        if served {
            lock(&self.kept).push(path.to_string());
        }
        served
    }

    /// Served now, else as an earlier life of the daemon left it on disk.
    fn last_published(&self, path: &str) -> Option<Box<dyn std::io::Read + '_>> {
        match self.current.files.get(&format!("{}{path}", self.prefix)) {
            Some(e) => Some(Box::new(std::io::Cursor::new(e.identity.clone()))),
            None => {
                let file = std::fs::File::open(self.dir.join(path)).ok()?;
                Some(Box::new(std::io::BufReader::new(file)))
            }
        }
    }
}

impl Served<'_> {
    /// The feed's files in the next snapshot: what the run put or kept, the last good copy
    /// of blocked files (served now, else on disk from an earlier life) and the report.
    fn into_published(
        self,
        blocked: &[String],
        report: &(String, Vec<u8>),
        dir: &std::path::Path,
        now: DateTime<Utc>,
    ) -> Vec<(String, Published)> {
        let current = |path: &str| self.current.files.get(&format!("{}{path}", self.prefix));
        let mut files: Vec<(String, Published)> = Vec::new();
        for path in self.kept.into_inner().unwrap_or_else(|e| e.into_inner()) {
            if let Some(e) = current(&path) {
                files.push((path, Published::Same(e.clone())));
            }
        }
        for path in blocked {
            if let Some(e) = current(path) {
                files.push((path.clone(), Published::Same(e.clone())));
            } else if let Ok(bytes) = std::fs::read(dir.join(path)) {
                files.push((path.clone(), Published::Bytes(bytes, now)));
            }
        }
        for (path, e) in self.early.into_inner().unwrap_or_else(|e| e.into_inner()) {
            files.push((path, Published::Same(e)));
        }
        for f in self.put.into_inner().unwrap_or_else(|e| e.into_inner()) {
            let published = match f.key {
                Some(key) => Published::Named(f.bytes, key, now),
                None => Published::Bytes(f.bytes, now),
            };
            files.push((f.path, published));
        }
        files.push((report.0.clone(), Published::Bytes(report.1.clone(), now)));
        files
    }
}

/// Runs one feed now (blocking): pipeline, snapshot swap, status and metrics; the output
/// directory and object storage are written right after, off the serving path.
pub fn run_feed(shared: &Arc<Shared>, feed: &LoadedFeed) {
    run_numbered(shared, feed, shared.order.fetch_add(1, Ordering::SeqCst));
}

/// [`run_feed`] for a run that took number `begun` when it began (see [`Shared::order`]).
fn run_numbered(shared: &Arc<Shared>, feed: &LoadedFeed, begun: u64) {
    let started = Instant::now();
    let now = Utc::now();
    let id = feed.config.id.clone();
    let served = Served {
        feed: &id,
        prefix: format!("/{id}/"),
        current: shared.snapshot(),
        live: &shared.snapshot,
        now,
        put: Mutex::new(Vec::new()),
        kept: Mutex::new(Vec::new()),
        early: Mutex::new(Vec::new()),
        begun,
        ahead: &shared.ahead,
        dir: shared.settings.out.join(&id),
    };
    let run = {
        let cache = shared.cache(&id);
        let mut state = lock(&shared.state);
        let mut cache = lock(&cache);
        let run = pipeline::run(
            feed,
            &shared.gate,
            &shared.settings.run,
            now,
            Some(&mut state),
            &mut cache,
            &served,
        );
        // Every file that passed is served next: a later run rendering one the same keeps it.
        cache.set_published(true);
        run
    };
    let failure = run
        .report
        .diagnostics
        .iter()
        .find(|d| d.is_error() && (d.rule.starts_with("source.") || d.rule.starts_with("state.")))
        .map(|d| d.human());
    let dir = shared.settings.out.join(&id);
    let report = publish::report_file(&run);
    let mut files = served.into_published(&run.blocked, &report, &dir, now);
    let next = {
        let mut snap = shared.snapshot.write().unwrap_or_else(|e| e.into_inner());
        // Documents previewed after this run began stay as served (the run read their
        // files before the edit; the run the edit asked for comes next and replaces them).
        // Older previews are this run's to replace, and forgotten.
        let prefix = format!("/{id}/");
        let mut ahead = lock(&shared.ahead);
        for (key, &n) in ahead.iter() {
            if n > begun
                && let Some(path) = key.strip_prefix(&prefix)
                && let Some(e) = snap.files.get(key)
            {
                files.push((path.to_string(), Published::Same(e.clone())));
            }
        }
        ahead.retain(|key, n| !(key.starts_with(&prefix) && *n < begun));
        drop(ahead);
        let mut next = snap.with_feed_files(&id, files);
        if let Some(i) = &feed.config.notify.indexnow {
            next = next.with_file(format!("/{}.txt", i.key), i.key.clone().into_bytes(), now);
        }
        let next = Arc::new(next);
        *snap = next.clone();
        next
    };
    tracing::info!(
        feed = %id,
        published = run.report.published,
        invalid = run.report.invalid,
        ms = started.elapsed().as_millis() as u64,
        "Feed published."
    );
    // New content is served from here on; its compressed forms follow, off this run's
    // path (large feeds take a while to compress; a reader asking meanwhile gets identity).
    if next.files.values().any(|e| e.pending) {
        compress_later(shared);
    }
    // Then the output directory and object storage, in the background: a burst of edits
    // is served edit by edit while the disk catches up with the newest.
    let prefix = format!("/{id}/");
    let job = disk::DiskJob {
        feed: id.clone(),
        at: now,
        files: next
            .files
            .iter()
            .filter_map(|(k, e)| Some((k.strip_prefix(&prefix)?.to_string(), e.clone())))
            .filter(|(p, _)| *p != report.0)
            .collect(),
        report,
        blocked: run.blocked.clone(),
        s3: match &feed.config.publish {
            Some(crate::config::PublishConfig::S3(cfg)) => Some((cfg.clone(), feed.dir.clone())),
            _ => None,
        },
    };
    let seconds = started.elapsed().as_secs_f64();
    let ok = failure.is_none();
    let failures = shared.failures(&id);
    if ok {
        failures.store(0, Ordering::Relaxed);
    } else {
        failures.fetch_add(1, Ordering::Relaxed);
    }
    let m = &shared.metrics;
    m.inc(
        "jobfeed_runs_total",
        "Feed runs by outcome.",
        &[("feed", &id), ("outcome", if ok { "ok" } else { "failed" })],
        1.0,
    );
    m.observe(
        "jobfeed_run_duration_seconds",
        "Wall time of feed runs.",
        &[("feed", &id)],
        seconds,
    );
    for (status, n) in [
        ("published", run.report.published),
        ("invalid", run.report.invalid),
        ("skipped", run.report.skipped),
    ] {
        m.set(
            "jobfeed_postings",
            "Postings of the last run by status.",
            &[("feed", &id), ("status", status)],
            n as f64,
        );
    }
    m.inc(
        "jobfeed_validation_errors_total",
        "Validation errors found by runs.",
        &[("feed", &id)],
        run.report.errors() as f64,
    );
    m.set(
        "jobfeed_blocked_outputs",
        "Outputs that failed the gate in the last run.",
        &[("feed", &id)],
        run.blocked.len() as f64,
    );
    for s in &feed.config.sources {
        let failed = run.report.diagnostics.iter().any(|d| {
            d.is_error()
                && d.rule.starts_with("source.")
                && d.file.as_deref().is_some_and(|f| f.contains(s.name()))
        });
        m.inc(
            "jobfeed_source_fetches_total",
            "Source reads.",
            &[("feed", &id), ("source", s.name())],
            1.0,
        );
        if failed {
            m.inc(
                "jobfeed_source_failures_total",
                "Source reads that failed.",
                &[("feed", &id), ("source", s.name())],
                1.0,
            );
        }
    }
    let mut feeds = shared.feeds.write().unwrap_or_else(|e| e.into_inner());
    if let Some(st) = feeds.get_mut(&id) {
        st.published_once = true;
        st.postings = run
            .postings
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.title.clone(),
                    p.url.clone(),
                    p.language.clone(),
                )
            })
            .collect();
        st.members = Arc::new(run.members);
        st.history.push_back(RunRecord {
            at: now,
            seconds,
            published: run.report.published,
            invalid: run.report.invalid,
            ok,
            failure,
        });
        while st.history.len() > HISTORY {
            st.history.pop_front();
        }
        st.report = Some(run.report);
    }
    drop(feeds);
    // Queued once the run is on record, so that a failed write can mark it.
    let s = shared.clone();
    shared
        .writers
        .of(&id)
        .write_later(shared.settings.out.clone(), job, move |job, outcome| {
            s.disk_written(job, outcome)
        });
}

/// Serves the posting documents of `edited` markdown files (canonical paths) of `feed`
/// now, ahead of the run the edit asks for (see [`pipeline::preview`]); call it before
/// triggering that run. The run replaces them with its own; until a run that began after
/// the preview publishes, the preview's documents stay served. Returns how many files went live.
pub fn preview(shared: &Arc<Shared>, feed: &str, edited: &BTreeSet<PathBuf>) -> usize {
    let started = Instant::now();
    let (loaded, previous) = {
        let feeds = shared.feeds.read().unwrap_or_else(|e| e.into_inner());
        match feeds.get(feed) {
            // Before the first run there is nothing to serve an edit beside.
            Some(st) if st.published_once => (st.feed.clone(), st.members.clone()),
            _ => return 0,
        }
    };
    let now = Utc::now();
    // On the preview thread throughout: rayon work sent to the shared pool would wait
    // behind a run's.
    let entries = shared.previews.install(|| {
        let files = pipeline::preview(
            &loaded,
            &shared.gate,
            &shared.settings.run,
            now,
            edited,
            &previous,
        );
        shared.snapshot().entries(
            feed,
            files
                .into_iter()
                .map(|f| (f.path, Published::Bytes(f.bytes, now)))
                .collect(),
        )
    });
    if entries.is_empty() {
        return 0;
    }
    {
        let mut snap = shared.snapshot.write().unwrap_or_else(|e| e.into_inner());
        let mut ahead = lock(&shared.ahead);
        let n = shared.order.fetch_add(1, Ordering::SeqCst);
        for (path, _) in &entries {
            ahead.insert(format!("/{feed}/{path}"), n);
        }
        *snap = Arc::new(snap.with_entries(feed, &entries));
    }
    compress_later(shared);
    tracing::info!(
        feed,
        files = entries.len(),
        ms = started.elapsed().as_millis() as u64,
        "Edited postings served ahead of their run."
    );
    entries.len()
}

/// Makes the compressed forms of newly served files on one thread of their own, so a
/// feed's next run never waits for them. It starts once runs have paused (see
/// [`latest::QUIET`]); asking while it works makes it look again when done.
fn compress_later(shared: &Arc<Shared>) {
    let s = shared.clone();
    shared
        .compression
        .offer((), "jobfeed-compress", move |()| compress_pending(&s));
}

/// Compresses every entry still pending, smallest first, swapping them in by batches
/// (one swap per entry would copy the whole snapshot's map for each small file).
fn compress_pending(shared: &Shared) {
    const BATCH_BYTES: usize = 8 << 20;
    let pending = shared.snapshot().pending();
    let swap = |done: &mut std::collections::HashMap<String, Arc<crate::server::files::Entry>>| {
        if !done.is_empty() {
            let mut snap = shared.snapshot.write().unwrap_or_else(|e| e.into_inner());
            *snap = Arc::new(snap.with_compressed(done));
            done.clear();
        }
    };
    let mut done = std::collections::HashMap::new();
    let mut bytes = 0;
    let mut chunks = lock(&shared.chunks);
    for (k, e) in pending {
        // Replaced by a newer run meanwhile: that run asked again, for its own content.
        let live = shared.snapshot();
        if !live.files.get(&k).is_some_and(|cur| Arc::ptr_eq(cur, &e)) {
            continue;
        }
        bytes += e.identity.len();
        done.insert(k, Arc::new(e.as_ref().clone().compressed_with(&mut chunks)));
        if bytes >= BATCH_BYTES {
            swap(&mut done);
            bytes = 0;
        }
    }
    swap(&mut done);
    chunks.finish_pass();
}

/// Runs `run` once per trigger, never two at once. With a channel of capacity 1, triggers
/// that arrive during a run collapse into one follow-up run.
pub async fn run_serially<F, Fut>(mut triggers: mpsc::Receiver<()>, mut run: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    while triggers.recv().await.is_some() {
        run().await;
    }
}

/// The running service: tasks per feed, and the handle to stop them.
struct Tasks {
    handles: Vec<JoinHandle<()>>,
}

impl Tasks {
    fn abort(self) {
        for h in self.handles {
            h.abort();
        }
    }
}

/// Installs `feeds` as the daemon's feed set: a runner and a scheduler per feed, and a first run.
fn start_feeds(shared: &Arc<Shared>, feeds: Vec<LoadedFeed>) -> Tasks {
    let mut handles = Vec::new();
    let mut triggers = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let old = shared
        .feeds
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for feed in feeds {
        let feed = Arc::new(feed);
        let id = feed.config.id.clone();
        let (tx, rx) = mpsc::channel::<()>(1);
        let _ = tx.try_send(());
        triggers.insert(id.clone(), tx);
        let prev = old.get(&id);
        statuses.insert(
            id.clone(),
            FeedStatus {
                feed: feed.clone(),
                published_once: prev.is_some_and(|p| p.published_once),
                report: prev.and_then(|p| p.report.clone()),
                postings: prev.map(|p| p.postings.clone()).unwrap_or_default(),
                members: prev.map(|p| p.members.clone()).unwrap_or_default(),
                history: prev.map(|p| p.history.clone()).unwrap_or_default(),
            },
        );
        // The runner: one run at a time per feed; triggers arriving meanwhile coalesce.
        let s = shared.clone();
        let f = feed.clone();
        handles.push(tokio::spawn(run_serially(rx, move || {
            let s = s.clone();
            let f = f.clone();
            async move {
                let (s2, f2) = (s.clone(), f.clone());
                if let Err(e) = tokio::task::spawn_blocking(move || run_feed(&s2, &f2)).await {
                    tracing::error!(feed = %f.config.id, error = %e, "Feed run panicked; the previous outputs stay.");
                }
                crate::notify::send_pending(&s.http, &s.state, &f, chrono::Utc::now()).await;
            }
        })));
        if let Some(line) = &feed.config.schedule
            && let Ok(schedule) = crate::schedule::Schedule::parse(line, feed.config.tz())
        {
            let s = shared.clone();
            let failures = shared.failures(&id);
            handles.push(tokio::spawn(scheduler::run(
                id.clone(),
                schedule,
                failures,
                scheduler::SystemClock,
                move |feed| {
                    s.trigger(feed);
                },
            )));
        }
    }
    *shared.feeds.write().unwrap_or_else(|e| e.into_inner()) = statuses;
    *shared.triggers.write().unwrap_or_else(|e| e.into_inner()) = triggers;
    Tasks { handles }
}

fn load(settings: &Settings) -> anyhow::Result<Vec<LoadedFeed>> {
    let paths = config::discover(&settings.configs)?;
    let mut feeds = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for p in paths {
        let f = config::load_feed(&p)?;
        anyhow::ensure!(
            ids.insert(f.config.id.clone()),
            "{}: feed id {:?} is used by another feed file",
            p.display(),
            f.config.id
        );
        feeds.push(f);
    }
    if let Some(shard) = settings.shard {
        feeds.retain(|f| shard.owns(&f.config.id));
    }
    Ok(feeds)
}

/// Builds the shared state and starts the feeds, without the HTTP listener (tests use this).
pub fn start(settings: Settings) -> anyhow::Result<(Arc<Shared>, impl FnOnce())> {
    let feeds = load(&settings)?;
    let state = State::open(&settings.run.state_dir).context("opening the state store")?;
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        feeds: RwLock::new(BTreeMap::new()),
        metrics: Metrics::default(),
        state: Mutex::new(state),
        gate: Gate::new(),
        http: crate::notify::client(),
        triggers: RwLock::new(BTreeMap::new()),
        failures: RwLock::new(BTreeMap::new()),
        caches: RwLock::new(BTreeMap::new()),
        compression: Arc::new(latest::Latest::settling(latest::QUIET, latest::LONGEST)),
        writers: disk::Writers::default(),
        chunks: Mutex::new(Default::default()),
        order: AtomicU64::new(0),
        ahead: Mutex::new(HashMap::new()),
        previews: rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "jobfeed-preview".into())
            .build()
            .context("starting the preview thread")?,
        settings,
    });
    let tasks = Arc::new(Mutex::new(Some(start_feeds(&shared, feeds))));
    let watcher = if shared.settings.watch {
        Some(watch::start(shared.clone())?)
    } else {
        None
    };
    let stop = {
        let tasks = tasks.clone();
        move || {
            drop(watcher);
            if let Some(t) = lock(&tasks).take() {
                t.abort();
            }
        }
    };
    #[cfg(unix)]
    {
        let s = shared.clone();
        tokio::spawn(async move {
            let Ok(mut hup) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            else {
                return;
            };
            while hup.recv().await.is_some() {
                match load(&s.settings) {
                    Ok(feeds) => {
                        tracing::info!(feeds = feeds.len(), "Configuration reloaded.");
                        let mut guard = lock(&tasks);
                        if let Some(old) = guard.take() {
                            old.abort();
                        }
                        *guard = Some(start_feeds(&s, feeds));
                    }
                    Err(e) => {
                        tracing::error!(error = %format!("{e:#}"), "New configuration is invalid; the old one keeps running.")
                    }
                }
            }
        });
    }
    Ok((shared, stop))
}

/// Runs the service until SIGTERM or SIGINT.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen;
    let (shared, stop) = start(settings)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| {
            format!("cannot listen on {listen} (is the port in use? pass --listen)")
        })?;
    tracing::info!(address = %listener.local_addr()?, "Serving.");
    tokio::spawn(sdnotify::supervise(shared.clone()));
    let app = crate::server::router(shared.clone());
    crate::server::listen::serve(
        listener,
        app,
        crate::server::listen::Limits::from_env(),
        shutdown_signal(),
    )
    .await;
    tracing::info!("Shutting down: finishing runs in flight.");
    sdnotify::notify("STOPPING=1");
    stop();
    // A run in flight holds the state lock: taking it waits for the run to finish; then
    // its files reach the output directory.
    let s = shared.clone();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(8),
        tokio::task::spawn_blocking(move || drop(s.state.lock())),
    )
    .await;
    let s = shared.clone();
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    let _ = tokio::task::spawn_blocking(move || {
        if !s.writers.wait_idle(deadline) {
            tracing::warn!("The output directory was still being written at exit; the next start writes it again.");
        }
    })
    .await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(start_paused = true)]
    async fn runs_of_one_feed_never_overlap_and_extra_triggers_coalesce() {
        let (tx, rx) = mpsc::channel::<()>(1);
        let active = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let runs = Arc::new(AtomicUsize::new(0));
        let (a, m, r) = (active.clone(), max.clone(), runs.clone());
        let task = tokio::spawn(run_serially(rx, move || {
            let (a, m, r) = (a.clone(), m.clone(), r.clone());
            async move {
                let now = a.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                r.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                a.fetch_sub(1, Ordering::SeqCst);
            }
        }));
        let _ = tx.try_send(());
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        // Five triggers (schedule ticks, edits, admin calls) while the first run is busy.
        for _ in 0..5 {
            let _ = tx.try_send(());
        }
        tokio::time::sleep(std::time::Duration::from_secs(120)).await;
        assert_eq!(max.load(Ordering::SeqCst), 1, "two runs overlapped");
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "the busy-time triggers must coalesce into one run"
        );
        task.abort();
    }

    /// A copy of the bundled example feed, and daemon settings for it (no watching).
    fn example() -> (tempfile::TempDir, Settings) {
        fn copy(from: &std::path::Path, to: &std::path::Path) {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap().flatten() {
                let target = to.join(e.file_name());
                if e.file_type().unwrap().is_dir() {
                    copy(&e.path(), &target);
                } else {
                    std::fs::copy(e.path(), target).unwrap();
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let feeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds");
        copy(&feeds, &dir.path().join("feeds"));
        // Runs only when a test asks: a scheduled one would come between its steps.
        let config = dir.path().join("feeds/example.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        let unscheduled: String = text
            .lines()
            .filter(|l| !l.starts_with("schedule"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(
            text, unscheduled,
            "the example feed has a schedule to remove"
        );
        std::fs::write(&config, unscheduled).unwrap();
        let settings = Settings {
            configs: vec![dir.path().join("feeds/example.toml")],
            run: RunOptions {
                drafts: false,
                state_dir: dir.path().join("state"),
            },
            out: dir.path().join("out"),
            listen: "127.0.0.1:0".parse().unwrap(),
            admin_token: None,
            watch: false,
            shard: None,
        };
        (dir, settings)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_preview_stays_served_until_a_run_that_began_after_it_publishes() {
        let (dir, settings) = example();
        let (shared, stop) = start(settings).unwrap();
        for _ in 0..600 {
            if shared.ready() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(shared.ready(), "the first run did not publish");
        let feed = shared.feeds.read().unwrap()["example"].feed.clone();
        let file = dir
            .path()
            .join("feeds/example/content/en/career/backend-developer-go.md");
        let original = std::fs::read_to_string(&file).unwrap();
        let served = |s: &Shared| {
            let snap = s.snapshot();
            let e = &snap.files["/example/jobs/backend-developer-go-en.jsonld"];
            String::from_utf8_lossy(&e.identity).into_owned()
        };
        let edited_title = "Backend Developer (Go and Rust)";
        assert!(!served(&shared).contains(edited_title));

        // A run begins (it reads the file as it was), the file is edited and previewed,
        // then the run publishes: the preview stays.
        let begun = shared.order.fetch_add(1, Ordering::SeqCst);
        std::fs::write(
            &file,
            original.replace("Backend Developer (Go)", edited_title),
        )
        .unwrap();
        let canonical = [file.canonicalize().unwrap()].into_iter().collect();
        assert_eq!(preview(&shared, "example", &canonical), 2);
        assert!(served(&shared).contains(edited_title));
        std::fs::write(&file, &original).unwrap();
        let s = shared.clone();
        let f = feed.clone();
        tokio::task::spawn_blocking(move || run_numbered(&s, &f, begun))
            .await
            .unwrap();
        assert!(
            served(&shared).contains(edited_title),
            "a run that began before the preview replaced it"
        );

        // The run the edit asked for begins after the preview: what it read is served.
        let s = shared.clone();
        tokio::task::spawn_blocking(move || run_feed(&s, &feed))
            .await
            .unwrap();
        assert!(!served(&shared).contains(edited_title));
        assert!(lock(&shared.ahead).is_empty(), "the preview is forgotten");
        stop();
    }

    #[test]
    fn a_runs_early_documents_leave_previews_of_later_edits_served() {
        let path = "/f/jobs/a.jsonld";
        let entry = |bytes: &[u8]| {
            Arc::new(crate::server::files::Entry::uncompressed(
                path,
                bytes.to_vec(),
                Utc::now(),
            ))
        };
        let previewed = Snapshot::default().with_entries(
            "f",
            &[("jobs/a.jsonld".into(), entry(b"{\"v\":\"preview\"}"))],
        );
        let live = RwLock::new(Arc::new(previewed));
        let ahead = Mutex::new(HashMap::from([(path.to_string(), 5)]));
        let document = |bytes: &str| crate::render::Rendered {
            path: "jobs/a.jsonld".into(),
            output: "jobs".into(),
            kind: crate::config::OutputKind::Jsonld,
            format: crate::render::Format::JsonLd,
            bytes: bytes.as_bytes().to_vec(),
            key: None,
        };
        let served_now = |live: &RwLock<Arc<Snapshot>>| {
            let snap = live.read().unwrap().clone();
            String::from_utf8_lossy(&snap.files[path].identity).into_owned()
        };
        for (begun, expected) in [(3, "{\"v\":\"preview\"}"), (7, "{\"v\":\"run\"}")] {
            let served = Served {
                feed: "f",
                prefix: "/f/".into(),
                current: live.read().unwrap().clone(),
                live: &live,
                now: Utc::now(),
                put: Mutex::new(Vec::new()),
                kept: Mutex::new(Vec::new()),
                early: Mutex::new(Vec::new()),
                begun,
                ahead: &ahead,
                dir: std::path::PathBuf::new(),
            };
            publish::Sink::put(&served, vec![document("{\"v\":\"run\"}")]);
            publish::Sink::documents_done(&served);
            assert_eq!(served_now(&live), expected, "run number {begun}");
        }
    }
}
