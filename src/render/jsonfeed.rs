//! JSON Feed 1.1 of postings through serde structs (field order fixed by the structs).
//! Dates are RFC 3339; optional fields are left out rather than written as `null`.

use serde::Serialize;

use super::xml::rfc3339;
use super::{Envelope, FeedMeta, RenderContext, home_url, tags, tracking};
use crate::config::OutputConfig;
use crate::model::Posting;

/// The JSON Feed 1.1 version URL.
pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Debug, Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    language: &'a str,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    /// Always written empty: the items are spliced in (see [`item`]).
    items: [(); 0],
}

/// A WebSub hub subscribers can use (JSON Feed 1.1 `hubs`).
#[derive(Debug, Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Debug, Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Item<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    language: &'a str,
}

/// Renders one JSON Feed file over `postings` (already in canonical order).
pub fn render(
    postings: &[&Posting],
    meta: &FeedMeta,
    out: &OutputConfig,
    ctx: &RenderContext<'_>,
) -> Vec<u8> {
    envelope(meta, out, ctx).assemble(postings.iter().map(|p| item(p, out, ctx)))
}

/// The feed object around its `items` array (the last member).
pub fn envelope(meta: &FeedMeta, _out: &OutputConfig, ctx: &RenderContext<'_>) -> Envelope {
    let org = &ctx.feed.organization;
    let feed = Feed {
        version: VERSION,
        title: &meta.title,
        home_page_url: home_url(ctx),
        feed_url: &meta.self_url,
        description: ctx.feed.description.as_deref(),
        language: meta.language.as_deref().unwrap_or(&ctx.feed.language),
        authors: vec![Author {
            name: &org.name,
            url: org.url.as_deref(),
        }],
        hubs: ctx
            .feed
            .notify
            .websub
            .iter()
            .map(|w| Hub {
                kind: "WebSub",
                url: &w.hub,
            })
            .collect(),
        items: [],
    };
    let doc = serde_json::to_vec_pretty(&feed).expect("feed structs serialise");
    Envelope::json_array(doc, 1)
}

/// One posting's item, as it stands in the `items` array.
pub fn item(p: &Posting, out: &OutputConfig, _ctx: &RenderContext<'_>) -> Vec<u8> {
    let content_html = p.description_html.html();
    let item = Item {
        // The posting id never changes (formats.md §9.7), the URL might.
        id: &p.id,
        url: tracking::apply(&p.url, &out.tracking),
        title: &p.title,
        content_html: &content_html,
        summary: p.summary.as_deref(),
        date_published: rfc3339(&p.date_posted),
        date_modified: rfc3339(&p.updated),
        tags: tags(p),
        language: &p.language,
    };
    super::json_element(&item, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutputKind;
    use crate::model::test_posting;
    use crate::render::{FeedMeta, test_feed};

    #[test]
    fn json_feed_has_version_language_and_item_dates() {
        let feed = test_feed();
        let p = test_posting();
        let ctx = RenderContext {
            feed: &feed,
            updated: p.updated,
        };
        let meta = FeedMeta::language(&ctx, "en/feed.json", "en", p.updated);
        let bytes = render(&[&p], &meta, &OutputConfig::of(OutputKind::Jsonfeed), &ctx);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["version"], VERSION);
        assert_eq!(v["language"], "en");
        assert_eq!(v["home_page_url"], "https://www.example.com/");
        assert_eq!(
            v["feed_url"],
            "https://jobs.example.com/example/en/feed.json"
        );
        assert_eq!(v["items"][0]["id"], "platform-engineer-en");
        assert_eq!(v["items"][0]["date_published"], "2026-11-02T00:00:00Z");
        assert_eq!(v["items"][0]["date_modified"], "2026-11-20T08:30:00Z");
        assert_eq!(v["items"][0]["tags"][0], "Platform");
    }
}
