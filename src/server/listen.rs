//! The listener, hardened for the open internet: a connection cap, a deadline for request
//! headers, size limits (431 for headers, 414 for URLs) and a bounded connection lifetime.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at once; more are closed at accept.
    pub max_connections: usize,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Longest life of one connection, however busy.
    pub connection_lifetime: Duration,
    /// Request line + headers larger than this get 431.
    pub max_header_bytes: usize,
    /// Request targets longer than this get 414.
    pub max_uri_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            connection_lifetime: Duration::from_secs(300),
            max_header_bytes: 32 * 1024,
            max_uri_bytes: 8 * 1024,
        }
    }
}

impl Limits {
    /// Defaults, with overrides from `JOBFEED_MAX_CONNECTIONS` and `JOBFEED_HEADER_TIMEOUT_MS`.
    pub fn from_env() -> Self {
        let mut l = Limits::default();
        if let Some(n) = std::env::var("JOBFEED_MAX_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            l.max_connections = n;
        }
        if let Some(ms) = std::env::var("JOBFEED_HEADER_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            l.header_timeout = Duration::from_millis(ms);
        }
        l
    }
}

/// Refuses over-long request targets before any routing.
pub fn limit_uri(
    max: usize,
) -> impl Fn(Request, Next) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>> + Clone {
    move |req: Request, next: Next| {
        Box::pin(async move {
            if req.uri().to_string().len() > max {
                return (StatusCode::URI_TOO_LONG, "request target too long\n").into_response();
            }
            next.run(req).await
        })
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish
/// (up to 5 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(axum::middleware::from_fn(limit_uri(limits.max_uri_bytes)));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let (stream, _peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "Accept failed.");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = TowerToHyperService::new(app.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192))
            .serve_connection(TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        let lifetime = limits.connection_lifetime;
        tokio::spawn(async move {
            let _ = tokio::time::timeout(lifetime, conn).await;
            drop(permit);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}
