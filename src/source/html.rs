//! HTML descriptions from remote sources: one allow-list sanitiser with absolute links.
//! ATS descriptions carry inline styles, scripts and relative links; only plain structure survives.

use std::collections::HashSet;

/// Tags a posting description may keep; everything else is unwrapped (its text stays).
const TAGS: &[&str] = &[
    "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h2", "h3", "h4", "a", "table", "thead",
    "tbody", "tr", "th", "td",
];

/// Sanitises `html` to the description allow-list; relative links resolve against `base_url`
/// (and are dropped without one, because a relative link in a feed points nowhere).
pub fn sanitize_html(html: &str, base_url: Option<&str>) -> String {
    let mut b = ammonia::Builder::empty();
    b.add_tags(TAGS.iter().copied())
        .add_tag_attributes("a", ["href"].iter().copied())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(None)
        // Script and style bodies are code, not text: drop them with their content.
        .clean_content_tags(HashSet::from(["script", "style", "head", "title"]));
    // The base comes from the answer itself: ammonia checks the scheme of absolute links only,
    // so a relative link joined onto a `javascript:` or `ftp:` base would slip past the
    // allow-list (fuzzing found it). Only an http(s) base may resolve links.
    let base = base_url
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    match base {
        Some(base) => {
            b.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
        }
        None => {
            b.url_relative(ammonia::UrlRelative::Deny);
        }
    }
    // Control characters are invisible, and most are not allowed in XML 1.0 outputs: dropped
    // before parsing (tab and line breaks are layout and stay).
    let html: String = html
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    b.clean(&html).to_string().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitiser_keeps_structure_and_drops_styles_scripts_and_bad_links() {
        let html = r#"<div style="color:red"><h1>Hi</h1><p onclick="x()">A <a href="/apply">link</a> <a href="javascript:alert(1)">js</a></p><script>alert(1)</script><ul><li>one</li></ul></div>"#;
        let out = sanitize_html(html, Some("https://jobs.example.com/job/1"));
        assert_eq!(
            out,
            r#"Hi<p>A <a href="https://jobs.example.com/apply">link</a> <a>js</a></p><ul><li>one</li></ul>"#
        );
    }

    #[test]
    fn control_characters_are_dropped_but_layout_whitespace_stays() {
        let out = sanitize_html("<p>a\u{0}\u{1}\u{1b}\u{7f}\u{85}\u{9f}b\tc\nd</p>", None);
        assert_eq!(out, "<p>ab\tc\nd</p>");
    }

    #[test]
    fn relative_links_are_dropped_without_a_base() {
        let out = sanitize_html(r#"<p><a href="/x">x</a></p>"#, None);
        assert_eq!(out, "<p><a>x</a></p>");
    }

    /// Fuzz finding (target `ats`, SmartRecruiters detail): a `postingUrl` with another scheme
    /// turned relative links into links of that scheme, `javascript:` included.
    #[test]
    fn relative_links_never_resolve_against_a_base_of_another_scheme() {
        let html = r##"<p><a href="/benefits">Benefits</a> <a href="#apply">Apply</a></p>"##;
        for base in [
            "httpl://jors.smartrecruiuers.com/Acme/744000012345678",
            "javascript:alert(document.domain)//",
            "data:text/html,x",
        ] {
            let out = sanitize_html(html, Some(base));
            assert_eq!(out, "<p><a>Benefits</a> <a>Apply</a></p>", "base {base}");
        }
        let out = sanitize_html(html, Some("http://x.test/job/"));
        assert!(out.contains(r#"href="http://x.test/benefits""#), "{out}");
    }
}
