//! One run of one feed: sources → normalise → render → validate, as plain data.
//! Publishing is separate (`publish`), so `check` runs the same pipeline and writes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::{LoadedFeed, OutputKind};
use crate::diag::{Diagnostic, Severity};
use crate::model::Posting;
use crate::normalise;
use crate::publish::Sink;
use crate::render;
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
    sink: &dyn Sink,
) -> FeedRun {
    let cfg = &feed.config;
    let ctx = SourceContext {
        feed: cfg,
        config_dir: &feed.dir,
        state_dir: &opts.state_dir,
        drafts: opts.drafts,
        now,
    };
    let mut diagnostics = Vec::new();
    let mut raws = Vec::new();
    let mut inputs = Vec::new();
    let mut broken_files = 0;
    for s in &cfg.sources {
        let out = source::read(s, &ctx);
        broken_files += out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.file.as_ref())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        diagnostics.extend(out.diagnostics);
        raws.extend(out.postings);
        inputs.extend(out.files);
    }
    let raw_count = raws.len();
    let normalised = normalise::normalise(raws, cfg, now);
    let not_normalised = raw_count - normalised.postings.len() - normalised.skipped.len();
    diagnostics.extend(normalised.diagnostics);

    // The gate, per posting: a posting whose JSON-LD breaks Google's rules is left out everywhere.
    let mut postings = Vec::new();
    let mut rejected = 0;
    // Checking is independent per posting: spread it over the cores, keep the order.
    // The exact bytes of each document that passed: a `.jsonld` file with the same bytes
    // (no tracking parameters) needs no second check (the check was a fifth of a run).
    let checked: Vec<(Posting, Vec<Diagnostic>, Option<blake3::Hash>)> = normalised
        .postings
        .into_par_iter()
        .map(|p| {
            let doc = render::jsonld::document(&p, &Default::default());
            let found = gate.check_posting(&doc);
            let passed = (!found.iter().any(Diagnostic::is_error))
                .then(|| blake3::hash(&render::jsonld::to_bytes(&doc)));
            (p, found, passed)
        })
        .collect();
    let mut verified = std::collections::HashSet::new();
    for (p, found, passed) in checked {
        verified.extend(passed);
        let bad = found.iter().any(Diagnostic::is_error);
        let origin = p.origin.clone().unwrap_or_default();
        diagnostics.extend(found.into_iter().map(|d| {
            let d = d.posting(&p.id);
            if d.file.is_none() { d.file(&origin) } else { d }
        }));
        if bad {
            rejected += 1;
        } else {
            postings.push(p);
        }
    }

    let mut changes = Changes::default();
    if let Some(state) = state {
        match state.observe(&cfg.id, &mut postings, now) {
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
    let mut outputs = 0;
    let mut blocked = Vec::new();
    for out in cfg.outputs() {
        // A board's own rules leave a posting out of that board's feed only, with a warning,
        // instead of blocking the whole file for everyone.
        let selected: Vec<&Posting> = if out.kind == OutputKind::Linkedin {
            let mut ok = Vec::new();
            for p in &postings {
                match render::linkedin::eligible(p) {
                    Ok(()) => ok.push(p),
                    Err(why) => diagnostics.push(
                        Diagnostic::warning("linkedin.eligible", why)
                            .posting(&p.id)
                            .output(out.path())
                            .file(p.origin.clone().unwrap_or_default()),
                    ),
                }
            }
            ok
        } else {
            postings.iter().collect()
        };
        // Each unit is rendered, checked and handed on by one worker; only the units in
        // flight (one per core) are in memory, and only their findings are collected.
        let checked: Vec<(Vec<Diagnostic>, Vec<String>, usize)> =
            render::plan_output(&out, &selected, &rctx)
                .into_par_iter()
                .map(|job| {
                    let mut good = Vec::new();
                    let mut diags = Vec::new();
                    let mut bad = Vec::new();
                    for file in job.render(&rctx) {
                        let problems = if file.format == render::Format::JsonLd
                            && verified.contains(&blake3::hash(&file.bytes))
                        {
                            Vec::new()
                        } else {
                            gate.check_file(&file)
                        };
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
                        sink.put(good);
                    }
                    (diags, bad, n)
                })
                .collect();
        for (diags, bad, n) in checked {
            diagnostics.extend(diags);
            blocked.extend(bad);
            outputs += n;
        }
    }
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
    }
}
