//! Feed configuration: one TOML file per feed in `feeds/`, parsed into typed structs that
//! reject unknown keys and generate `schemas/config.schema.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Arrangement, Location};
use crate::render::board::BoardProfile;
use crate::source::ats;
use crate::source::markdown::MarkdownConfig;

/// One feed: a set of sources published as one set of outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// Feed id: the output directory name and URL segment (`a-z`, `0-9`, `-`, `_`).
    pub id: String,
    /// Human title of the feed, used as the channel title of RSS/Atom/JSON Feed.
    pub title: String,
    /// One-sentence description of the feed.
    #[serde(default)]
    pub description: Option<String>,
    /// Public URL under which this feed's outputs are served, e.g.
    /// `https://jobs.example.com/example/`. Self links are built from it.
    pub base_url: url::Url,
    /// Default language for postings that do not state one.
    #[serde(default = "default_language")]
    pub language: String,
    /// IANA time zone for bare dates and for the schedule.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// When `jobfeed serve` runs the feed: crontab form (`*/15 * * * *`), 5 or 6 fields.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The hiring organisation, for every posting that does not name its own.
    pub organization: OrganizationConfig,
    /// Values for postings that leave them out.
    #[serde(default)]
    pub defaults: Defaults,
    /// Where the postings come from.
    pub sources: Vec<SourceConfig>,
    /// What to publish. Leave out for the default set (see the README).
    #[serde(default)]
    pub outputs: Option<Vec<OutputConfig>>,
    /// Change notifications to search engines and hubs (all off by default).
    #[serde(default)]
    pub notify: NotifyConfig,
    /// Where the outputs go: the `--out` directory (default) or an S3-compatible bucket.
    #[serde(default)]
    pub publish: Option<PublishConfig>,
}

/// A feed's publish target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PublishConfig {
    /// The output directory given with `--out`.
    Dir,
    /// An S3-compatible bucket (AWS S3, MinIO, Ceph RGW …). Credentials come from
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) or from
    /// `credentials_file`, never from the feed file.
    S3(S3Config),
}

/// An S3 bucket and where in it the feed goes (`<prefix><feed id>/<path>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix, e.g. `feeds/`.
    #[serde(default)]
    pub prefix: String,
    /// Endpoint for S3-compatible stores, e.g. `https://s3.example.net`; AWS when unset.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Region (any value for most S3-compatible stores).
    #[serde(default = "default_region")]
    pub region: String,
    /// Path-style requests (`endpoint/bucket/key`), as MinIO and Ceph expect.
    #[serde(default = "yes")]
    pub path_style: bool,
    /// Allow a plain-http endpoint (an in-cluster or local store).
    #[serde(default)]
    pub allow_http: bool,
    /// An AWS-style credentials file (`[default]` with `aws_access_key_id` and
    /// `aws_secret_access_key`), relative to the feed file; used when the environment has none.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
}

fn default_region() -> String {
    "us-east-1".into()
}

/// Where to announce added, changed and removed postings. Each change is sent once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// IndexNow (Bing, Yandex, Seznam, Naver …).
    #[serde(default)]
    pub indexnow: Option<IndexNowConfig>,
    /// WebSub hub pinged with the feed URLs.
    #[serde(default)]
    pub websub: Option<WebSubConfig>,
    /// Google Indexing API (`URL_UPDATED` / `URL_DELETED`).
    #[serde(default)]
    pub google: Option<GoogleConfig>,
}

/// IndexNow settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexNowConfig {
    /// The key (8–128 of `a-z A-Z 0-9 -`). `jobfeed serve` serves it at `/<key>.txt`;
    /// the same file must be reachable on the host of the posting URLs.
    pub key: String,
    /// Where the key file is, when not at `https://<host>/<key>.txt`.
    #[serde(default)]
    pub key_location: Option<String>,
    /// The IndexNow endpoint.
    #[serde(default = "default_indexnow_endpoint")]
    pub endpoint: String,
}

fn default_indexnow_endpoint() -> String {
    "https://api.indexnow.org/indexnow".into()
}

/// WebSub settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebSubConfig {
    /// The hub URL, also announced in the feeds as `rel="hub"`.
    pub hub: String,
}

