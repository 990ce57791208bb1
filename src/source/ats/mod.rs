//! Applicant-tracking systems and other remote sources: one adapter per vendor, one runner.
//! Adapters fetch and parse (pure `parse` on bytes); the runner keeps last good answers and guards removals.

pub mod ashby;
pub mod greenhouse;
pub mod json;
pub mod jsonld;
pub mod lever;
pub mod personio;
pub mod recruitee;
pub mod smartrecruiters;
pub mod teamtailor;
pub mod workable;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::error::SourceError;
use super::http::{Fetched, HttpClient, HttpOptions, Sleeper};
use super::state::{Doc, SourceState};
use super::{RawPosting, SourceContext, SourceOutput};
use crate::diag::Diagnostic;
use crate::model::Location;
use crate::normalise::country;

/// Environment variable that confirms held-back removals: `1`/`all`, or source names, comma-separated.
pub const ACCEPT_REMOVALS_ENV: &str = "JOBFEED_ACCEPT_REMOVALS";

/// Defines a remote source's config: its own keys plus the shared transport and guard keys.
macro_rules! remote_config {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Name of the source in reports and in the state directory (default: its type).
            #[serde(default)]
            pub name: Option<String>,
            $($(#[$fm])* pub $field: $ty,)*
            /// Base URL replacing the vendor's API host (EU hosts, proxies, tests).
            #[serde(default)]
            pub base_url: Option<String>,
            /// Longest time for one request, body included ("60s", "2m"). Default 60s.
            #[serde(default)]
            pub timeout: Option<String>,
            /// Longest time to connect ("10s"). Default 10s.
            #[serde(default)]
            pub connect_timeout: Option<String>,
            /// Largest answer accepted, in bytes. Default 20 MB.
            #[serde(default)]
            pub max_bytes: Option<u64>,
            /// Largest total of all answers of one read (list pages and details), in bytes. Default 256 MiB.
            #[serde(default)]
            pub max_total_bytes: Option<u64>,
            /// Further attempts on connect errors, 429 and 5xx. Default 3.
            #[serde(default)]
            pub retries: Option<u32>,
            /// A new answer with fewer than this share of the previous postings is held back. Default 0.5.
            #[serde(default)]
            pub min_keep_ratio: Option<f64>,
            /// How long a held-back drop must persist before it is accepted ("24h"). Default 24h.
            #[serde(default)]
            pub mass_removal_grace: Option<String>,
            /// Accept a sudden drop in postings now (operator confirmation).
            #[serde(default)]
            pub accept_removals: bool,
        }

        impl $name {
            /// The shared transport and guard settings, with defaults filled in.
            pub fn remote(&self) -> Result<$crate::source::ats::Remote, $crate::source::SourceError> {
                $crate::source::ats::Remote::from_parts(
                    self.timeout.as_deref(),
                    self.connect_timeout.as_deref(),
                    self.max_bytes,
                    self.max_total_bytes,
                    self.retries,
                    self.min_keep_ratio,
                    self.mass_removal_grace.as_deref(),
                    self.accept_removals,
                )
            }

            /// The configured base URL without a trailing slash, else `default`.
            pub fn base(&self, default: &str) -> String {
                self.base_url
                    .as_deref()
                    .unwrap_or(default)
                    .trim_end_matches('/')
                    .to_string()
            }
        }
    };
}
pub(crate) use remote_config;

/// `max_total_bytes` unless configured.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Transport and guard settings of one remote source.
#[derive(Debug, Clone, PartialEq)]
pub struct Remote {
    pub http: HttpOptions,
    /// Largest total of one read's answers: each is capped by `http.max_bytes`, but a list
    /// of N details could otherwise add up to N times that.
    pub max_total_bytes: u64,
    pub min_keep_ratio: f64,
    pub grace: chrono::Duration,
    pub accept_removals: bool,
    /// Drops smaller than this many postings are normal turnover, never held back.
    pub mass_removal_min: usize,
}

