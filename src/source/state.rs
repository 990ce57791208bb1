//! Last good answers of each remote source, so a failed fetch never empties a feed.
//! Layout: `<state_dir>/sources/<feed-id>/<source-name>/{snapshot.json, bodies/*.body}`, written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::http::Validators;

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    /// The adapter's role for the document (`list`, `page:2`, `detail:<id>`).
    pub key: String,
    pub url: String,
    /// File name under `bodies/`.
    pub file: String,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// What is known about a source's last accepted answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub docs: Vec<DocMeta>,
    /// Postings parsed from `docs` when they were accepted.
    pub count: usize,
    #[serde(default)]
    pub fetched_at: Option<DateTime<Utc>>,
    /// Since when a mass removal has been held back (the grace clock).
    #[serde(default)]
    pub drop_since: Option<DateTime<Utc>>,
}

/// A document with its body: what adapters fetch and parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub key: String,
    pub url: String,
    pub body: Vec<u8>,
    pub validators: Validators,
}

/// The state directory of one source.
#[derive(Debug, Clone)]
pub struct SourceState {
    dir: PathBuf,
    pub snapshot: Snapshot,
}

impl SourceState {
    /// Opens (without creating) the state of `source` in `feed`; a missing or broken
    /// snapshot file reads as "no last good answer".
    pub fn open(state_dir: &Path, feed: &str, source: &str) -> Self {
        let dir = state_dir
            .join("sources")
            .join(safe_name(feed))
            .join(safe_name(source));
        let snapshot = std::fs::read(dir.join("snapshot.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        SourceState { dir, snapshot }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stored validators and body for `url`, if its body is still on disk.
    pub fn stored(&self, url: &str) -> Option<(Validators, Vec<u8>)> {
        let m = self.snapshot.docs.iter().find(|d| d.url == url)?;
        let body = std::fs::read(self.dir.join("bodies").join(&m.file)).ok()?;
        Some((
            Validators {
                etag: m.etag.clone(),
                last_modified: m.last_modified.clone(),
            },
            body,
        ))
    }

    /// The last accepted documents, or `None` when there are none (or a body went missing).
    pub fn last_good(&self) -> Option<Vec<Doc>> {
        self.snapshot.fetched_at?;
        self.snapshot
            .docs
            .iter()
            .map(|m| {
                let body = std::fs::read(self.dir.join("bodies").join(&m.file)).ok()?;
                Some(Doc {
                    key: m.key.clone(),
                    url: m.url.clone(),
                    body,
                    validators: Validators {
                        etag: m.etag.clone(),
                        last_modified: m.last_modified.clone(),
                    },
                })
            })
            .collect()
    }

    /// Stores `docs` as the new last good answer (bodies first, then the snapshot that names them).
    pub fn accept(
        &mut self,
        docs: &[Doc],
        count: usize,
        now: DateTime<Utc>,
    ) -> std::io::Result<()> {
        let bodies = self.dir.join("bodies");
        std::fs::create_dir_all(&bodies)?;
        let mut metas = Vec::new();
        for d in docs {
            let file = format!(
                "{}.body",
                &blake3::hash(format!("{}\n{}", d.key, d.url).as_bytes()).to_hex()[..24]
            );
            write_atomic(&bodies.join(&file), &d.body)?;
            metas.push(DocMeta {
                key: d.key.clone(),
                url: d.url.clone(),
                file,
                etag: d.validators.etag.clone(),
                last_modified: d.validators.last_modified.clone(),
            });
        }
        self.snapshot = Snapshot {
            docs: metas,
            count,
            fetched_at: Some(now),
            drop_since: None,
        };
        self.save()?;
        // Bodies no longer named by the snapshot are garbage now that it is on disk.
        if let Ok(entries) = std::fs::read_dir(&bodies) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !self.snapshot.docs.iter().any(|m| m.file == name) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }

    /// Writes the snapshot file alone (e.g. to start the mass-removal grace clock).
    pub fn save(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = serde_json::to_vec_pretty(&self.snapshot).map_err(std::io::Error::other)?;
        write_atomic(&self.dir.join("snapshot.json"), &bytes)
    }
}

/// A name usable as one path segment.
fn safe_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with('.') {
        format!("_{out}")
    } else {
        out
    }
}

/// Write to a temporary file beside `path`, fsync, rename: readers see old or new, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
        std::process::id()
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    // Persist the rename itself; not every platform lets a directory be opened, so best effort.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(key: &str, body: &str) -> Doc {
        Doc {
            key: key.into(),
            url: format!("http://x/{key}"),
            body: body.as_bytes().to_vec(),
            validators: Validators {
                etag: Some("\"e1\"".into()),
                last_modified: None,
            },
        }
    }

    #[test]
    fn accepted_documents_come_back_after_reopening_and_old_bodies_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let mut s = SourceState::open(tmp.path(), "feed", "gh/1");
        assert!(s.last_good().is_none());
        s.accept(&[doc("a", "1"), doc("b", "2")], 2, now).unwrap();
        s.accept(&[doc("a", "3")], 1, now).unwrap();
        let s = SourceState::open(tmp.path(), "feed", "gh/1");
        assert_eq!(s.last_good().unwrap(), vec![doc("a", "3")]);
        assert_eq!(
            s.stored("http://x/a").unwrap().0.etag.as_deref(),
            Some("\"e1\"")
        );
        let n = std::fs::read_dir(s.dir().join("bodies")).unwrap().count();
        assert_eq!(n, 1);
        assert!(s.dir().ends_with("sources/feed/gh_1"));
    }
}