/// Google Indexing API settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoogleConfig {
    /// Service-account key file (JSON, from the Google Cloud console), relative to the
    /// feed file. Its contents are never logged.
    pub service_account_key_file: PathBuf,
    /// Publish requests per day (Google's default quota is 200).
    #[serde(default = "default_google_quota")]
    pub daily_quota: u32,
    /// The publish endpoint.
    #[serde(default = "default_google_endpoint")]
    pub endpoint: String,
}

fn default_google_quota() -> u32 {
    200
}

fn default_google_endpoint() -> String {
    "https://indexing.googleapis.com/v3/urlNotifications:publish".into()
}

fn default_language() -> String {
    "en".into()
}

fn default_timezone() -> String {
    "UTC".into()
}

/// The hiring organisation and the contacts boards ask for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationConfig {
    /// Legal or brand name ("Example Cloud AB").
    pub name: String,
    /// Home page.
    #[serde(default)]
    pub url: Option<String>,
    /// Logo image URL (aspect ratio 0.75–2.5 for Google).
    #[serde(default)]
    pub logo: Option<String>,
    /// Profiles of the organisation (LinkedIn, Wikipedia …).
    #[serde(default)]
    pub same_as: Vec<String>,
    /// Contact e-mail for job boards (Indeed `email`).
    #[serde(default)]
    pub email: Option<String>,
    /// LinkedIn company id (numeric), needed for the LinkedIn feed.
    #[serde(default)]
    pub linkedin_company_id: Option<String>,
    /// Recruiter e-mail LinkedIn requires per job (`posterEmail`).
    #[serde(default)]
    pub poster_email: Option<String>,
}

/// Values used when a posting does not state them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// `on-site`, `hybrid` or `remote`.
    #[serde(default)]
    pub arrangement: Option<Arrangement>,
    /// Countries remote applicants may live in: ISO codes, country names or `EU`.
    #[serde(default)]
    pub applicant_countries: Vec<String>,
    /// Offices, for postings that name none.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// Employment types, e.g. `["FULL_TIME"]` or words such as "Full time".
    #[serde(default)]
    pub employment_types: Vec<String>,
    /// Team or department.
    #[serde(default)]
    pub team: Option<String>,
}

/// A source of postings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
// Parsed once per feed and never moved in a hot loop: boxing would only cost clarity.
#[allow(clippy::large_enum_variant)]
pub enum SourceConfig {
    /// Markdown files with front matter (Hugo, Jekyll, Zola).
    Markdown(MarkdownConfig),
    /// Greenhouse job board (`board = "acme"`).
    Greenhouse(ats::greenhouse::GreenhouseConfig),
    /// Lever postings (`site = "acme"`, `eu = true` for the EU host).
    Lever(ats::lever::LeverConfig),
    /// Ashby job board (`board = "Acme"`).
    Ashby(ats::ashby::AshbyConfig),
    /// Recruitee careers site (`company = "acme"`).
    Recruitee(ats::recruitee::RecruiteeConfig),
    /// Personio XML feed (`company = "acme"`, optional `language`, `country`).
    Personio(ats::personio::PersonioConfig),
    /// Workable widget (`account = "acme"`).
    Workable(ats::workable::WorkableConfig),
    /// SmartRecruiters postings (`company = "Acme"`).
    Smartrecruiters(ats::smartrecruiters::SmartRecruitersConfig),
    /// Teamtailor JSON Feed (`company = "acme"` or `base_url` for a custom domain).
    Teamtailor(ats::teamtailor::TeamtailorConfig),
    /// Career pages embedding JobPosting JSON-LD (`urls = [...]`).
    Jsonld(ats::jsonld::JsonldConfig),
    /// Another jobfeed's `postings.json` (`url = "..."`).
    Json(ats::json::JsonConfig),
}

impl SourceConfig {
    /// The source's name in reports (defaults to its type).
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::Markdown(m) => m.name.as_deref().unwrap_or("markdown"),
            SourceConfig::Greenhouse(c) => c.name.as_deref().unwrap_or("greenhouse"),
            SourceConfig::Lever(c) => c.name.as_deref().unwrap_or("lever"),
            SourceConfig::Ashby(c) => c.name.as_deref().unwrap_or("ashby"),
            SourceConfig::Recruitee(c) => c.name.as_deref().unwrap_or("recruitee"),
            SourceConfig::Personio(c) => c.name.as_deref().unwrap_or("personio"),
            SourceConfig::Workable(c) => c.name.as_deref().unwrap_or("workable"),
            SourceConfig::Smartrecruiters(c) => c.name.as_deref().unwrap_or("smartrecruiters"),
            SourceConfig::Teamtailor(c) => c.name.as_deref().unwrap_or("teamtailor"),
            SourceConfig::Jsonld(c) => c.name.as_deref().unwrap_or("jsonld"),
            SourceConfig::Json(c) => c.name.as_deref().unwrap_or("json"),
        }
    }
}

