//! Markdown source: postings kept as markdown files with front matter (Hugo, Jekyll, Zola).
//! Finds the posting files like Hugo would publish them and hands over raw facts with lines.

pub mod body;
pub mod frontmatter;
pub mod hugo;
pub mod init;
pub mod shortcodes;

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{RawPosting, RawSalary, SourceContext, SourceOutput};
use crate::diag::Diagnostic;
use crate::model::{Arrangement, EmploymentType};
use frontmatter::{Page, value_text};
use hugo::{PageFacts, Site};

/// Files larger than this are not postings (and would slow every run).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
const MAX_DEPTH: usize = 32;

/// Configuration of a markdown source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Name of the source in reports (default `markdown`).
    #[serde(default)]
    pub name: Option<String>,
    /// The site root (or a content directory), relative to the feed file.
    pub path: PathBuf,
    /// The section holding the postings (`career`, `jobs` …), in every language's content.
    #[serde(default)]
    pub section: Option<String>,
    /// Instead of a section: globs of posting files, relative to the content directory
    /// (`career/*.md`, `jobs/**/index.md`).
    #[serde(default)]
    pub glob: Vec<String>,
    /// Public URL of the site, when the site config does not say it.
    #[serde(default)]
    pub base_url: Option<url::Url>,
    /// Public URL per language, overriding the site config (`{ sv = "https://example.se/" }`).
    #[serde(default)]
    pub base_urls: BTreeMap<String, url::Url>,
    /// Language of pages when neither the content tree nor the front matter says.
    #[serde(default)]
    pub language: Option<String>,
    /// Front matter key that leaves a page out of the feed when `false` (default `jobfeed`).
    #[serde(default)]
    pub exclude_key: Option<String>,
    /// Front matter keys to read each field from.
    #[serde(default)]
    pub fields: FieldNames,
    /// What to do with Hugo shortcodes by name.
    #[serde(default)]
    pub shortcodes: ShortcodeRules,
    /// Extra employment words: `{ "Fast anställning" = "FULL_TIME" }`.
    #[serde(default)]
    pub employment_words: BTreeMap<String, String>,
    /// Extra arrangement words (location or arrangement values): `{ "Flexibel" = "hybrid" }`.
    #[serde(default)]
    pub arrangement_words: BTreeMap<String, Arrangement>,
}

/// One key or a list of keys tried in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Keys {
    One(String),
    Many(Vec<String>),
}

impl Keys {
    fn list(&self) -> Vec<String> {
        match self {
            Keys::One(k) => vec![k.to_lowercase()],
            Keys::Many(ks) => ks.iter().map(|k| k.to_lowercase()).collect(),
        }
    }
}

/// Front matter keys per field; each replaces the built-in list for that field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldNames {
    #[serde(default)]
    pub id: Option<Keys>,
    #[serde(default)]
    pub title: Option<Keys>,
    #[serde(default)]
    pub summary: Option<Keys>,
    #[serde(default)]
    pub date: Option<Keys>,
    #[serde(default)]
    pub expirydate: Option<Keys>,
    #[serde(default)]
    pub lastmod: Option<Keys>,
    #[serde(default)]
    pub apply: Option<Keys>,
    #[serde(default)]
    pub location: Option<Keys>,
    #[serde(default)]
    pub arrangement: Option<Keys>,
    #[serde(default)]
    pub employment: Option<Keys>,
    #[serde(default)]
    pub team: Option<Keys>,
    #[serde(default)]
    pub salary: Option<Keys>,
    #[serde(default)]
    pub language: Option<Keys>,
    #[serde(default)]
    pub categories: Option<Keys>,
}

/// Built-in key lists, fitted to common Hugo and Jekyll job sites.
pub const DEFAULT_FIELDS: &[(&str, &[&str])] = &[
    ("id", &["id", "jobid", "job_id"]),
    ("title", &["title", "jobtitle", "job_title"]),
    (
        "summary",
        &["intro", "summary", "description", "lead", "excerpt"],
    ),
    ("date", &["date", "publishdate", "pubdate", "published"]),
    (
        "expirydate",
        &["expirydate", "unpublishdate", "validthrough", "expires"],
    ),
    ("lastmod", &["lastmod", "modified", "updated"]),
    (
        "apply",
        &[
            "apply",
            "apply_url",
            "applyurl",
            "application_url",
            "application link",
            "sidebarlinkurl",
        ],
    ),
    (
        "location",
        &["location", "locations", "joblocation", "job_location"],
    ),
    (
        "arrangement",
        &["arrangement", "workplace", "work_arrangement", "remote"],
    ),
    (
        "employment",
        &[
            "employment",
            "employment_type",
            "employmenttype",
            "duration",
            "jobtype",
            "job_type",
            "worktype",
        ],
    ),
    ("team", &["team", "department"]),
    ("salary", &["salary", "salaryrange", "salary_range"]),
    ("language", &["language", "lang"]),
    ("categories", &["categories", "category"]),
];

impl FieldNames {
    /// The keys tried for a canonical field, configured or built in.
    pub fn keys(&self, field: &str) -> Vec<String> {
        let configured = match field {
            "id" => &self.id,
            "title" => &self.title,
            "summary" => &self.summary,
            "date" => &self.date,
            "expirydate" => &self.expirydate,
            "lastmod" => &self.lastmod,
            "apply" => &self.apply,
            "location" => &self.location,
            "arrangement" => &self.arrangement,
            "employment" => &self.employment,
            "team" => &self.team,
            "salary" => &self.salary,
            "language" => &self.language,
            "categories" => &self.categories,
            _ => &None,
        };
        match configured {
            Some(k) => k.list(),
            None => DEFAULT_FIELDS
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, ks)| ks.iter().map(|k| k.to_string()).collect())
                .unwrap_or_default(),
        }
    }
}

