//! Markdown body to description HTML fit for Google and job boards.
//! Links are made absolute against the page URL; everything outside a small allow-list is removed.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// Sanitised HTML (shared: every posting read from this body holds it).
    pub html: crate::model::Html,
    /// Template text (`{{ … }}`) that was removed.
    pub removed_templates: usize,
}

/// Renders markdown (already free of shortcodes) against the page's URL.
pub fn render(markdown: &str, page_url: Option<&url::Url>) -> Body {
    let (markdown, removed_templates) = strip_templates(markdown);
    let opts = Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES;
    let events: Vec<Event<'_>> = Parser::new_ext(&markdown, opts)
        .filter_map(|e| rewrite(e, page_url))
        .collect();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let html = sanitize(&html);
    Body {
        html: html.into(),
        removed_templates,
    }
}

fn rewrite<'a>(e: Event<'a>, page: Option<&url::Url>) -> Option<Event<'a>> {
    Some(match e {
        Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
            level: clamp(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(clamp(level))),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(absolute(&dest_url, page)),
            title,
            id,
        }),
        // Images are not part of a job description for boards; their alt text is not either.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => return None,
        other => other,
    })
}

/// Headings h2–h4 only: a page's h1 is its title, deeper levels mean nothing to boards.
fn clamp(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H4,
        l => l,
    }
}

/// Makes a link absolute against the page URL; unusable links become empty (and are dropped).
pub fn absolute(link: &str, page: Option<&url::Url>) -> String {
    let link = link.trim();
    if link.starts_with("mailto:") || link.starts_with("http://") || link.starts_with("https://") {
        return link.to_string();
    }
    if link.contains(':') && !link.starts_with('/') && !link.starts_with('#') {
        // Another scheme (javascript:, tel:): ammonia refuses it.
        return link.to_string();
    }
    match page.and_then(|p| p.join(link).ok()) {
        Some(u) => u.to_string(),
        None => String::new(),
    }
}

