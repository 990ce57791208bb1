//! Publishing a run's files: to a directory (atomic renames) or to S3-compatible object
//! storage (only changed objects, index files last). Blocked outputs keep their last good copy.

pub mod dir;
pub mod s3;

pub use dir::{DirStage, MANIFEST, PublishError, PublishStats, write_if_changed};

use crate::pipeline::FeedRun;
use crate::render::Rendered;

/// Where the pipeline hands each validated file as soon as it is rendered. Called from
/// several worker threads at once, so a sink takes care of its own locking.
pub trait Sink: Sync {
    fn put(&self, files: Vec<Rendered>);

    /// Keeps the file at `path` as the last successful publish left it (the run rendered
    /// the same bytes), without being handed them. `false` when this sink cannot: then
    /// the caller puts the bytes instead.
    fn keep(&self, _path: &str) -> bool {
        false
    }

    /// Every posting document of the run has been handed over; the files that list them
    /// follow. A sink may publish the documents now (they link to nothing of this run).
    fn documents_done(&self) {}

    /// Takes the file at `path` piece by piece, for sinks that can (a large feed then never
    /// sits in memory whole); `None`: the file is handed over whole with [`Sink::put`].
    fn stream(&self, _path: &str) -> Option<Box<dyn Stream + '_>> {
        None
    }

    /// The file at `path` as the last publish left it, to read back (a broken posting's
    /// last good version comes from `postings.json`); `None` when this sink has none.
    fn last_published(&self, _path: &str) -> Option<Box<dyn std::io::Read + '_>> {
        None
    }
}

/// A file being written by pieces. Dropped without [`Stream::finish`], it is discarded.
pub trait Stream {
    /// Appends bytes (a write failure is kept and fails the publish).
    fn write(&mut self, bytes: &[u8]);
    /// The file is complete and passed the gate: it is published with the run.
    fn finish(self: Box<Self>);
}

/// Keeps every file in memory (for object storage and the tests).
#[derive(Debug, Default)]
pub struct Collect(std::sync::Mutex<Vec<Rendered>>);

impl Collect {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn into_files(self) -> Vec<Rendered> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Collect {
    fn put(&self, files: Vec<Rendered>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(files);
    }
}

/// Drops every file (`check` validates without publishing).
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _files: Vec<Rendered>) {}

    fn keep(&self, _path: &str) -> bool {
        true
    }

    fn stream(&self, _path: &str) -> Option<Box<dyn Stream + '_>> {
        Some(Box::new(Discard))
    }
}

impl Stream for Discard {
    fn write(&mut self, _bytes: &[u8]) {}

    fn finish(self: Box<Self>) {}
}

/// Hands each file to two sinks (a directory and object storage).
pub struct Both<'a>(pub &'a dyn Sink, pub &'a dyn Sink);

impl Sink for Both<'_> {
    fn put(&self, files: Vec<Rendered>) {
        self.0.put(files.clone());
        self.1.put(files);
    }

    // Both or neither: a file kept by one and put to the other would be put twice to it.
    fn keep(&self, _path: &str) -> bool {
        false
    }

    fn last_published(&self, path: &str) -> Option<Box<dyn std::io::Read + '_>> {
        self.0
            .last_published(path)
            .or_else(|| self.1.last_published(path))
    }
}

/// A file handed to object storage: path under the feed, bytes (shared, not copied), and
/// its format when known (else the content type follows the file name).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub path: String,
    pub bytes: bytes::Bytes,
    pub format: Option<crate::render::Format>,
}

impl Outgoing {
    /// A rendered file, and the run's report last.
    pub fn of_run(files: Vec<Rendered>, run: &FeedRun) -> Vec<Outgoing> {
        let report = report_file(run);
        files
            .into_iter()
            .map(|f| Outgoing {
                path: f.path,
                bytes: f.bytes.into(),
                format: Some(f.format),
            })
            .chain(std::iter::once(Outgoing {
                path: report.0,
                bytes: report.1.into(),
                format: None,
            }))
            .collect()
    }
}

/// Whether a file links to others (feeds, sitemaps, lists): it must go up after the
/// posting files it references and so is published last.
pub fn is_index(path: &str) -> bool {
    !path.starts_with("jobs/")
}

/// `Cache-Control` for published objects: pollers revalidate often, CDNs keep a minute.
pub const CACHE_CONTROL: &str = "public, max-age=60, must-revalidate";

/// The files of a run in publishing order: posting documents first, then index files.
pub fn ordered(files: &[Rendered]) -> Vec<&Rendered> {
    let mut v: Vec<&Rendered> = files.iter().collect();
    v.sort_by_key(|f| (is_index(&f.path), f.path.clone()));
    v
}

/// Name of a run's report in its feed directory.
pub const REPORT: &str = "report.json";

/// `report.json` of a run: always published, so authors can read why something is missing.
pub fn report_file(run: &FeedRun) -> (String, Vec<u8>) {
    let mut report = Vec::new();
    write_report(run, &mut report).expect("writing into memory");
    (REPORT.to_string(), report)
}

/// Writes `report.json` of a run to `out` (the bytes of [`report_file`]).
pub fn write_report(run: &FeedRun, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &run.report)?;
    out.write_all(b"\n")
}

/// A [`Stream`] as a writer (the stream keeps its own write errors).
pub struct StreamWriter<'a>(pub &'a mut dyn Stream);

impl std::io::Write for StreamWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