/// Shortcode names to keep (content or text) or drop, over the built-in rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortcodeRules {
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub drop: Vec<String>,
}

impl ShortcodeRules {
    fn action(&self, name: &str) -> Option<shortcodes::Action> {
        if self.drop.iter().any(|n| n == name) {
            Some(shortcodes::Action::Drop)
        } else if self.keep.iter().any(|n| n == name) {
            Some(shortcodes::Action::Keep)
        } else {
            None
        }
    }
}

/// A markdown file found under a content root.
#[derive(Debug, Clone)]
struct Candidate {
    file: PathBuf,
    /// Path relative to the content root.
    rel: PathBuf,
    language: Option<String>,
    content_root: PathBuf,
}

/// Reads every posting file of the source.
pub fn read(cfg: &MarkdownConfig, name: &str, ctx: &SourceContext<'_>) -> SourceOutput {
    let mut out = SourceOutput::default();
    let root = ctx.config_dir.join(&cfg.path);
    if !root.exists() {
        out.diagnostics.push(
            Diagnostic::error(
                "markdown.path",
                format!("the site path {} does not exist", root.display()),
            )
            .file(root.display().to_string()),
        );
        out.unread = true;
        return out;
    }
    let site = match Site::load(&root) {
        Ok(s) => s,
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::error("hugo.config", e.message.clone())
                    .file(&e.file)
                    .line(Some(e.line)),
            );
            out.unread = true;
            return out;
        }
    };
    if let Some(f) = &site.config_file {
        out.files.push(f.clone());
    }
    let mut candidates = Vec::new();
    for r in site.content_roots(&root) {
        let start = match &cfg.section {
            Some(s) => r.dir.join(s),
            None => r.dir.clone(),
        };
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        let mut unlisted = Vec::new();
        walk(&start, 0, &mut seen, &mut files, &mut unlisted);
        for (dir, e) in unlisted {
            out.diagnostics
                .push(unreadable(&e, &dir.display().to_string(), true));
        }
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&r.dir).unwrap_or(&file).to_path_buf();
            if !cfg.glob.is_empty() {
                let rel_s = slash(&rel);
                let site_rel = slash(file.strip_prefix(&root).unwrap_or(&file));
                if !cfg
                    .glob
                    .iter()
                    .any(|g| glob_match(g, &rel_s) || glob_match(g, &site_rel))
                {
                    continue;
                }
            }
            if ctx.only.is_some_and(|only| !only.contains(&file)) {
                continue;
            }
            let (rel, suffix_lang) = language_suffix(&rel, &site);
            candidates.push(Candidate {
                file,
                rel,
                language: suffix_lang.or_else(|| r.language.clone()),
                content_root: r.dir.clone(),
            });
        }
    }
    // What every page's reading depends on besides its own file: the site config.
    let site_key = crate::cache::key(&[b"site", format!("{site:?}").as_bytes()]);
    // Files are independent: read and parse them on every core, then keep the walk order.
    // Section indexes are dropped first so that the parallel map is indexed: its results are
    // written straight into one exact-size vector, and the postings are then taken out of it
    // in place (at 100,000 postings each extra copy of the postings was 80 MB at the peak).
    candidates.retain(|c| {
        !c.file
            .file_stem()
            .is_some_and(|s| s.to_string_lossy().starts_with("_index"))
    });
    // A misspelt section or glob looks like a site with no jobs: say which it is.
    if candidates.is_empty() && ctx.only.is_none() {
        out.diagnostics.push(
            Diagnostic::warning(
                "markdown.no-files",
                format!(
                    "no posting file matched under {} (section {:?}, glob {:?}): nothing is published from this source; check `section` and `glob` if there should be",
                    root.display(),
                    cfg.section.as_deref().unwrap_or(""),
                    cfg.glob
                ),
            )
            .file(root.display().to_string()),
        );
    }
    let keys = KnownKeys::of(cfg);
    let mut postings: Vec<Option<RawPosting>> = Vec::new();
    let mut diags: Vec<Vec<Diagnostic>> = Vec::new();
    candidates
        .par_iter()
        .map(|c| {
            let mut diags = Vec::new();
            let posting = read_candidate(c, &site, site_key, cfg, &keys, name, ctx, &mut diags);
            (posting.map(|p| ctx.spill(p)), diags)
        })
        .unzip_into_vecs(&mut postings, &mut diags);
    out.files.extend(candidates.into_iter().map(|c| c.file));
    out.postings = in_place_somes(postings);
    out.diagnostics.extend(diags.into_iter().flatten());
    out
}

/// The postings that were read, in the vector that held them: `filter_map` collects in
/// place where `flatten` would allocate a second vector.
#[allow(clippy::filter_map_identity)]
fn in_place_somes(postings: Vec<Option<RawPosting>>) -> Vec<RawPosting> {
    postings.into_iter().filter_map(|p| p).collect()
}

