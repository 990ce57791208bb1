//! Work kept between runs of a feed, so a run after one edit redoes only what the edit
//! touched: results of pure per-posting steps, keyed by a hash of everything they read.
//!
//! A run reads the previous run's entries and records the ones it used or made; at its end
//! [`Cache::finish_run`] keeps exactly those, so memory follows the current content. Every
//! entry is the output of a pure function of its key's inputs, so an entry is never stale:
//! a changed posting, body or feed configuration simply has another key.

use crate::lock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::diag::Diagnostic;
use crate::model::Posting;
use crate::render::Rendered;
use crate::source::RawPosting;
use crate::source::markdown::body::Body;

/// A content hash naming one entry.
pub type Key = blake3::Hash;

/// The caches of one feed (the daemon keeps one per feed; `build` uses a lean one per run).
pub struct Cache {
    /// Which feed configuration the entries were made under (render output depends on it).
    config: Option<Key>,
    /// Keep bytes (bodies, items, files)? Without, only verdicts are kept: small enough
    /// for a one-off build, where a verdict is still shared by the files of one run.
    bytes: bool,
    /// A markdown page by its file's metadata → what reading it gave.
    pub pages: Table<Arc<PageRead>>,
    /// A posting's content key → its hash in the state store.
    pub state_hashes: Table<String>,
    /// A raw posting by its content key → normalised.
    pub normalised: Table<Arc<crate::normalise::Outcome>>,
    /// Markdown body → sanitised HTML and text.
    pub bodies: Table<Arc<Body>>,
    /// A posting's JSON-LD checked against Google's rules.
    pub checks: Table<Arc<Checked>>,
    /// One posting's item of one output (bytes when kept) and whether it passed the gate.
    pub items: Table<Arc<Item>>,
    /// One posting's JSON-LD files of one output, all of which passed the gate.
    pub files: Table<Arc<Vec<Rendered>>>,
    /// Files of items that passed the gate, by a key over their envelope and items.
    pub feed_files: Table<()>,
    /// A posting's content key → whether LinkedIn's rules let it into that feed (and why
    /// not): deciding reads the whole description.
    pub linkedin: Table<Result<(), String>>,
    /// Whether the last run's files were all published: only then may a file rendered
    /// the same as in that run be kept where it is instead of handed over again.
    published: bool,
}

/// A posting's findings under Google's rules and, when it passed, the hash of its JSON-LD
/// as a `.jsonld` file.
pub type Checked = (Vec<Diagnostic>, Option<Key>);

/// A markdown page as read: its posting (none when not published or broken) and findings.
#[derive(Debug)]
pub struct PageRead {
    pub posting: Option<RawPosting>,
    pub diagnostics: Vec<Diagnostic>,
    /// Hidden by a publish date still to come: from then on the file must be read again.
    pub hidden_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// A rendered item and the gate's verdict on it, decided once.
#[derive(Debug, Default)]
pub struct Item {
    pub bytes: Option<Vec<u8>>,
    pub passed: OnceLock<bool>,
}

impl Cache {
    /// A cache that keeps rendered bytes between runs (for the daemon).
    pub fn new() -> Self {
        Self::with_bytes(true)
    }

    /// A cache of verdicts only: items checked once per run even when several files hold
    /// them, without keeping every rendered byte in memory (for `build` and `check`).
    pub fn lean() -> Self {
        Self::with_bytes(false)
    }

    fn with_bytes(bytes: bool) -> Self {
        Cache {
            config: None,
            bytes,
            pages: Table::default(),
            state_hashes: Table::default(),
            normalised: Table::default(),
            bodies: Table::default(),
            checks: Table::default(),
            items: Table::default(),
            files: Table::default(),
            feed_files: Table::default(),
            linkedin: Table::default(),
            published: false,
        }
    }

    /// Whether the files of the last run are in place (see [`Cache::set_published`]).
    pub fn published(&self) -> bool {
        self.published
    }

    /// Records whether the run just finished had all its files published.
    pub fn set_published(&mut self, ok: bool) {
        self.published = ok;
    }

    /// The hash of the feed configuration the entries were made under.
    pub fn config(&self) -> Key {
        self.config.unwrap_or_else(|| key(&[]))
    }

    /// Whether rendered bytes are kept.
    pub fn keeps_bytes(&self) -> bool {
        self.bytes
    }

    /// `table`'s entry for `key`, made by `make` when missing. The daemon's cache keeps
    /// every entry for later runs; a lean one serves one run, so it keeps an entry only when
    /// `read_again` (another file of the same run needs it) and otherwise makes it and lets
    /// it go (at 100,000 postings, entries read once were about 100 MB).
    pub fn entry<V: Clone>(
        &self,
        table: &Table<V>,
        key: Key,
        read_again: bool,
        make: impl FnOnce() -> V,
    ) -> V {
        if self.bytes || read_again {
            table.get_or(key, make)
        } else {
            make()
        }
    }