/// The output formats jobfeed renders.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    /// `jobs/<id>.jsonld` and `jobs/<id>.html` per posting.
    Jsonld,
    /// RSS 2.0 (`rss.xml`, and `<lang>/rss.xml`).
    Rss,
    /// Atom 1.0 (`atom.xml`, and `<lang>/atom.xml`).
    Atom,
    /// JSON Feed 1.1 (`feed.json`, and `<lang>/feed.json`).
    Jsonfeed,
    /// Indeed XML (`indeed.xml`), or any Indeed-compatible board with a `profile`.
    Indeed,
    /// LinkedIn job-wrapping XML (`linkedin.xml`).
    Linkedin,
    /// `sitemap.xml` of the posting pages.
    Sitemap,
    /// `postings.json`: the canonical postings.
    Postings,
}

impl OutputKind {
    pub const ALL: [OutputKind; 8] = [
        Self::Jsonld,
        Self::Rss,
        Self::Atom,
        Self::Jsonfeed,
        Self::Indeed,
        Self::Linkedin,
        Self::Sitemap,
        Self::Postings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jsonld => "jsonld",
            Self::Rss => "rss",
            Self::Atom => "atom",
            Self::Jsonfeed => "jsonfeed",
            Self::Indeed => "indeed",
            Self::Linkedin => "linkedin",
            Self::Sitemap => "sitemap",
            Self::Postings => "postings",
        }
    }

    /// Default path relative to the feed directory (`jobs/` for JSON-LD).
    pub fn default_path(self) -> &'static str {
        match self {
            Self::Jsonld => "jobs",
            Self::Rss => "rss.xml",
            Self::Atom => "atom.xml",
            Self::Jsonfeed => "feed.json",
            Self::Indeed => "indeed.xml",
            Self::Linkedin => "linkedin.xml",
            Self::Sitemap => "sitemap.xml",
            Self::Postings => "postings.json",
        }
    }
}

/// One output of a feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// The format.
    pub kind: OutputKind,
    /// Name in reports; defaults to the kind. Two outputs of one kind need names.
    #[serde(default)]
    pub name: Option<String>,
    /// Path under the feed directory; defaults per kind (`rss.xml`, `jobs` …).
    #[serde(default)]
    pub path: Option<String>,
    /// Only postings that match every given criterion.
    #[serde(default)]
    pub filter: Filter,
    /// Query parameters added to posting links in this output (e.g. `utm_source`).
    /// An existing parameter of the same name in a link is kept.
    #[serde(default)]
    pub tracking: BTreeMap<String, String>,
    /// For RSS, Atom and JSON Feed: also write one feed per language under `<lang>/`.
    #[serde(default = "yes")]
    pub per_language: bool,
    /// For `indeed`: the board dialect (root and element names, date format).
    #[serde(default)]
    pub profile: Option<BoardProfile>,
}

fn yes() -> bool {
    true
}

impl OutputConfig {
    /// An output of `kind` with every default.
    pub fn of(kind: OutputKind) -> Self {
        OutputConfig {
            kind,
            name: None,
            path: None,
            filter: Filter::default(),
            tracking: BTreeMap::new(),
            per_language: true,
            profile: None,
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.kind.as_str())
    }

    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(self.kind.default_path())
    }
}

/// Selects postings for an output. Empty lists select everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Language tags (`en`, `sv`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Team names, compared case-insensitively.
    #[serde(default)]
    pub teams: Vec<String>,
    /// `FULL_TIME`, `PART_TIME` …
    #[serde(default)]
    pub employment_types: Vec<crate::model::EmploymentType>,
    /// ISO country codes of offices or of remote applicant countries.
    #[serde(default)]
    pub countries: Vec<String>,
    /// `on-site`, `hybrid`, `remote`.
    #[serde(default)]
    pub arrangements: Vec<Arrangement>,
}

