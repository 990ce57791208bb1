//! The published outputs held in memory: compressed once per change, served with
//! weak ETags, Last-Modified and 304s. A snapshot is immutable and swapped whole.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};

/// One servable file in every encoding it is offered in.
#[derive(Debug, Clone)]
pub struct Entry {
    pub identity: Bytes,
    pub gzip: Option<Bytes>,
    pub br: Option<Bytes>,
    pub content_type: &'static str,
    /// Weak ETag (`W/"…"`): the same for every encoding of the same content.
    pub etag: String,
    /// When this content was first published.
    pub last_modified: DateTime<Utc>,
    /// Worth compressing but not compressed yet: served as identity until
    /// [`Entry::compressed`] has run (see [`Snapshot::pending`]).
    pub pending: bool,
}

impl Entry {
    /// Builds an entry, compressing text formats worth compressing.
    pub fn new(path: &str, bytes: Vec<u8>, last_modified: DateTime<Utc>) -> Self {
        Self::uncompressed(path, bytes, last_modified).compressed()
    }

    /// Builds an entry that can be served at once, as identity; compression comes later.
    pub fn uncompressed(path: &str, bytes: Vec<u8>, last_modified: DateTime<Utc>) -> Self {
        let key = blake3::hash(&bytes);
        Self::named(path, bytes, key, last_modified)
    }

    /// Like [`Entry::uncompressed`], with `key` naming the bytes (equal keys, equal bytes).
    pub fn named(
        path: &str,
        bytes: Vec<u8>,
        key: blake3::Hash,
        last_modified: DateTime<Utc>,
    ) -> Self {
        let content_type = content_type(path);
        let etag = format!("W/\"{}\"", &key.to_hex()[..32]);
        let pending = bytes.len() >= 256 && !content_type.starts_with("application/octet-stream");
        Entry {
            identity: crate::buffers::share(bytes),
            gzip: None,
            br: None,
            content_type,
            etag,
            last_modified,
            pending,
        }
    }

    /// The entry with its compressed forms made (when pending; the identity bytes are shared).
    pub fn compressed(self) -> Self {
        self.compressed_with(&mut super::gzip::ChunkCache::default())
    }

    /// Like [`Entry::compressed`], large files gzipped from `chunks` (see [`super::gzip`]).
    /// Brotli, which cannot be pieced together that way, is made for files up to
    /// [`BROTLI_MAX`] only: a large feed is offered as gzip, redone only where it changed.
    pub fn compressed_with(mut self, chunks: &mut super::gzip::ChunkCache) -> Self {
        if self.pending {
            self.gzip = Some(if self.identity.len() >= CHUNKED_MIN {
                Bytes::from(chunks.gzip(&self.identity))
            } else {
                gzip(&self.identity)
            });
            if self.identity.len() <= BROTLI_MAX {
                self.br = Some(brotli(&self.identity));
            }
            self.pending = false;
        }
        self
    }
}

/// Files from this size on are gzipped by chunks.
pub const CHUNKED_MIN: usize = 256 << 10;
/// Files above this size get no brotli form.
pub const BROTLI_MAX: usize = 4 << 20;

/// What a feed's file is in a new snapshot: new bytes, or the entry already served.
#[derive(Debug)]
pub enum Published {
    Bytes(Vec<u8>, DateTime<Utc>),
    /// New bytes and a key naming them (see [`Entry::named`]).
    Named(Vec<u8>, blake3::Hash, DateTime<Utc>),
    Same(Arc<Entry>),
}

fn gzip(bytes: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(bytes).expect("in-memory gzip");
    Bytes::from(enc.finish().expect("in-memory gzip"))
}

fn brotli(bytes: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(bytes).expect("in-memory brotli");
    }
    Bytes::from(out)
}

/// Everything served, keyed by URL path (`/example/rss.xml`).
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub files: HashMap<String, Arc<Entry>>,
}

impl Snapshot {
    /// A new snapshot in which feed `feed`'s files are exactly `files` (path under the feed,
    /// bytes, publication time). Unchanged files keep their entry (and compressed bytes);
    /// new content is served as identity until compressed (see [`Snapshot::pending`]).
    pub fn with_feed(&self, feed: &str, files: Vec<(String, Vec<u8>, DateTime<Utc>)>) -> Snapshot {
        self.with_feed_files(
            feed,
            files
                .into_iter()
                .map(|(path, bytes, modified)| (path, Published::Bytes(bytes, modified)))
                .collect(),
        )
    }

