//! WebSub: tells the hub that the feed topics (RSS, Atom, JSON Feed) changed.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::{Sent, WEBSUB, record};
use crate::config::WebSubConfig;
use crate::state::{Pending, State};

pub async fn send(
    client: &reqwest::Client,
    cfg: &WebSubConfig,
    items: &[Pending],
    state: &Mutex<State>,
    now: DateTime<Utc>,
) -> Sent {
    let mut sent = Sent {
        channel: WEBSUB,
        sent: 0,
        failed: 0,
        error: None,
    };
    for p in items {
        // `hub.url` is the de-facto publish parameter; some hubs read `hub.topic`.
        let form = [
            ("hub.mode", "publish"),
            ("hub.url", p.url.as_str()),
            ("hub.topic", p.url.as_str()),
        ];
        let result = match client.post(&cfg.hub).form(&form).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("{} answered {}", cfg.hub, r.status())),
            Err(e) => Err(format!("{}: {e}", cfg.hub)),
        };
        match &result {
            Ok(()) => sent.sent += 1,
            Err(e) => {
                sent.failed += 1;
                sent.error = Some(e.clone());
            }
        }
        record(state, WEBSUB, std::slice::from_ref(p), &result, now);
    }
    sent
}
