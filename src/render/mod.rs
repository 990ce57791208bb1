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

/// Room to reserve for a feed file over `postings`: their texts plus markup, generously.
/// Reserving once avoids growing a large buffer by copying (two copies resident at once);
/// pages reserved but never written are not resident, so generous costs nothing.
pub(crate) fn size_hint(postings: &[&Posting]) -> usize {
    let text: usize = postings
        .iter()
        .map(|p| p.description_html.len() + p.summary.as_ref().map_or(0, String::len) + 2048)
        .sum();
    16 * 1024 + text + text / 2
}

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
    let all: Vec<&Posting> = postings.iter().collect();
    plan_output(out, &all, ctx)
        .iter()
        .flat_map(|job| job.render(ctx))
        .collect()
}

/// One unit of rendering: the JSON-LD pair of one posting, or one whole file. Planned
/// first, so the pipeline can render, check and publish units one at a time in parallel
/// without holding every rendered file of a run at once.
pub struct Job<'a> {
    out: &'a OutputConfig,
    what: JobKind<'a>,
}

enum JobKind<'a> {
    /// `jobs/<id>.jsonld` and `jobs/<id>.html`.
    Posting(&'a Posting),
    /// An RSS, Atom or JSON Feed file (combined or one language).
    Feed {
        path: String,
        format: Format,
        render: FeedRenderer,
        meta: FeedMeta,
        postings: Vec<&'a Posting>,
    },
    /// A board feed, sitemap or `postings.json` over every selected posting.
    Whole(Vec<&'a Posting>),
}

/// Plans one configured output over `postings` (already valid and in canonical order).
pub fn plan_output<'a>(
    out: &'a OutputConfig,
    postings: &[&'a Posting],
    ctx: &RenderContext<'_>,
) -> Vec<Job<'a>> {
    let selected: Vec<&'a Posting> = postings
        .iter()
        .copied()
        .filter(|p| out.filter.matches(p))
        .collect();
    let job = |what| Job { out, what };
    match out.kind {
        OutputKind::Jsonld => selected
            .into_iter()
            .map(|p| job(JobKind::Posting(p)))
            .collect(),
        OutputKind::Rss | OutputKind::Atom | OutputKind::Jsonfeed => {
            let (format, render): (Format, FeedRenderer) = match out.kind {
                OutputKind::Rss => (Format::Rss, rss::render),
                OutputKind::Atom => (Format::Atom, atom::render),
                _ => (Format::JsonFeed, jsonfeed::render),
            };
            let path = out.path().to_string();
            let mut jobs = Vec::new();
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
                    // Each file's date is the newest change among its own postings, so that a
                    // change in one language leaves the other language feeds byte-identical.
                    let meta =
                        FeedMeta::language(ctx, &lang_path, lang, newest(&subset, ctx.updated));
                    jobs.push(job(JobKind::Feed {
                        path: lang_path,
                        format,
                        render,
                        meta,
                        postings: subset,
                    }));
                }
            }
            let meta = FeedMeta::combined(ctx, &path, newest(&selected, ctx.updated));
            // The combined file first: it is the largest, so it starts before the others.
            jobs.insert(
                0,
                job(JobKind::Feed {
                    path,
                    format,
                    render,
                    meta,
                    postings: selected,
                }),
            );
            jobs
        }
        OutputKind::Indeed | OutputKind::Linkedin | OutputKind::Sitemap | OutputKind::Postings => {
            vec![job(JobKind::Whole(selected))]
        }
    }
}

impl Job<'_> {
    /// Renders the unit's file(s). Pure: the same job renders the same bytes.
    pub fn render(&self, ctx: &RenderContext<'_>) -> Vec<Rendered> {
        let out = self.out;
        let file = |path: String, format: Format, bytes: Vec<u8>| Rendered {
            path,
            output: out.name().to_string(),
            kind: out.kind,
            format,
            bytes,
        };
        match &self.what {
            JobKind::Posting(p) => {
                let dir = out.path().trim_end_matches('/');
                let doc = jsonld::document(p, &out.tracking);
                vec![
                    file(
                        format!("{dir}/{}.jsonld", p.id),
                        Format::JsonLd,
                        jsonld::to_bytes(&doc),
                    ),
                    file(
                        format!("{dir}/{}.html", p.id),
                        Format::JsonLdSnippet,
                        jsonld::snippet(&doc, &p.alternates),
                    ),
                ]
            }
            JobKind::Feed {
                path,
                format,
                render,
                meta,
                postings,
            } => vec![file(
                path.clone(),
                *format,
                render(postings, meta, out, ctx),
            )],
            JobKind::Whole(selected) => {
                let (format, bytes) = match out.kind {
                    OutputKind::Indeed => {
                        // The standard Indeed dialect is validated as Indeed; any other profile
                        // is a board dialect with its own element names, which the gate checks
                        // only for well-formedness.
                        let format = if board::is_standard(out.profile.as_ref()) {
                            Format::Indeed
                        } else {
                            Format::Board
                        };
                        (format, board::render(selected, out, ctx))
                    }
                    OutputKind::Linkedin => {
                        (Format::Linkedin, linkedin::render(selected, out, ctx))
                    }
                    OutputKind::Sitemap => (Format::Sitemap, sitemap::render(selected)),
                    _ => {
                        let mut bytes = Vec::with_capacity(size_hint(selected));
                        serde_json::to_writer_pretty(&mut bytes, selected)
                            .expect("postings serialise");
                        bytes.push(b'\n');
                        (Format::Postings, bytes)
                    }
                };
                vec![file(out.path().into(), format, bytes)]
            }
        }
    }
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