/// Reads one candidate file: size check, read, parse. Problems go to `diags`.
/// With a cache that keeps bytes (the daemon), a file whose size, times and inode are
/// those of an earlier run is not read again: that run's posting and findings are reused.
#[allow(clippy::too_many_arguments)]
fn read_candidate(
    c: &Candidate,
    site: &Site,
    site_key: crate::cache::Key,
    cfg: &MarkdownConfig,
    keys: &KnownKeys,
    name: &str,
    ctx: &SourceContext<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<RawPosting> {
    let shown = c.file.display().to_string();
    let meta = match std::fs::metadata(&c.file) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            diags.push(
                Diagnostic::warning(
                    "markdown.too-large",
                    format!(
                        "the file has {} bytes, more than the {MAX_FILE_BYTES} a posting may have; it is skipped",
                        m.len()
                    ),
                )
                .file(&shown),
            );
            return None;
        }
        Ok(m) => m,
        Err(e) => {
            diags.push(unreadable(&e, &shown, false));
            return None;
        }
    };
    let cached = ctx
        .cache
        .filter(|cache| cache.keeps_bytes())
        .and_then(|cache| Some((cache, page_key(c, &meta, site_key, ctx.drafts)?)));
    if let Some((cache, key)) = &cached
        && let Some(page) = cache.pages.get(key)
        && page.hidden_until.is_none_or(|t| ctx.now < t)
    {
        diags.extend(page.diagnostics.iter().cloned());
        return page.posting.clone();
    }
    let bytes = match std::fs::read(&c.file) {
        Ok(b) => b,
        Err(e) => {
            diags.push(unreadable(&e, &shown, false));
            return None;
        }
    };
    let mut reading = Reading::default();
    let mut posting = read_page(&bytes, c, site, cfg, keys, name, ctx, &mut reading);
    if let Some((cache, key)) = cached
        && !reading.read_others.get()
    {
        if let Some(p) = &mut posting {
            p.key = Some(key);
        }
        cache.pages.put(
            key,
            std::sync::Arc::new(crate::cache::PageRead {
                posting: posting.clone(),
                diagnostics: reading.diagnostics.clone(),
                hidden_until: reading.hidden_until,
            }),
        );
    }
    diags.extend(reading.diagnostics);
    posting
}

/// What reading a page found, and what it depended on besides its bytes, the site and
/// the source config.
#[derive(Default)]
struct Reading {
    diagnostics: Vec<Diagnostic>,
    /// Hidden until this publish date: the same bytes publish from then on.
    hidden_until: Option<chrono::DateTime<chrono::Utc>>,
    /// Other pages were read (`ref` shortcodes): their changes would change this one.
    read_others: std::cell::Cell<bool>,
}

/// A key naming a file's content by its metadata, or `None` when that cannot be trusted:
/// a file changed within the last seconds may change again within the file system's
/// timestamp granularity keeping size and times (git's "racily clean" entries).
fn page_key(
    c: &Candidate,
    meta: &std::fs::Metadata,
    site: crate::cache::Key,
    drafts: bool,
) -> Option<crate::cache::Key> {
    const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);
    let modified = meta.modified().ok()?;
    let age = std::time::SystemTime::now().duration_since(modified).ok()?;
    let nanos = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_le_bytes()
    };
    #[cfg(unix)]
    let (changed, inode) = {
        use std::os::unix::fs::MetadataExt;
        let changed = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        let ctime = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(changed.max(0) as u64);
        if std::time::SystemTime::now()
            .duration_since(ctime)
            .is_ok_and(|a| a < SETTLED)
        {
            return None;
        }
        (
            changed.to_le_bytes(),
            [meta.ino().to_le_bytes(), meta.dev().to_le_bytes()].concat(),
        )
    };
    #[cfg(not(unix))]
    let (changed, inode) = ([0u8; 16], Vec::new());
    if age < SETTLED {
        return None;
    }
    let language = c.language.as_deref().unwrap_or("");
    Some(crate::cache::key(&[
        b"page",
        c.file.as_os_str().as_encoded_bytes(),
        c.rel.as_os_str().as_encoded_bytes(),
        c.content_root.as_os_str().as_encoded_bytes(),
        language.as_bytes(),
        site.as_bytes(),
        &[u8::from(drafts)],
        &meta.len().to_le_bytes(),
        &nanos(modified),
        &changed,
        &inode,
    ]))
}

/// The diagnostic for a file that cannot be read: what failed, and what to do about it.
/// `dir` when a directory of the content tree could not be listed.
fn unreadable(e: &std::io::Error, shown: &str, dir: bool) -> Diagnostic {
    let (what, chmod, skipped) = if dir {
        ("directory", "chmod a+rx", "the postings in it are skipped")
    } else {
        ("file", "chmod a+r", "it is skipped")
    };
    let why = match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!(
            "permission denied (make it readable to the user jobfeed runs as, e.g. `{chmod}`, \
             or move it out of the content directory)"
        ),
        _ => e.to_string(),
    };
    Diagnostic::error(
        "markdown.read",
        format!("the {what} cannot be read: {why}; {skipped}, the other postings are published"),
    )
    .file(shown)
}

