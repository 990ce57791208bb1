//! One run of one feed: sources → normalise → render → validate, as plain data.
//! Publishing is separate (`publish`), so `check` runs the same pipeline and writes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use std::sync::Arc;

use crate::cache::{self, Cache};
use crate::config::{LoadedFeed, OutputConfig, OutputKind};
use crate::diag::{Diagnostic, Severity};
use crate::model::Posting;
use crate::normalise;
use crate::publish::Sink;
use crate::render::{self, FeedFile, JobKind, Rendered};
use crate::source::{self, SourceContext};
use crate::state::{Changes, State};
use crate::validate::Gate;
use rayon::prelude::*;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Publish drafts too.
    pub drafts: bool,
    /// Where state lives between runs (default `./state`).
    pub state_dir: std::path::PathBuf,
}

/// Everything one run produced.
#[derive(Debug)]
pub struct FeedRun {
    pub feed: String,
    /// Postings that passed the gate, in canonical order.
    pub postings: Vec<Posting>,
    /// How many files passed the gate and went to the sink.
    pub outputs: usize,
    /// Paths of files that failed the gate: the previous good copy must stay.
    pub blocked: Vec<String>,
    pub report: Report,
    /// Files the sources read.
    pub inputs: Vec<std::path::PathBuf>,
    /// What changed since the previous run (empty without a state store).
    pub changes: Changes,
    /// Every posting normalised, before the gate (a preview of an edit checks ids and
    /// links translations against them).
    pub members: Vec<normalise::Member>,
}

/// The run's findings, written as `report.json` and printed by `check`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub feed: String,
    pub published: usize,
    pub skipped: usize,
    pub invalid: usize,
    pub outputs: usize,
    pub blocked_outputs: Vec<String>,
    /// Postings left out on purpose (expired, drafts are not listed), with the reason.
    pub skipped_postings: Vec<Skipped>,
    /// Every finding, errors first, then by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// Runs one feed through every stage. Never fails whole: problems land in the report.
/// Files that pass the gate go to `sink` as they are rendered, one unit at a time, so a run
/// never holds all of its rendered files at once.
///
/// With a state store, postings are stamped with their truthful change times and the
/// run's additions, changes and removals are recorded; without one (`check`), nothing is written.
pub fn run(
    feed: &LoadedFeed,
    gate: &Gate,
    opts: &RunOptions,
    now: DateTime<Utc>,
    state: Option<&mut State>,
    cache: &mut Cache,
    sink: &dyn Sink,
) -> FeedRun {
    cache.begin_run(cache::value_key(&feed.config));
    let run = run_with(feed, gate, opts, now, state, cache, sink);
    cache.finish_run();
    run
}

fn run_with(
    feed: &LoadedFeed,
    gate: &Gate,
    opts: &RunOptions,
    now: DateTime<Utc>,
    state: Option<&mut State>,
    cache: &Cache,
    sink: &dyn Sink,
) -> FeedRun {
    let cfg = &feed.config;
    let clock = std::time::Instant::now();
    let lap = |stage: &str| tracing::debug!(feed = %cfg.id, stage, ms = clock.elapsed().as_millis() as u64, "Stage done.");
    // A one-off build (its cache keeps no bytes) moves descriptions to a file as it reads
    // them; without a writable state directory they stay in memory.
    let spill = (!cache.keeps_bytes())
        .then(|| crate::model::Spill::in_dir(&opts.state_dir).ok())
        .flatten();
    let mut ctx = source_context(feed, opts, now, Some(cache), None);
    ctx.spill = spill.as_ref();
    let mut diagnostics = Vec::new();
    let mut raws = Vec::new();
    let mut inputs = Vec::new();
    let mut broken_files = 0;
    // Sources that could not be read at all (a site path that is gone): their postings'
    // last published versions stay, as a remote source's last good answer does.
    let mut failed_sources = std::collections::BTreeSet::new();
    for s in &cfg.sources {
        let out = source::read(s, &ctx);
        if out.unread {
            failed_sources.insert(s.name());
        }
        broken_files += out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.file.as_ref())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        diagnostics.extend(out.diagnostics);
        // Sources that read everything at once (remote ones) are spilled here; a markdown
        // source's postings already are. Collected in place.
        let postings: Vec<_> = out.postings.into_iter().map(|p| ctx.spill(p)).collect();
        // One source (the common case) hands its vector over instead of copying it.
        if raws.is_empty() {
            raws = postings;
        } else {
            raws.extend(postings);
        }
        inputs.extend(out.files);
    }
    lap("read");
    let raw_count = raws.len();
    let held = state
        .as_deref()
        .and_then(|s| s.live_urls(&cfg.id).ok())
        .unwrap_or_default();
    let normalised = normalise::normalise_with(raws, cfg, now, Some(cache), &held);
    let not_normalised = raw_count - normalised.postings.len() - normalised.skipped.len();
    diagnostics.extend(normalised.diagnostics);
    let members = normalise::members(&normalised.postings);
    lap("normalise");

    // The gate, per posting: a posting whose JSON-LD breaks Google's rules is left out everywhere.
    let mut passed = check_postings(normalised.postings, gate, cache, &mut diagnostics);
    keep_last_good(
        &mut passed,
        &failed_sources,
        now,
        cfg,
        sink,
        gate,
        cache,
        &mut diagnostics,
    );
    let Passed {
        mut postings,
        keys: content_keys,
        verified,
        rejected,
    } = passed;
    diagnostics.extend(renamed(&postings, &held));
    // A map of every live posting: not kept through rendering.
    drop(held);

    lap("check postings");
    let mut changes = Changes::default();
    if let Some(state) = state {
        let keys = by_address(&postings, &content_keys);
        let hash_of = |p: &Posting| {
            let key = keys[&(p as *const Posting as usize)];
            cache.entry(&cache.state_hashes, key, false, || {
                crate::state::content_hash(p)
            })
        };
        match state.observe_hashed(&cfg.id, &mut postings, now, hash_of) {
            Ok(c) => changes = c,
            Err(e) => diagnostics.push(
                Diagnostic::error(
                    "state.write",
                    format!("{e}; change times could not be recorded (check the state directory's permissions and free space)"),
                )
            ),
        }
    }

    let rctx = render::RenderContext {
        feed: cfg,
        updated: render::feed_updated(&postings, DateTime::<Utc>::UNIX_EPOCH),
    };
    // What every posting's renders depend on: its whole content, and the change time the
    // state stamped (the only field `observe` sets).
    let stamped: Vec<cache::Key> = postings
        .iter()
        .zip(&content_keys)
        .map(|(p, k)| {
            let updated = p.updated.timestamp_nanos_opt().unwrap_or(0).to_le_bytes();
            cache::key(&[b"stamped", k.as_bytes(), &updated])
        })
        .collect();
    let keys = by_address(&postings, &stamped);
    let mut outputs = 0;
    let mut blocked = Vec::new();
    // Each unit is rendered, checked and handed on by one worker; only the units in flight
    // (one per core) are in memory, and only their findings are collected.
    let units = Units {
        gate,
        cache,
        sink,
        verified: &verified,
        keys: &keys,
        ctx: &rctx,
    };
    let mut run_units = |jobs: Vec<render::Job<'_>>| {
        let (diags, bad, n) = units.run_all(jobs);
        diagnostics.extend(diags);
        blocked.extend(bad);
        outputs += n;
    };
    // Posting documents first: the sink may publish them before the files that list them.
    let (documents, lists): (Vec<OutputConfig>, Vec<OutputConfig>) = cfg
        .outputs()
        .into_iter()
        .partition(|o| o.kind == OutputKind::Jsonld);
    let everyone: Vec<&Posting> = postings.iter().collect();
    for out in &documents {
        run_units(render::plan_output(out, &everyone, &rctx));
    }
    lap("documents");
    sink.documents_done();
    // Then every file of every other output at once, so that the cores share them out.
    let mut jobs = Vec::new();
    let mut excluded = Vec::new();
    for out in &lists {
        // A board's own rules leave a posting out of that board's feed only, with a warning,
        // instead of blocking the whole file for everyone.
        let selected: Vec<&Posting> = if out.kind == OutputKind::Linkedin {
            let mut ok = Vec::new();
            // Decided on every core (it reads each description), kept in order, and once
            // per content.
            let verdicts: Vec<Result<(), String>> = postings
                .par_iter()
                .zip(&content_keys)
                .map(|(p, k)| {
                    cache.entry(&cache.linkedin, *k, false, || render::linkedin::eligible(p))
                })
                .collect();
            for (p, verdict) in postings.iter().zip(verdicts) {
                match verdict {
                    Ok(()) => ok.push(p),
                    Err(why) => excluded.push(
                        Diagnostic::warning("linkedin.eligible", why)
                            .posting(&p.id)
                            .output(out.path())
                            .file(p.origin.clone().unwrap_or_default()),
                    ),
                }
            }
            ok
        } else {
            everyone.clone()
        };
        jobs.extend(render::plan_output(out, &selected, &rctx));
    }
    run_units(jobs);
    diagnostics.extend(excluded);
    lap("lists");
    blocked.sort();

    // Findings about a posting's file belong to that posting (for the status page and reports).
    let by_origin: std::collections::HashMap<&str, &str> = postings
        .iter()
        .filter_map(|p| p.origin.as_deref().map(|o| (o, p.id.as_str())))
        .collect();
    for d in diagnostics.iter_mut().filter(|d| d.posting.is_none()) {
        if let Some(id) = d.file.as_deref().and_then(|f| by_origin.get(f)) {
            d.posting = Some((*id).to_string());
        }
    }
    diagnostics.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let report = Report {
        feed: cfg.id.clone(),
        published: postings.len(),
        skipped: normalised.skipped.len(),
        invalid: broken_files + not_normalised + rejected,
        outputs,
        blocked_outputs: blocked.clone(),
        skipped_postings: normalised
            .skipped
            .into_iter()
            .map(|(file, reason)| Skipped { file, reason })
            .collect(),
        diagnostics,
    };
    FeedRun {
        feed: cfg.id.clone(),
        postings,
        outputs,
        blocked,
        report,
        inputs,
        changes,
        members,
    }
}

