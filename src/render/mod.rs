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
    /// Names the bytes when the pipeline knows them by their inputs (equal keys, equal
    /// bytes): a large feed gets its ETag without hashing its bytes again.
    pub key: Option<blake3::Hash>,
}

impl Rendered {
    /// A file of output `out` at `path`.
    pub fn of(out: &OutputConfig, path: String, format: Format, bytes: Vec<u8>) -> Self {
        Rendered {
            path,
            output: out.name().to_string(),
            kind: out.kind,
            format,
            bytes,
            key: None,
        }
    }
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

/// Renders one posting's item of a feed format, as it stands inside its feed file.
pub type ItemRenderer = fn(&Posting, &OutputConfig, &RenderContext<'_>) -> Vec<u8>;

/// A feed file around its items: the bytes before the first item, between two items and
/// after the last. The file is `head item sep item … tail`; items are rendered on their
/// own (see [`ItemRenderer`]), so a run can check each once and reuse unchanged ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub head: Vec<u8>,
    pub sep: &'static [u8],
    pub tail: Vec<u8>,
}

impl Envelope {
    /// The whole file over `items`.
    pub fn assemble<T: AsRef<[u8]>>(&self, items: impl IntoIterator<Item = T>) -> Vec<u8> {
        let mut out = self.head.clone();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(self.sep);
            }
            out.extend_from_slice(item.as_ref());
        }
        out.extend_from_slice(&self.tail);
        out
    }

    /// The file with `item` as its only item (how an item is checked in its context).
    pub fn with_one(&self, item: &[u8]) -> Vec<u8> {
        self.assemble([item])
    }

    /// The envelope of a pretty-printed JSON document whose last `[]` is the items array,
    /// its `]` indented `depth` levels (see [`json_element`]).
    pub(crate) fn json_array(doc: Vec<u8>, depth: usize) -> Envelope {
        let at = doc
            .windows(2)
            .rposition(|w| w == b"[]")
            .expect("the document has an empty items array");
        let mut head = doc;
        let rest = head.split_off(at + 1);
        let mut tail = Vec::with_capacity(rest.len() + 2 * depth + 2);
        tail.push(b'\n');
        tail.resize(1 + 2 * depth, b' ');
        tail.extend_from_slice(&rest);
        tail.push(b'\n');
        Envelope {
            head,
            sep: b",",
            tail,
        }
    }
}

/// One element of a pretty-printed JSON array at `depth`: a newline, then `value` indented
/// as `serde_json::to_writer_pretty` indents it there.
pub(crate) fn json_element<T: serde::Serialize + ?Sized>(value: &T, depth: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.push(b'\n');
    out.resize(1 + 2 * depth, b' ');
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Nested {
            level: depth,
            has_value: false,
        },
    );
    value.serialize(&mut ser).expect("rendered JSON serialises");
    out
}

/// serde_json's pretty layout (two spaces a level) starting `level` levels deep, so that an
/// element is written in place instead of pretty-printed and then indented by copying.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn line<W: ?Sized + std::io::Write>(&self, w: &mut W, lead: &[u8]) -> std::io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        w.write_all(lead)?;
        let mut pad = 2 * self.level;
        while pad > 0 {
            let n = pad.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            pad -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, b"\n")?;
        }
        w.write_all(b)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, if first { b"\n" } else { b",\n" })
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, if first { b"\n" } else { b",\n" })
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

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
    pub out: &'a OutputConfig,
    pub what: JobKind<'a>,
}