/// Reads one posting from the bytes of a file; `None` when it is not published or broken
/// (then `diags` says why, if it is a problem).
#[allow(clippy::too_many_arguments)]
fn read_page(
    bytes: &[u8],
    c: &Candidate,
    site: &Site,
    cfg: &MarkdownConfig,
    keys: &KnownKeys,
    name: &str,
    ctx: &SourceContext<'_>,
    reading: &mut Reading,
) -> Option<RawPosting> {
    let shown = c.file.display().to_string();
    let diags = &mut reading.diagnostics;
    let page = frontmatter::decode(bytes)
        .and_then(|t| frontmatter::parse(&t))
        .map_err(|e| {
            diags.push(
                Diagnostic::error(e.rule, format!("{}; the file is skipped", e.message))
                    .file(&shown)
                    .line(Some(e.line)),
            )
        })
        .ok()?;
    let warn =
        |diags: &mut Vec<Diagnostic>, rule: &str, line: Option<u32>, field: &str, msg: String| {
            let mut d = Diagnostic::warning(rule, msg).file(&shown).line(line);
            if !field.is_empty() {
                d = d.field(field);
            }
            diags.push(d);
        };
    for (k, first, last) in &page.duplicates {
        warn(
            diags,
            "frontmatter.duplicate-key",
            Some(*last),
            k,
            format!(
                "`{k}` is set twice (lines {first} and {last}); the last value is used: remove one"
            ),
        );
    }

    // Not published: drafts, the opt-out flag, a future publish date.
    let draft = page.fields.get("draft");
    if draft.is_some() && truthy(draft).is_none() {
        // "draft: flase" must not pass for a decision.
        warn(
            diags,
            "frontmatter.draft",
            page.lines.get("draft").copied(),
            "draft",
            format!(
                "`draft` is {}, which is neither true nor false: the page is published as not a draft",
                draft.map(|v| v.to_string()).unwrap_or_default()
            ),
        );
    }
    if truthy(draft) == Some(true) && !ctx.drafts {
        return None;
    }
    // Jekyll hides a page with `published: false` (in Hugo `published` is a date).
    if page.fields.get("published") == Some(&Value::Bool(false)) {
        return None;
    }
    // Hugo build options: `build: { render: never }` (or the older `_build`) publishes no page.
    let build = page
        .fields
        .get("build")
        .or_else(|| page.fields.get("_build"));
    if let Some(Value::Object(b)) = build
        && let Some(render) = b.get("render")
        && (render == &Value::Bool(false) || render.as_str() == Some("never"))
    {
        return None;
    }
    let exclude_key = cfg
        .exclude_key
        .as_deref()
        .unwrap_or("jobfeed")
        .to_lowercase();
    if truthy(page.fields.get(&exclude_key)) == Some(false) {
        return None;
    }
    if let Some((k, p)) = ["publishdate", "pubdate", "published", "date"]
        .iter()
        .find_map(|k| Some((*k, page.text(k)?)))
        && let Ok(d) = crate::normalise::dates::parse(&p, ctx.feed.tz())
        && d > ctx.now
    {
        // Hugo's rule, kept; but a posting that silently vanishes is how a mistyped year
        // looks to its author, so the wait is said.
        warn(
            diags,
            "posting.scheduled",
            page.lines.get(k).copied(),
            k,
            format!(
                "`{k}` {p} is in the future: the posting is not published until then (fix the date if it is a typo)"
            ),
        );
        reading.hidden_until = Some(d);
        return None;
    }

    for (key, line, field, meant) in near_misses(&page, keys) {
        warn(
            diags,
            "frontmatter.unknown-key",
            line,
            &key,
            format!(
                "`{key}` is not a key jobfeed reads: did you mean `{meant}`? (without it the posting has no {field})"
            ),
        );
    }

    // One value where a list or table was written: said, rather than read as missing.
    for field in [
        "id",
        "title",
        "summary",
        "date",
        "expirydate",
        "lastmod",
        "apply",
        "language",
    ] {
        for k in keys.of_field(field) {
            let what = match page.fields.get(k) {
                Some(Value::Array(_)) => "a list",
                Some(Value::Object(_)) => "a table",
                _ => continue,
            };
            warn(
                diags,
                "frontmatter.type",
                page.lines.get(k).copied(),
                k,
                format!(
                    "`{k}` is {what}, and jobfeed reads one text value here: write `{k}: \"…\"`"
                ),
            );
        }
    }

    let mut lines: BTreeMap<&'static str, u32> = BTreeMap::new();
    lines.insert("", 1);
    lines.insert("description", page.body_line);
    let text = |v: Option<Value>| {
        v.as_ref()
            .and_then(value_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let texts = |v: Option<Value>| -> Vec<String> {
        match v {
            Some(Value::Array(a)) => a.iter().filter_map(value_text).collect(),
            Some(v) => value_text(&v).into_iter().collect(),
            None => Vec::new(),
        }
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
    };

    let title = text(pick(&page, cfg, &mut lines, "title"));
    let fm_language = text(pick(&page, cfg, &mut lines, "language"));
    let language = language_of(&page, c, cfg, fm_language.as_deref(), &shown, diags);
    for conflict in page.conflicts.iter().filter(|c| c.key != "language") {
        let spelled: Vec<String> = conflict
            .spellings
            .iter()
            .map(|(k, l, v)| format!("`{k}` = {v} (line {l})"))
            .collect();
        warn(
            diags,
            "frontmatter.case-conflict",
            page.lines.get(&conflict.key).copied(),
            &conflict.key,
            format!(
                "{} disagree; keys are case-insensitive, so `{}` is used: keep one spelling",
                spelled.join(" and "),
                conflict.kept
            ),
        );
    }

    let date = text(pick(&page, cfg, &mut lines, "date"));
    let slug = page.text("slug");
    let url_fm = page.text("url");
    let facts = PageFacts {
        slug: slug.as_deref(),
        url: url_fm.as_deref(),
        title: title.as_deref(),
        date: date.as_deref(),
    };
    let override_base = language.as_ref().and_then(|l| cfg.base_urls.get(l));
    let fallback = cfg
        .base_url
        .clone()
        .unwrap_or_else(|| ctx.feed.base_url.clone());
    let url = site.page_url(
        language.as_deref(),
        &c.rel,
        &facts,
        override_base,
        Some(&fallback),
    );
    let page_url = url.as_deref().and_then(|u| url::Url::parse(u).ok());

    // Body: shortcodes first, then markdown.
    let read_others = &reading.read_others;
    let resolve = |target: &str| {
        read_others.set(true);
        resolve_ref(
            target,
            c,
            site,
            language.as_deref(),
            override_base,
            &fallback,
        )
    };
    let rule = |n: &str| cfg.shortcodes.action(n);
    let expanded = shortcodes::expand(&page.body, &rule, &resolve);
    for (l, msg) in &expanded.warnings {
        warn(
            diags,
            "markdown.shortcode",
            Some(page.body_line + l),
            "description",
            msg.clone(),
        );
    }
    if let Some(first) = expanded.unknown.values().min() {
        let names: Vec<&str> = expanded.unknown.keys().map(String::as_str).collect();
        warn(
            diags,
            "markdown.shortcode-unknown",
            Some(page.body_line + first),
            "description",
            format!(
                "unknown shortcode(s) {}: paired ones keep their content, single ones are dropped; say which under [sources.shortcodes] keep/drop",
                names.join(", ")
            ),
        );
    }
    // The body is the costly part of a page (markdown, sanitising): kept between runs.
    let render_body = || std::sync::Arc::new(body::render(&expanded.markdown, page_url.as_ref()));
    let body = match ctx.cache.filter(|c| c.keeps_bytes()) {
        Some(cache) => {
            let url = page_url.as_ref().map_or("", url::Url::as_str);
            let key = crate::cache::key(&[expanded.markdown.as_bytes(), url.as_bytes()]);
            cache.bodies.get_or(key, render_body)
        }
        None => render_body(),
    };
    if body.removed_templates > 0 {
        warn(
            diags,
            "markdown.template",
            Some(page.body_line),
            "description",
            format!(
                "{} template tag(s) (`{{{{ … }}}}` or `{{% … %}}`) in the body were removed; a feed cannot run templates",
                body.removed_templates
            ),
        );
    }

    let mut apply = text(pick(&page, cfg, &mut lines, "apply"));
    if apply.is_none()
        && let Some(tag) = expanded.tags.iter().find(|t| {
            t.name.starts_with("icon-block")
                && t.named
                    .get("link")
                    .is_some_and(|l| l.starts_with("http") || l.starts_with("mailto:"))
        })
    {
        apply = tag.named.get("link").cloned();
        lines.insert("apply", page.body_line + tag.line);
    }

    let mut employment = Vec::new();
    for w in texts(pick(&page, cfg, &mut lines, "employment")) {
        match lookup_word(&cfg.employment_words, &w) {
            Some(code) => match EmploymentType::from_code(&code.to_uppercase()) {
                Some(t) => employment.push(t.as_str().to_string()),
                None => {
                    employment.push(w);
                    warn(
                        diags,
                        "markdown.config",
                        lines.get("employment").copied(),
                        "employment",
                        format!(
                            "employment_words maps to {code:?}, which is not an employment type such as FULL_TIME"
                        ),
                    );
                }
            },
            None => employment.push(w),
        }
    }
    let location_text = texts(pick(&page, cfg, &mut lines, "location"));
    let mut arrangement = match pick(&page, cfg, &mut lines, "arrangement") {
        Some(Value::Bool(true)) => Some("remote".to_string()),
        Some(Value::Bool(false)) => None,
        v => text(v),
    };
    if let Some(a) = &arrangement
        && let Some(mapped) = cfg
            .arrangement_words
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(a.trim()))
    {
        arrangement = Some(mapped.1.as_str().to_string());
    }
    if arrangement.is_none() {
        arrangement = location_text.iter().find_map(|l| {
            cfg.arrangement_words
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(l.trim()))
                .map(|(_, a)| a.as_str().to_string())
        });
    }

    let salary = salary_of(&page, pick(&page, cfg, &mut lines, "salary"), &mut lines);
    if salary.is_none()
        && let Some(i) = page.body.lines().position(|l| {
            l.chars().any(|c| c.is_ascii_digit())
                && (l.contains(['€', '$', '£'])
                    || l.split(|c: char| !c.is_alphanumeric())
                        .any(|w| matches!(w, "EUR" | "SEK" | "NOK" | "DKK" | "USD" | "GBP" | "kr")))
        })
    {
        // Salary stated only in the body: point its diagnostics at that line.
        lines.insert("salary", page.body_line + i as u32);
    }
    let group = page
        .text("translationkey")
        .or_else(|| Some(group_of(&c.rel, cfg.section.as_deref())));

    Some(RawPosting {
        source: name.to_string(),
        origin: shown,
        id: text(pick(&page, cfg, &mut lines, "id")),
        group,
        language,
        title,
        description_html: Some(body.html.clone()).filter(|h| !h.is_empty()),
        summary: text(pick(&page, cfg, &mut lines, "summary")),
        url,
        apply,
        date_posted: date,
        valid_through: text(pick(&page, cfg, &mut lines, "expirydate")),
        updated: text(pick(&page, cfg, &mut lines, "lastmod")),
        employment,
        location_text,
        arrangement,
        salary,
        team: text(pick(&page, cfg, &mut lines, "team")),
        categories: texts(pick(&page, cfg, &mut lines, "categories")),
        field_lines: lines,
        ..RawPosting::default()
    })
}

