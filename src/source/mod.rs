//! Sources: read postings from where employers keep them and hand over raw, unparsed facts.
//! One module per source kind; every source returns `RawPosting`s plus diagnostics, never fails whole.

pub mod ats;
pub mod error;
pub mod html;
pub mod http;
pub mod markdown;
pub mod state;

pub use error::SourceError;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::{FeedConfig, SourceConfig};
use crate::diag::Diagnostic;
use crate::model::{Location, Organization};

/// What a source knows about one posting, before normalisation.
///
/// Text stays as the author wrote it (dates, employment words, location phrases, salary
/// lines); `normalise` interprets it with the feed's defaults and vocabularies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawPosting {
    /// The source's name (from config).
    pub source: String,
    /// File path or URL the posting was read from.
    pub origin: String,
    /// Line of each field in `origin` (canonical field names: `title`, `date` …; `""` = the posting).
    pub field_lines: BTreeMap<&'static str, u32>,
    /// Explicit stable id (front matter `id`, ATS id).
    pub id: Option<String>,
    /// Key shared by translations (file stem, `translationKey`, ATS id).
    pub group: Option<String>,
    /// Language tag as found.
    pub language: Option<String>,
    pub title: Option<String>,
    /// Description, already sanitised HTML with absolute links.
    pub description_html: Option<crate::model::Html>,
    pub summary: Option<String>,
    /// Canonical page URL.
    pub url: Option<String>,
    /// Apply target as written: URL, `mailto:` link, e-mail address or `#anchor`.
    pub apply: Option<String>,
    /// Dates as written (RFC 3339, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD`, with optional ` UTC`).
    pub date_posted: Option<String>,
    pub valid_through: Option<String>,
    pub updated: Option<String>,
    /// Employment type words ("Full time", "Heltid", `FULL_TIME`).
    pub employment: Vec<String>,
    /// Location phrases ("Remote (Sweden or Norway)", "Sweden - Solna, Stockholm").
    pub location_text: Vec<String>,
    /// Structured offices.
    pub locations: Vec<Location>,
    /// Arrangement word ("remote", "hybrid", "on-site").
    pub arrangement: Option<String>,
    /// Countries remote applicants may live in, as codes, names or `EU`.
    pub applicant_countries: Vec<String>,
    pub salary: Option<RawSalary>,
    pub team: Option<String>,
    pub categories: Vec<String>,
    /// Organisation, when the source names its own.
    pub organization: Option<Organization>,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Names this exact content when the source knows it cheaply (a markdown file's
    /// metadata): normalising it again gives the same result, so it is done once.
    pub key: Option<crate::cache::Key>,
}

impl RawPosting {
    /// The line of `field`, else the line where the posting starts.
    pub fn line_of(&self, field: &str) -> Option<u32> {
        self.field_lines
            .get(field)
            .or_else(|| self.field_lines.get(""))
            .copied()
    }
}

/// Salary facts as found: a line of text and/or separate values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSalary {
    /// A phrase such as "€50,000 - €80,000 årligt".
    pub text: Option<String>,
    pub currency: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub unit: Option<String>,
}

/// What one source run produced.
#[derive(Debug, Default)]
pub struct SourceOutput {
    pub postings: Vec<RawPosting>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files the source read (for watching and reports).
    pub files: Vec<std::path::PathBuf>,
    /// The source could not be read at all (a site path that is gone): an absence of
    /// postings here says nothing about the postings published before.
    pub unread: bool,
}

/// What a source needs to know about the run.
#[derive(Debug, Clone, Copy)]
pub struct SourceContext<'a> {
    pub feed: &'a FeedConfig,
    /// Directory of the feed file: relative paths resolve against it.
    pub config_dir: &'a Path,
    /// Directory for state that must survive runs (last good snapshots, validators).
    pub state_dir: &'a Path,
    /// Include drafts.
    pub drafts: bool,
    /// The run's clock, for publish and expiry dates.
    pub now: DateTime<Utc>,
    /// Work kept from earlier runs (markdown bodies), when the caller keeps any.
    pub cache: Option<&'a crate::cache::Cache>,
    /// Read only these files of file sources (the ones an edit touched); `None`: all.
    pub only: Option<&'a std::collections::BTreeSet<std::path::PathBuf>>,
    /// Where descriptions go as they are read instead of memory (a one-off build).
    pub spill: Option<&'a std::sync::Arc<crate::model::Spill>>,
}

impl SourceContext<'_> {
    /// `raw` with its description moved to the spill file, when there is one.
    pub fn spill(&self, mut raw: RawPosting) -> RawPosting {
        if let Some(to) = self.spill {
            raw.description_html = raw.description_html.map(|h| h.spill(to));
        }
        raw
    }
}

/// Reads one configured source.
pub fn read(source: &SourceConfig, ctx: &SourceContext<'_>) -> SourceOutput {
    read_with(source, ctx, std::sync::Arc::new(http::RealSleeper))
}

/// Reads one configured source with an injected clock for retry waits (tests).
pub fn read_with(
    source: &SourceConfig,
    ctx: &SourceContext<'_>,
    sleeper: std::sync::Arc<dyn http::Sleeper>,
) -> SourceOutput {
    use ats::Adapter;
    let name = source.name();
    let remote = |adapter: &dyn Adapter, r| remote_read(adapter, r, name, ctx, sleeper.clone());
    match source {
        SourceConfig::Markdown(cfg) => markdown::read(cfg, name, ctx),
        SourceConfig::Greenhouse(c) => remote(c as &dyn Adapter, c.remote()),
        SourceConfig::Lever(c) => remote(c, c.remote()),
        SourceConfig::Ashby(c) => remote(c, c.remote()),
        SourceConfig::Recruitee(c) => remote(c, c.remote()),
        SourceConfig::Personio(c) => {
            // Texts default to the feed's language.
            let mut c = c.clone();
            c.language = c.language.or_else(|| Some(ctx.feed.language.clone()));
            remote(&c, c.remote())
        }
        SourceConfig::Workable(c) => remote(c, c.remote()),
        SourceConfig::Smartrecruiters(c) => remote(c, c.remote()),
        SourceConfig::Teamtailor(c) => remote(c, c.remote()),
        SourceConfig::Jsonld(c) => remote(c, c.remote()),
        SourceConfig::Json(c) => remote(c, c.remote()),
    }
}

fn remote_read(
    adapter: &(dyn ats::Adapter + Sync),
    remote: Result<ats::Remote, SourceError>,
    name: &str,
    ctx: &SourceContext<'_>,
    sleeper: std::sync::Arc<dyn http::Sleeper>,
) -> SourceOutput {
    // The blocking HTTP client must not run on an async runtime's thread: hop off it.
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| ats::run(adapter, remote, name, ctx, sleeper))
                .join()
                .unwrap_or_default()
        })
    } else {
        ats::run(adapter, remote, name, ctx, sleeper)
    }
}
