//! `sitemap.xml` of the posting pages with truthful `lastmod` and hreflang alternates.
//! `lastmod` is each posting's own `updated`, so one changed posting changes one line.

use super::xml::{Xml, w3c};
use crate::model::Posting;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The sitemap protocol's limit of URLs per file.
pub const MAX_URLS: usize = 50_000;

/// Renders the sitemap of `postings` (canonical URLs, no tracking parameters).
///
/// More than [`MAX_URLS`] postings would need a sitemap index, which is not built yet.
/// Dropping postings silently would hide jobs from search engines, so every URL is
/// written even past the limit; the validation gate is the place to report the size.
pub fn render(postings: &[&Posting]) -> Vec<u8> {
    let mut x = Xml::new();
    x.open(
        "urlset",
        &[("xmlns", SITEMAP_NS), ("xmlns:xhtml", XHTML_NS)],
    );
    for p in postings {
        x.open("url", &[]);
        x.text("loc", &p.url);
        x.text("lastmod", &w3c(&p.updated));
        if !p.alternates.is_empty() {
            // Google wants the full set on every URL, the page itself included, in a stable order.
            let mut set: Vec<(&str, &str)> = p
                .alternates
                .iter()
                .map(|a| (a.language.as_str(), a.url.as_str()))
                .chain(std::iter::once((p.language.as_str(), p.url.as_str())))
                .collect();
            set.sort_unstable();
            set.dedup();
            for (lang, href) in set {
                x.empty(
                    "xhtml:link",
                    &[("rel", "alternate"), ("hreflang", lang), ("href", href)],
                );
            }
        }
        x.close("url");
    }
    x.close("urlset");
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alternate, test_posting};

    #[test]
    fn sitemap_lists_page_with_lastmod_and_every_hreflang_alternate() {
        let mut p = test_posting();
        p.url = "https://www.example.com/job?a=1&b=2".into();
        p.alternates = vec![Alternate {
            language: "sv".into(),
            url: "https://www.example.com/sv/job/".into(),
            id: "platform-engineer-sv".into(),
        }];
        let s = String::from_utf8(render(&[&p])).unwrap();
        assert!(
            s.contains("<loc>https://www.example.com/job?a=1&amp;b=2</loc>"),
            "{s}"
        );
        assert!(
            s.contains("<lastmod>2026-11-20T08:30:00+00:00</lastmod>"),
            "{s}"
        );
        assert!(s.contains(r#"<xhtml:link rel="alternate" hreflang="en" href="https://www.example.com/job?a=1&amp;b=2"/>"#), "{s}");
        assert!(s.contains(r#"<xhtml:link rel="alternate" hreflang="sv" href="https://www.example.com/sv/job/"/>"#), "{s}");
    }
}
