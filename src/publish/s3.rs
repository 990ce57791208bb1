//! Publishing to S3-compatible object storage: only objects whose bytes changed are
//! uploaded (compared by MD5 with the listed ETags), posting files before the index files
//! that link to them, and objects of removed outputs deleted last.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use futures_util::StreamExt;
use md5::Digest;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};

use super::{CACHE_CONTROL, Outgoing};
use crate::config::S3Config;
use crate::render::Format;

/// An S3 publishing failure; messages name the bucket and endpoint, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// No usable credentials.
    #[error(
        "no S3 credentials for bucket {bucket}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or credentials_file in [publish]"
    )]
    NoCredentials { bucket: String },
    /// The credentials file could not be read.
    #[error("cannot read the S3 credentials file {path}: {reason}")]
    CredentialsFile { path: String, reason: String },
    /// The store could not be configured.
    #[error("S3 bucket {bucket}: invalid configuration: {reason}")]
    Config { bucket: String, reason: String },
    /// The store refused the credentials.
    #[error(
        "S3 at {endpoint} refused the credentials for bucket {bucket} ({reason}): check the access key id and secret key"
    )]
    Denied {
        endpoint: String,
        bucket: String,
        reason: String,
    },
    /// Any other request failure.
    #[error("S3 {action} {key} in bucket {bucket} at {endpoint} failed: {reason}")]
    Request {
        action: &'static str,
        key: String,
        bucket: String,
        endpoint: String,
        reason: String,
    },
}

/// What one S3 publish did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct S3Stats {
    /// Keys uploaded, in upload order.
    pub uploaded: Vec<String>,
    pub unchanged: usize,
    /// Keys deleted.
    pub deleted: Vec<String>,
}

fn endpoint(cfg: &S3Config) -> String {
    cfg.endpoint
        .clone()
        .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", cfg.region))
}

/// Reads `aws_access_key_id` / `aws_secret_access_key` from the `[default]` profile.
fn credentials_from_file(path: &Path) -> Result<(String, String), S3Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| S3Error::CredentialsFile {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let mut profile = String::new();
    let (mut id, mut secret) = (None, None);
    for line in text.lines().map(str::trim) {
        if let Some(p) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            profile = p.trim().to_string();
        } else if profile == "default"
            && let Some((k, v)) = line.split_once('=')
        {
            match k.trim() {
                "aws_access_key_id" => id = Some(v.trim().to_string()),
                "aws_secret_access_key" => secret = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    match (id, secret) {
        (Some(i), Some(s)) => Ok((i, s)),
        _ => Err(S3Error::CredentialsFile {
            path: shown,
            reason: "no [default] profile with aws_access_key_id and aws_secret_access_key".into(),
        }),
    }
}

/// Builds the client for `cfg`; relative credential files resolve against `config_dir`.
pub fn store(cfg: &S3Config, config_dir: &Path) -> Result<AmazonS3, S3Error> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (id, secret) = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        (Some(i), Some(s)) => (i, s),
        _ => match &cfg.credentials_file {
            Some(f) => credentials_from_file(&config_dir.join(f))?,
            None => {
                return Err(S3Error::NoCredentials {
                    bucket: cfg.bucket.clone(),
                });
            }
        },
    };
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(&cfg.bucket)
        .with_region(&cfg.region)
        .with_access_key_id(id)
        .with_secret_access_key(secret)
        .with_virtual_hosted_style_request(!cfg.path_style)
        .with_allow_http(cfg.allow_http);
    if let Some(token) = env("AWS_SESSION_TOKEN") {
        b = b.with_token(token);
    }
    if let Some(e) = &cfg.endpoint {
        b = b.with_endpoint(e);
    }
    b.build().map_err(|e| S3Error::Config {
        bucket: cfg.bucket.clone(),
        reason: e.to_string(),
    })
}

fn classify(cfg: &S3Config, action: &'static str, key: &str, e: object_store::Error) -> S3Error {
    let reason = e.to_string();
    let denied = [
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AccessDenied",
        "403",
        "Forbidden",
    ]
    .iter()
    .any(|m| reason.contains(m));
    // Keep messages short and free of request details that could carry signatures.
    let reason: String = reason
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    if denied {
        S3Error::Denied {
            endpoint: endpoint(cfg),
            bucket: cfg.bucket.clone(),
            reason,
        }
    } else {
        S3Error::Request {
            action,
            key: key.to_string(),
            bucket: cfg.bucket.clone(),
            endpoint: endpoint(cfg),
            reason,
        }
    }
}

