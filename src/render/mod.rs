//! Render: canonical postings to the bytes of every output format.
//! Deterministic and pure: no clock, no IO; the same postings give the same bytes.

pub mod atom;
pub mod board;
pub mod jsonfeed;
pub mod jsonld;
pub mod linkedin;
pub mod rss;
pub mod sitemap;
pub mod text;
pub mod tracking;
pub mod xml;

use chrono::{DateTime, Utc};

use crate::config::{FeedConfig, OutputConfig, OutputKind};
use crate::model::Posting;

/// One rendered file, relative to the feed's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Path under the feed directory, `/`-separated (`rss.xml`, `jobs/x.jsonld`, `sv/rss.xml`).
    pub path: String,
    /// The output config it belongs to (its name).
    pub output: String,
    pub kind: OutputKind,
    /// What the file is, for validation and serving.
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// The concrete format of a rendered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    JsonLd,
    JsonLdSnippet,
    Rss,
    Atom,
    JsonFeed,
    Indeed,
    /// An Indeed-compatible board with its own profile (element names, dates).
    Board,
    Linkedin,
    Sitemap,
    Postings,
}

impl Format {
    /// The HTTP `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::JsonLd => "application/ld+json; charset=utf-8",
            Format::JsonLdSnippet => "text/html; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::JsonFeed => "application/feed+json; charset=utf-8",
            Format::Indeed | Format::Board | Format::Linkedin | Format::Sitemap => {
                "application/xml; charset=utf-8"
            }
            Format::Postings => "application/json; charset=utf-8",
        }
    }
}

/// What every renderer may know about the feed.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    pub feed: &'a FeedConfig,
    /// The feed's "last changed" time: the newest `updated` of its postings (so that
    /// unchanged input renders byte-identical output).
    pub updated: DateTime<Utc>,
}

impl RenderContext<'_> {
    /// Absolute URL of a file of this feed (`rss.xml` → `https://…/feed/rss.xml`).
    pub fn self_url(&self, path: &str) -> String {
        self.feed
            .base_url
            .join(path)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| format!("{}{path}", self.feed.base_url))
    }
}

/// The newest change among `postings`, or `fallback` for an empty feed.
pub fn feed_updated(postings: &[Posting], fallback: DateTime<Utc>) -> DateTime<Utc> {
    postings.iter().map(|p| p.updated).max().unwrap_or(fallback)
}