impl Remote {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        timeout: Option<&str>,
        connect_timeout: Option<&str>,
        max_bytes: Option<u64>,
        max_total_bytes: Option<u64>,
        retries: Option<u32>,
        min_keep_ratio: Option<f64>,
        grace: Option<&str>,
        accept_removals: bool,
    ) -> Result<Self, SourceError> {
        let mut http = HttpOptions::default();
        if let Some(t) = timeout {
            http.timeout = parse_duration(t)?;
            http.connect_timeout = http.connect_timeout.min(http.timeout);
        }
        if let Some(t) = connect_timeout {
            http.connect_timeout = parse_duration(t)?;
        }
        if let Some(m) = max_bytes {
            http.max_bytes = m;
        }
        if let Some(r) = retries {
            http.retries = r.min(10);
        }
        let ratio = min_keep_ratio.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&ratio) {
            return Err(SourceError::Config(format!(
                "min_keep_ratio {ratio} must be between 0 and 1"
            )));
        }
        let grace = parse_duration(grace.unwrap_or("24h"))?;
        Ok(Remote {
            http,
            max_total_bytes: max_total_bytes.unwrap_or(DEFAULT_MAX_TOTAL_BYTES),
            min_keep_ratio: ratio,
            grace: chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX),
            accept_removals,
            mass_removal_min: 3,
        })
    }
}

/// "500ms", "30s", "10m", "24h", "2d", or bare seconds.
pub fn parse_duration(text: &str) -> Result<Duration, SourceError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| SourceError::Config(format!("{text:?} is not a duration such as \"30s\"")))?;
    let secs_per = match unit.trim() {
        "ms" => return at_most_a_year(Duration::from_millis(n), text),
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86400,
        u => {
            return Err(SourceError::Config(format!(
                "unknown duration unit {u:?} in {text:?}; use ms, s, m, h or d"
            )));
        }
    };
    // `n * 3600` overflowed u64 for huge counts (a panic with overflow checks, a wrapped
    // short timeout without): refuse them instead.
    n.checked_mul(secs_per)
        .map(Duration::from_secs)
        .ok_or_else(|| SourceError::Config(format!("{text:?} is too long a duration")))
        .and_then(|d| at_most_a_year(d, text))
}

/// Timeouts and grace periods end up added to clock readings, which panics on overflow for
/// durations near `u64::MAX` seconds; none of them makes sense beyond a year.
fn at_most_a_year(d: Duration, text: &str) -> Result<Duration, SourceError> {
    const YEAR: Duration = Duration::from_secs(365 * 86_400);
    if d > YEAR {
        return Err(SourceError::Config(format!(
            "{text:?} is too long a duration: at most 365d"
        )));
    }
    Ok(d)
}

/// One vendor: how to fetch its documents and how to read them.
pub trait Adapter: Sync {
    /// The main URL, for reports.
    fn origin(&self) -> String;
    /// Fetches every document the postings need (list pages, details); by default the
    /// one list at [`Adapter::origin`].
    fn fetch(&self, f: &Fetcher<'_>) -> Result<Vec<Doc>, SourceError> {
        Ok(vec![f.get("list", &self.origin())?])
    }
    /// Reads postings from fetched or stored documents. Pure.
    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError>;
}

/// Parses every document with `parse` and concatenates the postings, in document order.
pub fn parse_each(
    docs: &[Doc],
    parse: impl Fn(&Doc) -> Result<Vec<RawPosting>, SourceError>,
) -> Result<Vec<RawPosting>, SourceError> {
    docs.iter().try_fold(Vec::new(), |mut acc, d| {
        acc.extend(parse(d)?);
        Ok(acc)
    })
}

/// Conditional GETs against the stored answers of one source, within one byte budget for
/// the whole read. Shared by an adapter's parallel lanes, hence the atomic count.
pub struct Fetcher<'a> {
    client: &'a HttpClient,
    state: &'a SourceState,
    budget: u64,
    used: AtomicU64,
}

impl Fetcher<'_> {
    /// GETs `url` (conditionally, when an answer is stored) as the document `key`.
    pub fn get(&self, key: &str, url: &str) -> Result<Doc, SourceError> {
        let over = || SourceError::OverBudget {
            url: url.to_string(),
            limit: self.budget,
        };
        let used = self.used.load(Ordering::SeqCst);
        if used > self.budget {
            return Err(over());
        }
        // Asking for no more than the budget's rest stops a large answer while it streams in;
        // two lanes may each be granted the same rest, so the sum is checked again below.
        let rest = self.budget - used;
        let stored = self.state.stored(url);
        let validators = stored.as_ref().map(|s| s.0.clone()).unwrap_or_default();
        let (body, validators) = match self.client.get_within(url, &validators, rest) {
            Ok(Fetched::Body { body, validators }) => (body, validators),
            Ok(Fetched::NotModified) => {
                let (validators, body) = stored.expect("304 only answers a conditional GET");
                (body, validators)
            }
            Err(SourceError::TooLarge { limit, .. }) if limit < self.client.options().max_bytes => {
                // Marks the budget spent, so the other lane stops before its next request.
                self.used
                    .store(self.budget.saturating_add(1), Ordering::SeqCst);
                return Err(over());
            }
            Err(e) => return Err(e),
        };
        let doc = Doc {
            key: key.to_string(),
            url: url.to_string(),
            body,
            validators,
        };
        // Stored bodies count too: the budget bounds what one read holds, not only the wire.
        let len = doc.body.len() as u64;
        if self
            .used
            .fetch_add(len, Ordering::SeqCst)
            .saturating_add(len)
            > self.budget
        {
            return Err(over());
        }
        Ok(doc)
    }
}