/// The posting documents of the postings in `edited` markdown files (by canonical path),
/// for serving an edit before the run that lists it, as that run will render them: read,
/// normalised, checked and rendered the same way, and only the files that pass the gate.
///
/// Everything else comes from `previous`, the last run's members: translations are linked
/// among them, and a posting whose id belongs to another file's posting is left to the
/// run (which decides who keeps the id). Nothing is written and no cache is touched, so a
/// preview may run beside a run of the same feed.
pub fn preview(
    feed: &LoadedFeed,
    gate: &Gate,
    opts: &RunOptions,
    now: DateTime<Utc>,
    edited: &std::collections::BTreeSet<std::path::PathBuf>,
    previous: &[normalise::Member],
) -> Vec<Rendered> {
    let cfg = &feed.config;
    let mut raws = Vec::new();
    // The edited files as postings name their origin: what the last run read from them
    // no longer holds, whatever they give now.
    let mut origins = std::collections::HashSet::new();
    for s in &cfg.sources {
        let crate::config::SourceConfig::Markdown(m) = s else {
            continue;
        };
        // The edited files as the source's walk names them (under its root as configured).
        let root = feed.dir.join(&m.path);
        let Ok(real) = root.canonicalize() else {
            continue;
        };
        let only: std::collections::BTreeSet<std::path::PathBuf> = edited
            .iter()
            .filter_map(|f| Some(root.join(f.strip_prefix(&real).ok()?)))
            .collect();
        if only.is_empty() {
            continue;
        }
        origins.extend(only.iter().map(|f| f.display().to_string()));
        let ctx = source_context(feed, opts, now, None, Some(&only));
        raws.extend(source::read(s, &ctx).postings);
    }
    if raws.is_empty() {
        return Vec::new();
    }
    let mut fresh = normalise::normalise_with(raws, cfg, now, None, &Default::default()).postings;
    let others: Vec<&normalise::Member> = previous
        .iter()
        .filter(|m| !m.origin.as_ref().is_some_and(|o| origins.contains(o)))
        .collect();
    let taken: std::collections::HashSet<&str> =
        others.iter().map(|m| m.link.id.as_str()).collect();
    fresh.retain(|p| !taken.contains(p.id.as_str()));
    normalise::link_among(&mut fresh, &others);

    let mut cache = Cache::lean();
    cache.begin_run(cache::value_key(cfg));
    let passed = check_postings(fresh, gate, &cache, &mut Vec::new());
    let keys = by_address(&passed.postings, &passed.keys);
    let rctx = render::RenderContext {
        feed: cfg,
        updated: render::feed_updated(&passed.postings, DateTime::<Utc>::UNIX_EPOCH),
    };
    let sink = crate::publish::Collect::new();
    let units = Units {
        gate,
        cache: &cache,
        sink: &sink,
        verified: &passed.verified,
        keys: &keys,
        ctx: &rctx,
    };
    let selected: Vec<&Posting> = passed.postings.iter().collect();
    for out in cfg
        .outputs()
        .iter()
        .filter(|o| o.kind == OutputKind::Jsonld)
    {
        units.run_all(render::plan_output(out, &selected, &rctx));
    }
    sink.into_files()
}