/// The page language: the content tree decides; else the front matter; else the source setting.
fn language_of(
    page: &Page,
    c: &Candidate,
    cfg: &MarkdownConfig,
    fm_language: Option<&str>,
    shown: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let tag = crate::normalise::language_tag;
    let chosen = c
        .language
        .clone()
        .or_else(|| fm_language.map(tag))
        .or_else(|| cfg.language.clone());
    let line = page.lines.get("language").copied();
    if let Some(conflict) = page.conflicts.iter().find(|c| c.key == "language") {
        let spelled: Vec<String> = conflict
            .spellings
            .iter()
            .map(|(k, l, v)| format!("`{k}` = {v} (line {l})"))
            .collect();
        let why = match &c.language {
            Some(l) => format!("the content directory says {l:?}, so that is used"),
            None => format!("`{}` is used", conflict.kept),
        };
        diags.push(
            Diagnostic::warning(
                "frontmatter.case-conflict",
                format!(
                    "{} disagree; keys are case-insensitive and {why}: keep one spelling",
                    spelled.join(" and ")
                ),
            )
            .file(shown)
            .line(line)
            .field("language"),
        );
    } else if let (Some(dir), Some(fm)) = (&c.language, fm_language)
        && tag(dir) != tag(fm)
    {
        diags.push(
            Diagnostic::warning(
                "markdown.language",
                format!("the front matter says language {fm:?} but the page is in the {dir:?} content; {dir:?} is used"),
            )
            .file(shown)
            .line(line)
            .field("language"),
        );
    }
    chosen
}

