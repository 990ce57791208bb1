//! Publishing to a directory: each file written to a temporary name, synced, then renamed,
//! so readers never see a partial file; unchanged files are left alone; removed ones deleted.

use crate::lock;
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::Sink;
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
    /// Paths (under the feed directory) whose bytes this publish changed.
    pub changed: BTreeSet<String>,
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

/// A publish into `<out>/<feed>/` in two steps. As the pipeline renders, each changed file
/// is written under a temporary name ([`Sink::put`]); [`DirStage::commit`] then stages
/// `report.json`, syncs them all and renames them into place (posting documents first,
/// then the files that link to them), deletes what is gone and writes the manifest. Until
/// the commit, readers see only the previous files; a run killed before it leaves
/// temporaries that the next run's [`DirStage::begin`] removes.
pub struct DirStage {
    dir: PathBuf,
    /// Every file of the run by path; `Some(temp)` when its bytes changed.
    staged: Mutex<Vec<(String, Option<PathBuf>)>>,
    /// The first write failure: the commit refuses and the previous files stay.
    error: Mutex<Option<PublishError>>,
    /// The directory held nothing at the start: no file is compared with an old copy
    /// (a first build of 100,000 postings asked for 200,000 files that were not there).
    empty: bool,
}

impl DirStage {
    /// Opens the feed directory for a new publish.
    pub fn begin(out: &Path, feed: &str) -> Result<Self, PublishError> {
        let dir = out.join(feed);
        fs::create_dir_all(&dir).map_err(err(&dir))?;
        remove_temporaries(&dir);
        let empty = fs::read_dir(&dir).map_err(err(&dir))?.next().is_none();
        Ok(DirStage {
            dir,
            staged: Mutex::new(Vec::new()),
            error: Mutex::new(None),
            empty,
        })
    }

    /// Puts every staged file in place, removes files that are no longer published and
    /// writes the manifest. On a staging error nothing is renamed and the error is returned.
    pub fn commit(self, run: &FeedRun) -> Result<PublishStats, PublishError> {
        // Streamed like a feed file: a run of 10,000 postings has a report of 7 MB.
        if let Some(mut out) = self.stream(super::REPORT) {
            // Writes cannot fail here: the stream keeps its own errors for the commit.
            let _ = super::write_report(run, super::StreamWriter(&mut *out));
            out.finish();
        }
        self.publish(&run.blocked)
    }

    /// Like [`DirStage::commit`], given the report file and the blocked paths themselves.
    pub fn finish(
        self,
        report: (String, Vec<u8>),
        blocked: &[String],
    ) -> Result<PublishStats, PublishError> {
        self.put_bytes(&report.0, &report.1);
        self.publish(blocked)
    }

    /// Syncs and renames what was staged (the report among the index files), then
    /// removes what is no longer published and writes the manifest.
    fn publish(self, blocked: &[String]) -> Result<PublishStats, PublishError> {
        let dir = self.dir;
        let mut staged = self.staged.into_inner().unwrap_or_else(|e| e.into_inner());
        let failed = self.error.into_inner().unwrap_or_else(|e| e.into_inner());
        // Durable before visible: a crash after a rename must not expose an empty file.
        let synced = failed.map_or_else(|| sync_all(&dir, &staged), Err);
        if let Err(e) = synced {
            for tmp in staged.iter().filter_map(|(_, t)| t.as_ref()) {
                let _ = fs::remove_file(tmp);
            }
            return Err(e);
        }
        let mut stats = PublishStats::default();
        staged.sort_by(|a, b| (super::is_index(&a.0), &a.0).cmp(&(super::is_index(&b.0), &b.0)));
        let split = staged.partition_point(|(p, _)| !super::is_index(p));
        let (postings, indexes) = staged.split_at(split);
        let rename_all = |batch: &[(String, Option<PathBuf>)]| -> Result<(), PublishError> {
            io_pool().install(|| {
                batch
                    .par_iter()
                    .filter_map(|(path, tmp)| tmp.as_ref().map(|t| (path, t)))
                    .try_for_each(|(path, tmp)| {
                        let target = dir.join(path);
                        fs::rename(tmp, &target).map_err(err(&target))
                    })
            })
        };
        // Posting documents first, then the files that link to them.
        rename_all(postings)?;
        rename_all(indexes)?;
        let mut now_published: BTreeSet<String> = BTreeSet::new();
        for (path, tmp) in &staged {
            if tmp.is_some() {
                stats.written += 1;
                stats.changed.insert(path.clone());
            } else {
                stats.unchanged += 1;
            }
            now_published.insert(path.clone());
        }
        // Blocked files keep their last good copy: they stay in the manifest.
        for path in blocked {
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
}

/// Makes every staged temporary durable before any is renamed into place.
///
/// On Linux one `syncfs` on the feed directory flushes them all: a build of 10,000
/// postings spent over a second in per-file `fsync` calls. Elsewhere each file is synced,
/// many at once (the waits are on the disk, not the CPU).
fn sync_all(dir: &Path, staged: &[(String, Option<PathBuf>)]) -> Result<(), PublishError> {
    if staged.iter().all(|(_, tmp)| tmp.is_none()) {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        fs::File::open(dir)
            .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from))
            .map_err(err(dir))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        io_pool().install(|| {
            staged
                .par_iter()
                .filter_map(|(_, tmp)| tmp.as_ref())
                .try_for_each(|tmp| {
                    fs::File::open(tmp)
                        .and_then(|f| f.sync_all())
                        .map_err(err(tmp))
                })
        })
    }
}