/// Runs an adapter with the real clock.
pub fn run(
    adapter: &dyn Adapter,
    remote: Result<Remote, SourceError>,
    name: &str,
    ctx: &SourceContext<'_>,
    sleeper: Arc<dyn Sleeper>,
) -> SourceOutput {
    let mut out = SourceOutput::default();
    let origin = adapter.origin();
    let remote = match remote {
        Ok(r) => r,
        Err(e) => {
            out.diagnostics
                .push(Diagnostic::error(e.rule(), format!("source {name}: {e}")).file(&origin));
            return out;
        }
    };
    let mut state = SourceState::open(ctx.state_dir, &ctx.feed.id, name);
    let fresh = HttpClient::new(remote.http.clone(), sleeper).and_then(|client| {
        let f = Fetcher {
            client: &client,
            state: &state,
            budget: remote.max_total_bytes,
            used: AtomicU64::new(0),
        };
        let docs = adapter.fetch(&f)?;
        let raws = adapter.parse(&docs)?;
        Ok((docs, raws))
    });
    match fresh {
        Ok((docs, raws)) => {
            let prev = state.snapshot.count;
            let had = state.snapshot.fetched_at.is_some();
            let removed = prev.saturating_sub(raws.len());
            let sudden = had
                && removed >= remote.mass_removal_min
                && (raws.len() as f64) < remote.min_keep_ratio * prev as f64;
            if sudden && !remote.accept_removals && !accepted_by_env(name) {
                let since = state.snapshot.drop_since.unwrap_or(ctx.now);
                if ctx.now - since < remote.grace
                    && let Some(old) = state.last_good().and_then(|d| adapter.parse(&d).ok())
                {
                    state.snapshot.drop_since = Some(since);
                    if let Err(e) = state.save() {
                        out.diagnostics.push(state_warning(&origin, &e));
                    }
                    out.diagnostics.push(
                        Diagnostic::warning(
                            "source.mass-removal",
                            format!(
                                "source {name} now lists {} postings, fewer than {:.0} % of the {prev} it listed before; \
                                 the previous {} postings are kept until the drop has lasted {} (held since {}) \
                                 or is confirmed with `accept_removals = true` or {ACCEPT_REMOVALS_ENV}={name}",
                                raws.len(),
                                remote.min_keep_ratio * 100.0,
                                old.len(),
                                human_duration(remote.grace),
                                since.format("%Y-%m-%d %H:%M UTC"),
                            ),
                        )
                        .file(&origin),
                    );
                    out.postings = old;
                    return finish(out, name, &origin, ctx);
                }
            }
            if let Err(e) = state.accept(&docs, raws.len(), ctx.now) {
                out.diagnostics.push(state_warning(&origin, &e));
            }
            out.postings = raws;
        }
        Err(e) => {
            let kept = state.last_good().and_then(|d| adapter.parse(&d).ok());
            let tail = match (&kept, state.snapshot.fetched_at) {
                (Some(p), Some(at)) => format!(
                    "; the last good postings ({} from {}) are kept",
                    p.len(),
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                _ => "; no earlier answer is stored, so this source has no postings this run"
                    .to_string(),
            };
            out.diagnostics.push(
                Diagnostic::error(e.rule(), format!("source {name}: {e}{tail}"))
                    .file(e.url().unwrap_or(&origin)),
            );
            out.postings = kept.unwrap_or_default();
        }
    }
    finish(out, name, &origin, ctx)
}

fn state_warning(origin: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::warning(
        "source.state",
        format!("could not store the answer as last good state: {e}; a later failure cannot fall back to it"),
    )
    .file(origin)
}

fn accepted_by_env(name: &str) -> bool {
    std::env::var(ACCEPT_REMOVALS_ENV).is_ok_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|w| w == name || w == "1" || w == "all" || w == "true")
    })
}

