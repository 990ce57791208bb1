//! Persistent state in SQLite: first-seen dates, content hashes (truthful `updated`),
//! tombstones of removed postings, and the ledger of sent change notifications.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::Posting;

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "jobfeed.sqlite3";

/// Schema migrations; `PRAGMA user_version` counts the ones applied.
const MIGRATIONS: &[&str] = &[
    // 1: postings seen, removals, notification ledger, daily quotas, run history.
    "CREATE TABLE postings (
        feed TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL,
        first_seen TEXT NOT NULL, content_hash TEXT NOT NULL, changed_at TEXT NOT NULL,
        live INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (feed, id));
     CREATE TABLE tombstones (
        feed TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL, removed_at TEXT NOT NULL,
        PRIMARY KEY (feed, id, removed_at));
     CREATE TABLE notifications (
        channel TEXT NOT NULL, feed TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL,
        version TEXT NOT NULL, queued_at TEXT NOT NULL, sent_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        PRIMARY KEY (channel, url, kind, version));
     CREATE TABLE quota (
        channel TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
        PRIMARY KEY (channel, day));",
];

/// A state-store failure, naming the database.
#[derive(Debug, thiserror::Error)]
#[error("state database {path}: {source}")]
pub struct StateError {
    pub path: String,
    #[source]
    pub source: rusqlite::Error,
}

/// One posting that changed: its id, URL and a version naming this change (the content
/// hash, or the removal time), so a notification is sent once per change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub url: String,
    pub version: String,
}

/// What changed for the postings of one feed in one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Postings first seen (or back) in this run.
    pub added: Vec<Change>,
    /// Postings whose content changed.
    pub changed: Vec<Change>,
    /// Postings no longer published.
    pub removed: Vec<Change>,
}

/// A notification waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub url: String,
    pub kind: String,
    pub version: String,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The state database.