/// Each posting's key by its address (the postings stay where they are while it is used).
fn by_address(
    postings: &[Posting],
    keys: &[cache::Key],
) -> std::collections::HashMap<usize, cache::Key> {
    postings
        .iter()
        .zip(keys)
        .map(|(p, k)| (p as *const Posting as usize, *k))
        .collect()
}

/// What the sources of `feed` read with.
fn source_context<'a>(
    feed: &'a LoadedFeed,
    opts: &'a RunOptions,
    now: DateTime<Utc>,
    cache: Option<&'a Cache>,
    only: Option<&'a std::collections::BTreeSet<std::path::PathBuf>>,
) -> SourceContext<'a> {
    SourceContext {
        feed: &feed.config,
        config_dir: &feed.dir,
        state_dir: &opts.state_dir,
        drafts: opts.drafts,
        now,
        cache,
        only,
        spill: None,
    }
}

/// The postings that passed Google's rules, in order, with what rendering them needs.
struct Passed {
    postings: Vec<Posting>,
    /// Each posting's content key.
    keys: Vec<cache::Key>,
    /// Hashes of JSON-LD documents that passed as postings: the same bytes need no recheck.
    verified: std::collections::HashSet<blake3::Hash>,
    /// How many were left out for errors.
    rejected: usize,
}

/// Checks each posting's JSON-LD against Google's rules: a posting that breaks them is
/// left out everywhere. Every finding goes to `diagnostics`, named after its posting.
fn check_postings(
    postings: Vec<Posting>,
    gate: &Gate,
    cache: &Cache,
    diagnostics: &mut Vec<Diagnostic>,
) -> Passed {
    // Checking is independent per posting: spread it over the cores, keep the order.
    // The exact bytes of each document that passed: a `.jsonld` file with the same bytes
    // (no tracking parameters) needs no second check (the check was a fifth of a run).
    // A posting checked by an earlier run with the same content keeps its verdict.
    // Each posting's findings are named after it on the same core (tens of thousands of
    // findings at 10,000 postings).
    let checked: Vec<(Posting, cache::Key, Arc<cache::Checked>, Vec<Diagnostic>)> = postings
        .into_par_iter()
        .map(|p| {
            let key = cache::posting_key(&p);
            let checked = cache.entry(&cache.checks, key, false, || {
                let doc = render::jsonld::document(&p, &Default::default());
                let found = gate.check_posting(&doc);
                let passed = (!found.iter().any(Diagnostic::is_error))
                    .then(|| blake3::hash(&render::jsonld::to_bytes(&doc)));
                Arc::new((found, passed))
            });
            let origin = p.origin.as_deref().unwrap_or_default();
            let named = checked
                .0
                .iter()
                .map(|d| {
                    let d = d.clone().posting(&p.id);
                    if d.file.is_none() { d.file(origin) } else { d }
                })
                .collect();
            (p, key, checked, named)
        })
        .collect();
    let mut passed = Passed {
        postings: Vec::new(),
        keys: Vec::new(),
        verified: Default::default(),
        rejected: 0,
    };
    for (p, key, checked, named) in checked {
        let (found, verified) = &*checked;
        passed.verified.extend(*verified);
        diagnostics.extend(named);
        if found.iter().any(Diagnostic::is_error) {
            passed.rejected += 1;
        } else {
            passed.postings.push(p);
            passed.keys.push(key);
        }
    }
    passed
}

/// A file with errors keeps its postings' last published versions, read back from the last
/// `postings.json`: a typo is reported, but does not take a live posting down, tombstone it
/// and tell search engines it is gone. A file deleted (no error) takes its postings with it.
/// So does a source that could not be read at all (`failed`, by name) for all of its.
#[allow(clippy::too_many_arguments)]
fn keep_last_good(
    passed: &mut Passed,
    failed: &std::collections::BTreeSet<&str>,
    now: DateTime<Utc>,
    cfg: &crate::config::FeedConfig,
    sink: &dyn Sink,
    gate: &Gate,
    cache: &Cache,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Files only: a remote source's postings share its URL as their origin (and a source
    // that fails keeps its last good answer as a whole, see `source::ats`).
    let broken: std::collections::BTreeSet<&str> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.file.as_deref())
        .filter(|f| !f.contains("://"))
        .collect();
    if broken.is_empty() && failed.is_empty() {
        return;
    }
    let Some(out) = cfg
        .outputs()
        .into_iter()
        .find(|o| o.kind == OutputKind::Postings)
    else {
        return;
    };
    let Some(last) = sink.last_published(out.path()) else {
        return;
    };
    let have: std::collections::HashSet<&str> =
        passed.postings.iter().map(|p| p.id.as_str()).collect();
    let kept = match last_postings(last, |source, origin, id| {
        (broken.contains(origin) || failed.contains(source)) && !have.contains(id)
    }) {
        // A last version that has expired since is not brought back.
        Ok(kept) => kept
            .into_iter()
            .filter(|p| p.valid_through.is_none_or(|t| t > now))
            .collect::<Vec<_>>(),
        Err(e) => {
            tracing::warn!(feed = %cfg.id, error = %e, "The last postings.json could not be read back: postings of broken files are left out.");
            return;
        }
    };
    if kept.is_empty() {
        return;
    }
    for p in &kept {
        let why = if failed.contains(p.source.as_str()) {
            "its source could not be read (see the error above)"
        } else {
            "this file has errors"
        };
        diagnostics.push(
            Diagnostic::warning(
                "posting.last-good-kept",
                format!("{why}: the posting's last published version stays in every output until that is fixed"),
            )
            .file(p.origin.clone().unwrap_or_default())
            .posting(&p.id),
        );
    }
    let more = check_postings(kept, gate, cache, diagnostics);
    let mut all: Vec<(Posting, cache::Key)> = std::mem::take(&mut passed.postings)
        .into_iter()
        .zip(std::mem::take(&mut passed.keys))
        .chain(more.postings.into_iter().zip(more.keys))
        .collect();
    all.sort_by(|a, b| crate::model::canonical_order(&a.0, &b.0));
    (passed.postings, passed.keys) = all.into_iter().unzip();
    passed.verified.extend(more.verified);
}