/// The signature shared by the RSS, Atom and JSON Feed renderers.
type FeedRenderer = fn(&[&Posting], &FeedMeta, &OutputConfig, &RenderContext<'_>) -> Vec<u8>;

/// The newest `updated` among `postings`, or `fallback` when there are none.
fn newest(postings: &[&Posting], fallback: DateTime<Utc>) -> DateTime<Utc> {
    postings.iter().map(|p| p.updated).max().unwrap_or(fallback)
}

/// Renders one configured output over `postings` (already valid and in canonical order).
pub fn render_output(
    out: &OutputConfig,
    postings: &[Posting],
    ctx: &RenderContext<'_>,
) -> Vec<Rendered> {
    let selected: Vec<&Posting> = postings.iter().filter(|p| out.filter.matches(p)).collect();
    let file = |path: String, format: Format, bytes: Vec<u8>| Rendered {
        path,
        output: out.name().to_string(),
        kind: out.kind,
        format,
        bytes,
    };
    let mut files = Vec::new();
    match out.kind {
        OutputKind::Jsonld => {
            let dir = out.path().trim_end_matches('/');
            for p in &selected {
                let doc = jsonld::document(p, &out.tracking);
                files.push(file(
                    format!("{dir}/{}.jsonld", p.id),
                    Format::JsonLd,
                    jsonld::to_bytes(&doc),
                ));
                files.push(file(
                    format!("{dir}/{}.html", p.id),
                    Format::JsonLdSnippet,
                    jsonld::snippet(&doc, &p.alternates),
                ));
            }
        }
        OutputKind::Rss | OutputKind::Atom | OutputKind::Jsonfeed => {
            let (format, render): (Format, FeedRenderer) = match out.kind {
                OutputKind::Rss => (Format::Rss, rss::render),
                OutputKind::Atom => (Format::Atom, atom::render),
                _ => (Format::JsonFeed, jsonfeed::render),
            };
            let path = out.path().to_string();
            // Each file's date is the newest change among its own postings, so that a change in
            // one language leaves the other language feeds byte-identical.
            let meta = FeedMeta::combined(ctx, &path, newest(&selected, ctx.updated));
            files.push(file(
                path.clone(),
                format,
                render(&selected, &meta, out, ctx),
            ));
            if out.per_language {
                let mut langs: Vec<&str> = selected.iter().map(|p| p.language.as_str()).collect();
                langs.sort_unstable();
                langs.dedup();
                for lang in langs {
                    let subset: Vec<&Posting> = selected
                        .iter()
                        .copied()
                        .filter(|p| p.language == lang)
                        .collect();
                    let lang_path = format!("{lang}/{path}");
                    let meta =
                        FeedMeta::language(ctx, &lang_path, lang, newest(&subset, ctx.updated));
                    files.push(file(lang_path, format, render(&subset, &meta, out, ctx)));
                }
            }
        }
        OutputKind::Indeed => {
            // The standard Indeed dialect is validated as Indeed; any other profile is a board
            // dialect with its own element names, which the gate checks only for well-formedness.
            let format = if board::is_standard(out.profile.as_ref()) {
                Format::Indeed
            } else {
                Format::Board
            };
            files.push(file(
                out.path().into(),
                format,
                board::render(&selected, out, ctx),
            ));
        }
        OutputKind::Linkedin => {
            files.push(file(
                out.path().into(),
                Format::Linkedin,
                linkedin::render(&selected, out, ctx),
            ));
        }
        OutputKind::Sitemap => {
            files.push(file(
                out.path().into(),
                Format::Sitemap,
                sitemap::render(&selected),
            ));
        }
        OutputKind::Postings => {
            let list: Vec<&Posting> = selected;
            let mut bytes = serde_json::to_vec_pretty(&list).expect("postings serialise");
            bytes.push(b'\n');
            files.push(file(out.path().into(), Format::Postings, bytes));
        }
    }
    files
}

/// The organisation's home page, or the feed's own URL when none is configured.
pub(crate) fn home_url(ctx: &RenderContext<'_>) -> String {
    ctx.feed
        .organization
        .url
        .clone()
        .unwrap_or_else(|| ctx.feed.base_url.to_string())
}

/// Tags of a posting for feed categories: team, free categories, employment types;
/// first occurrence wins so that the order is stable and there are no duplicates.
pub(crate) fn tags(p: &Posting) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = p
        .team
        .iter()
        .cloned()
        .chain(p.categories.iter().cloned())
        .chain(p.employment_types.iter().map(|t| t.as_str().to_string()));
    for t in all {
        let t = t.trim().to_string();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Channel-level facts of one syndication feed file.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub title: String,
    /// Absolute URL of this file.
    pub self_url: String,
    /// `None` for the combined feed.
    pub language: Option<String>,
    pub updated: DateTime<Utc>,
}

impl FeedMeta {
    pub(crate) fn combined(ctx: &RenderContext<'_>, path: &str, updated: DateTime<Utc>) -> Self {
        FeedMeta {
            title: ctx.feed.title.clone(),
            self_url: ctx.self_url(path),
            language: None,
            updated,
        }
    }

    pub(crate) fn language(
        ctx: &RenderContext<'_>,
        path: &str,
        lang: &str,
        updated: DateTime<Utc>,
    ) -> Self {
        FeedMeta {
            title: format!("{} ({lang})", ctx.feed.title),
            self_url: ctx.self_url(path),
            language: Some(lang.to_string()),
            updated,
        }
    }
}

/// A small feed config for renderer unit tests (all contacts set).
#[cfg(test)]
pub(crate) fn test_feed() -> FeedConfig {
    let text = r#"
id = "example"
title = "Example jobs"
description = "Open positions at Example Cloud"
base_url = "https://jobs.example.com/example/"

[organization]
name = "Example Cloud AB"
url = "https://www.example.com/"
email = "jobs@example.com"
linkedin_company_id = "1234567"
poster_email = "recruiter@example.com"

[[sources]]
type = "markdown"
path = "content"
"#;
    crate::config::parse_feed(text, std::path::Path::new("feeds/example.toml"))
        .expect("test feed parses")
        .config
}
