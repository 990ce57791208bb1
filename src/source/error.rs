//! Why a remote source could not be read: one typed error per failure kind.
//! Each names the URL and says what happened, so a diagnostic can be built from it directly.

/// A failed fetch or an unreadable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("TLS with {url} failed: {reason}")]
    Tls { url: String, reason: String },
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
    #[error(
        "the answers of this read add up to more than its budget of {limit} bytes \
         (`max_total_bytes`), crossed at {url}; raise `max_total_bytes` if the source really is this large"
    )]
    OverBudget { url: String, limit: u64 },
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
            | SourceError::Tls { url, .. }
            | SourceError::Timeout { url, .. }
            | SourceError::Status { url, .. }
            | SourceError::RetryTooLate { url, .. }
            | SourceError::TooLarge { url, .. }
            | SourceError::OverBudget { url, .. }
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
    serde_json::from_slice(&repair_lone_surrogates(body)).map_err(|e| SourceError::Parse {
        url: url.to_string(),
        reason: format!("malformed JSON: {e}"),
    })
}

/// JSON text with every unpaired UTF-16 surrogate escape (`\ud800` without its partner)
/// replaced by `\ufffd`. JavaScript emits them when a string is cut inside an emoji, and
/// serde_json refuses them, which would throw away a whole answer for one broken character.
/// Same length in and out, so error positions stay true; borrowed when nothing needs repair.
pub fn repair_lone_surrogates(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let hex4 = |at: usize| -> Option<u16> {
        let digits = std::str::from_utf8(body.get(at..at + 4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    let high = |u: u16| (0xD800..0xDC00).contains(&u);
    let low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    // Backslashes only occur inside strings in valid JSON; elsewhere the parser rejects them
    // anyway, so escapes can be walked without tracking where strings begin.
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        if body.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        match hex4(i + 2) {
            Some(u)
                if high(u)
                    && body.get(i + 6..i + 8) == Some(b"\\u")
                    && hex4(i + 8).is_some_and(low) =>
            {
                i += 12;
            }
            Some(u) if high(u) || low(u) => {
                out.get_or_insert_with(|| body.to_vec())[i..i + 6].copy_from_slice(b"\\ufffd");
                i += 6;
            }
            _ => i += 2,
        }
    }
    match out {
        Some(v) => std::borrow::Cow::Owned(v),
        None => std::borrow::Cow::Borrowed(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters_and_pairs_survive() {
        let body = br#"{"a": "x\ud800", "b": "\uDFFF!", "c": "\ud83d\ude00", "d": "\\ud800", "e": "\ud800\ud800\udc00"}"#;
        let v: serde_json::Value = parse_json(body, "http://x/").unwrap();
        assert_eq!(v["a"], "x\u{fffd}");
        assert_eq!(v["b"], "\u{fffd}!");
        assert_eq!(v["c"], "\u{1f600}", "a proper pair is one character");
        assert_eq!(v["d"], "\\ud800", "an escaped backslash is not an escape");
        assert_eq!(v["e"], "\u{fffd}\u{10000}");
        assert!(matches!(
            repair_lone_surrogates(br#"{"ok": "\u00e9"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn broken_json_is_still_an_error_after_repair() {
        for bad in [&br#"{"a": "\ud8"}"#[..], br#"{"a": "x\"#, br#"{"a": 1,"#] {
            assert!(matches!(
                parse_json::<serde_json::Value>(bad, "http://x/"),
                Err(SourceError::Parse { .. })
            ));
        }
    }
}
