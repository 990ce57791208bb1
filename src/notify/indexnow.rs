//! IndexNow: one POST per host with the changed and removed URLs (at most 10,000 each).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{INDEXNOW, Sent, record};
use crate::config::IndexNowConfig;
use crate::state::{Pending, State};

const MAX_URLS: usize = 10_000;

pub async fn send(
    client: &reqwest::Client,
    cfg: &IndexNowConfig,
    items: &[Pending],
    state: &Mutex<State>,
    now: DateTime<Utc>,
) -> Sent {
    let mut by_host: BTreeMap<String, Vec<Pending>> = BTreeMap::new();
    for p in items {
        let host = url::Url::parse(&p.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        by_host.entry(host).or_default().push(p.clone());
    }
    let mut sent = Sent {
        channel: INDEXNOW,
        sent: 0,
        failed: 0,
        error: None,
    };
    for (host, list) in by_host {
        for chunk in list.chunks(MAX_URLS) {
            // The same URL may be queued as update and delete; send it once per batch.
            let mut urls: Vec<&str> = chunk.iter().map(|p| p.url.as_str()).collect();
            urls.sort_unstable();
            urls.dedup();
            let mut body = json!({"host": host, "key": cfg.key, "urlList": urls});
            if let Some(loc) = &cfg.key_location {
                body["keyLocation"] = json!(loc);
            }
            let result = match client
                .post(&cfg.endpoint)
                .header("Content-Type", "application/json; charset=utf-8")
                .body(body.to_string())
                .send()
                .await
            {
                Ok(r) if matches!(r.status().as_u16(), 200 | 202) => Ok(()),
                Ok(r) => Err(format!("{} answered {}", cfg.endpoint, r.status())),
                Err(e) => Err(format!("{}: {e}", cfg.endpoint)),
            };
            match &result {
                Ok(()) => sent.sent += chunk.len(),
                Err(e) => {
                    sent.failed += chunk.len();
                    sent.error = Some(e.clone());
                }
            }
            record(state, INDEXNOW, chunk, &result, now);
        }
    }
    sent
}