impl Sink for DirStage {
    /// Kept when the file is still there with no write pending for it: it is listed as
    /// published, neither read nor written.
    fn keep(&self, path: &str) -> bool {
        if self.empty || lock(&self.error).is_some() || !self.dir.join(path).is_file() {
            return false;
        }
        lock(&self.staged).push((path.to_string(), None));
        true
    }

    fn put(&self, files: Vec<Rendered>) {
        for f in files {
            self.put_bytes(&f.path, &f.bytes);
        }
    }

    /// Written straight into its temporary file.
    fn stream(&self, path: &str) -> Option<Box<dyn super::Stream + '_>> {
        if lock(&self.error).is_some() {
            return None;
        }
        let target = self.dir.join(path);
        let tmp = temporary(&target);
        match create(&tmp) {
            Ok(f) => Some(Box::new(DirStream {
                stage: self,
                path: path.to_string(),
                target,
                tmp,
                out: Some(std::io::BufWriter::with_capacity(
                    256 << 10,
                    WrittenBack::new(f),
                )),
                error: None,
            })),
            Err(e) => {
                lock(&self.error).get_or_insert(PublishError {
                    path: target,
                    source: e,
                });
                None
            }
        }
    }

    /// The live file: a run stages its own beside it until the commit.
    fn last_published(&self, path: &str) -> Option<Box<dyn std::io::Read + '_>> {
        if self.empty {
            return None;
        }
        let file = fs::File::open(self.dir.join(path)).ok()?;
        Some(Box::new(std::io::BufReader::new(file)))
    }
}

/// A file of a [`DirStage`] written as it is rendered, to its temporary name.
struct DirStream<'a> {
    stage: &'a DirStage,
    path: String,
    target: PathBuf,
    tmp: PathBuf,
    out: Option<std::io::BufWriter<WrittenBack>>,
    error: Option<std::io::Error>,
}

/// A large file whose written bytes the kernel is asked to start writing to disk every few
/// megabytes, so that the flush before the commit does not find gigabytes of a build still
/// waiting (a 100,000-posting build writes 6.4 GB).
struct WrittenBack {
    file: fs::File,
    written: u64,
    advised: u64,
}

impl WrittenBack {
    const EVERY: u64 = 8 << 20;

    fn new(file: fs::File) -> Self {
        WrittenBack {
            file,
            written: 0,
            advised: 0,
        }
    }

    /// Starts writing back what was written since the last call (the advice to drop the
    /// pages starts their writeback and then drops only those already clean).
    fn start_writeback(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(len) = std::num::NonZeroU64::new(self.written - self.advised) {
            // Advice only: a kernel that ignores it flushes everything at the commit.
            let _ = rustix::fs::fadvise(
                &self.file,
                self.advised,
                Some(len),
                rustix::fs::Advice::DontNeed,
            );
        }
        self.advised = self.written;
    }
}

