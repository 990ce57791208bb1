//! Why a remote source could not be read: one typed error per failure kind.
//! Each names the URL and says what happened, so a diagnostic can be built from it directly.

/// A failed fetch or an unreadable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url} did not answer in time ({reason})")]
    Timeout { url: String, reason: String },
    #[error("{url} answered HTTP {status}{}", if *.attempts > 1 { format!(" (after {} attempts)", .attempts) } else { String::new() })]
    Status {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url} asked to retry after {seconds}s, longer than jobfeed waits")]
    RetryTooLate { url: String, seconds: u64 },
    #[error("the answer from {url} is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("the answer from {url} broke off before its end: {reason}")]
    Truncated { url: String, reason: String },
    #[error("{url} redirects too often or in a loop: {reason}")]
    Redirect { url: String, reason: String },
    #[error("request to {url} failed: {reason}")]
    Http { url: String, reason: String },
    #[error(
        "{url} answered with a web page instead of {expected} (wrong board name, or a login page)"
    )]
    NotData { url: String, expected: String },
    #[error("could not read the answer from {url}: {reason}")]
    Parse { url: String, reason: String },
    #[error("source configuration: {0}")]
    Config(String),
}

impl SourceError {
    /// The diagnostic rule: `source.parse` for unreadable answers, `source.fetch` otherwise.
    pub fn rule(&self) -> &'static str {
        match self {
            SourceError::NotData { .. } | SourceError::Parse { .. } => "source.parse",
            SourceError::Config(_) => "source.config",
            _ => "source.fetch",
        }
    }

    /// The URL concerned, when there is one.
    pub fn url(&self) -> Option<&str> {
        match self {
            SourceError::Connect { url, .. }
            | SourceError::Timeout { url, .. }
            | SourceError::Status { url, .. }
            | SourceError::RetryTooLate { url, .. }
            | SourceError::TooLarge { url, .. }
            | SourceError::Truncated { url, .. }
            | SourceError::Redirect { url, .. }
            | SourceError::Http { url, .. }
            | SourceError::NotData { url, .. }
            | SourceError::Parse { url, .. } => Some(url),
            SourceError::Config(_) => None,
        }
    }
}

/// Reads a JSON answer; an HTML page (login wall, error page, unknown board) is `NotData`.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    url: &str,
) -> Result<T, SourceError> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if let Some(i) = start
        && body[i] == b'<'
    {
        return Err(SourceError::NotData {
            url: url.to_string(),
            expected: "JSON".into(),
        });
    }
    serde_json::from_slice(body).map_err(|e| SourceError::Parse {
        url: url.to_string(),
        reason: format!("malformed JSON: {e}"),
    })
}
