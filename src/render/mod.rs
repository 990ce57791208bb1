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
            let (format, render): (
                Format,
                fn(&[&Posting], &FeedMeta, &OutputConfig, &RenderContext<'_>) -> Vec<u8>,
            ) = match out.kind {
                OutputKind::Rss => (Format::Rss, rss::render),
                OutputKind::Atom => (Format::Atom, atom::render),
                _ => (Format::JsonFeed, jsonfeed::render),
            };
            let path = out.path().to_string();
            let meta = FeedMeta::combined(ctx, &path);
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
                    let meta = FeedMeta::language(ctx, &lang_path, lang);
                    files.push(file(lang_path, format, render(&subset, &meta, out, ctx)));
                }
            }
        }
        OutputKind::Indeed => {
            files.push(file(
                out.path().into(),
                Format::Indeed,
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
    fn combined(ctx: &RenderContext<'_>, path: &str) -> Self {
        FeedMeta {
            title: ctx.feed.title.clone(),
            self_url: ctx.self_url(path),
            language: None,
            updated: ctx.updated,
        }
    }

    fn language(ctx: &RenderContext<'_>, path: &str, lang: &str) -> Self {
        FeedMeta {
            title: format!("{} ({lang})", ctx.feed.title),
            self_url: ctx.self_url(path),
            language: Some(lang.to_string()),
            updated: ctx.updated,
        }
    }
}