/// Postings published at the URL of a live posting under another id: to a job board that
/// is one job closed and a new one opened (a new `translationKey`, a moved file). Said, so
/// that an author who did not mean it can keep the old id.
fn renamed(
    postings: &[Posting],
    held: &std::collections::HashMap<String, String>,
) -> Vec<Diagnostic> {
    if held.is_empty() {
        return Vec::new();
    }
    let ids: std::collections::HashSet<&str> = postings.iter().map(|p| p.id.as_str()).collect();
    let by_url: std::collections::HashMap<&str, &str> = held
        .iter()
        .filter(|(id, _)| !ids.contains(id.as_str()))
        .map(|(id, url)| (url.as_str(), id.as_str()))
        .collect();
    postings
        .iter()
        .filter(|p| !held.contains_key(&p.id))
        .filter_map(|p| {
            let old = by_url.get(p.url.as_str())?;
            Some(
                Diagnostic::warning(
                    "posting.id-changed",
                    format!(
                        "this posting was published as {old:?} and now has the id {:?}: job boards see the old job closed and a new one opened; set `id: {old}` in its front matter to keep the old one",
                        p.id
                    ),
                )
                .file(p.origin.clone().unwrap_or_default())
                .posting(&p.id),
            )
        })
        .collect()
}

/// The postings of a `postings.json` that `wanted(source, origin, id)`, read one element
/// at a time: the file holds every posting of the feed.
fn last_postings(
    reader: Box<dyn std::io::Read + '_>,
    wanted: impl Fn(&str, &str, &str) -> bool,
) -> Result<Vec<Posting>, serde_json::Error> {
    struct Pick<F>(F);
    impl<'de, F: Fn(&str, &str, &str) -> bool> serde::de::Visitor<'de> for Pick<F> {
        type Value = Vec<Posting>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of postings")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Posting>, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element::<serde_json::Value>()? {
                let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
                if let (Some(source), Some(origin), Some(id)) =
                    (field("source"), field("origin"), field("id"))
                    && (self.0)(source, origin, id)
                {
                    // A posting of an older version's shape is left out, not guessed at.
                    if let Ok(p) = serde_json::from_value::<Posting>(v) {
                        out.push(p);
                    }
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::Deserializer::deserialize_seq(&mut de, Pick(wanted))
}

/// What rendering one unit needs: the gate, the cache, where good files go.
struct Units<'a> {
    gate: &'a Gate,
    cache: &'a Cache,
    sink: &'a dyn Sink,
    /// Hashes of JSON-LD documents that passed as postings: the same bytes need no recheck.
    verified: &'a std::collections::HashSet<blake3::Hash>,
    /// Each posting's content hash, by address.
    keys: &'a std::collections::HashMap<usize, cache::Key>,
    ctx: &'a render::RenderContext<'a>,
}

impl Units<'_> {
    fn key_of(&self, p: &Posting) -> cache::Key {
        self.keys[&(p as *const Posting as usize)]
    }

    /// Runs `jobs` on every core: their findings, the paths they blocked and how many
    /// files went to the sink.
    fn run_all(&self, jobs: Vec<render::Job<'_>>) -> (Vec<Diagnostic>, Vec<String>, usize) {
        let done: Vec<(Vec<Diagnostic>, Vec<String>, usize)> =
            jobs.into_par_iter().map(|job| self.run(&job)).collect();
        let mut all = (Vec::new(), Vec::new(), 0);
        for (diags, bad, n) in done {
            all.0.extend(diags);
            all.1.extend(bad);
            all.2 += n;
        }
        all
    }

    /// Renders, checks and hands on one unit: its findings, the paths it blocked and how
    /// many files went to the sink.
    fn run(&self, job: &render::Job<'_>) -> (Vec<Diagnostic>, Vec<String>, usize) {
        let out = job.out;
        match &job.what {
            JobKind::Posting(p) => {
                let key = cache::key(&[b"files", out.name().as_bytes(), self.key_of(p).as_bytes()]);
                if let Some(files) = self.cache.files.get(&key) {
                    // The same bytes as last run: kept in place when that run published.
                    let put: Vec<Rendered> = files
                        .iter()
                        .filter(|f| !(self.cache.published() && self.sink.keep(&f.path)))
                        .cloned()
                        .collect();
                    if !put.is_empty() {
                        self.sink.put(put);
                    }
                    return (Vec::new(), Vec::new(), files.len());
                }
                let files = render::posting_files(p, out);
                let kept = self.cache.keeps_bytes().then(|| files.clone());
                let result = self.check_and_put(files);
                if let Some(files) = kept
                    && result.0.is_empty()
                    && result.1.is_empty()
                {
                    self.cache.files.put(key, Arc::new(files));
                }
                result
            }
            JobKind::Feed(files) => self.feeds(files, out),
            JobKind::Sitemap(_) => self.check_and_put(job.render(self.ctx)),
        }
    }

    /// Checks whole files and hands the good ones to the sink.
    fn check_and_put(&self, files: Vec<Rendered>) -> (Vec<Diagnostic>, Vec<String>, usize) {
        let mut good = Vec::new();
        let mut diags = Vec::new();
        let mut bad = Vec::new();
        // A posting's `.jsonld` file that is exactly a document that passed as a posting
        // needs no second check, and neither does the JSON of its snippet when that is the
        // same text made script-safe (the snippet's own rules are still checked).
        let passed_doc = files.iter().position(|f| {
            f.format == render::Format::JsonLd && self.verified.contains(&blake3::hash(&f.bytes))
        });
        let doc_text = passed_doc.map(|i| {
            let bytes = &files[i].bytes;
            bytes.strip_suffix(b"\n").unwrap_or(bytes)
        });
        let same_json =
            |json: &[u8]| doc_text.is_some_and(|doc| render::jsonld::is_script_safe_of(json, doc));
        let problems: Vec<Vec<Diagnostic>> = files
            .iter()
            .enumerate()
            .map(|(i, file)| match file.format {
                _ if passed_doc == Some(i) => Vec::new(),
                render::Format::JsonLdSnippet => self.gate.check_snippet(&file.bytes, &same_json),
                _ => self.gate.check_file(file),
            })
            .collect();
        for (file, problems) in files.into_iter().zip(problems) {
            let failed = problems.iter().any(Diagnostic::is_error);
            diags.extend(problems.into_iter().map(|d| d.output(&file.path)));
            if failed {
                bad.push(file.path);
            } else {
                good.push(file);
            }
        }
        let n = good.len();
        if n > 0 {
            self.sink.put(good);
        }
        (diags, bad, n)
    }

    /// Files of items that share them (a combined feed and its per-language files, or one
    /// file alone): their findings, the paths they blocked and how many went to the sink.
    ///
    /// A sink that takes files piece by piece gets every file of the group in one pass over
    /// the first file's postings, each item rendered and checked once for all of them: a
    /// large feed never sits in memory whole. Files it cannot take so, and files that fail,
    /// are made again in memory one by one (a failing one for the whole-file findings).
    fn feeds(
        &self,
        files: &[FeedFile<'_>],
        out: &OutputConfig,
    ) -> (Vec<Diagnostic>, Vec<String>, usize) {
        let mut done = 0;
        let mut streamed = Vec::new();
        let mut one_by_one = Vec::new();
        for f in files {
            let whole = self.whole_key(f, out);
            // The same envelope and items as a file that passed last run: same bytes.
            if self.cache.feed_files.get(&whole).is_some()
                && self.cache.published()
                && self.sink.keep(&f.path)
            {
                done += 1;
                continue;
            }
            match self.sink.stream(&f.path) {
                Some(stream) => streamed.push((f, whole, Assembly::new(f, Target::Stream(stream)))),
                None => one_by_one.push((f, whole)),
            }
        }
        if !streamed.is_empty() {
            // The first file of the group lists every posting of the others, in their order,
            // even when it is kept and only they are made.
            let order = &files[0].postings;
            let mut assemblies: Vec<&mut Assembly<'_, '_>> =
                streamed.iter_mut().map(|(.., a)| a).collect();
            self.assemble(&mut assemblies, order, out, !one_by_one.is_empty());
            for (f, whole, a) in streamed {
                match (a.complete(), a.target) {
                    (true, Target::Stream(stream)) => {
                        stream.finish();
                        self.cache.feed_files.put(whole, ());
                        done += 1;
                    }
                    // Dropped unfinished, a stream is discarded.
                    _ => one_by_one.push((f, whole)),
                }
            }
        }
        let mut all = (Vec::new(), Vec::new(), done);
        for (f, whole) in one_by_one {
            // The group's other files list the same items: their verdicts are worth keeping.
            let (mut file, diags) = self.feed_file(f, out, files.len() > 1);
            // The same inputs under the same configuration and version give the same
            // bytes: they name the file for its ETag (hashing it would read it all).
            file.key = Some(cache::key(&[
                b"feed file",
                whole.as_bytes(),
                self.cache.config().as_bytes(),
                env!("CARGO_PKG_VERSION").as_bytes(),
            ]));
            let failed = diags.iter().any(Diagnostic::is_error);
            all.0
                .extend(diags.into_iter().map(|d| d.output(&file.path)));
            if failed {
                all.1.push(file.path);
            } else {
                self.cache.feed_files.put(whole, ());
                self.sink.put(vec![file]);
                all.2 += 1;
            }
        }
        all
    }

    /// What makes `f` the same file as one made before: its path, envelope, output and the
    /// content of each of its postings.
    fn whole_key(&self, f: &FeedFile<'_>, out: &OutputConfig) -> blake3::Hash {
        let mut whole = blake3::Hasher::new();
        for part in [
            f.path.as_bytes(),
            &f.envelope.head,
            f.envelope.sep,
            &f.envelope.tail,
        ] {
            whole.update(&(part.len() as u64).to_le_bytes());
            whole.update(part);
        }
        whole.update(out.name().as_bytes());
        for p in &f.postings {
            whole.update(self.key_of(p).as_bytes());
        }
        whole.finalize()
    }

    /// A file of items, assembled in memory from each posting's item. Items are checked on
    /// their own inside the file's envelope, once per content (a cached verdict is reused);
    /// only when something fails is the whole file checked, so the findings are exactly the
    /// gate's. `read_again`: as for [`Units::assemble`].
    fn feed_file(
        &self,
        f: &FeedFile<'_>,
        out: &OutputConfig,
        read_again: bool,
    ) -> (Rendered, Vec<Diagnostic>) {
        let bytes = crate::buffers::take(render::size_hint(&f.postings));
        let mut a = Assembly::new(f, Target::Memory(bytes));
        self.assemble(&mut [&mut a], &f.postings, out, read_again);
        let all_passed = a.complete();
        let Target::Memory(bytes) = a.target else {
            unreachable!("assembled in memory")
        };
        let file = Rendered::of(out, f.path.clone(), f.format, bytes);
        let diags = if all_passed {
            Vec::new()
        } else {
            self.gate.check_file(&file)
        };
        (file, diags)
    }

    /// Writes each file of `files` in full: envelope and, in `order`, the items of its own
    /// postings (each file's postings are in `order`'s order). An item is rendered once for
    /// every file that holds it, and checked once in the envelope of the first; items are
    /// made on every core a chunk at a time and written in order. `read_again`: another file
    /// of this run will list these items too (a lean cache keeps their verdicts for it).
    fn assemble(
        &self,
        files: &mut [&mut Assembly<'_, '_>],
        order: &[&Posting],
        out: &OutputConfig,
        read_again: bool,
    ) {
        /// Items made side by side before they are written: enough to keep the cores busy,
        /// few enough to hold.
        const CHUNK: usize = 64;
        let passes = |f: &FeedFile<'_>, bytes: Vec<u8>| {
            !self
                .gate
                .check_file(&Rendered::of(out, f.path.clone(), f.format, bytes))
                .iter()
                .any(Diagnostic::is_error)
        };
        for a in files.iter_mut() {
            a.passed = passes(a.file, a.file.envelope.assemble::<&[u8]>([]));
            a.target.write(&a.file.envelope.head);
        }
        let plans: Vec<&FeedFile<'_>> = files.iter().map(|a| a.file).collect();
        for chunk in order.chunks(CHUNK) {
            // Which files hold each posting of the chunk.
            let holders: Vec<Vec<usize>> = chunk
                .iter()
                .map(|p| {
                    files
                        .iter_mut()
                        .enumerate()
                        .filter_map(|(i, a)| {
                            let held = a
                                .file
                                .postings
                                .get(a.next)
                                .is_some_and(|q| std::ptr::eq(*q, *p));
                            a.next += usize::from(held);
                            held.then_some(i)
                        })
                        .collect()
                })
                .collect();
            let items: Vec<Option<MadeItem>> = chunk
                .par_iter()
                .zip(&holders)
                .map(|(p, holders)| {
                    let f = plans[*holders.first()?];
                    let key = cache::key(&[
                        b"item",
                        out.name().as_bytes(),
                        &[f.format as u8],
                        self.key_of(p).as_bytes(),
                    ]);
                    let render = || (f.item)(p, out, self.ctx);
                    let item = self.cache.entry(&self.cache.items, key, read_again, || {
                        Arc::new(cache::Item {
                            bytes: self.cache.keeps_bytes().then(render),
                            passed: Default::default(),
                        })
                    });
                    // A lean cache keeps the verdict only: the bytes are made again.
                    let made = item.bytes.is_none().then(render);
                    let mut made = MadeItem {
                        item,
                        made,
                        passed: false,
                    };
                    let bytes = made.bytes();
                    made.passed = *made
                        .item
                        .passed
                        .get_or_init(|| passes(f, f.envelope.with_one(bytes)));
                    Some(made)
                })
                .collect();
            for (holders, item) in holders.iter().zip(items) {
                let Some(item) = item else { continue };
                let bytes = item.bytes();
                for &i in holders {
                    let a = &mut *files[i];
                    if a.written > 0 {
                        a.target.write(a.file.envelope.sep);
                    }
                    a.target.write(bytes);
                    a.written += 1;
                    a.passed &= item.passed;
                }
            }
        }
        for a in files.iter_mut() {
            a.target.write(&a.file.envelope.tail);
        }
    }
}

