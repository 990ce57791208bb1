//! Tracking parameters added to posting links at render time (never to the canonical URL).

use std::collections::BTreeMap;

/// Adds each `params` entry to `url` unless the URL already has that parameter.
/// A URL that does not parse, or has no parameters to add, is returned unchanged.
pub fn apply(url: &str, params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return url.to_string();
    }
    let Ok(mut u) = url::Url::parse(url) else {
        return url.to_string();
    };
    if !matches!(u.scheme(), "http" | "https") {
        return url.to_string();
    }
    let existing: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in params {
            if !existing.iter().any(|e| e == k) {
                q.append_pair(k, v);
            }
        }
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_utm_source_is_never_overwritten() {
        let params = BTreeMap::from([
            ("utm_source".to_string(), "indeed".to_string()),
            ("utm_medium".to_string(), "feed".to_string()),
        ]);
        assert_eq!(
            apply("https://x.test/job?utm_source=site", &params),
            "https://x.test/job?utm_source=site&utm_medium=feed"
        );
        assert_eq!(
            apply("https://x.test/job", &params),
            "https://x.test/job?utm_medium=feed&utm_source=indeed"
        );
        assert_eq!(apply("mailto:a@b.test", &params), "mailto:a@b.test");
    }
}
