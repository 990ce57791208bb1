//! The HTTP face of the daemon: published outputs from memory, ops endpoints
//! (`/healthz`, `/readyz`, `/metrics`), the status page at `/`, and admin triggers.

pub mod files;
pub mod gzip;
pub mod listen;
pub mod status;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::daemon::Shared;

/// The full router over the daemon's shared state.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(status::page))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/admin/feeds/{id}/run", post(admin_run))
        .fallback(serve_file)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            count_requests,
        ))
        .with_state(shared)
}

async fn count_requests(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    shared.metrics.inc(
        "jobfeed_http_requests_total",
        "HTTP requests by status.",
        &[("status", &status)],
        1.0,
    );
    resp
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n")
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    if shared.ready() {
        text(StatusCode::OK, "ready\n")
    } else {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: a feed has not published yet\n",
        )
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        shared.metrics.render(),
    )
        .into_response()
}

/// Compares in time independent of where the strings differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

async fn admin_run(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = shared
        .settings
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return text(
            StatusCode::FORBIDDEN,
            "admin endpoints are disabled: set JOBFEED_ADMIN_TOKEN\n",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer")
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("a valid bearer token is required\n"))
            .expect("static response");
    }
    if shared.trigger(&id) {
        text(StatusCode::ACCEPTED, "run queued\n")
    } else {
        text(StatusCode::NOT_FOUND, "no such feed\n")
    }
}

async fn serve_file(State(shared): State<Arc<Shared>>, method: Method, req: Request) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header(header::ALLOW, "GET, HEAD")
            .body(Body::empty())
            .expect("static response");
    }
    let snap = shared.snapshot();
    // Exact lookup only: `..`, encoded or not, can never name anything outside the snapshot.
    match snap.files.get(req.uri().path()) {
        Some(entry) => files::respond(entry, &method, req.headers()),
        None => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