/// An item of a feed file: its cache entry, its bytes when the entry does not keep them,
/// and the gate's verdict.
struct MadeItem {
    item: Arc<cache::Item>,
    made: Option<Vec<u8>>,
    passed: bool,
}

impl MadeItem {
    fn bytes(&self) -> &[u8] {
        let kept = self.item.bytes.as_deref();
        kept.or(self.made.as_deref())
            .expect("an item is either kept or just made")
    }
}

/// Where an assembled file goes.
enum Target<'s> {
    Stream(Box<dyn crate::publish::Stream + 's>),
    Memory(Vec<u8>),
}

impl Target<'_> {
    fn write(&mut self, bytes: &[u8]) {
        match self {
            Target::Stream(s) => s.write(bytes),
            Target::Memory(v) => v.extend_from_slice(bytes),
        }
    }
}

/// A feed file being assembled.
struct Assembly<'f, 's> {
    file: &'f FeedFile<'f>,
    target: Target<'s>,
    /// Its next posting not yet met in the assembly's order.
    next: usize,
    written: usize,
    /// Its envelope and every item so far passed the gate.
    passed: bool,
}

impl<'f, 's> Assembly<'f, 's> {
    fn new(file: &'f FeedFile<'f>, target: Target<'s>) -> Self {
        Assembly {
            file,
            target,
            next: 0,
            written: 0,
            passed: true,
        }
    }