impl Filter {
    pub fn matches(&self, p: &crate::model::Posting) -> bool {
        let lang_ok = self.languages.is_empty()
            || self
                .languages
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&p.language));
        let team_ok = self.teams.is_empty()
            || p.team
                .as_deref()
                .is_some_and(|t| self.teams.iter().any(|x| x.eq_ignore_ascii_case(t)));
        let type_ok = self.employment_types.is_empty()
            || p.employment_types
                .iter()
                .any(|t| self.employment_types.contains(t));
        let country_ok = self.countries.is_empty()
            || p.locations
                .iter()
                .map(|l| l.country.as_str())
                .chain(p.workplace.applicant_countries.iter().map(String::as_str))
                .any(|c| self.countries.iter().any(|x| x.eq_ignore_ascii_case(c)));
        let arr_ok =
            self.arrangements.is_empty() || self.arrangements.contains(&p.workplace.arrangement);
        lang_ok && team_ok && type_ok && country_ok && arr_ok
    }
}

impl FeedConfig {
    /// The outputs to render: the configured ones, or the default set.
    ///
    /// The default set leaves out LinkedIn when no `linkedin_company_id` is configured,
    /// since LinkedIn rejects a feed without it.
    pub fn outputs(&self) -> Vec<OutputConfig> {
        match &self.outputs {
            Some(list) => list.clone(),
            None => OutputKind::ALL
                .into_iter()
                .filter(|k| {
                    *k != OutputKind::Linkedin || self.organization.linkedin_company_id.is_some()
                })
                .map(OutputConfig::of)
                .collect(),
        }
    }

    /// The configured time zone.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

/// A feed file as loaded: the typed config plus where it came from.
#[derive(Debug, Clone)]
pub struct LoadedFeed {
    pub config: FeedConfig,
    /// The feed file.
    pub path: PathBuf,
    /// The file's directory: relative source paths are resolved against it.
    pub dir: PathBuf,
    /// 1-based line of each top-level key and of `sources`/`outputs` entries' keys, for errors.
    pub text: String,
}

/// A configuration problem: always names the file, and the line and key where known.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read feed config: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key, or a value of the wrong type.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: String,
        line: u32,
        key: Option<String>,
        message: String,
    },
    /// A value is well-formed but not acceptable.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: String,
        line: Option<u32>,
        key: String,
        message: String,
    },
    /// No feed files were found.
    #[error("no feed files found: {0}")]
    NoFeeds(String),
}

impl ConfigError {
    pub fn line(&self) -> Option<u32> {
        match self {
            ConfigError::Parse { line, .. } => Some(*line),
            ConfigError::Invalid { line, .. } => *line,
            _ => None,
        }
    }
}

/// Loads and checks one feed file.
pub fn load_feed(path: &Path) -> Result<LoadedFeed, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_feed(&text, path)
}

/// Parses feed TOML `text` read from `path`, then checks the values.
pub fn parse_feed(text: &str, path: &Path) -> Result<LoadedFeed, ConfigError> {
    let shown = path.display().to_string();
    let config: FeedConfig = toml::from_str(text).map_err(|e| parse_error(&shown, text, &e))?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let loaded = LoadedFeed {
        config,
        path: path.to_path_buf(),
        dir,
        text: text.to_string(),
    };
    check_values(&loaded)?;
    Ok(loaded)
}

/// The 1-based line of the first `key = ` or `[key]`/`[[key]]` in `text`.
pub fn line_of_key(text: &str, key: &str) -> Option<u32> {
    line_of_key_from(text, key, 1)
}

/// Like [`line_of_key`], searching from line `from` (1-based) on.
pub fn line_of_key_from(text: &str, key: &str, from: u32) -> Option<u32> {
    let skip = from.saturating_sub(1) as usize;
    text.lines()
        .skip(skip)
        .position(|l| {
            let t = l.trim_start();
            let t = t.trim_start_matches('[').trim_start_matches('[');
            t.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=') || rest.starts_with(']') || rest.starts_with('.')
            })
        })
        .map(|i| (i + skip) as u32 + 1)
}