pub struct State {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").field("path", &self.path).finish()
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

impl State {
    /// Opens (creating and migrating) `<dir>/jobfeed.sqlite3`.
    pub fn open(dir: &Path) -> Result<State, StateError> {
        let path = dir.join(DB_FILE);
        let shown = path.display().to_string();
        let wrap = |source| StateError {
            path: shown.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| StateError {
            path: shown.clone(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        let conn = Connection::open(&path).map_err(wrap)?;
        // WAL + full sync: a crash never loses a committed first-seen date.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(wrap)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(wrap)?;
        let mut state = State { conn, path: shown };
        state.migrate()?;
        Ok(state)
    }

    /// An in-memory database, for tests and `check`.
    pub fn in_memory() -> Result<State, StateError> {
        let conn = Connection::open_in_memory().map_err(|source| StateError {
            path: ":memory:".into(),
            source,
        })?;
        let mut state = State {
            conn,
            path: ":memory:".into(),
        };
        state.migrate()?;
        Ok(state)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StateError + '_ {
        move |source| StateError {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), StateError> {
        let version: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.err())?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.transaction().map_err(|source| StateError {
                path: self.path.clone(),
                source,
            })?;
            tx.execute_batch(sql).map_err(|source| StateError {
                path: self.path.clone(),
                source,
            })?;
            tx.pragma_update(None, "user_version", i + 1)
                .map_err(|source| StateError {
                    path: self.path.clone(),
                    source,
                })?;
            tx.commit().map_err(|source| StateError {
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// The schema version in use.
    pub fn version(&self) -> Result<usize, StateError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.err())
    }

    /// Records the postings published by one run of `feed` and stamps them:
    /// `updated` becomes the time their content last changed as observed here, so that an
    /// unchanged posting keeps its dates across runs and restarts. Postings that were live
    /// and are missing now get a tombstone.
    pub fn observe(
        &mut self,
        feed: &str,
        postings: &mut [Posting],
        now: DateTime<Utc>,
    ) -> Result<Changes, StateError> {
        self.observe_hashed(feed, postings, now, content_hash)
    }

    /// Like [`State::observe`], with each posting's [`content_hash`] from `hash_of` (the
    /// pipeline keeps them between runs: hashing every posting is most of the work).
    pub fn observe_hashed(
        &mut self,
        feed: &str,
        postings: &mut [Posting],
        now: DateTime<Utc>,
        hash_of: impl Fn(&Posting) -> String,
    ) -> Result<Changes, StateError> {
        let path = self.path.clone();
        let wrap = |source| StateError {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let mut changes = Changes::default();
        let mut seen = BTreeSet::new();
        // Every row of the feed at once: one query instead of one per posting.
        let mut rows: std::collections::HashMap<String, (String, String, String, i64)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, content_hash, changed_at, first_seen, live FROM postings WHERE feed = ?1",
                )
                .map_err(wrap)?;
            stmt.query_map(params![feed], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            })
            .map_err(wrap)?
            .collect::<Result<_, _>>()
            .map_err(wrap)?
        };
        for p in postings.iter_mut() {
            let hash = hash_of(p);
            seen.insert(p.id.clone());
            let row = rows.remove(&p.id);
            match row {
                None => {
                    // First sight: the source's own change time is the truth we have.
                    tx.prepare_cached("INSERT INTO postings (feed, id, url, first_seen, content_hash, changed_at, live) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)")
                        .and_then(|mut st| st.execute(params![feed, p.id, p.url, ts(now), hash, ts(p.updated)]))
                    .map_err(wrap)?;
                    changes.added.push(change(p, &hash));
                }
                Some((old_hash, changed_at, _first, live)) if old_hash == hash => {
                    p.updated = parse_ts(&changed_at).max(p.date_posted);
                    if live == 0 {
                        tx.prepare_cached(
                            "UPDATE postings SET live = 1, url = ?3 WHERE feed = ?1 AND id = ?2",
                        )
                        .and_then(|mut st| st.execute(params![feed, p.id, p.url]))
                        .map_err(wrap)?;
                        changes.added.push(change(p, &hash));
                    }
                }
                Some((_, changed_at, _first, _live)) => {
                    // Content changed since we last saw it: it changed now (or later, if
                    // the source says so), never earlier than the last known change.
                    let at = p.updated.max(now).max(parse_ts(&changed_at));
                    p.updated = at;
                    tx.prepare_cached("UPDATE postings SET url = ?3, content_hash = ?4, changed_at = ?5, live = 1 WHERE feed = ?1 AND id = ?2")
                        .and_then(|mut st| st.execute(params![feed, p.id, p.url, hash, ts(at)]))
                    .map_err(wrap)?;
                    changes.changed.push(change(p, &hash));
                }
            }
        }
        let live: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT id, url FROM postings WHERE feed = ?1 AND live = 1")
                .map_err(wrap)?;
            stmt.query_map(params![feed], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(wrap)?
                .collect::<Result<_, _>>()
                .map_err(wrap)?
        };
        for (id, url) in live {
            if !seen.contains(&id) {
                tx.execute(
                    "UPDATE postings SET live = 0 WHERE feed = ?1 AND id = ?2",
                    params![feed, id],
                )
                .map_err(wrap)?;
                tx.execute(
                    "INSERT OR IGNORE INTO tombstones (feed, id, url, removed_at) VALUES (?1, ?2, ?3, ?4)",
                    params![feed, id, url, ts(now)],
                )
                .map_err(wrap)?;
                changes.removed.push(Change {
                    id,
                    url,
                    version: format!("removed-{}", ts(now)),
                });
            }
        }
        tx.commit().map_err(wrap)?;
        Ok(changes)
    }

    /// First-seen time of every posting of `feed` ever observed.
    pub fn first_seen(&self, feed: &str) -> Result<BTreeMap<String, DateTime<Utc>>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, first_seen FROM postings WHERE feed = ?1")
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![feed], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(self.err())?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, t) = row.map_err(self.err())?;
            out.insert(id, parse_ts(&t));
        }
        Ok(out)
    }