    /// Whether the file holds all its items and passed.
    fn complete(&self) -> bool {
        self.written == self.file.postings.len() && self.passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputConfig;
    use crate::model::test_posting;
    use crate::render::{Format, RenderContext, test_feed};

    /// How an item is spoiled: by the marker in its posting's title.
    fn spoil(bytes: Vec<u8>, p: &Posting) -> Vec<u8> {
        let s = String::from_utf8(bytes).unwrap();
        let xml = !s.trim_start().starts_with('{');
        let cut = |s: &str, from: &str, to: &str| match (s.find(from), s.find(to)) {
            (Some(a), Some(b)) if b >= a => format!("{}{}", &s[..a], &s[b + to.len()..]),
            _ => s.to_string(),
        };
        let out = match p.title.as_str() {
            // Not well-formed.
            "malformed" if xml => s.replacen('>', "", 2),
            "malformed" => s.replacen(':', "", 1),
            // Missing what each format requires most (title/id; the guid for RSS).
            "missing" if xml => cut(&cut(&s, "<guid", "</guid>"), "<title>", "</title>"),
            "missing" => cut(&s, "\"id\":", ",\n"),
            // Something the schema does not know.
            "unknown" if xml => s.replacen("<title>", "<bogus>1</bogus><title>", 1),
            "unknown" => s.replacen('{', "{\"bogus\": {\"x\": 1},", 1),
            _ => s,
        };
        out.into_bytes()
    }

    macro_rules! spoiled {
        ($name:ident, $item:path) => {
            fn $name(p: &Posting, out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
                spoil($item(p, out, ctx), p)
            }
        };
    }
    spoiled!(rss_item, render::rss::item);
    spoiled!(atom_item, render::atom::item);
    spoiled!(jsonfeed_item, render::jsonfeed::item);
    spoiled!(board_item, render::board::item);
    spoiled!(linkedin_item, render::linkedin::item);

    /// The test feed's render context.
    fn context(feed: &crate::config::FeedConfig) -> RenderContext<'_> {
        RenderContext {
            feed,
            updated: test_posting().updated,
        }
    }

