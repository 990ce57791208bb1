//! Invariants shared by the fuzz targets. Each panics with the offending text, so a crash
//! artifact explains itself.

/// Upper bound on the lines of `text` under any convention (`\n`, `\r\n` or a lone `\r`):
/// a reported line past it points outside the file.
pub fn max_lines(text: &str) -> u32 {
    let breaks = text.bytes().filter(|b| *b == b'\n' || *b == b'\r').count();
    u32::try_from(breaks).unwrap_or(u32::MAX).saturating_add(1)
}

/// Asserts a 1-based line number points inside `text`.
pub fn assert_line_inside(line: u32, text: &str, what: &dyn std::fmt::Debug) {
    assert!(
        line >= 1 && line <= max_lines(text),
        "line {line} is outside the {}-line input: {what:?}",
        max_lines(text)
    );
}

/// Asserts sanitised description HTML keeps only allow-listed tags, only `href`/`rel`
/// attributes, and no link with a scheme other than http, https or mailto.
///
/// In sanitiser output every `<` opens a tag (text `<` is escaped as `&lt;`), so a simple scan
/// sees every element the sanitiser let through.
pub fn assert_clean_html(html: &str, allowed: &[&str]) {
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after
            .find('>')
            .unwrap_or_else(|| panic!("unterminated tag in sanitised HTML: {html:?}"));
        let tag = &after[..end];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(
            allowed.contains(&name),
            "tag <{name}> survived sanitising: {html:?}"
        );
        for attr in attrs.split("\" ").filter(|a| !a.trim().is_empty()) {
            let (key, value) = attr.split_once('=').unwrap_or((attr, ""));
            assert!(
                matches!(key.trim(), "href" | "rel"),
                "attribute {key:?} survived sanitising: {html:?}"
            );
            if key.trim() == "href" {
                // Relative links are resolved or removed, so every link names its scheme
                // (`https:/x` is an https link, as browsers read it).
                let v = value.trim_matches('"').to_ascii_lowercase();
                let scheme = v.split_once(':').map(|(s, _)| s);
                let scheme_ok = matches!(scheme, Some("http" | "https" | "mailto"));
                assert!(scheme_ok, "link {v:?} survived sanitising: {html:?}");
            }
        }
        rest = &after[end..];
    }
}

/// Tags of `jobfeed::source::markdown::body::sanitize`.
pub const BODY_TAGS: &[&str] = jobfeed::source::markdown::body::TAGS;

/// Tags of `jobfeed::source::html::sanitize_html` (remote descriptions).
pub const REMOTE_TAGS: &[&str] = &[
    "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h2", "h3", "h4", "a", "table", "thead",
    "tbody", "tr", "th", "td",
];