pub enum JobKind<'a> {
    /// `jobs/<id>.jsonld` and `jobs/<id>.html`.
    Posting(&'a Posting),
    /// A file of items (RSS, Atom, JSON Feed, a board feed, LinkedIn or `postings.json`), or
    /// a combined feed and then its per-language files, made in one pass: each item is
    /// rendered and checked once for all. The first file lists every posting of the others,
    /// in the same order.
    Feed(Vec<FeedFile<'a>>),
    /// The sitemap, or a sitemap index and its parts beyond 50,000 postings (the size rule
    /// spans all URLs, so they are rendered and checked whole).
    Sitemap(Vec<&'a Posting>),
}

/// A planned file of items: its envelope and how to render each posting's item.
pub struct FeedFile<'a> {
    pub path: String,
    pub format: Format,
    pub envelope: Envelope,
    pub item: ItemRenderer,
    pub postings: Vec<&'a Posting>,
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
    let feed = |path: String, format, envelope, item, postings| {
        job(JobKind::Feed(vec![FeedFile {
            path,
            format,
            envelope,
            item,
            postings,
        }]))
    };
    match out.kind {
        OutputKind::Jsonld => selected
            .into_iter()
            .map(|p| job(JobKind::Posting(p)))
            .collect(),
        OutputKind::Rss | OutputKind::Atom | OutputKind::Jsonfeed => {
            type EnvelopeOf = fn(&FeedMeta, &OutputConfig, &RenderContext<'_>) -> Envelope;
            let (format, envelope, item): (Format, EnvelopeOf, ItemRenderer) = match out.kind {
                OutputKind::Rss => (Format::Rss, rss::envelope, rss::item),
                OutputKind::Atom => (Format::Atom, atom::envelope, atom::item),
                _ => (Format::JsonFeed, jsonfeed::envelope, jsonfeed::item),
            };
            let path = out.path().to_string();
            // The combined file lists every posting; each language file, a subsequence of them.
            let meta = FeedMeta::combined(ctx, &path, newest(&selected, ctx.updated));
            let langs: Vec<&str> = if out.per_language {
                let mut langs: Vec<&str> = selected.iter().map(|p| p.language.as_str()).collect();
                langs.sort_unstable();
                langs.dedup();
                langs
            } else {
                Vec::new()
            };
            let mut per_language = Vec::new();
            for lang in langs {
                let subset: Vec<&Posting> = selected
                    .iter()
                    .copied()
                    .filter(|p| p.language == lang)
                    .collect();
                let lang_path = format!("{lang}/{path}");
                // Each file's date is the newest change among its own postings, so that a
                // change in one language leaves the other language feeds byte-identical.
                let meta = FeedMeta::language(ctx, &lang_path, lang, newest(&subset, ctx.updated));
                let env = envelope(&meta, out, ctx);
                per_language.push(FeedFile {
                    path: lang_path,
                    format,
                    envelope: env,
                    item,
                    postings: subset,
                });
            }
            let mut files = vec![FeedFile {
                path,
                format,
                envelope: envelope(&meta, out, ctx),
                item,
                postings: selected,
            }];
            files.extend(per_language);
            vec![job(JobKind::Feed(files))]
        }
        OutputKind::Indeed => {
            // The standard Indeed dialect is validated as Indeed; any other profile is a
            // board dialect with its own element names, which the gate checks only for
            // well-formedness.
            let format = if board::is_standard(out.profile.as_ref()) {
                Format::Indeed
            } else {
                Format::Board
            };
            let env = board::envelope(out, ctx);
            vec![feed(out.path().into(), format, env, board::item, selected)]
        }
        OutputKind::Linkedin => {
            let env = linkedin::envelope(selected.len(), out, ctx);
            vec![feed(
                out.path().into(),
                Format::Linkedin,
                env,
                linkedin::item,
                selected,
            )]
        }
        OutputKind::Postings => {
            let env = Envelope::json_array(b"[]".to_vec(), 0);
            vec![feed(
                out.path().into(),
                Format::Postings,
                env,
                posting_item,
                selected,
            )]
        }
        OutputKind::Sitemap => vec![job(JobKind::Sitemap(selected))],
    }
}

/// One posting as an element of `postings.json` (the canonical form, for integrators).
fn posting_item(p: &Posting, _out: &OutputConfig, _ctx: &RenderContext<'_>) -> Vec<u8> {
    json_element(p, 1)
}

impl Job<'_> {
    /// Renders the unit's file(s). Pure: the same job renders the same bytes.
    pub fn render(&self, ctx: &RenderContext<'_>) -> Vec<Rendered> {
        let out = self.out;
        let file = |path, format, bytes| Rendered::of(out, path, format, bytes);
        match &self.what {
            JobKind::Posting(p) => posting_files(p, out),
            JobKind::Feed(files) => files.iter().map(|f| f.render(out, ctx)).collect(),
            JobKind::Sitemap(selected) => {
                sitemap::files(selected, out.path(), |path| ctx.self_url(path))
                    .into_iter()
                    .map(|(path, bytes)| file(path, Format::Sitemap, bytes))
                    .collect()
            }
        }
    }
}

impl FeedFile<'_> {
    /// The whole file, in memory.
    pub fn render(&self, out: &OutputConfig, ctx: &RenderContext<'_>) -> Rendered {
        let items = self.postings.iter().map(|p| (self.item)(p, out, ctx));
        Rendered::of(
            out,
            self.path.clone(),
            self.format,
            self.envelope.assemble(items),
        )
    }
}

/// `jobs/<id>.jsonld` and `jobs/<id>.html` of one posting.
pub fn posting_files(p: &Posting, out: &OutputConfig) -> Vec<Rendered> {
    let dir = out.path().trim_end_matches('/');
    let text = jsonld::to_text(&jsonld::document(p, &out.tracking));
    let snippet = jsonld::snippet_of(&text, &p.alternates);
    let mut doc = text.into_bytes();
    doc.push(b'\n');
    let file = |path, format, bytes| Rendered::of(out, path, format, bytes);
    vec![
        file(format!("{dir}/{}.jsonld", p.id), Format::JsonLd, doc),
        file(
            format!("{dir}/{}.html", p.id),
            Format::JsonLdSnippet,
            snippet,
        ),
    ]
}

