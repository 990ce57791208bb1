//! Writes what the daemon serves to the output directory (and object storage) behind the
//! serving path: a run's files are served first, then land on disk; the newest run wins.
//!
//! A feed has one writer thread at most. A run queued while it writes replaces any run still
//! waiting, so a burst of edits ends with the last one on disk and no backlog.

use crate::lock;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::latest::Latest;
use crate::config::S3Config;
use crate::publish::{self, Outgoing, Sink};
use crate::server::files::Entry;

/// One run's files, as served, to put on disk.
pub struct DiskJob {
    pub feed: String,
    /// When the run started (names the run in the feed's history).
    pub at: DateTime<Utc>,
    /// Every file the run publishes, by path under the feed (the report apart).
    pub files: Vec<(String, Arc<Entry>)>,
    /// `report.json`.
    pub report: (String, Vec<u8>),
    /// Paths whose last good copy stays (the gate blocked the new one).
    pub blocked: Vec<String>,
    /// The bucket, and the directory relative credential files resolve against.
    pub s3: Option<(S3Config, PathBuf)>,
}

/// The writer of one feed.
pub struct Writer {
    jobs: Arc<Latest<DiskJob>>,
    /// ETag of each file as the last successful write left it on disk.
    written: Mutex<HashMap<String, String>>,
}

impl Default for Writer {
    /// Writes once a burst of runs has settled (see [`super::latest::QUIET`]).
    fn default() -> Self {
        Writer {
            jobs: Arc::new(Latest::settling(
                super::latest::QUIET,
                super::latest::LONGEST,
            )),
            written: Mutex::default(),
        }
    }
}

/// What happened to a job, for the daemon's status and metrics.
pub enum Outcome {
    Written(publish::PublishStats),
    /// The target that failed (`directory` or `s3`) and why.
    Failed(&'static str, String),
}

impl Writer {
    /// Queues `job` (replacing one still waiting) and makes sure a thread writes it;
    /// `done` hears how each job went.
    pub fn write_later(
        self: &Arc<Self>,
        out: PathBuf,
        job: DiskJob,
        done: impl Fn(&DiskJob, Outcome) + Send + 'static,
    ) {
        let w = self.clone();
        self.jobs.offer(job, "jobfeed-disk", move |job| {
            let outcome = w.write(&out, &job);
            done(&job, outcome);
        });
    }

    /// Whether nothing is being written or waiting.
    pub fn idle(&self) -> bool {
        self.jobs.idle()
    }

    fn write(&self, out: &std::path::Path, job: &DiskJob) -> Outcome {
        let outcome = self.write_dir(out, job);
        if let Outcome::Failed(..) = outcome {
            return outcome;
        }
        if let Some((cfg, dir)) = &job.s3 {
            let mut files: Vec<Outgoing> = job
                .files
                .iter()
                .map(|(path, e)| Outgoing {
                    path: path.clone(),
                    bytes: e.identity.clone(),
                    format: None,
                })
                .collect();
            files.push(Outgoing {
                path: job.report.0.clone(),
                bytes: job.report.1.clone().into(),
                format: None,
            });
            match publish::s3::publish_blocking(cfg, dir, &job.feed, &files, &job.blocked) {
                Ok(stats) => {
                    tracing::info!(feed = %job.feed, uploaded = stats.uploaded.len(), deleted = stats.deleted.len(), "Published to S3.")
                }
                Err(e) => return Outcome::Failed("s3", e.to_string()),
            }
        }
        outcome
    }

    /// Stages what changed since the last write (files known to be on disk as served are
    /// kept without reading them), then commits: renames, removals, manifest.
    fn write_dir(&self, out: &std::path::Path, job: &DiskJob) -> Outcome {
        let stage = match publish::DirStage::begin(out, &job.feed) {
            Ok(s) => s,
            Err(e) => return Outcome::Failed("directory", e.to_string()),
        };
        let mut written = lock(&self.written);
        let before = std::mem::take(&mut *written);
        for (path, entry) in &job.files {
            if before.get(path) == Some(&entry.etag) && stage.keep(path) {
                continue;
            }
            stage.put_bytes(path, &entry.identity);
        }
        match stage.finish(job.report.clone(), &job.blocked) {
            Ok(stats) => {
                *written = job
                    .files
                    .iter()
                    .map(|(p, e)| (p.clone(), e.etag.clone()))
                    .collect();
                Outcome::Written(stats)
            }
            // Unknown what is on disk now: the next write compares every file.
            Err(e) => Outcome::Failed("directory", e.to_string()),
        }
    }
}

/// The writers of every feed, made on first use.
#[derive(Default)]
pub struct Writers(Mutex<BTreeMap<String, Arc<Writer>>>);

impl Writers {
    pub fn of(&self, feed: &str) -> Arc<Writer> {
        lock(&self.0).entry(feed.to_string()).or_default().clone()
    }

    /// Waits until every writer is idle, at most until `deadline`; whether they all are.
    pub fn wait_idle(&self, deadline: std::time::Instant) -> bool {
        loop {
            let idle = lock(&self.0).values().all(|w| w.idle());
            if idle || std::time::Instant::now() >= deadline {
                return idle;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