    /// Postings `job-<id>` for `ids`, the second one spoilt by the marker `spoilt` in its title.
    fn spoilt_second(ids: &[&str], spoilt: &str) -> Vec<Posting> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let mut p = test_posting();
                p.id = format!("job-{id}");
                if i == 1 {
                    p.title = spoilt.to_string();
                }
                p
            })
            .collect()
    }

    /// An output of `kind` that plans one file (no per-language files).
    fn one_file_output(kind: OutputKind) -> OutputConfig {
        OutputConfig {
            per_language: false,
            ..OutputConfig::of(kind)
        }
    }

    /// The one file `out` plans over `postings`.
    fn one_file<'a>(
        out: &'a OutputConfig,
        postings: &[&'a Posting],
        ctx: &RenderContext<'_>,
    ) -> render::Job<'a> {
        render::plan_output(out, postings, ctx)
            .into_iter()
            .next()
            .expect("one file planned")
    }

    /// Each posting's content key by address, as a run keeps them.
    fn keys_by_address<'a>(
        postings: impl Iterator<Item = &'a Posting>,
    ) -> std::collections::HashMap<usize, cache::Key> {
        postings
            .map(|p| (p as *const Posting as usize, cache::posting_key(p)))
            .collect()
    }

    /// `job` over `postings` run as a run runs it, into `sink`: findings, blocked paths and
    /// how many files went to the sink.
    fn run_job(
        gate: &Gate,
        cache: &Cache,
        ctx: &RenderContext<'_>,
        sink: &dyn Sink,
        postings: &[Posting],
        job: &render::Job<'_>,
    ) -> (Vec<Diagnostic>, Vec<String>, usize) {
        let keys = keys_by_address(postings.iter());
        let units = Units {
            gate,
            cache,
            sink,
            verified: &Default::default(),
            keys: &keys,
            ctx,
        };
        units.run(job)
    }

    /// `file` assembled and checked item by item, as a run does.
    fn assemble_and_check(
        gate: &Gate,
        cache: &Cache,
        ctx: &RenderContext<'_>,
        file: &FeedFile<'_>,
        out: &OutputConfig,
    ) -> (Rendered, Vec<Diagnostic>) {
        let keys = keys_by_address(file.postings.iter().copied());
        let units = Units {
            gate,
            cache,
            sink: &crate::publish::Discard,
            verified: &Default::default(),
            keys: &keys,
            ctx,
        };
        units.feed_file(file, out, false)
    }

    /// Guards the streamed path (`build` writes feeds straight to disk): a passing file
    /// lands with the bytes made in memory, a failing one is blocked with the same
    /// findings, leaves no temporary and the previous copy in place.
    #[test]
    fn a_posting_at_a_live_postings_url_under_a_new_id_is_said_to_have_changed_id() {
        let mut p = test_posting();
        p.id = "cloud-eng-en".into();
        let held = [(
            "platform-engineer-en".to_string(),
            test_posting().url.clone(),
        )]
        .into_iter()
        .collect();
        let found = renamed(std::slice::from_ref(&p), &held);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "posting.id-changed");
        assert!(found[0].message.contains("platform-engineer-en"));
        // The same id, or a new posting at a new URL, is no change.
        assert!(renamed(&[test_posting()], &held).is_empty());
        p.url = "https://x.test/elsewhere/".into();
        assert!(renamed(&[p], &held).is_empty());
    }

    /// A sink whose last publish holds `postings.json` bytes.
    struct LastPublished(Vec<u8>);

    impl Sink for LastPublished {
        fn put(&self, _files: Vec<Rendered>) {}
        fn last_published(&self, path: &str) -> Option<Box<dyn std::io::Read + '_>> {
            (path == "postings.json")
                .then(|| Box::new(std::io::Cursor::new(self.0.clone())) as Box<dyn std::io::Read>)
        }
    }

    #[test]
    fn a_broken_files_last_version_is_kept_until_it_expires() {
        let mut p = test_posting();
        p.origin = Some("content/a.md".into());
        let expiry = p
            .valid_through
            .expect("the test posting has a closing date");
        let sink = LastPublished(serde_json::to_vec(&[&p]).unwrap());
        let feed = render::test_feed();
        let kept_at = |now: DateTime<Utc>| {
            let mut passed = Passed {
                postings: Vec::new(),
                keys: Vec::new(),
                verified: Default::default(),
                rejected: 0,
            };
            let mut diags =
                vec![Diagnostic::error("frontmatter.yaml", "broken").file("content/a.md")];
            let cache = Cache::lean();
            keep_last_good(
                &mut passed,
                &Default::default(),
                now,
                &feed,
                &sink,
                &Gate::new(),
                &cache,
                &mut diags,
            );
            passed.postings.len()
        };
        assert_eq!(kept_at(expiry - chrono::Duration::days(1)), 1);
        assert_eq!(kept_at(expiry + chrono::Duration::days(1)), 0);
    }

    #[test]
    fn last_postings_reads_back_only_the_wanted_postings_of_a_postings_file() {
        let a = test_posting();
        let mut b = test_posting();
        b.id = "b".into();
        b.origin = Some("content/b.md".into());
        let mut other_shape = serde_json::to_value(&b).unwrap();
        other_shape["id"] = "c".into();
        other_shape["notAField"] = true.into();
        let file = serde_json::to_vec(&serde_json::json!([a, b, other_shape])).unwrap();
        let read = |wanted: &dyn Fn(&str, &str, &str) -> bool| {
            last_postings(Box::new(std::io::Cursor::new(file.clone())), wanted).unwrap()
        };
        assert_eq!(read(&|_, o, _| o == "content/b.md"), vec![b.clone()]);
        // By source: every posting of it (a's origin is not b's).
        assert_eq!(read(&|s, _, _| s == a.source).len(), 2);
        // One of an unknown shape is left out rather than guessed at.
        assert_eq!(read(&|_, _, id| id == "c"), Vec::<Posting>::new());
        assert!(
            last_postings(Box::new(std::io::Cursor::new(b"[{".to_vec())), |_, _, _| {
                true
            })
            .is_err()
        );
    }

    #[test]
    fn streamed_feed_files_match_the_ones_made_in_memory_and_failing_ones_are_blocked() {
        let feed = test_feed();
        let ctx = context(&feed);
        let gate = Gate::new();
        let dir = tempfile::tempdir().unwrap();
        for (kind, format, item) in [
            (
                OutputKind::Rss,
                Format::Rss,
                rss_item as render::ItemRenderer,
            ),
            (OutputKind::Indeed, Format::Indeed, board_item),
        ] {
            let out = one_file_output(kind);
            for spoilt in ["none", "malformed"] {
                let postings = spoilt_second(&["a", "b"], spoilt);
                let refs: Vec<&Posting> = postings.iter().collect();
                let mut job = one_file(&out, &refs, &ctx);
                let JobKind::Feed(files) = &mut job.what else {
                    panic!("{kind:?} is a file of items")
                };
                let file = &mut files[0];
                file.item = item;
                file.format = format;
                let path = file.path.clone();
                let cache = Cache::lean();
                let (in_memory, findings) = assemble_and_check(&gate, &cache, &ctx, file, &out);
                let target = dir.path().join("feed").join(&path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, b"previous good copy").unwrap();
                let stage = crate::publish::DirStage::begin(dir.path(), "feed").unwrap();
                let (diags, blocked, _) = run_job(&gate, &cache, &ctx, &stage, &postings, &job);
                let wanted: Vec<Diagnostic> =
                    findings.into_iter().map(|d| d.output(&path)).collect();
                assert_eq!(diags, wanted, "{kind:?}, {spoilt}");
                stage
                    .finish(("report.json".into(), Vec::new()), &blocked)
                    .unwrap();
                let on_disk = std::fs::read(&target).unwrap();
                if spoilt == "none" {
                    assert!(blocked.is_empty());
                    assert_eq!(on_disk, in_memory.bytes, "{kind:?}");
                } else {
                    assert_eq!(blocked, vec![path.clone()]);
                    assert_eq!(on_disk, b"previous good copy", "{kind:?}");
                }
                let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
                    .unwrap()
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
                    .collect();
                assert!(leftovers.is_empty(), "{leftovers:?}");
            }
        }
    }

    #[test]
    fn items_checked_one_by_one_give_the_whole_file_check_findings() {
        let feed = test_feed();
        let ctx = context(&feed);
        let gate = Gate::new();
        let cases: [(OutputKind, Format, render::ItemRenderer); 5] = [
            (OutputKind::Rss, Format::Rss, rss_item),
            (OutputKind::Atom, Format::Atom, atom_item),
            (OutputKind::Jsonfeed, Format::JsonFeed, jsonfeed_item),
            (OutputKind::Indeed, Format::Indeed, board_item),
            (OutputKind::Linkedin, Format::Linkedin, linkedin_item),
        ];
        let mut failures_seen = 0;
        for (kind, format, item) in cases {
            let out = one_file_output(kind);
            for spoilt in ["none", "malformed", "missing", "unknown"] {
                let postings = spoilt_second(&["a", "b", "c"], spoilt);
                let refs: Vec<&Posting> = postings.iter().collect();
                let job = one_file(&out, &refs, &ctx);
                let JobKind::Feed(mut files) = job.what else {
                    panic!("{kind:?} is a file of items")
                };
                let mut file = files.remove(0);
                file.item = item;
                file.format = format;
                for mut cache in [Cache::lean(), Cache::new()] {
                    cache.begin_run(cache::key(&[b"test"]));
                    let (assembled, found) = assemble_and_check(&gate, &cache, &ctx, &file, &out);
                    let whole = gate.check_file(&assembled);
                    assert_eq!(found, whole, "{kind:?}, item spoilt by {spoilt}");
                    if spoilt == "none" {
                        assert!(whole.is_empty(), "{kind:?}: {whole:?}");
                    }
                    failures_seen += usize::from(!whole.is_empty());
                }
            }
        }
        // The spoilers do break things, so the comparison above is not vacuous.
        assert!(failures_seen >= 20, "{failures_seen}");
    }

    #[test]
    fn a_broken_envelope_is_found_even_when_every_item_passed_before() {
        let feed = test_feed();
        let ctx = context(&feed);
        let gate = Gate::new();
        let out = one_file_output(OutputKind::Rss);
        let p = test_posting();
        let mut cache = Cache::new();
        cache.begin_run(cache::key(&[b"test"]));
        let plan = |spoil: bool| {
            let job = render::plan_output(&out, &[&p], &ctx).remove(0);
            let JobKind::Feed(mut files) = job.what else {
                panic!("RSS is a file of items")
            };
            let mut file = files.remove(0);
            if spoil {
                let head = String::from_utf8(file.envelope.head.clone()).unwrap();
                file.envelope.head = head
                    .replacen("<title>", "<name>", 1)
                    .replacen("</title>", "</name>", 1)
                    .into_bytes();
            }
            file
        };
        let check = |file| assemble_and_check(&gate, &cache, &ctx, &file, &out);
        assert!(check(plan(false)).1.is_empty());
        let (file, found) = check(plan(true));
        assert!(!found.is_empty());
        assert_eq!(found, gate.check_file(&file));
    }

    /// Guards the one-pass assembly of a combined feed and its language files: each file
    /// streamed to disk holds exactly the bytes it has made alone, and an item that fails
    /// blocks the combined file and its language's file but not the other language's.
    #[test]
    fn a_combined_feed_and_its_language_files_are_made_in_one_pass_as_each_alone() {
        let feed = test_feed();
        let ctx = context(&feed);
        let gate = Gate::new();
        for spoilt in ["none", "malformed"] {
            let mut postings = spoilt_second(&["a", "b", "c", "d"], spoilt);
            // b (spoilt) and d in Danish, a and c in English.
            postings[1].language = "da".into();
            postings[3].language = "da".into();
            postings[0].language = "en".into();
            postings[2].language = "en".into();
            let refs: Vec<&Posting> = postings.iter().collect();
            for (kind, item) in [
                (OutputKind::Rss, rss_item as render::ItemRenderer),
                (OutputKind::Jsonfeed, jsonfeed_item),
            ] {
                let out = OutputConfig::of(kind);
                let mut job = render::plan_output(&out, &refs, &ctx).remove(0);
                let JobKind::Feed(files) = &mut job.what else {
                    panic!("{kind:?} with languages is a group of files")
                };
                for f in files.iter_mut() {
                    f.item = item;
                }
                let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
                assert_eq!(paths.len(), 3, "{paths:?}");
                let alone: Vec<(Rendered, Vec<Diagnostic>)> = files
                    .iter()
                    .map(|f| assemble_and_check(&gate, &Cache::lean(), &ctx, f, &out))
                    .collect();
                let dir = tempfile::tempdir().unwrap();
                let stage = crate::publish::DirStage::begin(dir.path(), "feed").unwrap();
                let cache = Cache::lean();
                let (diags, mut blocked, n) = run_job(&gate, &cache, &ctx, &stage, &postings, &job);
                let mut wanted: Vec<Diagnostic> = alone
                    .iter()
                    .flat_map(|(file, found)| found.iter().map(|d| d.clone().output(&file.path)))
                    .collect();
                let mut diags = diags;
                diags.sort_by(|a, b| a.output.cmp(&b.output));
                wanted.sort_by(|a, b| a.output.cmp(&b.output));
                assert_eq!(diags, wanted, "{kind:?}, {spoilt}");
                stage
                    .finish(("report.json".into(), Vec::new()), &blocked)
                    .unwrap();
                blocked.sort();
                let published = |path: &str| std::fs::read(dir.path().join("feed").join(path)).ok();
                if spoilt == "none" {
                    assert!(blocked.is_empty(), "{blocked:?}");
                    assert_eq!(n, 3);
                } else {
                    // The combined file and the Danish one hold the broken item.
                    let mut want = vec![paths[0].clone(), format!("da/{}", paths[0])];
                    want.sort();
                    assert_eq!(blocked, want, "{kind:?}");
                    assert_eq!(n, 1);
                }
                for (file, found) in &alone {
                    let failed = found.iter().any(Diagnostic::is_error);
                    let on_disk = published(&file.path);
                    if failed {
                        assert_eq!(on_disk, None, "{}", file.path);
                    } else {
                        assert_eq!(on_disk.as_deref(), Some(&file.bytes[..]), "{}", file.path);
                    }
                }
            }
        }
    }
}
