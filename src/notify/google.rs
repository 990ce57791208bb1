//! Google Indexing API: a service-account JWT for an access token, then one
//! `URL_UPDATED`/`URL_DELETED` per URL, within a daily quota kept in the state ledger.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{GOOGLE, Sent, record};
use crate::config::GoogleConfig;
use crate::state::{Pending, State};

pub const UPDATED: &str = "URL_UPDATED";
pub const DELETED: &str = "URL_DELETED";
const SCOPE: &str = "https://www.googleapis.com/auth/indexing";

/// The fields of a service-account key file that are used.
#[derive(Deserialize)]
struct ServiceAccount {
    client_email: String,
    private_key: String,
    #[serde(default = "default_token_uri")]
    token_uri: String,
}

fn default_token_uri() -> String {
    "https://oauth2.googleapis.com/token".into()
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

/// The quota day: Google resets the quota at midnight Pacific time.
pub fn quota_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&chrono_tz::America::Los_Angeles)
        .format("%Y-%m-%d")
        .to_string()
}

async fn access_token(
    client: &reqwest::Client,
    key_file: &Path,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let shown = key_file.display();
    let text = std::fs::read_to_string(key_file)
        .map_err(|e| format!("cannot read the service-account key file {shown}: {e}"))?;
    let sa: ServiceAccount = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown} is not a service-account key file (need client_email and private_key): {}",
            e.classify_name()
        )
    })?;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(sa.private_key.as_bytes())
        .map_err(|_| format!("{shown}: private_key is not an RSA key in PEM form"))?;
    let claims = Claims {
        iss: &sa.client_email,
        scope: SCOPE,
        aud: &sa.token_uri,
        iat: now.timestamp(),
        exp: now.timestamp() + 3600,
    };
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .map_err(|e| format!("cannot sign the token request: {e}"))?;
    let resp = client
        .post(&sa.token_uri)
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", jwt.as_str()),
        ])
        .send()
        .await
        .map_err(|e| format!("{}: {e}", sa.token_uri))?;
    if !resp.status().is_success() {
        return Err(format!(
            "{} refused the service account ({})",
            sa.token_uri,
            resp.status()
        ));
    }
    resp.json::<Token>()
        .await
        .map(|t| t.access_token)
        .map_err(|e| format!("{}: unexpected token answer: {e}", sa.token_uri))
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    // Never echo the file's content (it holds a private key): name the kind of error only.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "missing or wrong fields",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

pub async fn send(
    client: &reqwest::Client,
    cfg: &GoogleConfig,
    feed_dir: &Path,
    items: &[Pending],
    state: &Mutex<State>,
    now: DateTime<Utc>,
) -> Sent {
    let mut sent = Sent {
        channel: GOOGLE,
        sent: 0,
        failed: 0,
        error: None,
    };
    let token = match access_token(client, &feed_dir.join(&cfg.service_account_key_file), now).await
    {
        Ok(t) => t,
        Err(e) => {
            sent.failed = items.len();
            sent.error = Some(e);
            return sent;
        }
    };
    // Removals first: a closed job must leave Google before new ones use up the quota.
    let mut ordered: Vec<&Pending> = items.iter().filter(|p| p.kind == DELETED).collect();
    ordered.extend(items.iter().filter(|p| p.kind != DELETED));
    let day = quota_day(now);
    for p in ordered {
        let used = state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .quota_used(GOOGLE, &day)
            .unwrap_or(u32::MAX);
        if used >= cfg.daily_quota {
            sent.error = Some(format!(
                "daily quota of {} reached; the rest is sent tomorrow (Pacific time)",
                cfg.daily_quota
            ));
            break;
        }
        let body = serde_json::json!({"url": p.url, "type": p.kind});
        let result = match client
            .post(&cfg.endpoint)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) if r.status().as_u16() == 429 => {
                sent.error = Some(format!("{} answered 429: quota exhausted", cfg.endpoint));
                break;
            }
            Ok(r) => Err(format!("{} answered {}", cfg.endpoint, r.status())),
            Err(e) => Err(format!("{}: {e}", cfg.endpoint)),
        };
        {
            let s = state.lock().unwrap_or_else(|e| e.into_inner());
            let _ = s.quota_add(GOOGLE, &day, 1);
        }
        match &result {
            Ok(()) => sent.sent += 1,
            Err(e) => {
                sent.failed += 1;
                sent.error = Some(e.clone());
            }
        }
        record(state, GOOGLE, std::slice::from_ref(p), &result, now);
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quota_day_follows_pacific_midnight() {
        // 07:59 UTC on 28 Nov is still 27 Nov in California (UTC-8).
        assert_eq!(
            quota_day(Utc.with_ymd_and_hms(2026, 11, 28, 7, 59, 0).unwrap()),
            "2026-11-27"
        );
        assert_eq!(
            quota_day(Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()),
            "2026-11-28"
        );
    }
}