    /// Like [`Snapshot::with_feed`], where files known unchanged pass their entry along
    /// (no reading, hashing or compressing them again).
    pub fn with_feed_files(&self, feed: &str, files: Vec<(String, Published)>) -> Snapshot {
        let prefix = format!("/{feed}/");
        let mut map: HashMap<String, Arc<Entry>> = self
            .files
            .iter()
            .filter(|(k, _)| !k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (path, entry) in self.entries(feed, files) {
            map.insert(format!("{prefix}{path}"), entry);
        }
        Snapshot { files: map }
    }

    /// The entries of feed `feed`'s `files`, by path under the feed. New bytes keep the
    /// entry served now when its ETag is the same (with its compressed forms); they are
    /// hashed for their ETags on every core (feeds run to many megabytes).
    pub fn entries(
        &self,
        feed: &str,
        files: Vec<(String, Published)>,
    ) -> Vec<(String, Arc<Entry>)> {
        use rayon::prelude::*;
        files
            .into_par_iter()
            .map(|(path, file)| {
                let key = format!("/{feed}/{path}");
                let fresh = match file {
                    Published::Same(entry) => return (path, entry),
                    Published::Named(bytes, name, modified) => {
                        Entry::named(&key, bytes, name, modified)
                    }
                    Published::Bytes(bytes, modified) => Entry::uncompressed(&key, bytes, modified),
                };
                let entry = match self.files.get(&key) {
                    Some(old) if old.etag == fresh.etag => old.clone(),
                    _ => Arc::new(fresh),
                };
                (path, entry)
            })
            .collect()
    }

    /// A snapshot with `entries` added or replaced under feed `feed` (the feed's other
    /// files stay: a run's posting documents go live before its feeds).
    pub fn with_entries(&self, feed: &str, entries: &[(String, Arc<Entry>)]) -> Snapshot {
        let mut s = self.clone();
        for (path, e) in entries {
            s.files.insert(format!("/{feed}/{path}"), e.clone());
        }
        s
    }

    /// Entries still waiting for their compressed forms, smallest first (so that most
    /// files are served compressed soon), keyed by path.
    pub fn pending(&self) -> Vec<(String, Arc<Entry>)> {
        let mut pending: Vec<(String, Arc<Entry>)> = self
            .files
            .iter()
            .filter(|(_, e)| e.pending)
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect();
        pending.sort_by(|a, b| (a.1.identity.len(), &a.0).cmp(&(b.1.identity.len(), &b.0)));
        pending
    }

    /// This snapshot with `done` entries swapped in where the content is still the same
    /// (a newer run may have replaced it meanwhile).
    pub fn with_compressed(&self, done: &HashMap<String, Arc<Entry>>) -> Snapshot {
        let mut s = self.clone();
        for (k, e) in done {
            if let Some(cur) = s.files.get_mut(k)
                && cur.pending
                && cur.etag == e.etag
            {
                *cur = e.clone();
            }
        }
        s
    }

    /// A snapshot with one extra file outside any feed (e.g. the IndexNow key file).
    pub fn with_file(&self, key: String, bytes: Vec<u8>, modified: DateTime<Utc>) -> Snapshot {
        let mut s = self.clone();
        let entry = Arc::new(Entry::new(&key, bytes, modified));
        s.files.insert(key, entry);
        s
    }
}

/// Content type by file name, following the output layout.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit('.').next().unwrap_or("") {
        _ if name == "rss.xml" => "application/rss+xml; charset=utf-8",
        _ if name == "atom.xml" => "application/atom+xml; charset=utf-8",
        _ if name == "feed.json" => "application/feed+json; charset=utf-8",
        "jsonld" => "application/ld+json; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// HTTP-date (RFC 9110 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Br,
}

/// Picks the best encoding the client accepts (q=0 refuses), preferring brotli.
fn negotiate(headers: &HeaderMap, entry: &Entry) -> Encoding {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let accepts = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (coding.eq_ignore_ascii_case(name) || coding == "*") && q > 0.0
        })
    };
    if entry.br.is_some() && accepts("br") {
        Encoding::Br
    } else if entry.gzip.is_some() && accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether the client's cached copy is current (`If-None-Match`, else `If-Modified-Since`).
fn not_modified(headers: &HeaderMap, entry: &Entry) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        let base = entry.etag.trim_start_matches("W/");
        return inm.to_str().is_ok_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == base || t == "*")
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .is_some_and(|since| entry.last_modified.timestamp() <= since.timestamp())
}