fn content_type(path: &str, format: Option<Format>) -> &'static str {
    match format {
        Some(f) => f.content_type(),
        None => crate::server::files::content_type(path),
    }
}

/// Publishes one run's `files` from synchronous code (`build` and the daemon's feed runs):
/// opens the store and drives [`publish`] on a runtime of its own.
pub fn publish_blocking(
    cfg: &S3Config,
    config_dir: &Path,
    feed: &str,
    files: &[Outgoing],
    blocked: &[String],
) -> Result<S3Stats, S3Error> {
    let store = store(cfg, config_dir)?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| S3Error::Config {
            bucket: cfg.bucket.clone(),
            reason: format!("cannot start the async runtime: {e}"),
        })?
        .block_on(publish(&store, cfg, feed, files, blocked))
}

/// Publishes a run's `files` (its report included) under `<prefix><feed>/` in the bucket;
/// objects of `blocked` paths keep their last good copy.
pub async fn publish(
    store: &AmazonS3,
    cfg: &S3Config,
    feed: &str,
    files: &[Outgoing],
    blocked: &[String],
) -> Result<S3Stats, S3Error> {
    let base = format!("{}{}", cfg.prefix, feed)
        .trim_start_matches('/')
        .to_string();
    let prefix = Key::from(base.clone());
    let mut existing: BTreeMap<String, String> = BTreeMap::new();
    let mut listing = store.list(Some(&prefix));
    while let Some(item) = listing.next().await {
        let meta = item.map_err(|e| classify(cfg, "list", &base, e))?;
        let rel = meta
            .location
            .as_ref()
            .strip_prefix(&format!("{base}/"))
            .unwrap_or(meta.location.as_ref())
            .to_string();
        tracing::trace!(key = %meta.location, etag = ?meta.e_tag, "Listed.");
        existing.insert(
            rel,
            meta.e_tag.unwrap_or_default().trim_matches('"').to_string(),
        );
    }
    // Some stores list without ETags: ask for each object's own.
    for (rel, etag) in existing.iter_mut().filter(|(_, e)| e.is_empty()) {
        let key = Key::from(format!("{base}/{rel}"));
        let meta = store
            .head(&key)
            .await
            .map_err(|e| classify(cfg, "inspect", key.as_ref(), e))?;
        tracing::trace!(key = %key, etag = ?meta.e_tag, "Inspected.");
        *etag = meta.e_tag.unwrap_or_default().trim_matches('"').to_string();
    }
    let mut stats = S3Stats::default();
    let mut files: Vec<&Outgoing> = files.iter().collect();
    files.sort_by_key(|f| (super::is_index(&f.path), f.path.clone()));
    let mut published = BTreeSet::new();
    for Outgoing {
        path,
        bytes,
        format,
    } in files
    {
        let format = *format;
        published.insert(path.clone());
        let md5: String = md5::Md5::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if existing.get(path.as_str()) == Some(&md5) {
            stats.unchanged += 1;
            continue;
        }
        let key = Key::from(format!("{base}/{path}"));
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type(path, format).into());
        attributes.insert(Attribute::CacheControl, CACHE_CONTROL.into());
        attributes.insert(
            Attribute::Metadata("content-hash".into()),
            blake3::hash(bytes).to_hex().to_string().into(),
        );
        let opts = PutOptions {
            attributes,
            ..Default::default()
        };
        store
            .put_opts(&key, PutPayload::from(bytes.clone()), opts)
            .await
            .map_err(|e| classify(cfg, "upload", key.as_ref(), e))?;
        stats.uploaded.push(key.to_string());
    }
    // Removed outputs go last, after every index that linked to them was replaced.
    let blocked: BTreeSet<&String> = blocked.iter().collect();
    for (rel, _) in existing {
        if published.contains(&rel) || blocked.contains(&rel) {
            continue;
        }
        let key = Key::from(format!("{base}/{rel}"));
        store
            .delete(&key)
            .await
            .map_err(|e| classify(cfg, "delete", key.as_ref(), e))?;
        stats.deleted.push(key.to_string());
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_file_reads_the_default_profile_only() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("credentials");
        std::fs::write(
            &f,
            "[other]\naws_access_key_id = NOPE\n\n[default]\naws_access_key_id = AKID\naws_secret_access_key = s3cr3t\n",
        )
        .unwrap();
        assert_eq!(
            credentials_from_file(&f).unwrap(),
            ("AKID".into(), "s3cr3t".into())
        );
        std::fs::write(&f, "[other]\naws_access_key_id = X\n").unwrap();
        let e = credentials_from_file(&f).unwrap_err().to_string();
        assert!(e.contains("[default]"), "{e}");
    }
}