/// The organisation's home page, or the feed's own URL when none is configured.
pub(crate) fn home_url(ctx: &RenderContext<'_>) -> String {
    ctx.feed
        .organization
        .url
        .clone()
        .unwrap_or_else(|| ctx.feed.base_url.to_string())
}

/// Where a job board lists a posting: its own office (`own`); for one that names none (a
/// remote one), the feed's first default office in a country its applicants may live in,
/// else the country of the posting's language when applicants may live there, else the
/// first applicant country. Boards list jobs by country, and the first of an alphabetical
/// list ("EU" expands to AT, BE, …) would put every job of a Nordic employer in Austria.
pub(crate) fn board_place<'a>(
    p: &'a Posting,
    own: Option<&'a crate::model::Location>,
    feed: &'a FeedConfig,
) -> (Option<&'a crate::model::Location>, Option<&'a str>) {
    let allowed = &p.workplace.applicant_countries;
    let may_live = |c: &str| allowed.is_empty() || allowed.iter().any(|a| a == c);
    let office = own.or_else(|| {
        feed.defaults
            .locations
            .iter()
            .find(|l| may_live(&l.country))
    });
    if let Some(l) = office {
        return (Some(l), Some(l.country.as_str()));
    }
    let lang = language_country(&p.language);
    let country = allowed
        .iter()
        .find(|c| lang.as_deref() == Some(c.as_str()))
        .or(allowed.first());
    (None, country.map(String::as_str))
}

/// The country a language tag points at: its region (`sv-FI` → FI), else the one country
/// most of its speakers live in, for the languages where there is one.
fn language_country(tag: &str) -> Option<String> {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next()?.to_ascii_lowercase();
    if let Some(region) = parts.find(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Some(region.to_ascii_uppercase());
    }
    const MAIN: &[(&str, &str)] = &[
        ("bg", "BG"),
        ("cs", "CZ"),
        ("da", "DK"),
        ("de", "DE"),
        ("el", "GR"),
        ("es", "ES"),
        ("et", "EE"),
        ("fi", "FI"),
        ("fr", "FR"),
        ("ga", "IE"),
        ("hr", "HR"),
        ("hu", "HU"),
        ("is", "IS"),
        ("it", "IT"),
        ("lt", "LT"),
        ("lv", "LV"),
        ("mt", "MT"),
        ("nb", "NO"),
        ("nl", "NL"),
        ("nn", "NO"),
        ("no", "NO"),
        ("pl", "PL"),
        ("pt", "PT"),
        ("ro", "RO"),
        ("sk", "SK"),
        ("sl", "SI"),
        ("sv", "SE"),
    ];
    MAIN.iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, c)| c.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_remote_posting_is_placed_at_a_default_office_else_in_its_languages_country() {
        let mut feed = test_feed();
        feed.defaults.locations.clear();
        let mut p = crate::model::test_posting();
        p.locations.clear();
        p.workplace.applicant_countries = crate::normalise::country::expand(&["EU".into()]).0;
        p.language = "da".into();
        assert_eq!(board_place(&p, None, &feed), (None, Some("DK")));
        p.language = "sv-FI".into();
        assert_eq!(board_place(&p, None, &feed), (None, Some("FI")));
        // No country of its own: the first one applicants may live in.
        p.language = "en".into();
        assert_eq!(board_place(&p, None, &feed), (None, Some("AT")));
        feed.defaults.locations = vec![crate::model::Location {
            locality: Some("Stockholm".into()),
            country: "SE".into(),
            ..Default::default()
        }];
        assert!(matches!(board_place(&p, None, &feed), (Some(l), Some("SE")) if l.country == "SE"));
        // An office in a country applicants may not live in is not theirs.
        p.workplace.applicant_countries = vec!["DK".into()];
        assert_eq!(board_place(&p, None, &feed), (None, Some("DK")));
        p.workplace.applicant_countries.clear();
        assert!(matches!(board_place(&p, None, &feed), (Some(_), _)));
        feed.defaults.locations.clear();
        assert_eq!(board_place(&p, None, &feed), (None, None));
    }

    /// The layout `json_element` must keep: pretty-printed, then every line indented.
    fn reindented(value: &serde_json::Value, depth: usize) -> Vec<u8> {
        let flat = serde_json::to_vec_pretty(value).unwrap();
        let mut out = Vec::new();
        for line in flat.split(|&b| b == b'\n') {
            out.push(b'\n');
            out.resize(out.len() + 2 * depth, b' ');
            out.extend_from_slice(line);
        }
        out
    }

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                prop::collection::btree_map("[a-z\n]{0,4}", inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Guards the JSON feeds' and `postings.json`'s bytes: an element written in place
        /// is laid out exactly as one pretty-printed and then indented to its depth.
        #[test]
        fn json_elements_are_written_as_pretty_printing_then_indenting_lays_them_out(
            value in json(),
            depth in 0usize..40,
        ) {
            prop_assert_eq!(json_element(&value, depth), reindented(&value, depth));
        }
    }
}