fn salary_of(
    page: &Page,
    value: Option<Value>,
    lines: &mut BTreeMap<&'static str, u32>,
) -> Option<RawSalary> {
    let get = |keys: &[&str]| -> Option<(String, String)> {
        keys.iter()
            .find_map(|k| page.text(k).map(|v| (k.to_string(), v)))
    };
    let mut s = RawSalary::default();
    match value {
        Some(Value::Object(m)) => {
            let lower: BTreeMap<String, Value> =
                m.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect();
            let f = |ks: &[&str]| ks.iter().find_map(|k| lower.get(*k).and_then(value_text));
            s.currency = f(&["currency"]);
            s.min = f(&["min", "minvalue", "from"]);
            s.max = f(&["max", "maxvalue", "to"]);
            s.unit = f(&["unit", "unittext", "period", "per"]);
            if s.min.is_none()
                && s.max.is_none()
                && let Some(v) = f(&["value", "amount"])
            {
                s.min = Some(v.clone());
                s.max = Some(v);
            }
        }
        Some(v) => s.text = value_text(&v).filter(|t| !t.trim().is_empty()),
        None => {}
    }
    for (slot, keys) in [
        (
            &mut s.min,
            &["salarymin", "salary_min", "minsalary", "min_salary"][..],
        ),
        (
            &mut s.max,
            &["salarymax", "salary_max", "maxsalary", "max_salary"][..],
        ),
        (
            &mut s.currency,
            &["salarycurrency", "salary_currency", "currency"][..],
        ),
        (
            &mut s.unit,
            &[
                "salaryunit",
                "salary_unit",
                "salaryperiod",
                "salary_period",
                "unit",
            ][..],
        ),
    ] {
        if slot.is_none()
            && let Some((k, v)) = get(keys)
        {
            *slot = Some(v);
            if let Some(l) = page.lines.get(&k) {
                lines.entry("salary").or_insert(*l);
            }
        }
    }
    (s != RawSalary::default()).then_some(s)
}

/// URL of a `ref`/`relref` target, looked up beside the page, then from the content root.
fn resolve_ref(
    target: &str,
    c: &Candidate,
    site: &Site,
    lang: Option<&str>,
    override_base: Option<&url::Url>,
    fallback: &url::Url,
) -> Option<String> {
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let dir = c.file.parent().unwrap_or(Path::new(""));
    let trimmed = path.trim_start_matches('/');
    let mut tries = Vec::new();
    for base in [&c.content_root.to_path_buf(), &dir.to_path_buf()] {
        let p = base.join(trimmed);
        tries.push(p.clone());
        tries.push(p.with_extension("md"));
        tries.push(p.join("index.md"));
        tries.push(p.join("_index.md"));
    }
    let file = tries.into_iter().find(|p| p.is_file())?;
    let rel = file.strip_prefix(&c.content_root).ok()?.to_path_buf();
    let page = std::fs::read(&file)
        .ok()
        .and_then(|b| frontmatter::decode(&b).ok())
        .and_then(|t| frontmatter::parse(&t).ok());
    let get = |k: &str| page.as_ref().and_then(|p| p.text(k));
    let (slug, url, title, date) = (get("slug"), get("url"), get("title"), get("date"));
    let facts = PageFacts {
        slug: slug.as_deref(),
        url: url.as_deref(),
        title: title.as_deref(),
        date: date.as_deref(),
    };
    let mut u = if rel
        .file_stem()
        .is_some_and(|s| s.to_string_lossy().starts_with("_index"))
    {
        let section = rel.parent().map(slash).unwrap_or_default();
        let base = override_base
            .cloned()
            .or_else(|| site.base_for(lang, Some(fallback)))?;
        let path = site.section_path(lang, &section);
        base.join(path.trim_start_matches('/')).ok()?.to_string()
    } else {
        site.page_url(lang, &rel, &facts, override_base, Some(fallback))?
    };
    if let Some(a) = anchor {
        u.push('#');
        u.push_str(a);
    }
    Some(u)
}

/// `career/2026-job.md` → `2026-job` (the section is shared by every language anyway).
fn group_of(rel: &Path, section: Option<&str>) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.last_mut() {
        if let Some((stem, _)) = last.rsplit_once('.') {
            *last = stem.to_string();
        }
        if last == "index" && parts.len() > 1 {
            parts.pop();
        }
    }
    if parts.len() > 1 && section.is_none_or(|s| parts[0] == s) {
        parts.remove(0);
    }
    parts.join("/")
}

/// Hugo's filename language suffix: `job.sv.md` is the `sv` translation of `job.md`.
fn language_suffix(rel: &Path, site: &Site) -> (PathBuf, Option<String>) {
    let Some(name) = rel.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return (rel.to_path_buf(), None);
    };
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() >= 3 {
        let lang = parts[parts.len() - 2];
        if site.languages.contains_key(&lang.to_lowercase()) {
            let plain = format!(
                "{}.{}",
                parts[..parts.len() - 2].join("."),
                parts[parts.len() - 1]
            );
            return (rel.with_file_name(plain), Some(lang.to_lowercase()));
        }
    }
    (rel.to_path_buf(), None)
}

