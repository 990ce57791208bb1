//! Instant rebuilds: watches feed files and markdown source trees, and triggers a run of
//! exactly the feeds whose inputs changed (debounced, so an editor's save is one run).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use notify_debouncer_full::notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};
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
    /// Adds one event (a rename carries both its paths).
    fn add(&mut self, kind: &EventKind, paths: &[PathBuf]) {
        // A directory made, moved or removed carries files with it. A path renamed away
        // without its new name (moved out of the tree) may have been one.
        let moved_out = matches!(
            kind,
            EventKind::Modify(ModifyKind::Name(RenameMode::From | RenameMode::Any))
        ) && paths.len() == 1
            && paths[0].extension().is_none()
            && !paths[0].exists();
        if moved_out
            || matches!(
                kind,
                EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder)
            )
            || paths.iter().any(|p| p.is_dir())
        {
            self.whole = true;
            return;
        }
        for path in paths {
            // Emacs's lock file (`.#job.md`, a link to nowhere) comes and goes with each save.
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".#"))
            {
                continue;
            }
            let markdown = path
                .extension()
                .is_some_and(|x| x == "md" || x == "markdown");
            let config = path
                .extension()
                .is_some_and(|x| ["toml", "yaml", "yml", "json"].iter().any(|c| x == *c));
            if config || (markdown && (matches!(kind, EventKind::Remove(_)) || !path.is_file())) {
                self.whole = true;
            } else if markdown {
                self.written.insert(path.clone());
            }
            // Anything else (an editor's swap, backup and temporary files) is read by no run.
        }
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
                for (id, roots) in &current {
                    if ev.paths.iter().any(|p| roots.iter().any(|r| p.starts_with(r))) {
                        hit.entry(id.clone()).or_default().add(&ev.kind, &ev.paths);
                    }
                }
            }
            for (id, edits) in hit {
                tracing::info!(feed = %id, "Input changed; rebuilding.");
                // The edited postings' own documents first, then the run (which must begin
                // after the preview: see `daemon::preview`).
                if let Some(files) = edits.previewable() {
                    // A panic on odd input must not end watching: the run still follows
                    // (and reports the file).
                    let previewed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        super::preview(&s, &id, &files)
                    }));
                    if previewed.is_err() {
                        tracing::error!(feed = %id, "Serving the edited postings ahead of their run failed; the run follows.");
                    }
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
    use notify_debouncer_full::notify::event::DataChange;

    /// Whether the events leave something to preview, and what.
    fn previewed(events: &[(EventKind, Vec<PathBuf>)]) -> Option<BTreeSet<PathBuf>> {
        let mut edits = Edits::default();
        for (kind, paths) in events {
            edits.add(kind, paths);
        }
        edits.previewable()
    }

    #[test]
    fn editors_saves_are_previewed_and_configuration_removal_or_directories_run_whole() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let page = at("job.md");
        std::fs::write(&page, "---\ntitle: x\n---\n").unwrap();
        std::fs::create_dir(at("moved")).unwrap();
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let rename = |mode| EventKind::Modify(ModifyKind::Name(mode));
        let just_page = Some([page.clone()].into_iter().collect());

        // Written in place; written to a temporary file and renamed over (the temporary
        // often has no extension); vim's backup rename; Emacs's lock file coming and going.
        for save in [
            vec![(write, vec![page.clone()])],
            vec![
                (EventKind::Create(CreateKind::File), vec![at(".tmpA1b2")]),
                (rename(RenameMode::Both), vec![at(".tmpA1b2"), page.clone()]),
            ],
            vec![
                (rename(RenameMode::Both), vec![page.clone(), at("job.md~")]),
                (EventKind::Create(CreateKind::File), vec![page.clone()]),
                (EventKind::Remove(RemoveKind::File), vec![at("job.md~")]),
            ],
            vec![
                (EventKind::Create(CreateKind::File), vec![at(".#job.md")]),
                (write, vec![page.clone()]),
                (EventKind::Remove(RemoveKind::File), vec![at(".#job.md")]),
                (EventKind::Remove(RemoveKind::File), vec![at("4913")]),
            ],
        ] {
            assert_eq!(previewed(&save), just_page, "{save:?}");
        }

        for other in [
            (write, vec![at("hugo.toml")]),
            (write, vec![at("data/offices.yaml")]),
            (EventKind::Remove(RemoveKind::File), vec![at("gone.md")]),
            // Renamed to another name: the old posting is gone.
            (rename(RenameMode::Both), vec![at("old.md"), page.clone()]),
            (
                EventKind::Create(CreateKind::Folder),
                vec![at("new-section")],
            ),
            (rename(RenameMode::Both), vec![at("section"), at("moved")]),
            (rename(RenameMode::From), vec![at("section")]),
        ] {
            let events = [(write, vec![page.clone()]), other.clone()];
            assert_eq!(previewed(&events), None, "{other:?}");
        }

        // Many files at once (a checkout): the run reads them faster on every core.
        let many: Vec<(EventKind, Vec<PathBuf>)> = (0..40)
            .map(|i| {
                let page = at(&format!("job-{i}.md"));
                std::fs::write(&page, "---\ntitle: x\n---\n").unwrap();
                (write, vec![page])
            })
            .collect();
        assert_eq!(previewed(&many), None);
    }
}
