//! Description HTML held compressed between reading and rendering: descriptions are the
//! largest values of a run (about 490 MB of a 100,000-posting build), each read a few times.
//! A one-off build may move them out of memory into a temporary file ([`Spill`]).

use std::borrow::Cow;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sanitised HTML, LZ4-compressed (real postings to 60–70% of their size). Each render
/// decompresses its own copy, about ten per posting and run: some 7% of a build's time.
/// Clones share the bytes; equal text gives equal bytes, so it compares and hashes as its
/// text would, wherever the bytes are held.
#[derive(Clone)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Held(Arc<[u8]>),
    /// Compressed bytes `at..at + len` of a spill file.
    Spilled {
        to: Arc<Spill>,
        at: u64,
        len: u32,
    },
}

/// A temporary file that a one-off build moves descriptions into as it reads them, so that
/// its memory holds none of them (at 100,000 postings they were 300 MB of the peak; the
/// operating system caches the file instead, and may drop it under pressure). The file has
/// no name and is gone when the last description in it is dropped.
#[derive(Debug)]
pub struct Spill {
    file: std::fs::File,
    end: AtomicU64,
}

impl Spill {
    /// A new, unnamed spill file in `dir`.
    pub fn in_dir(dir: &std::path::Path) -> std::io::Result<Arc<Spill>> {
        Ok(Arc::new(Spill {
            file: tempfile::tempfile_in(dir)?,
            end: AtomicU64::new(0),
        }))
    }

    fn read(&self, at: u64, len: u32) -> Vec<u8> {
        let mut bytes = vec![0; len as usize];
        // The file is this process's own and unnamed: only a failing disk fails here.
        self.file.read_exact_at(&mut bytes, at).expect(
            "a description in the build's temporary spill file could not be read back (is the state directory's disk failing?)",
        );
        bytes
    }

    /// How many bytes were written to it.
    pub fn len(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Html {
    pub fn new(html: &str) -> Self {
        Html(Repr::Held(
            lz4_flex::compress_prepend_size(html.as_bytes()).into(),
        ))
    }

    /// The same HTML kept in `to` instead of memory; unchanged when writing fails (a full
    /// disk costs memory, not the posting).
    pub fn spill(self, to: &Arc<Spill>) -> Self {
        let Repr::Held(bytes) = &self.0 else {
            return self;
        };
        let Ok(len) = u32::try_from(bytes.len()) else {
            return self;
        };
        // Each write has its own range: the cores spill side by side without a lock.
        let at = to.end.fetch_add(u64::from(len), Ordering::Relaxed);
        match to.file.write_all_at(bytes, at) {
            Ok(()) => Html(Repr::Spilled {
                to: to.clone(),
                at,
                len,
            }),
            Err(e) => {
                tracing::debug!(error = %e, "A description stays in memory: the spill file could not be written.");
                self
            }
        }
    }

    /// Whether the bytes are in a spill file rather than memory.
    pub fn is_spilled(&self) -> bool {
        matches!(self.0, Repr::Spilled { .. })
    }

    /// The HTML itself (decompressed: keep it only as long as it is needed).
    pub fn html(&self) -> Text {
        Text(
            lz4_flex::decompress_size_prepended(&self.packed())
                .expect("an Html holds the bytes it compressed"),
        )
    }

    /// Length of the HTML in bytes, without decompressing it.
    pub fn len(&self) -> usize {
        // The size is prepended to the block: a spilled one reads just that.
        let prefix = match &self.0 {
            Repr::Held(bytes) => Cow::Borrowed(&bytes[..]),
            Repr::Spilled { to, at, len } => Cow::Owned(to.read(*at, (*len).min(4))),
        };
        lz4_flex::block::uncompressed_size(&prefix).map_or(0, |(n, _)| n)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The compressed bytes: a key for the content (equal HTML, equal bytes).
    pub fn packed(&self) -> Cow<'_, [u8]> {
        match &self.0 {
            Repr::Held(bytes) => Cow::Borrowed(bytes),
            Repr::Spilled { to, at, len } => Cow::Owned(to.read(*at, *len)),
        }
    }
}

impl PartialEq for Html {
    fn eq(&self, other: &Self) -> bool {
        self.packed() == other.packed()
    }
}

impl Eq for Html {}

impl std::hash::Hash for Html {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.packed().hash(state);
    }
}

/// Decompressed HTML, used as a `str`. Each use checks it is UTF-8 again, with SIMD: that
/// costs a tenth of what making a `String` of it did, and needs no `unsafe`.
pub struct Text(Vec<u8>);

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        simdutf8::basic::from_utf8(&self.0).expect("an Html holds the text it compressed")
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl Default for Html {
    fn default() -> Self {
        Html::new("")
    }
}

impl std::fmt::Debug for Html {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.html(), f)
    }
}

impl std::fmt::Display for Html {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.html())
    }
}

impl From<&str> for Html {
    fn from(s: &str) -> Self {
        Html::new(s)
    }
}

impl From<String> for Html {
    fn from(s: String) -> Self {
        Html::new(&s)
    }
}

impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.html())
    }
}

impl<'de> serde::Deserialize<'de> for Html {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        Ok(Html::new(&s))
    }
}

impl schemars::JsonSchema for Html {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_comes_back_as_it_went_in_and_compares_by_content() {
        let text = "<p>Build and run <strong>our</strong> platform. Æøå €.</p>".repeat(20);
        let h = Html::new(&text);
        assert_eq!(h.html(), text);
        assert_eq!(h.len(), text.len());
        assert!(h.packed().len() < text.len() / 2, "{}", h.packed().len());
        assert_eq!(h, Html::from(text.clone()));
        assert_ne!(h, Html::from("<p>other</p>"));
        assert!(Html::default().is_empty());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Html>(&json).unwrap(), h);
    }

    #[test]
    fn spilled_html_reads_compares_and_hashes_as_held_html() {
        use std::hash::{BuildHasher, RandomState};
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::in_dir(dir.path()).unwrap();
        let texts = [
            "<p>Første. Æøå €.</p>".repeat(30),
            "<p>other</p>".into(),
            String::new(),
        ];
        let held: Vec<Html> = texts.iter().map(|t| Html::new(t)).collect();
        let spilled: Vec<Html> = held.iter().map(|h| h.clone().spill(&spill)).collect();
        let hasher = RandomState::new();
        for ((text, h), s) in texts.iter().zip(&held).zip(&spilled) {
            assert!(s.is_spilled() && !h.is_spilled());
            assert_eq!(s.html(), *text);
            assert_eq!(s.len(), text.len());
            assert_eq!(s, h);
            assert_eq!(hasher.hash_one(s), hasher.hash_one(h));
            assert_eq!(s.packed(), h.packed());
            // Spilling again keeps the one copy.
            assert!(s.clone().spill(&spill).is_spilled());
        }
        assert_ne!(spilled[0], spilled[1]);
        let written: u64 = held.iter().map(|h| h.packed().len() as u64).sum();
        assert_eq!(spill.len(), written);
        // No name on disk: the directory stays empty.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Each description keeps the file open; it outlives the handle it was made with.
        drop(spill);
        assert_eq!(spilled[0].html(), texts[0]);
    }

    #[test]
    fn a_spill_file_needs_a_writable_directory() {
        let missing = std::path::Path::new("/nonexistent/jobfeed-spill");
        assert!(Spill::in_dir(missing).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(s in "\\PC{0,300}") {
            proptest::prop_assert_eq!(Html::new(&s).html(), s);
        }
    }
}
