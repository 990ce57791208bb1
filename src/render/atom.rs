//! Atom 1.0 (RFC 4287) feed of postings: stable `urn:jobfeed:` entry ids, RFC 3339 dates,
//! HTML content in CDATA and `xml:lang` per entry.

use super::text::decode_html_entities_keep_markup;
use super::xml::{Xml, rfc3339};
use super::{Envelope, FeedMeta, RenderContext, home_url, tags, tracking};
use crate::config::OutputConfig;
use crate::model::Posting;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The permanent id of a posting's entry. It names the feed and the posting id only, never
/// a URL, so that moving the site does not make readers see every job as new.
pub fn entry_id(feed_id: &str, posting_id: &str) -> String {
    format!("urn:jobfeed:{feed_id}:{posting_id}")
}

/// Renders one Atom file over `postings` (already in canonical order).
pub fn render(
    postings: &[&Posting],
    meta: &FeedMeta,
    out: &OutputConfig,
    ctx: &RenderContext<'_>,
) -> Vec<u8> {
    envelope(meta, out, ctx).assemble(postings.iter().map(|p| item(p, out, ctx)))
}

/// The Atom document around its entries: `<feed>` and the feed's own elements.
pub fn envelope(meta: &FeedMeta, _out: &OutputConfig, ctx: &RenderContext<'_>) -> Envelope {
    let feed = ctx.feed;
    let lang = meta.language.as_deref().unwrap_or(&feed.language);
    let home = home_url(ctx);
    let mut x = Xml::new();
    x.open("feed", &[("xmlns", ATOM_NS), ("xml:lang", lang)]);
    // The self URL is the feed's permanent id: it is what subscribers already know it by.
    x.text("id", &meta.self_url);
    x.text("title", &meta.title);
    if let Some(d) = &feed.description {
        x.text("subtitle", d);
    }
    x.text("updated", &rfc3339(&meta.updated));
    x.open("author", &[]);
    x.text("name", &feed.organization.name);
    if let Some(u) = &feed.organization.url {
        x.text("uri", u);
    }
    x.close("author");
    x.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", &meta.self_url),
        ],
    );
    if let Some(w) = &feed.notify.websub {
        x.empty("link", &[("rel", "hub"), ("href", &w.hub)]);
    }
    x.empty(
        "link",
        &[("rel", "alternate"), ("type", "text/html"), ("href", &home)],
    );
    let at = x.len();
    x.close("feed");
    x.into_envelope(at)
}

/// One posting's `<entry>`, as it stands inside the feed.
pub fn item(p: &Posting, out: &OutputConfig, ctx: &RenderContext<'_>) -> Vec<u8> {
    let mut x = Xml::fragment(1);
    x.open("entry", &[("xml:lang", &p.language)]);
    x.text("id", &entry_id(&ctx.feed.id, &p.id));
    x.text("title", &p.title);
    x.text("updated", &rfc3339(&p.updated));
    x.text("published", &rfc3339(&p.date_posted));
    let link = tracking::apply(&p.url, &out.tracking);
    x.empty(
        "link",
        &[("rel", "alternate"), ("type", "text/html"), ("href", &link)],
    );
    if let Some(s) = &p.summary {
        x.text("summary", s);
    }
    x.cdata_attrs(
        "content",
        &[("type", "html")],
        &decode_html_entities_keep_markup(&p.description_html.html()),
    );
    for t in tags(p) {
        x.empty("category", &[("term", &t)]);
    }
    x.close("entry");
    x.into_fragment()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputKind;
    use crate::model::test_posting;
    use crate::render::{FeedMeta, test_feed};

    #[test]
    fn atom_entry_has_stable_urn_id_dates_and_language() {
        let feed = test_feed();
        let p = test_posting();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let meta = FeedMeta::language(&ctx, "en/atom.xml", "en", p.updated);
        let s = String::from_utf8(render(
            &[&p],
            &meta,
            &OutputConfig::of(OutputKind::Atom),
            &ctx,
        ))
        .unwrap();
        assert!(
            s.contains("<id>urn:jobfeed:example:platform-engineer-en</id>"),
            "{s}"
        );
        assert!(
            s.contains("<published>2026-11-02T00:00:00Z</published>"),
            "{s}"
        );
        assert!(s.contains("<updated>2026-11-20T08:30:00Z</updated>"), "{s}");
        assert!(s.contains(r#"<entry xml:lang="en">"#), "{s}");
        assert!(
            s.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">"#),
            "{s}"
        );
        assert!(
            s.contains(r#"<content type="html"><![CDATA[<p>Build"#),
            "{s}"
        );
        assert!(s.contains(r#"<link rel="self" type="application/atom+xml" href="https://jobs.example.com/example/en/atom.xml"/>"#), "{s}");
    }

    #[test]
    fn atom_escapes_titles_and_links_and_keeps_bidi_and_emoji() {
        let feed = test_feed();
        let mut p = test_posting();
        p.title = "Q&A <Lead> \u{200f}مرحبا 🎉\u{b}\u{85}".into();
        p.url = "https://www.example.com/job?a=1&b=<2>".into();
        p.description_html = "<p>]]>&nbsp;&lt;b&gt;\u{1}</p>".into();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let meta = FeedMeta::combined(&ctx, "atom.xml", p.updated);
        let s = String::from_utf8(render(
            &[&p],
            &meta,
            &OutputConfig::of(OutputKind::Atom),
            &ctx,
        ))
        .unwrap();
        assert!(
            s.contains("<title>Q&amp;A &lt;Lead&gt; \u{200f}مرحبا 🎉</title>"),
            "{s}"
        );
        assert!(
            s.contains(r#"href="https://www.example.com/job?a=1&amp;b=&lt;2&gt;""#),
            "{s}"
        );
        assert!(
            s.contains("<![CDATA[<p>]]]]><![CDATA[>\u{a0}&lt;b&gt;</p>]]>"),
            "{s}"
        );
    }
}
