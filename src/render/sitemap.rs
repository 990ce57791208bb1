//! `sitemap.xml` of the posting pages with truthful `lastmod` and hreflang alternates.
//! `lastmod` is each posting's own `updated`, so one changed posting changes one line.
//! Beyond 50,000 postings `sitemap.xml` is a sitemap index of `sitemap-1.xml`, `sitemap-2.xml`, ….

use super::xml::{Xml, w3c};
use crate::model::Posting;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// The sitemap protocol's limit of URLs per file.
pub const MAX_URLS: usize = 50_000;

/// The sitemap files of `postings` under `path`: one sitemap up to [`MAX_URLS`] postings;
/// beyond, a sitemap index at `path` listing parts of at most [`MAX_URLS`] each, in
/// posting order (`sitemap.xml` → `sitemap-1.xml`, …). `url_of` makes a file's absolute URL.
pub fn files(
    postings: &[&Posting],
    path: &str,
    url_of: impl Fn(&str) -> String,
) -> Vec<(String, Vec<u8>)> {
    if postings.len() <= MAX_URLS {
        return vec![(path.to_string(), render(postings))];
    }
    let (stem, ext) = match path.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => (stem, format!(".{ext}")),
        _ => (path, String::new()),
    };
    let parts: Vec<(String, &[&Posting])> = postings
        .chunks(MAX_URLS)
        .enumerate()
        .map(|(i, chunk)| (format!("{stem}-{}{ext}", i + 1), chunk))
        .collect();
    let mut x = Xml::new();
    x.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for (part, chunk) in &parts {
        x.open("sitemap", &[]);
        x.text("loc", &url_of(part));
        if let Some(newest) = chunk.iter().map(|p| p.updated).max() {
            x.text("lastmod", &w3c(&newest));
        }
        x.close("sitemap");
    }
    x.close("sitemapindex");
    let mut out = vec![(path.to_string(), x.finish())];
    out.extend(parts.into_iter().map(|(part, chunk)| (part, render(chunk))));
    out
}

/// Renders one sitemap of `postings` (canonical URLs, no tracking parameters). Every URL
/// is written even past [`MAX_URLS`] (dropping postings would hide jobs from search
/// engines): [`files`] splits, and the validation gate reports a file that is too large.
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
    fn more_than_fifty_thousand_postings_get_an_index_of_sitemaps_that_pass_the_gate() {
        let postings: Vec<Posting> = (0..MAX_URLS + 1)
            .map(|i| {
                let mut p = test_posting();
                p.url = format!("https://www.example.com/jobs/{i}/");
                p.updated += chrono::Duration::seconds(i as i64);
                p
            })
            .collect();
        let refs: Vec<&Posting> = postings.iter().collect();
        let files = files(&refs, "sitemap.xml", |p| {
            format!("https://feeds.example.com/acme/{p}")
        });
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
        let text = |i: usize| String::from_utf8(files[i].1.clone()).unwrap();
        let index = text(0);
        assert!(index.contains("<sitemapindex"), "{index}");
        assert!(
            index.contains("<loc>https://feeds.example.com/acme/sitemap-1.xml</loc>"),
            "{index}"
        );
        assert!(
            index.contains("<loc>https://feeds.example.com/acme/sitemap-2.xml</loc>"),
            "{index}"
        );
        // The second part's lastmod is its only posting's, the newest.
        assert!(
            index.contains(&format!(
                "<lastmod>{}</lastmod>",
                w3c(&postings[MAX_URLS].updated)
            )),
            "{index}"
        );
        assert_eq!(text(1).matches("<url>").count(), MAX_URLS);
        assert_eq!(text(2).matches("<url>").count(), 1);
        assert!(text(2).contains(&format!("/jobs/{MAX_URLS}/")));
        let gate = crate::validate::Gate::new();
        for (path, bytes) in files {
            let out = crate::config::OutputConfig::of(crate::config::OutputKind::Sitemap);
            let file = crate::render::Rendered::of(
                &out,
                path.clone(),
                crate::render::Format::Sitemap,
                bytes,
            );
            let found = gate.check_file(&file);
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }

    #[test]
    fn up_to_fifty_thousand_postings_make_one_sitemap_where_configured() {
        let p = test_posting();
        let files = files(&[&p], "maps/jobs.xml", |p| p.to_string());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "maps/jobs.xml");
        assert_eq!(files[0].1, render(&[&p]));
    }

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