fn human_duration(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    match s {
        s if s % 86400 == 0 && s > 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Fills what every remote posting shares; the feed's own organisation wins over an equal name,
/// so its URL and logo are kept.
fn finish(
    mut out: SourceOutput,
    name: &str,
    origin: &str,
    ctx: &SourceContext<'_>,
) -> SourceOutput {
    for p in &mut out.postings {
        p.source = name.to_string();
        if p.origin.is_empty() {
            p.origin = origin.to_string();
        }
        if p.organization.as_ref().is_some_and(|o| {
            o.name
                .trim()
                .eq_ignore_ascii_case(ctx.feed.organization.name.trim())
        }) {
            p.organization = None;
        }
    }
    out
}

// ---- helpers shared by the adapters ------------------------------------------------------

/// A non-empty trimmed string (or a number as text) at `key`.
pub fn s(v: &Value, key: &str) -> Option<String> {
    text(v.get(key)?)
}

/// A non-empty trimmed string, or a number as text.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A blank posting read from `origin`.
pub fn raw(origin: &str) -> RawPosting {
    RawPosting {
        origin: origin.to_string(),
        ..RawPosting::default()
    }
}

/// Splits a free-text location that packs several places ("Berlin; Paris", "NYC or SF"),
/// but never inside parentheses: "Remote (Sweden or Norway)" is one place.
pub fn split_places(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 {
            if matches!(c, ';' | '|' | '/') {
                parts.push(std::mem::take(&mut cur));
                i += 1;
                continue;
            }
            let ahead: String = chars[i..].iter().take(4).collect();
            if ahead.eq_ignore_ascii_case(" or ") {
                parts.push(std::mem::take(&mut cur));
                i += 4;
                continue;
            }
        }
        cur.push(c);
        i += 1;
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reads "City, Region, Country" / "City, Country" / "City, ST" (with a country hint) into a
/// place; never invents a city. `None` when no country can be told.
pub fn place(text: &str, country_hint: Option<&str>) -> Option<Location> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let last = *parts.last()?;
    // Two letters after a comma are as often a US state or Canadian province ("CA") as a
    // country: only believed when the source's country says the same.
    let named = if last.eq_ignore_ascii_case("uk") {
        Some("GB".to_string())
    } else if last.len() > 2 {
        country::code(last)
    } else {
        country_hint
            .filter(|h| h.eq_ignore_ascii_case(last))
            .map(str::to_ascii_uppercase)
    };
    let (country, rest) = match (named, country_hint.and_then(country::code)) {
        (Some(c), _) => (c, &parts[..parts.len() - 1]),
        (None, Some(h)) => (h, &parts[..]),
        (None, None) => return None,
    };
    Some(Location {
        locality: rest.first().map(|s| s.to_string()),
        region: rest.get(1).map(|s| s.to_string()),
        country,
        ..Location::default()
    })
}

/// Epoch milliseconds as RFC 3339 (Lever `createdAt`).
pub fn epoch_ms(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map(|d| d.to_rfc3339())
}

/// A salary interval word ("per-year-salary", "1 YEAR", "yearly", "month") as a unit code.
pub fn salary_unit(interval: &str) -> Option<String> {
    let l = interval.to_lowercase();
    let unit = if l.contains("year") || l.contains("annual") {
        "YEAR"
    } else if l.contains("month") {
        "MONTH"
    } else if l.contains("week") {
        "WEEK"
    } else if l.contains("day") || l.contains("daily") {
        "DAY"
    } else if l.contains("hour") {
        "HOUR"
    } else {
        return None;
    };
    Some(unit.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_greenhouse_locations_split_on_every_separator() {
        assert_eq!(
            split_places("New York, NY; San Francisco, CA or Remote | London/Berlin"),
            vec![
                "New York, NY",
                "San Francisco, CA",
                "Remote",
                "London",
                "Berlin"
            ]
        );
    }

    #[test]
    fn places_read_city_and_country_and_never_invent_a_city() {
        let p = place("London, England, United Kingdom", None).unwrap();
        assert_eq!(
            (
                p.locality.as_deref(),
                p.region.as_deref(),
                p.country.as_str()
            ),
            (Some("London"), Some("England"), "GB")
        );
        let p = place("Chicago, IL", Some("US")).unwrap();
        assert_eq!(
            (p.locality.as_deref(), p.region.as_deref()),
            (Some("Chicago"), Some("IL"))
        );
        assert_eq!(p.country, "US");
        let p = place("Canada", None).unwrap();
        assert_eq!((p.locality, p.country.as_str()), (None, "CA"));
        assert_eq!(place("Somewhere", None), None);
    }

    #[test]
    fn durations_read_units_and_reject_nonsense() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3 weeks").is_err());
    }

    /// Found while writing the `config` fuzz target: the unit multiplication overflowed.
    #[test]
    fn durations_too_long_to_represent_are_errors_not_overflows() {
        let e = parse_duration("9999999999999999h").unwrap_err();
        assert!(e.to_string().contains("too long"), "{e}");
        assert!(parse_duration("18446744073709551615d").is_err());
        // Representable but absurd: refused before they can overflow a clock reading.
        for huge in [
            "18446744073709551615s",
            "18446744073709551615ms",
            "366d",
            "8785h",
        ] {
            let e = parse_duration(huge).unwrap_err();
            assert!(e.to_string().contains("at most 365d"), "{huge}: {e}");
        }
        assert_eq!(
            parse_duration("365d").unwrap(),
            Duration::from_secs(365 * 86_400)
        );
    }

    #[test]
    fn salary_intervals_of_every_vendor_map_to_units() {
        assert_eq!(salary_unit("per-year-salary").as_deref(), Some("YEAR"));
        assert_eq!(salary_unit("1 YEAR").as_deref(), Some("YEAR"));
        assert_eq!(salary_unit("per-hour-wage").as_deref(), Some("HOUR"));
        assert_eq!(salary_unit("monthly").as_deref(), Some("MONTH"));
        assert_eq!(salary_unit("one-time"), None);
    }

    // ---- property tests: every payload parser on random answers of its own shape ----------

    const URL: &str = "https://ats.test/api";

    /// Keys the adapters read, so random objects reach their mapping code.
    const KEYS: &[&str] = &[
        "@type",
        "@graph",
        "_jobposting",
        "absolute_url",
        "additional",
        "address",
        "addressCountry",
        "addressLocality",
        "allLocations",
        "applicantLocationRequirements",
        "applyUrl",
        "baseSalary",
        "careers_url",
        "categories",
        "city",
        "commitment",
        "compensation",
        "content",
        "content_html",
        "country",
        "countryCode",
        "country_code",
        "createdAt",
        "created_at",
        "currency",
        "currencyCode",
        "datePosted",
        "department",
        "departments",
        "description",
        "descriptionHtml",
        "employmentType",
        "employment_type",
        "employment_type_code",
        "hiringOrganization",
        "hostedUrl",
        "id",
        "identifier",
        "interval",
        "isRemote",
        "jobAd",
        "jobLocation",
        "jobLocationType",
        "jobUrl",
        "jobs",
        "location",
        "locations",
        "max",
        "maxValue",
        "metadata",
        "min",
        "minValue",
        "name",
        "offers",
        "postingUrl",
        "publishedAt",
        "published_at",
        "ref",
        "salary",
        "salaryRange",
        "secondaryLocations",
        "sections",
        "shortcode",
        "summaryComponents",
        "team",
        "text",
        "title",
        "translations",
        "typeOfEmployment",
        "unitText",
        "url",
        "validThrough",
        "value",
        "workplaceType",
    ];

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            proptest::sample::select(vec![
                "JobPosting",
                "https://x.test/job/1",
                "/apply",
                "javascript:alert(1)",
                "2026-02-30",
                "1764205361939",
                "Berlin, Germany",
                "NYC or SF; Remote",
                "<p>a <script>x()</script><a href=\"/r\">r</a></p>",
                "FULL_TIME",
                "per-year-salary",
            ])
            .prop_map(Value::from),
            "[ -~äö€]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(proptest::sample::select(KEYS), inner, 0..8)
                    .prop_map(|m| Value::Object(
                        m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )),
            ]
        })
    }

    /// A personio answer: positions with known elements holding random (escaped or raw) text.
    fn personio_xml() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let element = (
            proptest::sample::select(vec![
                "id",
                "name",
                "office",
                "department",
                "employmentType",
                "schedule",
                "createdAt",
                "subcompany",
                "seniority",
                "keywords",
            ]),
            "[ -~€]{0,16}",
            any::<bool>(),
        )
            .prop_map(|(name, text, raw)| {
                let text = if raw {
                    text
                } else {
                    html_escape::encode_text(&text).to_string()
                };
                format!("<{name}>{text}</{name}>")
            });
        let extra = proptest::sample::select(vec![
            "",
            "<additionalOffices><office>Berlin</office></additionalOffices>",
            "<jobDescriptions><jobDescription><name>A</name><value><![CDATA[<p>x</p><script>y</script>]]></value></jobDescription></jobDescriptions>",
            "<salaryInformation><min>10</min><max>5</max><currencyCode>EUR</currencyCode><type>yearly</type></salaryInformation>",
        ]);
        let position = (proptest::collection::vec(element, 0..6), extra)
            .prop_map(|(els, extra)| format!("<position>{}{extra}</position>", els.concat()));
        proptest::collection::vec(position, 0..4).prop_map(|ps| {
            format!(
                "<?xml version=\"1.0\"?><workzag-jobs>{}</workzag-jobs>",
                ps.concat()
            )
        })
    }

    fn check(which: &str, r: Result<Vec<RawPosting>, SourceError>) -> Result<(), String> {
        match r {
            Ok(ps) => {
                for p in ps {
                    if p.origin != URL {
                        return Err(format!("{which}: origin {:?}", p.origin));
                    }
                    let html = p
                        .description_html
                        .unwrap_or_default()
                        .html()
                        .to_ascii_lowercase();
                    if html.contains("<script") || html.contains("href=\"javascript") {
                        return Err(format!("{which}: unsafe description {html:?}"));
                    }
                }
                Ok(())
            }
            Err(e) if e.url() == Some(URL) => Ok(()),
            Err(e) => Err(format!("{which}: error without the URL: {e:?}")),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn random_ats_answers_never_panic_and_errors_name_the_url(
            items in proptest::collection::vec(json_value(), 0..4),
            top in json_value(),
        ) {
            let list = Value::Array(items.clone());
            let wrap = |k: &str| serde_json::to_vec(&serde_json::json!({ k: list })).unwrap();
            let bare = serde_json::to_vec(&list).unwrap();
            let top = serde_json::to_vec(&top).unwrap();
            for body in [&top, &bare] {
                for (which, r) in [
                    ("greenhouse", greenhouse::parse(body, URL)),
                    ("lever", lever::parse(body, URL)),
                    ("json", json::parse(body, URL)),
                ] {
                    check(which, r).map_err(proptest::test_runner::TestCaseError::fail)?;
                }
            }
            let mut detail = raw(URL);
            let detail_result = items
                .first()
                .map(|v| smartrecruiters::apply_detail(&mut detail, &serde_json::to_vec(v).unwrap(), URL))
                .unwrap_or(Ok(()))
                .map(|()| vec![detail]);
            let page = format!(
                "<html><script type=\"application/ld+json\">{}</script></html>",
                serde_json::json!({ "@type": "JobPosting", "@graph": list })
            );
            for (which, r) in [
                ("greenhouse", greenhouse::parse(&wrap("jobs"), URL)),
                ("ashby", ashby::parse(&wrap("jobs"), URL)),
                ("workable", workable::parse(&wrap("jobs"), URL)),
                ("recruitee", recruitee::parse(&wrap("offers"), URL)),
                ("smartrecruiters", smartrecruiters::parse_list(&wrap("content"), URL)),
                ("smartrecruiters detail", detail_result),
                ("teamtailor", teamtailor::parse(&wrap("items"), URL)),
                ("json", json::parse(&wrap("postings"), URL)),
                ("jsonld", jsonld::parse(page.as_bytes(), URL)),
            ] {
                check(which, r).map_err(proptest::test_runner::TestCaseError::fail)?;
            }
        }

        #[test]
        fn random_personio_feeds_never_panic_and_errors_name_the_url(xml in personio_xml()) {
            let opts = personio::Options {
                site: "https://acme.jobs.personio.test".into(),
                language: "en".into(),
                country: Some("DE".into()),
            };
            check("personio", personio::parse(xml.as_bytes(), URL, &opts))
                .map_err(proptest::test_runner::TestCaseError::fail)?;
        }
    }

    #[test]
    fn epoch_milliseconds_become_rfc3339() {
        assert_eq!(
            epoch_ms(1_764_205_361_939).unwrap(),
            "2025-11-27T01:02:41.939+00:00"
        );
    }
}