    /// The URL of each live posting of `feed`, by id: who holds an id now.
    pub fn live_urls(
        &self,
        feed: &str,
    ) -> Result<std::collections::HashMap<String, String>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, url FROM postings WHERE feed = ?1 AND live = 1")
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![feed], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Tombstones of `feed`: (id, url, removed_at), oldest first.
    pub fn tombstones(
        &self,
        feed: &str,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, url, removed_at FROM tombstones WHERE feed = ?1 ORDER BY removed_at, id")
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![feed], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, url, t) = row.map_err(self.err())?;
            out.push((id, url, parse_ts(&t)));
        }
        Ok(out)
    }

    /// Queues a notification unless this exact one (channel, url, kind, version) was
    /// queued before: each change is announced once, across restarts.
    pub fn enqueue(
        &self,
        channel: &str,
        feed: &str,
        p: &Pending,
        at: DateTime<Utc>,
    ) -> Result<bool, StateError> {
        let queued = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO notifications (channel, feed, url, kind, version, queued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![channel, feed, p.url, p.kind, p.version, ts(at)],
            )
            .map(|n| n == 1)
            .map_err(self.err())?;
        if queued {
            // The newest word on a URL supersedes the other kinds: a job removed and then
            // back with the content it had is announced again, and a pending update of a
            // job removed since is not sent.
            self.conn
                .execute(
                    "DELETE FROM notifications WHERE channel = ?1 AND url = ?2 AND kind != ?3",
                    params![channel, p.url, p.kind],
                )
                .map_err(self.err())?;
        }
        Ok(queued)
    }

    /// Notifications of `feed` on `channel` not sent yet, oldest first.
    pub fn pending(&self, channel: &str, feed: &str) -> Result<Vec<Pending>, StateError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT url, kind, version FROM notifications
                 WHERE channel = ?1 AND feed = ?2 AND sent_at IS NULL
                 ORDER BY queued_at, url, kind",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![channel, feed], |r| {
                Ok(Pending {
                    url: r.get(0)?,
                    kind: r.get(1)?,
                    version: r.get(2)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Records that a queued notification was sent.
    pub fn mark_sent(
        &self,
        channel: &str,
        p: &Pending,
        at: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE notifications SET sent_at = ?5, attempts = attempts + 1, last_error = NULL
                 WHERE channel = ?1 AND url = ?2 AND kind = ?3 AND version = ?4",
                params![channel, p.url, p.kind, p.version, ts(at)],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Records a failed attempt; the notification stays queued.
    pub fn mark_failed(&self, channel: &str, p: &Pending, error: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE notifications SET attempts = attempts + 1, last_error = ?5
                 WHERE channel = ?1 AND url = ?2 AND kind = ?3 AND version = ?4",
                params![channel, p.url, p.kind, p.version, error],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// How many notifications on `channel` were sent for `url` with `kind` (any version).
    pub fn sent_count(&self, channel: &str, url: &str, kind: &str) -> Result<u32, StateError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM notifications WHERE channel = ?1 AND url = ?2 AND kind = ?3 AND sent_at IS NOT NULL",
                params![channel, url, kind],
                |r| r.get(0),
            )
            .map_err(self.err())
    }

    /// Requests used on `channel` on `day` (a calendar day in the quota's zone).
    pub fn quota_used(&self, channel: &str, day: &str) -> Result<u32, StateError> {
        self.conn
            .query_row(
                "SELECT used FROM quota WHERE channel = ?1 AND day = ?2",
                params![channel, day],
                |r| r.get(0),
            )
            .optional()
            .map(|o| o.unwrap_or(0))
            .map_err(self.err())
    }

    /// Adds `n` to the requests used on `channel` on `day`.
    pub fn quota_add(&self, channel: &str, day: &str, n: u32) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO quota (channel, day, used) VALUES (?1, ?2, ?3)
                 ON CONFLICT (channel, day) DO UPDATE SET used = used + ?3",
                params![channel, day, n],
            )
            .map(|_| ())
            .map_err(self.err())
    }
}

fn change(p: &Posting, hash: &str) -> Change {
    Change {
        id: p.id.clone(),
        url: p.url.clone(),
        version: hash.to_string(),
    }
}