    /// Starts a run under the feed configuration with hash `config`: entries made under
    /// another configuration are dropped.
    pub fn begin_run(&mut self, config: Key) {
        if self.config != Some(config) {
            *self = Self::with_bytes(self.bytes);
            self.config = Some(config);
        }
    }

    /// Ends a run: what it used or made is kept for the next one, the rest dropped.
    pub fn finish_run(&mut self) {
        self.pages.rotate();
        self.state_hashes.rotate();
        self.normalised.rotate();
        self.bodies.rotate();
        self.checks.rotate();
        self.items.rotate();
        self.files.rotate();
        self.feed_files.rotate();
        self.linkedin.rotate();
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("bytes", &self.bytes)
            .field("pages", &self.pages.len())
            .field("state_hashes", &self.state_hashes.len())
            .field("normalised", &self.normalised.len())
            .field("bodies", &self.bodies.len())
            .field("checks", &self.checks.len())
            .field("items", &self.items.len())
            .field("files", &self.files.len())
            .field("feed_files", &self.feed_files.len())
            .field("linkedin", &self.linkedin.len())
            .field("published", &self.published)
            .finish()
    }
}

impl Default for Cache {
    fn default() -> Self {
        Self::new()
    }
}

/// Entries of the previous run (read-only during a run) and of this one.
pub struct Table<V> {
    prev: HashMap<Key, V>,
    next: Mutex<HashMap<Key, V>>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            prev: HashMap::new(),
            next: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Table<V> {
    /// The entry for `key`, made by `make` when neither this run nor the last has it.
    pub fn get_or(&self, key: Key, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(&key) {
            return v;
        }
        // Made outside the lock: making is the expensive part, and runs in parallel.
        let v = make();
        lock(&self.next).entry(key).or_insert(v).clone()
    }

    /// The entry for `key`, if this run or the last has one.
    pub fn get(&self, key: &Key) -> Option<V> {
        if let Some(v) = self.prev.get(key) {
            lock(&self.next).entry(*key).or_insert_with(|| v.clone());
            return Some(v.clone());
        }
        lock(&self.next).get(key).cloned()
    }

    /// Records an entry made by this run.
    pub fn put(&self, key: Key, v: V) {
        lock(&self.next).insert(key, v);
    }

    /// Entries kept for the next run.
    pub fn len(&self) -> usize {
        lock(&self.next).len() + self.prev.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn rotate(&mut self) {
        self.prev = std::mem::take(self.next.get_mut().unwrap_or_else(|e| e.into_inner()));
    }
}

/// A key over several labelled parts (a part may hold any byte, so each is length-prefixed).
pub fn key(parts: &[&[u8]]) -> Key {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()
}

/// The hash of a posting's whole content: equal hashes, equal renders.
pub fn posting_key(p: &Posting) -> Key {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // The description is most of a posting, and escaping it for JSON most of the cost of
    // serialising: it is hashed as it is, the rest as JSON (the clone shares the description).
    let mut rest = p.clone();
    let description = std::mem::take(&mut rest.description_html);
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        serde_json::to_writer(&mut *buf, &rest).expect("postings serialise");
        key(&[buf, &description.packed()])
    })
}

/// The hash of any serialisable value (the feed configuration).
pub fn value_key<T: serde::Serialize>(v: &T) -> Key {
    blake3::hash(&serde_json::to_vec(v).expect("configuration serialises"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_keeps_only_the_entries_it_used_or_made() {
        let mut t: Table<u32> = Table::default();
        let (a, b) = (key(&[b"a"]), key(&[b"b"]));
        assert_eq!(t.get_or(a, || 1), 1);
        assert_eq!(t.get_or(b, || 2), 2);
        t.rotate();
        // The second run uses only `a`: `b` is gone after it, `a` is not made again.
        assert_eq!(t.get_or(a, || unreachable!("kept from the last run")), 1);
        t.rotate();
        assert_eq!(t.get(&b), None);
        assert_eq!(t.get(&a), Some(1));
    }

    #[test]
    fn posting_keys_follow_the_description_and_every_other_field() {
        let p = crate::model::test_posting();
        let mut q = p.clone();
        assert_eq!(posting_key(&p), posting_key(&q));
        q.description_html = format!("{}<p>More.</p>", p.description_html).into();
        assert_ne!(posting_key(&p), posting_key(&q));
        let mut r = p.clone();
        r.title.push('!');
        assert_ne!(posting_key(&p), posting_key(&r));
    }

    #[test]
    fn keys_of_different_part_splits_differ() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
    }

    #[test]
    fn another_configuration_starts_from_nothing() {
        let mut c = Cache::new();
        c.begin_run(key(&[b"one"]));
        c.checks.put(key(&[b"p"]), Arc::new((Vec::new(), None)));
        c.finish_run();
        c.begin_run(key(&[b"one"]));
        assert_eq!(c.checks.len(), 1);
        c.finish_run();
        c.begin_run(key(&[b"two"]));
        assert!(c.checks.is_empty());
    }
}