impl Write for WrittenBack {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.written += n as u64;
        if self.written - self.advised >= Self::EVERY {
            self.start_writeback();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl super::Stream for DirStream<'_> {
    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Some(out) = &mut self.out
            && let Err(e) = out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    fn finish(mut self: Box<Self>) {
        let flushed = match (self.error.take(), self.out.take()) {
            (Some(e), _) => Err(e),
            (None, Some(out)) => out
                .into_inner()
                .map(|mut file| file.start_writeback())
                .map_err(|e| e.into_error()),
            (None, None) => Ok(()),
        };
        if let Err(e) = flushed {
            let _ = fs::remove_file(&self.tmp);
            lock(&self.stage.error).get_or_insert(PublishError {
                path: self.target.clone(),
                source: e,
            });
            return;
        }
        // Unchanged files stay as they are (their time included): the temporary goes.
        let tmp = std::mem::take(&mut self.tmp);
        let staged = if !self.stage.empty && same_file_content(&self.target, &tmp) {
            let _ = fs::remove_file(&tmp);
            None
        } else {
            Some(tmp)
        };
        lock(&self.stage.staged).push((std::mem::take(&mut self.path), staged));
    }
}

impl Drop for DirStream<'_> {
    /// Not finished: the file is discarded.
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.out.take();
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Whether files `a` and `b` hold the same bytes (sizes first, then the contents).
fn same_file_content(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    if ma.len() != mb.len() {
        return false;
    }
    let (Ok(fa), Ok(fb)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (
        std::io::BufReader::with_capacity(256 << 10, fa),
        std::io::BufReader::with_capacity(256 << 10, fb),
    );
    let (mut ba, mut bb) = (vec![0u8; 64 << 10], vec![0u8; 64 << 10]);
    loop {
        let n = match ra.read(&mut ba) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return rb.read(&mut bb[..1]).is_ok_and(|m| m == 0);
        }
        if rb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

impl DirStage {
    /// Stages `bytes` for `path` (written now under a temporary name, renamed at commit).
    pub fn put_bytes(&self, path: &str, bytes: &[u8]) {
        if lock(&self.error).is_some() {
            return;
        }
        let target = self.dir.join(path);
        let staged = if self.empty {
            write_temporary(&target, bytes, false).map(Some)
        } else {
            stage_if_changed(&target, bytes, false)
        };
        match staged {
            Ok(tmp) => lock(&self.staged).push((path.to_string(), tmp)),
            Err(e) => {
                lock(&self.error).get_or_insert(e);
            }
        }
    }
}

/// Creates the file at `path`, and its directories when they are missing. A publish
/// creates thousands of files in directories that mostly exist: trying the file first
/// saves two system calls per file.
fn create(path: &Path) -> std::io::Result<fs::File> {
    match fs::File::create(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            fs::File::create(path)
        }
        created => created,
    }
}

/// Temporary files are named `.<name>.tmp-<pid>`: a killed run leaves some behind.
fn temporary(target: &Path) -> PathBuf {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!(".{name}.tmp-{}", PID.get_or_init(std::process::id)))
}

fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Deletes temporaries left by killed runs anywhere under the feed directory.
fn remove_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            remove_temporaries(&e.path());
        } else if kind.is_file() && is_temporary(&e.file_name().to_string_lossy()) {
            let _ = fs::remove_file(e.path());
        }
    }
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
    match stage_if_changed(target, bytes, true)? {
        None => Ok(false),
        Some(tmp) => {
            fs::rename(&tmp, target).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                PublishError {
                    path: target.to_path_buf(),
                    source: e,
                }
            })?;
            Ok(true)
        }
    }
}

/// Unless `target` already holds `bytes`, writes them (and syncs them when `sync`) to a
/// temporary beside it and returns the temporary's path (renaming it over `target`
/// publishes it atomically).
fn stage_if_changed(
    target: &Path,
    bytes: &[u8],
    sync: bool,
) -> Result<Option<PathBuf>, PublishError> {
    if same_content(target, bytes) {
        return Ok(None);
    }
    write_temporary(target, bytes, sync).map(Some)
}

