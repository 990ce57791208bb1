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
}

impl Entry {
    /// Builds an entry, compressing text formats worth compressing.
    pub fn new(path: &str, bytes: Vec<u8>, last_modified: DateTime<Utc>) -> Self {
        let content_type = content_type(path);
        let etag = format!("W/\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
        let compressible =
            bytes.len() >= 256 && !content_type.starts_with("application/octet-stream");
        let (gzip, br) = if compressible {
            (Some(gzip(&bytes)), Some(brotli(&bytes)))
        } else {
            (None, None)
        };
        Entry {
            identity: Bytes::from(bytes),
            gzip,
            br,
            content_type,
            etag,
            last_modified,
        }
    }
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
    /// bytes, publication time). Unchanged files keep their entry (and compressed bytes).
    pub fn with_feed(&self, feed: &str, files: Vec<(String, Vec<u8>, DateTime<Utc>)>) -> Snapshot {
        let prefix = format!("/{feed}/");
        let mut map: HashMap<String, Arc<Entry>> = self
            .files
            .iter()
            .filter(|(k, _)| !k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (path, bytes, modified) in files {
            let key = format!("{prefix}{path}");
            let etag = format!("W/\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
            let entry = match self.files.get(&key) {
                Some(old) if old.etag == etag => old.clone(),
                _ => Arc::new(Entry::new(&key, bytes, modified)),
            };
            map.insert(key, entry);
        }
        Snapshot { files: map }
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
}