/// Answers a GET or HEAD for `entry`.
pub fn respond(entry: &Entry, method: &Method, headers: &HeaderMap) -> Response {
    let builder = Response::builder()
        .header(
            header::ETAG,
            HeaderValue::from_str(&entry.etag).expect("hex etag"),
        )
        .header(header::LAST_MODIFIED, http_date(entry.last_modified))
        .header(header::CACHE_CONTROL, "public, max-age=60, must-revalidate")
        .header(header::VARY, "Accept-Encoding")
        .header(header::CONTENT_TYPE, entry.content_type);
    if not_modified(headers, entry) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("static response");
    }
    let (bytes, builder) = match negotiate(headers, entry) {
        Encoding::Br => (
            entry.br.clone().expect("negotiated"),
            builder.header(header::CONTENT_ENCODING, "br"),
        ),
        Encoding::Gzip => (
            entry.gzip.clone().expect("negotiated"),
            builder.header(header::CONTENT_ENCODING, "gzip"),
        ),
        Encoding::Identity => (entry.identity.clone(), builder),
    };
    let builder = builder.header(header::CONTENT_LENGTH, bytes.len());
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    builder
        .status(StatusCode::OK)
        .body(body)
        .expect("static response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0).unwrap()
    }

    #[test]
    fn unchanged_files_keep_their_entry_and_changed_ones_get_a_new_etag() {
        let s = Snapshot::default().with_feed(
            "ex",
            vec![
                ("rss.xml".into(), b"<rss>one</rss>".to_vec(), t(1)),
                ("a.jsonld".into(), b"{}".to_vec(), t(1)),
            ],
        );
        let s2 = s.with_feed(
            "ex",
            vec![
                ("rss.xml".into(), b"<rss>two</rss>".to_vec(), t(2)),
                ("a.jsonld".into(), b"{}".to_vec(), t(2)),
            ],
        );
        assert!(Arc::ptr_eq(
            &s.files["/ex/a.jsonld"],
            &s2.files["/ex/a.jsonld"]
        ));
        assert_eq!(s2.files["/ex/a.jsonld"].last_modified, t(1));
        assert_ne!(s.files["/ex/rss.xml"].etag, s2.files["/ex/rss.xml"].etag);
        let s3 = s2.with_feed("ex", vec![]);
        assert!(
            s3.files.is_empty(),
            "a feed's removed files are gone at once"
        );
    }

    #[test]
    fn gzip_and_brotli_bodies_decode_to_the_same_bytes() {
        let body = "<rss>".repeat(200).into_bytes();
        let e = Entry::new("/ex/rss.xml", body.clone(), t(1));
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&e.gzip.clone().unwrap()[..]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, body);
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut brotli::Decompressor::new(&e.br.clone().unwrap()[..], 4096),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, body);
    }

    #[test]
    fn if_modified_since_at_or_after_last_modified_is_not_modified() {
        let e = Entry::new("/ex/rss.xml", b"x".to_vec(), t(5));
        let mut h = HeaderMap::new();
        h.insert(header::IF_MODIFIED_SINCE, http_date(t(5)).parse().unwrap());
        assert!(not_modified(&h, &e));
        h.insert(header::IF_MODIFIED_SINCE, http_date(t(4)).parse().unwrap());
        assert!(!not_modified(&h, &e));
    }

    /// Guards "new content is served at once": a changed file is in the snapshot before it
    /// is compressed, and compression later swaps in the same content with its encodings.
    #[test]
    fn new_content_is_served_as_identity_until_compressed_then_with_encodings() {
        let body = "<rss>".repeat(200).into_bytes();
        let s = Snapshot::default().with_feed("ex", vec![("rss.xml".into(), body.clone(), t(1))]);
        let e = &s.files["/ex/rss.xml"];
        assert!(e.pending && e.gzip.is_none());
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, "gzip, br".parse().unwrap());
        assert!(
            respond(e, &Method::GET, &h)
                .headers()
                .get(header::CONTENT_ENCODING)
                .is_none()
        );
        let done: HashMap<String, Arc<Entry>> = s
            .pending()
            .into_iter()
            .map(|(k, e)| (k, Arc::new(e.as_ref().clone().compressed())))
            .collect();
        let s2 = s.with_compressed(&done);
        let e2 = &s2.files["/ex/rss.xml"];
        assert!(!e2.pending && e2.br.is_some());
        assert_eq!(e2.etag, e.etag);
        assert_eq!(
            respond(e2, &Method::GET, &h).headers()[header::CONTENT_ENCODING],
            "br"
        );
        // Compression finished for content a newer run replaced is not swapped in.
        let s3 = s.with_feed(
            "ex",
            vec![("rss.xml".into(), b"<rss>new</rss>".repeat(30), t(2))],
        );
        assert!(s3.with_compressed(&done).files["/ex/rss.xml"].pending);
        // Files known unchanged keep their very entry.
        let s4 = s2.with_feed_files("ex", vec![("rss.xml".into(), Published::Same(e2.clone()))]);
        assert!(Arc::ptr_eq(&s4.files["/ex/rss.xml"], e2));
    }
}
