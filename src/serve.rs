//! HTTP serving of published outputs from memory: ETag and Last-Modified, 304s, HEAD,
//! the right Content-Type, 404 for unknown paths and 405 for other methods.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;

/// One servable file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub bytes: Arc<[u8]>,
    pub content_type: &'static str,
    pub etag: String,
}

/// Everything served, keyed by URL path (`/example/rss.xml`). Swapped whole, never mixed.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub files: HashMap<String, Entry>,
}

impl Snapshot {
    /// Loads every file under `dir` (hidden files excluded).
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut snap = Snapshot::default();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d)? {
                let e = e?;
                let p = e.path();
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if e.file_type()?.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(dir).unwrap_or(&p);
                    let key = format!(
                        "/{}",
                        rel.components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/")
                    );
                    let bytes = std::fs::read(&p)?;
                    snap.insert(key, bytes);
                }
            }
        }
        Ok(snap)
    }

    /// Adds a file; its type comes from its extension.
    pub fn insert(&mut self, path: String, bytes: Vec<u8>) {
        let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
        let content_type = content_type(&path);
        self.files.insert(
            path,
            Entry {
                bytes: bytes.into(),
                content_type,
                etag,
            },
        );
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

/// The router over a snapshot.
pub fn router(snapshot: Arc<Snapshot>) -> Router {
    Router::new().fallback(handle).with_state(snapshot)
}

async fn handle(
    State(snap): State<Arc<Snapshot>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header(header::ALLOW, "GET, HEAD")
            .body(Body::empty())
            .expect("static response");
    }
    let Some(entry) = snap.files.get(uri.path()) else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("not found\n"))
            .expect("static response");
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == entry.etag || t == "*")
        });
    let builder = Response::builder()
        .header(
            header::ETAG,
            HeaderValue::from_str(&entry.etag).expect("hex etag"),
        )
        .header(header::CACHE_CONTROL, "public, max-age=60")
        .header(header::CONTENT_TYPE, entry.content_type);
    if matches {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("static response");
    }
    let builder = builder.header(header::CONTENT_LENGTH, entry.bytes.len());
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(axum::body::Bytes::from_owner(entry.bytes.clone()))
    };
    builder
        .status(StatusCode::OK)
        .body(body)
        .expect("static response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    fn app() -> Router {
        let mut s = Snapshot::default();
        s.insert("/ex/rss.xml".into(), b"<rss/>".to_vec());
        router(Arc::new(s))
    }

    async fn send(req: axum::http::Request<Body>) -> Response {
        app().oneshot(req).await.unwrap()
    }

    #[tokio::test]
    async fn conditional_get_answers_304_and_unknown_paths_404() {
        let r = send(
            axum::http::Request::get("/ex/rss.xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/rss+xml; charset=utf-8"
        );
        let etag = r.headers()[header::ETAG].clone();
        let r = send(
            axum::http::Request::get("/ex/rss.xml")
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let r = send(
            axum::http::Request::get("/ex/../etc/passwd")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = send(
            axum::http::Request::post("/ex/rss.xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