/// The first configured key present for `field`, recording its line under the field's name.
fn pick(
    page: &Page,
    cfg: &MarkdownConfig,
    lines: &mut BTreeMap<&'static str, u32>,
    field: &'static str,
) -> Option<Value> {
    for k in cfg.fields.keys(field) {
        if let Some(v) = page.fields.get(&k).filter(|v| !v.is_null()) {
            if let Some(l) = page.lines.get(&k) {
                lines.insert(field, *l);
            }
            return Some(v.clone());
        }
    }
    None
}

/// The front matter keys each field is read from, and every key a page may carry without
/// being a misspelling: made once per source, looked up on every page.
struct KnownKeys {
    fields: Vec<(&'static str, Vec<String>)>,
    known: std::collections::HashSet<String>,
}

impl KnownKeys {
    fn of(cfg: &MarkdownConfig) -> KnownKeys {
        /// Hugo's own page keys and others sites use: never taken for a misspelling.
        const OTHER: &[&str] = &[
            "draft",
            "slug",
            "url",
            "aliases",
            "tags",
            "type",
            "layout",
            "weight",
            "images",
            "keywords",
            "menu",
            "linktitle",
            "translationkey",
            "params",
            "build",
            "_build",
            "outputs",
            "headless",
            "markup",
            "sitemap",
            "cascade",
            "resources",
            "author",
            "authors",
            "toc",
            "series",
            "image",
            "icon",
            "jobfeed",
        ];
        let fields: Vec<(&'static str, Vec<String>)> = DEFAULT_FIELDS
            .iter()
            .map(|(f, _)| (*f, cfg.fields.keys(f)))
            .collect();
        let known = fields
            .iter()
            .flat_map(|(_, ks)| ks.iter().cloned())
            .chain(OTHER.iter().map(|k| k.to_string()))
            .collect();
        KnownKeys { fields, known }
    }

    fn of_field(&self, field: &str) -> &[String] {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, ks)| ks.as_slice())
            .unwrap_or_default()
    }
}

/// Keys of `page` that look like a misspelt key of a field the page does not set
/// ("Tilte", "dat", "intr"): key, line, field, the key meant.
fn near_misses(page: &Page, keys: &KnownKeys) -> Vec<(String, Option<u32>, &'static str, String)> {
    let mut out = Vec::new();
    let unknown: Vec<&String> = page
        .fields
        .keys()
        .filter(|k| !keys.known.contains(*k) && k.chars().count() >= 3)
        .collect();
    if unknown.is_empty() {
        return out;
    }
    for (field, names) in &keys.fields {
        if names.iter().any(|k| page.fields.contains_key(k)) {
            continue;
        }
        for k in &unknown {
            let n = k.chars().count();
            let most = if n <= 5 { 1 } else { 2 };
            if let Some(meant) = names.iter().find(|c| {
                c.chars().count().abs_diff(n) <= most && strsim::damerau_levenshtein(k, c) <= most
            }) {
                out.push((
                    k.to_string(),
                    page.lines.get(*k).copied(),
                    *field,
                    meant.clone(),
                ));
            }
        }
    }
    out
}

fn truthy(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn lookup_word(words: &BTreeMap<String, String>, w: &str) -> Option<String> {
    words
        .iter()
        .find(|(k, _)| {
            k.trim().eq_ignore_ascii_case(w.trim())
                || k.trim().to_lowercase() == w.trim().to_lowercase()
        })
        .map(|(_, v)| v.clone())
}

/// Markdown files under `dir`, without following a directory twice (symlink loops);
/// directories that exist but cannot be listed go to `unlisted`, so their postings are not
/// dropped without a word.
fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut BTreeSet<PathBuf>,
    files: &mut Vec<PathBuf>,
    unlisted: &mut Vec<(PathBuf, std::io::Error)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(real) = dir.canonicalize() else {
        return;
    };
    if !seen.insert(real) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            unlisted.push((dir.to_path_buf(), e));
            return;
        }
    };
    for e in entries.flatten() {
        let p = e.path();
        // The entry's own type needs no extra system call; links are followed.
        let (dir, file) = match e.file_type() {
            Ok(t) if !t.is_symlink() => (t.is_dir(), t.is_file()),
            _ => (p.is_dir(), p.is_file()),
        };
        if dir {
            walk(&p, depth + 1, seen, files, unlisted);
        } else if file && p.extension().is_some_and(|x| x == "md" || x == "markdown") {
            files.push(p);
        }
    }
}

fn slash(p: &Path) -> String {
    p.iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Glob match on `/`-separated paths: `*` (any run of characters) and `?` (one character)
/// within a segment, `**` as a whole segment for any run of segments.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    wildcard(
        &pat,
        &segs,
        |p| *p == "**",
        |p, s| {
            let p: Vec<char> = p.chars().collect();
            let s: Vec<char> = s.chars().collect();
            wildcard(&p, &s, |c| *c == '*', |c, x| *c == '?' || c == x)
        },
    )
}

