//! Change notifications: IndexNow, WebSub and the Google Indexing API, told once about each
//! added, changed or removed posting. Queued in the state ledger so restarts never resend.

pub mod google;
pub mod indexnow;
pub mod websub;

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::config::{LoadedFeed, OutputKind};
use crate::state::{Changes, Pending, State, StateError};

pub const INDEXNOW: &str = "indexnow";
pub const WEBSUB: &str = "websub";
pub const GOOGLE: &str = "google";

/// The feed URLs a WebSub hub is told about (RSS, Atom, JSON Feed).
pub fn topics(feed: &LoadedFeed) -> Vec<String> {
    let c = &feed.config;
    c.outputs()
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                OutputKind::Rss | OutputKind::Atom | OutputKind::Jsonfeed
            )
        })
        .filter_map(|o| c.base_url.join(o.path()).ok())
        .map(|u| u.to_string())
        .collect()
}

/// Queues the notifications a run's changes call for, on every configured channel.
/// Returns how many were newly queued.
pub fn enqueue(
    state: &State,
    feed: &LoadedFeed,
    changes: &Changes,
    now: DateTime<Utc>,
) -> Result<usize, StateError> {
    let c = &feed.config;
    let id = &c.id;
    let mut queued = 0;
    let updates = changes.added.iter().chain(&changes.changed);
    if c.notify.indexnow.is_some() {
        for ch in updates.clone() {
            queued += usize::from(state.enqueue(
                INDEXNOW,
                id,
                &pending(&ch.url, "update", &ch.version),
                now,
            )?);
        }
        for ch in &changes.removed {
            queued += usize::from(state.enqueue(
                INDEXNOW,
                id,
                &pending(&ch.url, "delete", &ch.version),
                now,
            )?);
        }
    }
    if c.notify.google.is_some() {
        for ch in updates {
            queued += usize::from(state.enqueue(
                GOOGLE,
                id,
                &pending(&ch.url, google::UPDATED, &ch.version),
                now,
            )?);
        }
        for ch in &changes.removed {
            queued += usize::from(state.enqueue(
                GOOGLE,
                id,
                &pending(&ch.url, google::DELETED, &ch.version),
                now,
            )?);
        }
    }
    if c.notify.websub.is_some() && !changes.is_empty() {
        // One ping per topic per set of changes.
        let mut h = blake3::Hasher::new();
        for ch in changes
            .added
            .iter()
            .chain(&changes.changed)
            .chain(&changes.removed)
        {
            h.update(ch.url.as_bytes());
            h.update(ch.version.as_bytes());
        }
        let version = h.finalize().to_hex()[..32].to_string();
        for topic in topics(feed) {
            queued += usize::from(state.enqueue(
                WEBSUB,
                id,
                &pending(&topic, "publish", &version),
                now,
            )?);
        }
    }
    Ok(queued)
}

fn pending(url: &str, kind: &str, version: &str) -> Pending {
    Pending {
        url: url.to_string(),
        kind: kind.to_string(),
        version: version.to_string(),
    }
}

/// What one channel did in one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub channel: &'static str,
    pub sent: usize,
    pub failed: usize,
    /// Why the failed ones failed (no secrets).
    pub error: Option<String>,
}

/// Sends everything queued for `feed`; what fails stays queued for the next run.
pub async fn send_pending(
    client: &reqwest::Client,
    state: &Mutex<State>,
    feed: &LoadedFeed,
    now: DateTime<Utc>,
) -> Vec<Sent> {
    let mut out = Vec::new();
    let c = &feed.config;
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let queued = |channel: &str| lock().pending(channel, &c.id).unwrap_or_default();
    if let Some(cfg) = &c.notify.indexnow {
        let items = queued(INDEXNOW);
        if !items.is_empty() {
            out.push(indexnow::send(client, cfg, &items, state, now).await);
        }
    }
    if let Some(cfg) = &c.notify.websub {
        let items = queued(WEBSUB);
        if !items.is_empty() {
            out.push(websub::send(client, cfg, &items, state, now).await);
        }
    }
    if let Some(cfg) = &c.notify.google {
        let items = queued(GOOGLE);
        if !items.is_empty() {
            out.push(google::send(client, cfg, &feed.dir, &items, state, now).await);
        }
    }
    for s in &out {
        match &s.error {
            None => {
                tracing::info!(feed = %c.id, channel = s.channel, sent = s.sent, "Change notifications sent.")
            }
            Some(e) => {
                tracing::warn!(feed = %c.id, channel = s.channel, sent = s.sent, failed = s.failed, error = %e, "Some change notifications failed; they stay queued.")
            }
        }
    }
    out
}

/// The HTTP client for notifications: timeouts, a clear User-Agent, few redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("jobfeed/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .expect("static client configuration")
}

/// Marks `items` sent or failed in the ledger.
fn record(
    state: &Mutex<State>,
    channel: &str,
    items: &[Pending],
    result: &Result<(), String>,
    now: DateTime<Utc>,
) {
    let s = state.lock().unwrap_or_else(|e| e.into_inner());
    for p in items {
        let r = match result {
            Ok(()) => s.mark_sent(channel, p, now),
            Err(e) => s.mark_failed(channel, p, e),
        };
        if let Err(e) = r {
            tracing::error!(error = %e, "Could not record a notification in the state store.");
        }
    }
}