fn check_values(feed: &LoadedFeed) -> Result<(), ConfigError> {
    let c = &feed.config;
    let invalid = |key: &str, message: String| ConfigError::Invalid {
        path: feed.path.display().to_string(),
        line: line_of_key(&feed.text, key),
        key: key.to_string(),
        message,
    };
    if c.id.is_empty()
        || !c
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            "id",
            format!(
                "feed id {:?} must be lower-case letters, digits, `-` or `_` (it names the output directory)",
                c.id
            ),
        ));
    }
    if !matches!(c.base_url.scheme(), "http" | "https") {
        return Err(invalid(
            "base_url",
            format!("base_url {} must be an http(s) URL", c.base_url),
        ));
    }
    if c.timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(invalid(
            "timezone",
            format!(
                "unknown time zone {:?}: use an IANA name such as \"Europe/Stockholm\" or \"UTC\"",
                c.timezone
            ),
        ));
    }
    if let Some(schedule) = &c.schedule
        && let Err(e) = crate::schedule::Schedule::parse(schedule, c.tz())
    {
        return Err(invalid(
            "schedule",
            format!("invalid schedule {schedule:?}: {e}"),
        ));
    }
    if c.sources.is_empty() {
        return Err(invalid(
            "sources",
            "a feed needs at least one [[sources]] entry".into(),
        ));
    }
    if let Some(i) = &c.notify.indexnow {
        let ok = (8..=128).contains(&i.key.len())
            && i.key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return Err(invalid(
                "key",
                "IndexNow key must be 8 to 128 characters of a-z, A-Z, 0-9 and -".into(),
            ));
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for o in c.outputs() {
        if !names.insert(o.name().to_string()) {
            return Err(invalid(
                "outputs",
                format!(
                    "two outputs are named {:?}: give each output of the same kind its own `name` and `path`",
                    o.name()
                ),
            ));
        }
        if o.profile.is_some() && o.kind != OutputKind::Indeed {
            return Err(invalid(
                "profile",
                format!(
                    "`profile` applies to kind = \"indeed\" only, not {:?}",
                    o.kind.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// Turns a TOML error into one that names the line and key, and suggests a valid key
/// when the key is unknown.
fn parse_error(path: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let mut line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u32 + 1)
        .unwrap_or(1);
    let raw = e.message().trim().to_string();
    let mut key = None;
    let mut message = raw.clone();
    if let Some(rest) = raw.strip_prefix("unknown field `")
        && let Some((bad, expected)) = rest.split_once('`')
    {
        key = Some(bad.to_string());
        // For tagged tables (sources) the span covers the whole table: point at the key itself.
        if let Some(l) = line_of_key_from(text, bad, line) {
            line = l;
        }
        let valid: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        let best = valid
            .iter()
            .map(|v| (strsim::jaro_winkler(bad, v), *v))
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        message = match best {
            Some((_, v)) => format!(
                "unknown key `{bad}`: did you mean `{v}`? (valid keys here: {})",
                valid.join(", ")
            ),
            None => format!(
                "unknown key `{bad}` (valid keys here: {})",
                valid.join(", ")
            ),
        };
    } else if let Some(rest) = raw.strip_prefix("missing field `")
        && let Some((missing, _)) = rest.split_once('`')
    {
        key = Some(missing.to_string());
        message = format!("missing required key `{missing}`");
    }
    ConfigError::Parse {
        path: path.to_string(),
        line,
        key,
        message,
    }
}

/// Finds the feed files: the given paths, or every `feeds/*.toml` in sorted order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ConfigError> {
    if !paths.is_empty() {
        return Ok(paths.to_vec());
    }
    let dir = Path::new("feeds");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            ConfigError::NoFeeds(format!("cannot read ./feeds ({e}); pass --config FILE"))
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(ConfigError::NoFeeds(
            "./feeds has no *.toml files; pass --config FILE".into(),
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "acme"
title = "Acme jobs"
base_url = "https://jobs.acme.test/acme/"

[organization]
name = "Acme"

[[sources]]
type = "markdown"
path = "content"
"#;

    #[test]
    fn minimal_feed_parses_with_defaults() {
        let f = parse_feed(MINIMAL, Path::new("feeds/acme.toml")).unwrap();
        assert_eq!(f.config.language, "en");
        assert_eq!(f.config.timezone, "UTC");
        let kinds: Vec<_> = f.config.outputs().iter().map(|o| o.kind).collect();
        assert!(!kinds.contains(&OutputKind::Linkedin));
        assert!(kinds.contains(&OutputKind::Indeed));
    }

    #[test]
    fn misspelt_key_names_line_and_suggests_the_valid_one() {
        let text = MINIMAL.replace("title = ", "titel = ");
        let err = parse_feed(&text, Path::new("feeds/acme.toml")).unwrap_err();
        match &err {
            ConfigError::Parse {
                line, key, message, ..
            } => {
                assert_eq!(*line, 3);
                assert_eq!(key.as_deref(), Some("titel"));
                assert!(message.contains("did you mean `title`"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().starts_with("feeds/acme.toml:3: "));
    }

    #[test]
    fn unknown_key_in_a_source_is_rejected_with_its_line() {
        let text = format!("{MINIMAL}sektion = \"career\"\n");
        let err = parse_feed(&text, Path::new("f.toml")).unwrap_err();
        assert_eq!(err.line(), Some(12), "{err}");
        assert!(err.to_string().contains("did you mean `section`"), "{err}");
    }

    #[test]
    fn bad_id_and_timezone_are_reported_with_their_keys() {
        let text = MINIMAL.replace("\"acme\"", "\"Acme Jobs\"");
        let err = parse_feed(&text, Path::new("f.toml")).unwrap_err();
        assert!(err.to_string().contains("feed id"), "{err}");
        let text = MINIMAL.replace("[organization]", "timezone = \"Mars/Base\"\n[organization]");
        let err = parse_feed(&text, Path::new("f.toml")).unwrap_err();
        assert_eq!(err.line(), Some(6), "{err}");
    }

    /// Feed files made of real lines, shuffled, repeated, mistyped and cut off.
    fn feed_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let line = prop_oneof![
            proptest::sample::select(vec![
                "id = \"acme\"",
                "id = \"Acme Jobs\"",
                "title = \"Jobs\"",
                "titel = \"Jobs\"",
                "base_url = \"https://jobs.acme.test/\"",
                "base_url = \"ftp://x\"",
                "timezone = \"Europe/Oslo\"",
                "timezone = \"Mars/Base\"",
                "schedule = \"*/15 * * * *\"",
                "schedule = \"0 0 31 2 *\"",
                "schedule = \"99 * *\"",
                "[organization]",
                "name = \"Acme\"",
                "[[sources]]",
                "type = \"markdown\"",
                "type = \"greenhouse\"",
                "type = \"lever\"",
                "path = \"content\"",
                "board = \"acme\"",
                "site = \"acme\"",
                "timeout = \"30s\"",
                "timeout = \"99999999999999h\"",
                "mass_removal_grace = \"2d\"",
                "min_keep_ratio = 1.5",
                "min_keep_ratio = nan",
                "[[outputs]]",
                "kind = \"rss\"",
                "kind = \"indeed\"",
                "profile = { preset = \"jooble\" }",
                "[notify.indexnow]",
                "key = \"short\"",
                "key = \"abcdef0123456789\"",
                "\"quoted key\" = 1",
                "[",
                "= \"é\"",
            ])
            .prop_map(str::to_string),
            "[ -~é\t]{0,20}",
        ];
        // Half start from a valid feed, so the value checks run and not only the TOML errors.
        (any::<bool>(), proptest::collection::vec(line, 0..24)).prop_map(|(valid, v)| {
            let head = if valid { MINIMAL } else { "" };
            format!("{head}{}", v.join("\n"))
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn random_feed_files_never_panic_and_errors_name_a_line_inside_the_file(text in feed_text()) {
            match parse_feed(&text, Path::new("feeds/p.toml")) {
                Ok(f) => {
                    proptest::prop_assert!(!f.config.id.is_empty() && !f.config.sources.is_empty());
                    for s in &f.config.sources {
                        let remote = match s {
                            SourceConfig::Greenhouse(c) => c.remote(),
                            SourceConfig::Lever(c) => c.remote(),
                            _ => continue,
                        };
                        if let Ok(r) = remote {
                            proptest::prop_assert!((0.0..=1.0).contains(&r.min_keep_ratio));
                        }
                    }
                }
                Err(e) => {
                    proptest::prop_assert!(e.to_string().starts_with("feeds/p.toml"), "{e}");
                    if let Some(line) = e.line() {
                        let lines = text.lines().count().max(1) as u32;
                        proptest::prop_assert!(line >= 1 && line <= lines + 1, "{e} in {text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn filter_matches_on_every_criterion() {
        let f = Filter {
            languages: vec!["da".into()],
            ..Filter::default()
        };
        let mut p = crate::model::test_posting();
        p.language = "da".into();
        assert!(f.matches(&p));
        p.language = "en".into();
        assert!(!f.matches(&p));
    }
}
