//! Instant rebuilds: watches feed files and markdown source trees, and triggers a run of
//! exactly the feeds whose inputs changed (debounced, so an editor's save is one run).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::Shared;
use crate::config::SourceConfig;

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watcher {
    _debouncer: Box<dyn std::any::Any + Send>,
}

/// The paths a feed reads: its config file and each markdown source's directory.
fn roots(feed: &crate::config::LoadedFeed) -> Vec<PathBuf> {
    let mut v = vec![absolute(&feed.path)];
    for s in &feed.config.sources {
        // Remote sources are polled on the schedule; only files can be watched.
        if let SourceConfig::Markdown(m) = s {
            v.push(absolute(&feed.dir.join(&m.path)));
        }
    }
    v
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Whether an event changes content (not a read, not a metadata touch).
fn is_change(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(
                ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any | ModifyKind::Other
            )
    )
}

/// What one batch of events did to one feed's inputs.
#[derive(Default)]
struct Edits {
    /// Markdown files written or created.
    written: BTreeSet<PathBuf>,
    /// Something a preview cannot stand for happened: a markdown file went away, or a
    /// configuration (feed, site, data) changed.
    whole: bool,
}

impl Edits {
    fn add(&mut self, kind: &EventKind, path: &Path) {
        let markdown = path
            .extension()
            .is_some_and(|x| x == "md" || x == "markdown");
        let config = path
            .extension()
            .is_some_and(|x| ["toml", "yaml", "yml", "json"].iter().any(|c| x == *c));
        if config || (markdown && (matches!(kind, EventKind::Remove(_)) || !path.is_file())) {
            self.whole = true;
        } else if markdown {
            self.written.insert(path.to_path_buf());
        }
        // Anything else (an editor's swap and backup files) is read by no run.
    }

    /// The markdown files whose documents can be served ahead of the run, if any. A
    /// preview runs on one thread before the run starts: many files (a checkout, a
    /// generator) go straight to the run, which reads them on every core.
    fn previewable(self) -> Option<BTreeSet<PathBuf>> {
        const MOST: usize = 32;
        (!self.whole && !self.written.is_empty() && self.written.len() <= MOST)
            .then_some(self.written)
    }
}

/// Each current feed's id with the paths it reads.
fn feed_roots(shared: &Shared) -> Vec<(String, Vec<PathBuf>)> {
    shared
        .feeds
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .map(|f| (f.feed.config.id.clone(), roots(&f.feed)))
        .collect()
}

/// Starts watching every feed's inputs.
pub fn start(shared: Arc<Shared>) -> anyhow::Result<Watcher> {
    let feeds = feed_roots(&shared);
    let s = shared.clone();
    // Long enough to see an editor's write-and-rename as one save, short beside a run.
    let mut debouncer = new_debouncer(
        Duration::from_millis(50),
        None,
        move |res: DebounceEventResult| {
            let Ok(events) = res else { return };
            // The feed set may have been reloaded since the watch began.
            let current = feed_roots(&s);
            let mut hit: BTreeMap<String, Edits> = BTreeMap::new();
            // Only changes count: reading the files for a run raises access (and on some
            // file systems atime) events, which would otherwise rebuild forever.
            for ev in events.iter().filter(|ev| is_change(&ev.kind)) {
                for path in &ev.paths {
                    for (id, roots) in &current {
                        if roots.iter().any(|r| path.starts_with(r)) {
                            hit.entry(id.clone()).or_default().add(&ev.kind, path);
                        }
                    }
                }
            }
            for (id, edits) in hit {
                tracing::info!(feed = %id, "Input changed; rebuilding.");
                // The edited postings' own documents first, then the run (which must begin
                // after the preview: see `daemon::preview`).
                if let Some(files) = edits.previewable() {
                    super::preview(&s, &id, &files);
                }
                s.trigger(&id);
            }
        },
    )
    .context("starting the file watcher")?;
    for (_, roots) in &feeds {
        for r in roots {
            let mode = if r.is_dir() {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            debouncer
                .watch(r, mode)
                .with_context(|| format!("watching {}", r.display()))?;
        }
    }
    Ok(Watcher {
        _debouncer: Box::new(debouncer),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::notify::event::{CreateKind, DataChange, RemoveKind};

    #[test]
    fn only_a_few_written_markdown_files_are_previewed_and_configuration_or_removal_runs_whole() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("job.md");
        std::fs::write(&page, "---\ntitle: x\n---\n").unwrap();
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));

        let mut edits = Edits::default();
        edits.add(&write, &page);
        // An editor's swap file is read by no run.
        edits.add(
            &EventKind::Create(CreateKind::File),
            &dir.path().join(".job.md.swp"),
        );
        assert_eq!(
            edits.previewable(),
            Some([page.clone()].into_iter().collect())
        );

        for (kind, path) in [
            (write, dir.path().join("hugo.toml")),
            (write, dir.path().join("data/offices.yaml")),
            (
                EventKind::Remove(RemoveKind::File),
                dir.path().join("gone.md"),
            ),
            // Renamed away: the path names no file any more.
            (
                EventKind::Modify(ModifyKind::Name(
                    notify_debouncer_full::notify::event::RenameMode::From,
                )),
                dir.path().join("old.md"),
            ),
        ] {
            let mut edits = Edits::default();
            edits.add(&write, &page);
            edits.add(&kind, &path);
            assert_eq!(edits.previewable(), None, "{kind:?} {}", path.display());
        }

        // Many files at once (a checkout): the run reads them faster on every core.
        let mut edits = Edits::default();
        for i in 0..40 {
            let page = dir.path().join(format!("job-{i}.md"));
            std::fs::write(&page, "---\ntitle: x\n---\n").unwrap();
            edits.add(&write, &page);
        }
        assert_eq!(edits.previewable(), None);
    }
}