/// Writes `bytes` (synced when `sync`) to a temporary beside `target`; its path.
fn write_temporary(target: &Path, bytes: &[u8], sync: bool) -> Result<PathBuf, PublishError> {
    let tmp = temporary(target);
    let result = (|| {
        let mut f = create(&tmp)?;
        f.write_all(bytes)?;
        if sync { f.sync_all() } else { Ok(()) }
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(PublishError {
            path: target.to_path_buf(),
            source: e,
        });
    }
    Ok(tmp)
}

/// Whether the file at `path` holds exactly `bytes`; the length is compared first, so a
/// changed file of another size is not read at all.
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.len() == bytes.len() as u64 => fs::read(path).is_ok_and(|old| old == bytes),
        _ => false,
    }
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

    #[test]
    fn files_in_directories_that_do_not_exist_yet_are_published() {
        let out = tempfile::tempdir().unwrap();
        let stage = DirStage::begin(out.path(), "f").unwrap();
        stage.put(vec![rendered("jobs/new/a.jsonld", b"a")]);
        let mut streamed = stage.stream("en/deeper/rss.xml").expect("a stream");
        streamed.write(b"<rss/>");
        streamed.finish();
        stage.commit(&run("f")).unwrap();
        let f = out.path().join("f");
        assert_eq!(fs::read(f.join("jobs/new/a.jsonld")).unwrap(), b"a");
        assert_eq!(fs::read(f.join("en/deeper/rss.xml")).unwrap(), b"<rss/>");
    }

    fn rendered(path: &str, bytes: &[u8]) -> Rendered {
        Rendered {
            path: path.into(),
            output: "jsonld".into(),
            kind: crate::config::OutputKind::Jsonld,
            format: crate::render::Format::JsonLd,
            bytes: bytes.to_vec(),
            key: None,
        }
    }

    fn run(feed: &str) -> FeedRun {
        FeedRun {
            feed: feed.into(),
            postings: Vec::new(),
            outputs: 0,
            blocked: Vec::new(),
            report: crate::pipeline::Report {
                feed: feed.into(),
                published: 0,
                skipped: 0,
                invalid: 0,
                outputs: 0,
                blocked_outputs: Vec::new(),
                skipped_postings: Vec::new(),
                diagnostics: Vec::new(),
            },
            inputs: Vec::new(),
            changes: Default::default(),
            members: Vec::new(),
        }
    }

    /// Guards "readers see the previous files until the commit": staged bytes must not
    /// replace a published file before every file of the run is staged.
    #[test]
    fn staged_files_appear_only_at_commit_and_stale_ones_go() {
        let out = tempfile::tempdir().unwrap();
        let first = DirStage::begin(out.path(), "f").unwrap();
        first.put(vec![
            rendered("jobs/a.jsonld", b"a1"),
            rendered("jobs/b.jsonld", b"b1"),
        ]);
        first.commit(&run("f")).unwrap();
        let a = out.path().join("f/jobs/a.jsonld");
        let second = DirStage::begin(out.path(), "f").unwrap();
        second.put(vec![rendered("jobs/a.jsonld", b"a2")]);
        assert_eq!(fs::read(&a).unwrap(), b"a1", "visible before the commit");
        let stats = second.commit(&run("f")).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"a2");
        assert!(
            !out.path().join("f/jobs/b.jsonld").exists(),
            "b is no longer published"
        );
        assert_eq!((stats.written, stats.removed), (1, 1));
    }

    /// Guards streamed files' bytes through the early writeback: everything written lands
    /// in order, and every byte is handed to the kernel's writeback by the end.
    #[test]
    fn a_streamed_file_is_written_back_in_full_as_it_grows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let mut out = std::io::BufWriter::with_capacity(
            256 << 10,
            WrittenBack::new(fs::File::create(&path).unwrap()),
        );
        let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        for _ in 0..(WrittenBack::EVERY >> 20) * 2 + 3 {
            out.write_all(&chunk).unwrap();
        }
        let mut file = out.into_inner().map_err(|e| e.into_error()).unwrap();
        assert!(file.advised >= 2 * WrittenBack::EVERY, "{}", file.advised);
        file.start_writeback();
        assert_eq!(file.advised, file.written);
        let back = fs::read(&path).unwrap();
        assert_eq!(back.len() as u64, file.written);
        assert!(back.chunks(1 << 20).all(|c| c == chunk));
    }

    /// Guards the first publish into an empty directory (which compares nothing with old
    /// copies): every file is written, and a later publish of the same bytes into the now
    /// full directory writes none of them.
    #[test]
    fn a_first_publish_writes_everything_and_a_repeat_leaves_it_unchanged() {
        let out = tempfile::tempdir().unwrap();
        let files = || {
            vec![
                rendered("jobs/a.jsonld", b"a"),
                rendered("jobs/b.jsonld", b"b"),
            ]
        };
        let first = DirStage::begin(out.path(), "f").unwrap();
        assert!(first.empty);
        first.put(files());
        let stats = first.commit(&run("f")).unwrap();
        // The two files and the report.
        assert_eq!((stats.written, stats.unchanged), (3, 0));
        let second = DirStage::begin(out.path(), "f").unwrap();
        assert!(!second.empty);
        second.put(files());
        let stats = second.commit(&run("f")).unwrap();
        assert_eq!((stats.written, stats.unchanged), (0, 3));
        assert_eq!(fs::read(out.path().join("f/jobs/b.jsonld")).unwrap(), b"b");
    }

    /// Guards the streamed report: the same bytes as `report_file` (which the daemon and S3
    /// publish), counted as written once and then left alone while it does not change.
    #[test]
    fn the_streamed_report_holds_report_file_bytes_and_an_unchanged_one_is_left_alone() {
        let out = tempfile::tempdir().unwrap();
        let mut r = run("f");
        r.report
            .diagnostics
            .push(crate::diag::Diagnostic::warning("posting.salary", "no salary").file("a.md"));
        let first = DirStage::begin(out.path(), "f")
            .unwrap()
            .commit(&r)
            .unwrap();
        let report = out.path().join("f/report.json");
        assert_eq!(
            fs::read(&report).unwrap(),
            crate::publish::report_file(&r).1
        );
        assert!(first.changed.contains("report.json"), "{first:?}");
        let again = DirStage::begin(out.path(), "f")
            .unwrap()
            .commit(&r)
            .unwrap();
        assert_eq!((again.written, again.unchanged), (0, 1));
        let manifest = fs::read_to_string(out.path().join("f").join(MANIFEST)).unwrap();
        assert_eq!(manifest, "report.json\n");
    }

    /// Guards "a killed run leaves no debris": temporaries of an earlier process are removed
    /// by the next run, and are never listed as published files.
    #[test]
    fn temporaries_left_by_a_killed_run_are_removed_by_the_next() {
        let out = tempfile::tempdir().unwrap();
        let jobs = out.path().join("f/jobs");
        fs::create_dir_all(&jobs).unwrap();
        fs::write(jobs.join(".a.jsonld.tmp-999999"), b"half").unwrap();
        let stage = DirStage::begin(out.path(), "f").unwrap();
        assert!(!jobs.join(".a.jsonld.tmp-999999").exists());
        stage.commit(&run("f")).unwrap();
    }

    /// Guards "nothing is lost on a failed publish": when a file cannot be staged, the commit
    /// refuses, the previous files stay and no temporaries are left.
    #[test]
    fn a_staging_failure_keeps_the_previous_files() {
        let out = tempfile::tempdir().unwrap();
        let first = DirStage::begin(out.path(), "f").unwrap();
        first.put(vec![rendered("jobs/a.jsonld", b"a1")]);
        first.commit(&run("f")).unwrap();
        // A directory where the temporary should go makes the staging fail.
        let blocker = out
            .path()
            .join(format!("f/jobs/.x.jsonld.tmp-{}", std::process::id()));
        fs::create_dir_all(&blocker).unwrap();
        let second = DirStage::begin(out.path(), "f").unwrap();
        second.put(vec![
            rendered("jobs/a.jsonld", b"a2"),
            rendered("jobs/x.jsonld", b"x"),
        ]);
        assert!(second.commit(&run("f")).is_err());
        assert_eq!(fs::read(out.path().join("f/jobs/a.jsonld")).unwrap(), b"a1");
        let left: Vec<_> = fs::read_dir(out.path().join("f/jobs"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path() != blocker && is_temporary(&e.file_name().to_string_lossy()))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
