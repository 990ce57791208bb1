//! RSS 2.0 feed of postings, with an `atom:link rel="self"` as feed validators expect.
//! Streams through [`Xml`]; item dates are RFC 822 in GMT, the channel date is the feed's.

use super::text::decode_html_entities_keep_markup;
use super::xml::{Xml, rfc822};
use super::{Envelope, FeedMeta, RenderContext, home_url, tags, tracking};
use crate::config::OutputConfig;
use crate::model::Posting;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Renders one RSS file over `postings` (already in canonical order).
pub fn render(
    postings: &[&Posting],
    meta: &FeedMeta,
    out: &OutputConfig,
    ctx: &RenderContext<'_>,
) -> Vec<u8> {
    envelope(meta, out, ctx).assemble(postings.iter().map(|p| item(p, out, ctx)))
}

/// The RSS document around its items: `<rss>` and the channel's own elements.
pub fn envelope(meta: &FeedMeta, _out: &OutputConfig, ctx: &RenderContext<'_>) -> Envelope {
    let feed = ctx.feed;
    let mut x = Xml::new();
    x.open("rss", &[("version", "2.0"), ("xmlns:atom", ATOM_NS)]);
    x.open("channel", &[]);
    x.text("title", &meta.title);
    x.text("link", &home_url(ctx));
    x.text(
        "description",
        feed.description.as_deref().unwrap_or(&feed.title),
    );
    x.text(
        "language",
        meta.language.as_deref().unwrap_or(&feed.language),
    );
    x.text("lastBuildDate", &rfc822(&meta.updated));
    x.empty(
        "atom:link",
        &[
            ("href", &meta.self_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
    // WebSub subscribers discover the hub from the feed itself.
    if let Some(w) = &feed.notify.websub {
        x.empty("atom:link", &[("href", &w.hub), ("rel", "hub")]);
    }
    let at = x.len();
    x.close("channel");
    x.close("rss");
    x.into_envelope(at)
}

/// One posting's `<item>`, as it stands inside the channel.
pub fn item(p: &Posting, out: &OutputConfig, _ctx: &RenderContext<'_>) -> Vec<u8> {
    let mut x = Xml::fragment(2);
    x.open("item", &[]);
    x.text("title", &p.title);
    x.text("link", &tracking::apply(&p.url, &out.tracking));
    x.cdata(
        "description",
        &decode_html_entities_keep_markup(&p.description_html.html()),
    );
    // The id is opaque (the page URL may move), so it is not a permalink.
    x.text_attrs("guid", &[("isPermaLink", "false")], &p.id);
    x.text("pubDate", &rfc822(&p.date_posted));
    for t in tags(p) {
        x.text("category", &t);
    }
    x.close("item");
    x.into_fragment()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputKind;
    use crate::model::test_posting;
    use crate::render::{FeedMeta, test_feed};

    fn render_one(p: &Posting, out: &OutputConfig) -> String {
        let feed = test_feed();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let meta = FeedMeta::combined(&ctx, "rss.xml", p.updated);
        String::from_utf8(render(&[p], &meta, out, &ctx)).unwrap()
    }

    #[test]
    fn rss_item_has_guid_not_permalink_gmt_date_and_categories() {
        let s = render_one(&test_posting(), &OutputConfig::of(OutputKind::Rss));
        assert!(
            s.contains(r#"<guid isPermaLink="false">platform-engineer-en</guid>"#),
            "{s}"
        );
        assert!(
            s.contains("<pubDate>Mon, 02 Nov 2026 00:00:00 GMT</pubDate>"),
            "{s}"
        );
        assert!(
            s.contains("<lastBuildDate>Fri, 20 Nov 2026 08:30:00 GMT</lastBuildDate>"),
            "{s}"
        );
        assert!(s.contains("<category>Platform</category>"), "{s}");
        assert!(s.contains("<category>FULL_TIME</category>"), "{s}");
        assert!(s.contains(r#"<atom:link href="https://jobs.example.com/example/rss.xml" rel="self" type="application/rss+xml"/>"#), "{s}");
        assert!(s.contains("<language>en</language>"), "{s}");
    }

    #[test]
    fn rss_escapes_markup_in_titles_and_urls_and_splits_cdata_end() {
        let mut p = test_posting();
        p.title = "R&D <Lead> \u{200f}שלום 🎉\u{1}\u{9f}".into();
        p.url = "https://www.example.com/job?a=1&b=2".into();
        p.description_html = "<p>x ]]> y</p>".into();
        let mut out = OutputConfig::of(OutputKind::Rss);
        out.tracking.insert("utm_source".into(), "rss".into());
        let s = render_one(&p, &out);
        assert!(
            s.contains("<title>R&amp;D &lt;Lead&gt; \u{200f}שלום 🎉</title>"),
            "{s}"
        );
        assert!(
            s.contains("<link>https://www.example.com/job?a=1&amp;b=2&amp;utm_source=rss</link>"),
            "{s}"
        );
        assert!(s.contains("<![CDATA[<p>x ]]]]><![CDATA[> y</p>]]>"), "{s}");
    }
}