/// Hash of everything a reader sees of a posting, except the change time itself.
pub fn content_hash(p: &Posting) -> String {
    let mut copy = p.clone();
    copy.updated = DateTime::<Utc>::UNIX_EPOCH;
    copy.origin = None;
    let bytes = serde_json::to_vec(&copy).expect("postings serialise");
    blake3::hash(&bytes).to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_posting;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0).unwrap()
    }

    #[test]
    fn unchanged_posting_keeps_its_updated_time_and_changed_one_moves() {
        let mut s = State::in_memory().unwrap();
        let mut ps = vec![test_posting()];
        let source_updated = ps[0].updated;
        let c = s.observe("f", &mut ps, at(1)).unwrap();
        assert_eq!(c.added.len(), 1);
        assert_eq!(ps[0].updated, source_updated);

        let mut again = vec![test_posting()];
        let c = s.observe("f", &mut again, at(2)).unwrap();
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(again[0].updated, source_updated);

        let mut edited = vec![test_posting()];
        edited[0].title = "Senior Platform Engineer".into();
        let c = s.observe("f", &mut edited, at(3)).unwrap();
        assert_eq!(c.changed.len(), 1);
        assert_eq!(edited[0].updated, at(3));
    }

    #[test]
    fn removed_posting_gets_one_tombstone_and_keeps_its_first_seen_date() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = State::open(dir.path()).unwrap();
            s.observe("f", &mut [test_posting()], at(1)).unwrap();
        }
        // A restart: the same file, reopened.
        let mut s = State::open(dir.path()).unwrap();
        assert_eq!(s.version().unwrap(), MIGRATIONS.len());
        let held = s.live_urls("f").unwrap();
        assert_eq!(held.get(&test_posting().id), Some(&test_posting().url));
        let c = s.observe("f", &mut [], at(2)).unwrap();
        assert!(
            s.live_urls("f").unwrap().is_empty(),
            "a removed posting holds no id"
        );
        assert_eq!(c.removed.len(), 1);
        assert_eq!(
            (c.removed[0].id.clone(), c.removed[0].url.clone()),
            (test_posting().id, test_posting().url)
        );
        let c = s.observe("f", &mut [], at(3)).unwrap();
        assert!(c.removed.is_empty());
        assert_eq!(s.tombstones("f").unwrap().len(), 1);
        assert_eq!(s.first_seen("f").unwrap()[&test_posting().id], at(1));
    }

    #[test]
    fn notification_ledger_and_quota_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pending {
            url: "https://x.test/a".into(),
            kind: "URL_DELETED".into(),
            version: "v1".into(),
        };
        {
            let s = State::open(dir.path()).unwrap();
            assert!(s.enqueue("google", "f", &p, at(1)).unwrap());
            assert!(
                !s.enqueue("google", "f", &p, at(1)).unwrap(),
                "queued twice"
            );
            assert_eq!(s.pending("google", "f").unwrap(), vec![p.clone()]);
            s.mark_sent("google", &p, at(1)).unwrap();
            s.quota_add("google", "2026-11-28", 3).unwrap();
        }
        let s = State::open(dir.path()).unwrap();
        assert!(s.pending("google", "f").unwrap().is_empty());
        assert!(
            !s.enqueue("google", "f", &p, at(2)).unwrap(),
            "a sent change is never queued again"
        );
        assert_eq!(
            s.sent_count("google", "https://x.test/a", "URL_DELETED")
                .unwrap(),
            1
        );
        assert_eq!(s.quota_used("google", "2026-11-28").unwrap(), 3);
    }

    #[test]
    fn a_url_removed_and_back_with_the_same_content_is_announced_again() {
        let s = State::in_memory().unwrap();
        let note = |kind: &str| Pending {
            url: "https://x.test/a".into(),
            kind: kind.into(),
            version: "v1".into(),
        };
        let (update, delete) = (note("update"), note("delete"));
        assert!(s.enqueue("indexnow", "f", &update, at(1)).unwrap());
        s.mark_sent("indexnow", &update, at(1)).unwrap();
        assert!(s.enqueue("indexnow", "f", &delete, at(2)).unwrap());
        s.mark_sent("indexnow", &delete, at(2)).unwrap();
        assert!(
            s.enqueue("indexnow", "f", &update, at(3)).unwrap(),
            "back after a removal"
        );
        assert_eq!(s.pending("indexnow", "f").unwrap(), vec![update.clone()]);
        // A removal before the update went out: only the removal is sent.
        assert!(s.enqueue("indexnow", "f", &delete, at(4)).unwrap());
        assert_eq!(s.pending("indexnow", "f").unwrap(), vec![delete]);
    }
}