/// Matches `items` against `pat`, whose tokens are either stars (any run of items) or match
/// exactly one item. On a mismatch only the latest star takes one more item: an earlier star
/// could take nothing the later one cannot, so nothing else needs retrying. That bounds the
/// work by `pat.len() × items.len()` steps; trying every split, as a recursive matcher does,
/// is exponential in the stars (`*a*a*a*a*a*a*a*b` on 40 `a`s: 3 s).
fn wildcard<P, S>(
    pat: &[P],
    items: &[S],
    is_star: impl Fn(&P) -> bool,
    one: impl Fn(&P, &S) -> bool,
) -> bool {
    let (mut p, mut i) = (0, 0);
    // The token after the latest star, and the first item that star has not yet taken.
    let mut retry: Option<(usize, usize)> = None;
    while i < items.len() {
        if p < pat.len() && is_star(&pat[p]) {
            p += 1;
            retry = Some((p, i));
        } else if p < pat.len() && one(&pat[p], &items[i]) {
            p += 1;
            i += 1;
        } else if let Some((after, taken)) = retry {
            p = after;
            i = taken + 1;
            retry = Some((after, i));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(is_star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(glob_match("career/*.md", "career/a.md"));
        assert!(!glob_match("career/*.md", "career/x/a.md"));
        assert!(glob_match("**/index.md", "jobs/x/index.md"));
        assert!(glob_match("jobs/**/*.md", "jobs/a.md"));
        assert!(!glob_match("jobs/*.md", "blog/a.md"));
    }

    /// Guards the linear-time matcher: a recursive one tries every split of the path among
    /// the stars, and these took ~C(200, 10) steps (the 40-character case alone took 3 s).
    #[test]
    fn globs_with_many_stars_do_not_backtrack_exponentially() {
        let many = "*a".repeat(10) + "*b";
        assert!(!glob_match(&many, &"a".repeat(200)));
        assert!(glob_match(&many, &("a".repeat(200) + "b")));
        let deep = "**/".repeat(10) + "x";
        assert!(!glob_match(&deep, &["a"; 200].join("/")));
        assert!(glob_match(&deep, &(["a"; 200].join("/") + "/x")));
    }

    /// An independent reading of the glob rules: each segment (followed by `/`) becomes a
    /// regex, `**` any run of whole segments, matched against the path with a `/` appended.
    fn glob_oracle(pattern: &str, path: &str) -> bool {
        let mut re = String::from("^");
        for seg in pattern.trim_start_matches("./").split('/') {
            if seg == "**" {
                re.push_str("(?:[^/]*/)*");
                continue;
            }
            for c in seg.chars() {
                match c {
                    '*' => re.push_str("[^/]*"),
                    '?' => re.push_str("[^/]"),
                    c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                }
            }
            re.push('/');
        }
        re.push('$');
        regex::Regex::new(&re)
            .unwrap()
            .is_match(&format!("{path}/"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Guards against panics (slicing, indexing) and runaway backtracking on any input,
        /// star-heavy patterns and long paths included.
        #[test]
        fn glob_match_returns_on_any_pattern_and_path(
            pattern in "(\\*|\\*\\*/|/|a|\\?|.){0,48}",
            path in "([a/]|.){0,120}",
        ) {
            let _ = glob_match(&pattern, &path);
        }

        /// Guards the matcher's meaning against the regex oracle, on a small alphabet where
        /// stars, `?`, `**` segments, `./` prefixes and a two-byte character meet often.
        #[test]
        fn glob_match_agrees_with_a_regex_oracle(
            pattern in "(\\./)?(\\*\\*|[ab*?é]{0,4})(/(\\*\\*|[ab*?é]{0,4})){0,3}",
            path in "[abé]{0,3}(/[abé]{0,3}){0,4}",
        ) {
            proptest::prop_assert_eq!(
                glob_match(&pattern, &path),
                glob_oracle(&pattern, &path),
                "pattern {:?} on path {:?}", pattern, path
            );
        }
    }

    #[test]
    fn filename_language_suffix_names_the_translation() {
        let mut site = Site::default();
        site.languages
            .insert("sv".into(), hugo::Language::default());
        let (rel, lang) = language_suffix(Path::new("career/job.sv.md"), &site);
        assert_eq!(
            (rel, lang.as_deref()),
            (PathBuf::from("career/job.md"), Some("sv"))
        );
        let (rel, lang) = language_suffix(Path::new("career/v1.2.md"), &site);
        assert_eq!((rel, lang), (PathBuf::from("career/v1.2.md"), None));
    }

    #[test]
    fn translation_group_is_the_path_inside_the_section() {
        assert_eq!(
            group_of(Path::new("career/2026-job.md"), Some("career")),
            "2026-job"
        );
        assert_eq!(group_of(Path::new("career/job/index.md"), None), "job");
    }

    #[test]
    fn configured_field_names_replace_the_built_in_list() {
        let f = FieldNames {
            title: Some(Keys::One("JobTitle".into())),
            ..FieldNames::default()
        };
        assert_eq!(f.keys("title"), vec!["jobtitle"]);
        assert!(f.keys("apply").contains(&"sidebarlinkurl".to_string()));
    }

    fn salary(fm: &str) -> Option<RawSalary> {
        let page = frontmatter::parse(&format!("---\n{fm}\n---\n")).unwrap();
        let value = pick(
            &page,
            &MarkdownConfig::default(),
            &mut BTreeMap::new(),
            "salary",
        );
        salary_of(&page, value, &mut BTreeMap::new())
    }

    #[test]
    fn structured_salary_from_a_nested_table_separate_keys_or_a_phrase() {
        let nested =
            salary("salary:\n  currency: EUR\n  minValue: 50000\n  max: 80000\n  unitText: YEAR")
                .unwrap();
        assert_eq!(
            (
                nested.currency.as_deref(),
                nested.min.as_deref(),
                nested.max.as_deref(),
                nested.unit.as_deref()
            ),
            (Some("EUR"), Some("50000"), Some("80000"), Some("YEAR"))
        );
        let flat = salary("salaryMin: 50000\nsalaryMax: 80000\ncurrency: EUR\nunit: year").unwrap();
        assert_eq!(
            (
                flat.min.as_deref(),
                flat.max.as_deref(),
                flat.currency.as_deref()
            ),
            (Some("50000"), Some("80000"), Some("EUR"))
        );
        let text = salary("salary: \"€50,000 - €80,000 per year\"").unwrap();
        assert_eq!(text.text.as_deref(), Some("€50,000 - €80,000 per year"));
        assert_eq!(salary("title: x"), None);
    }
}
