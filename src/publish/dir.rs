//! Publishing to a directory: each file written to a temporary name, synced, then renamed,
//! so readers never see a partial file; unchanged files are left alone; removed ones deleted.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::pipeline::FeedRun;
use crate::render::Rendered;

/// Name of the file listing what jobfeed published in a feed directory.
pub const MANIFEST: &str = ".jobfeed-manifest";

/// What a publish did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PublishStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Files that failed the gate and kept their previous version (if any).
    pub kept: usize,
}

/// A publishing failure, naming the path.
#[derive(Debug, thiserror::Error)]
#[error("cannot publish {path}: {source}")]
pub struct PublishError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

fn err(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError {
        path: path.to_path_buf(),
        source,
    }
}

/// Publishes a run into `<out>/<feed>/`, plus `report.json`.
pub fn publish_dir(out: &Path, run: &FeedRun) -> Result<PublishStats, PublishError> {
    let dir = out.join(&run.feed);
    fs::create_dir_all(&dir).map_err(err(&dir))?;
    let mut stats = PublishStats::default();
    let mut now_published = BTreeSet::new();
    let report = super::report_file(run);
    let (postings, indexes): (Vec<&Rendered>, Vec<&Rendered>) = super::ordered(&run.files)
        .into_iter()
        .partition(|f| !super::is_index(&f.path));
    // Posting documents first, then the files that link to them. Within each phase the
    // writes are independent; fsync latency dominates, so they overlap on an I/O pool.
    let write_all = |batch: Vec<(&str, &[u8])>| -> Result<Vec<bool>, PublishError> {
        io_pool().install(|| {
            batch
                .par_iter()
                .map(|(path, bytes)| write_if_changed(&dir.join(path), bytes))
                .collect()
        })
    };
    let phase1: Vec<(&str, &[u8])> = postings
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()))
        .collect();
    let mut phase2: Vec<(&str, &[u8])> = indexes
        .iter()
        .map(|f| (f.path.as_str(), f.bytes.as_slice()))
        .collect();
    phase2.push((report.0.as_str(), report.1.as_slice()));
    for phase in [phase1, phase2] {
        let names: Vec<String> = phase.iter().map(|(p, _)| (*p).to_string()).collect();
        for written in write_all(phase)? {
            if written {
                stats.written += 1;
            } else {
                stats.unchanged += 1;
            }
        }
        now_published.extend(names);
    }
    // Blocked files keep their last good copy: they stay in the manifest.
    for path in &run.blocked {
        if dir.join(path).exists() {
            stats.kept += 1;
            now_published.insert(path.clone());
        }
    }
    let manifest_path = dir.join(MANIFEST);
    let before: BTreeSet<String> = fs::read_to_string(&manifest_path)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    for stale in before.difference(&now_published) {
        // Only names jobfeed itself wrote, and never outside the feed directory.
        if stale.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            continue;
        }
        let p = dir.join(stale);
        match fs::remove_file(&p) {
            Ok(()) => stats.removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(PublishError { path: p, source: e }),
        }
    }
    let manifest: String = now_published.iter().map(|p| format!("{p}\n")).collect();
    write_if_changed(&manifest_path, manifest.as_bytes())?;
    Ok(stats)
}

/// A small pool for file writes: they wait on the disk, not the CPU.
fn io_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(8)
            .thread_name(|i| format!("jobfeed-io-{i}"))
            .build()
            .expect("thread pool")
    })
}

/// Writes `bytes` to `target` atomically unless it already holds them. Returns whether it wrote.
pub fn write_if_changed(target: &Path, bytes: &[u8]) -> Result<bool, PublishError> {
    if fs::read(target).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(err(parent))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(PublishError {
            path: target.to_path_buf(),
            source: e,
        });
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_bytes_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/rss.xml");
        assert!(write_if_changed(&p, b"one").unwrap());
        assert!(!write_if_changed(&p, b"one").unwrap());
        assert!(write_if_changed(&p, b"two").unwrap());
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("a"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