/// Removes template text a markdown renderer would print literally: Go templates
/// (`{{ .Title }}`) and Jekyll Liquid (`{% include x %}`, `{% comment %}…{% endcomment %}`).
fn strip_templates(s: &str) -> (String, usize) {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut n = 0;
    loop {
        let next = ["{{", "{%"]
            .iter()
            .filter_map(|o| rest.find(o).map(|i| (i, *o)))
            .min_by_key(|(i, _)| *i);
        let Some((start, open)) = next else {
            break;
        };
        out.push_str(&rest[..start]);
        n += 1;
        let close = if open == "{{" { "}}" } else { "%}" };
        let after = &rest[start + 2..];
        match after.find(close) {
            Some(end) => {
                let inner = after[..end].trim().trim_start_matches('-').trim();
                rest = &after[end + 2..];
                if open == "{%" && inner.starts_with("comment") {
                    // A Liquid comment hides everything up to its end tag.
                    rest = match rest.find("endcomment") {
                        Some(i) => rest[i..].find("%}").map_or("", |j| &rest[i + j + 2..]),
                        None => "",
                    };
                }
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    (out, n)
}

/// The elements [`sanitize`] keeps: text structure, links and simple tables.
pub const TAGS: &[&str] = &[
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
];

/// The allow-list: text structure, links (http, https, mailto) and simple tables.
pub fn sanitize(html: &str) -> String {
    // Built once: assembling its tag and attribute sets cost about a tenth of each clean.
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.tags(TAGS.iter().copied().collect())
            .generic_attributes(HashSet::new())
            .tag_attributes(
                [("a", ["href"].into_iter().collect())]
                    .into_iter()
                    .collect(),
            )
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener"));
        b
    });
    let cleaned = CLEANER.clean(html).to_string();
    drop_empty(&cleaned)
}

/// Elements removed when empty (ammonia keeps `<p></p>` left by removed content).
const DROP_WHEN_EMPTY: [&str; 12] = [
    "p",
    "li",
    "ul",
    "ol",
    "strong",
    "em",
    "b",
    "i",
    "h2",
    "h3",
    "h4",
    "blockquote",
];

/// Removes elements left empty by sanitising (`<p></p>`, `<li>\n</li>`, a link left
/// without text), repeatedly, so an element that only held empty ones goes too; then
/// collapses runs of blank lines.
fn drop_empty(html: &str) -> String {
    let s = without_empty(html);
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for line in s.lines() {
        if line.trim().is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out.trim().to_string()
}

/// `html` without empty elements, including those emptied by removing others. Most
/// descriptions have none: they are scanned, not copied.
fn without_empty(html: &str) -> std::borrow::Cow<'_, str> {
    let mut s = std::borrow::Cow::Borrowed(html);
    while let Some(next) = drop_empty_once(&s) {
        s = next.into();
    }
    s
}

/// `html` without the empty elements it holds; `None` when it holds none.
fn drop_empty_once(html: &str) -> Option<String> {
    let mut out = String::new();
    let mut kept = 0;
    let mut at = 0;
    while let Some(i) = html[at..].find('<') {
        let start = at + i;
        match empty_element_len(&html[start..]) {
            Some(n) => {
                if out.is_empty() {
                    out.reserve(html.len());
                }
                out.push_str(&html[kept..start]);
                at = start + n;
                kept = at;
            }
            None => at = start + 1,
        }
    }
    if kept == 0 {
        return None;
    }
    out.push_str(&html[kept..]);
    Some(out)
}

/// Length of the empty element `s` starts with, if it starts with one.
fn empty_element_len(s: &str) -> Option<usize> {
    const EMPTY_LINK: &str = "<a rel=\"noopener\"></a>";
    if s.starts_with(EMPTY_LINK) {
        return Some(EMPTY_LINK.len());
    }
    DROP_WHEN_EMPTY.iter().find_map(|t| {
        let after_open = s.strip_prefix('<')?.strip_prefix(t)?.strip_prefix('>')?;
        let inner = if after_open.starts_with('\n') { 1 } else { 0 };
        let close = after_open[inner..]
            .strip_prefix("</")?
            .strip_prefix(t)?
            .strip_prefix('>')?;
        Some(s.len() - close.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The replace-based original, kept as the reference the one-pass scanner must match.
    fn drop_empty_reference(html: &str) -> String {
        let mut s = html.to_string();
        loop {
            let before = s.len();
            for t in DROP_WHEN_EMPTY {
                s = s.replace(&format!("<{t}></{t}>"), "");
                s = s.replace(&format!("<{t}>\n</{t}>"), "");
            }
            s = s.replace("<a rel=\"noopener\"></a>", "");
            if s.len() == before {
                return s;
            }
        }
    }

    proptest::proptest! {
        /// Guards the sanitiser's clean-up: the one-pass scanner removes exactly the empty
        /// elements the simple repeated replacement removed.
        #[test]
        fn one_pass_empty_element_removal_matches_repeated_replacement(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<em>", "</em>", "\n", "x", "<a rel=\"noopener\">", "</a>", "<h2>", "</h2>", "<"]),
                0..24,
            )
        ) {
            let html: String = parts.concat();
            proptest::prop_assert_eq!(without_empty(&html), drop_empty_reference(&html));
        }
    }

    fn page() -> url::Url {
        url::Url::parse("https://x.test/career/job/").unwrap()
    }

    #[test]
    fn relative_links_and_anchors_become_absolute() {
        let b = render("[a](#info) [b](/about/) [c](other/)", Some(&page()));
        assert!(
            b.html
                .html()
                .contains("href=\"https://x.test/career/job/#info\""),
            "{}",
            b.html
        );
        assert!(b.html.html().contains("href=\"https://x.test/about/\""));
        assert!(
            b.html
                .html()
                .contains("href=\"https://x.test/career/job/other/\"")
        );
    }

    #[test]
    fn scripts_javascript_links_and_divs_are_removed() {
        let b = render(
            "<script>alert(1)</script>\n\n<div id=\"down\"></div>\n\n[x](javascript:alert(1)) ok",
            Some(&page()),
        );
        assert!(
            !b.html.html().contains("script") && !b.html.html().contains("javascript"),
            "{}",
            b.html
        );
        assert!(!b.html.html().contains("<div"));
        assert!(b.html.html().contains("ok"));
    }

    #[test]
    fn headings_are_clamped_and_lose_attributes() {
        let b = render("# Top\n\n## Open {#open-positions}\n\n##### Deep", None);
        assert!(b.html.html().contains("<h2>Top</h2>"), "{}", b.html);
        assert!(b.html.html().contains("<h2>Open</h2>"));
        assert!(b.html.html().contains("<h4>Deep</h4>"));
    }

    #[test]
    fn tables_survive_and_their_plain_text_has_lines() {
        let b = render("**Pay:**  \n€1 - €2 yearly\n\n|a|b|\n|-|-|\n|1|2|", None);
        assert!(b.html.html().contains("<table>"), "{}", b.html);
        let text = crate::normalise::text::lines_of(&b.html.html());
        assert!(text.contains("Pay:\n€1 - €2 yearly\n"), "{text:?}");
    }

    #[test]
    fn liquid_tags_and_comments_are_removed() {
        let b = render(
            "A {% include x.html %} B {% comment %}hidden{% endcomment %} C",
            None,
        );
        assert_eq!(b.html.html(), "<p>A  B  C</p>");
        assert_eq!(b.removed_templates, 2);
    }

    #[test]
    fn template_text_never_survives() {
        let b = render("Hello {{ .Title }} and {{ broken", None);
        assert!(!b.html.html().contains("{{"), "{}", b.html);
        assert_eq!(b.removed_templates, 2);
    }
}
