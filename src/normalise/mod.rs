//! Normalise: turn raw source facts into canonical postings, with the feed's defaults.
//! Pure and synchronous: the clock comes in as `now`; problems become diagnostics.

pub mod country;
pub mod dates;
pub mod location;
pub mod salary;
pub mod text;
pub mod vocab;

use rayon::prelude::*;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::config::FeedConfig;
use crate::diag::Diagnostic;
use crate::model::{
    Alternate, Apply, Arrangement, EmploymentType, Organization, Posting, Salary, SalaryUnit,
    Workplace, sort_postings,
};
use crate::source::RawPosting;

/// What normalisation produced: postings in canonical order, plus findings.
#[derive(Debug, Default)]
pub struct Normalised {
    pub postings: Vec<Posting>,
    pub diagnostics: Vec<Diagnostic>,
    /// Postings left out on purpose (expired), with the reason.
    pub skipped: Vec<(String, String)>,
}

/// Normalises every raw posting; a broken one becomes a diagnostic and the rest go on.
pub fn normalise(raws: Vec<RawPosting>, feed: &FeedConfig, now: DateTime<Utc>) -> Normalised {
    normalise_with(raws, feed, now, None, &Default::default())
}

/// One raw posting normalised on its own: the posting (`Ok(None)` when expired, `Err`
/// when unusable) and the findings.
#[derive(Debug)]
pub struct Outcome {
    pub posting: Result<Option<Posting>, ()>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    /// Whether the outcome still holds at `now`: only expiry depends on the clock.
    fn holds_at(&self, now: DateTime<Utc>) -> bool {
        match &self.posting {
            Ok(Some(p)) => p.valid_through.is_none_or(|end| end >= now),
            _ => true,
        }
    }
}

/// Like [`normalise`]; raw postings with a content key reuse the outcome an earlier run
/// kept in `cache`. Postings are normalised on every core.
pub fn normalise_with(
    raws: Vec<RawPosting>,
    feed: &FeedConfig,
    now: DateTime<Utc>,
    cache: Option<&crate::cache::Cache>,
    // The URL each id was last published at: when two postings claim an id, the one
    // still at that URL keeps it (a copied file must not take over a live posting's id).
    held: &std::collections::HashMap<String, String>,
) -> Normalised {
    let tz = feed.tz();
    let feed_organization = std::sync::Arc::new(Organization {
        name: feed.organization.name.clone(),
        url: feed.organization.url.clone(),
        logo: feed.organization.logo.clone(),
        same_as: feed.organization.same_as.clone(),
    });
    let make = |raw: &RawPosting| {
        let mut diagnostics = Vec::new();
        let posting = one(raw, feed, &feed_organization, tz, now, &mut diagnostics);
        std::sync::Arc::new(Outcome {
            posting,
            diagnostics,
        })
    };
    // Each raw posting is dropped once normalised.
    let outcomes: Vec<(String, std::sync::Arc<Outcome>)> = raws
        .into_par_iter()
        .map(|raw| {
            let outcome = match (cache.filter(|c| c.keeps_bytes()), raw.key) {
                (Some(cache), Some(key)) => {
                    let kept = cache.normalised.get_or(key, || make(&raw));
                    if kept.holds_at(now) {
                        kept
                    } else {
                        let fresh = make(&raw);
                        cache.normalised.put(key, fresh.clone());
                        fresh
                    }
                }
                _ => make(&raw),
            };
            (raw.origin, outcome)
        })
        .collect();
    let mut out = Normalised::default();
    for (origin, outcome) in outcomes {
        // Moved out unless the cache keeps it too.
        let Outcome {
            posting,
            diagnostics,
        } = std::sync::Arc::try_unwrap(outcome).unwrap_or_else(|kept| Outcome {
            posting: kept.posting.clone(),
            diagnostics: kept.diagnostics.clone(),
        });
        match posting {
            Ok(Some(p)) => out.postings.push(p),
            Ok(None) => out
                .skipped
                .push((origin, "expired (validThrough is past)".into())),
            Err(()) => {}
        }
        out.diagnostics.extend(diagnostics);
    }
    dedupe_ids(&mut out, held);
    link_translations(&mut out.postings);
    sort_postings(&mut out.postings);
    out
}

fn diag_at(raw: &RawPosting, field: &str, d: Diagnostic) -> Diagnostic {
    d.file(&raw.origin).line(raw.line_of(field)).field(field)
}

fn one(
    raw: &RawPosting,
    feed: &FeedConfig,
    feed_organization: &std::sync::Arc<Organization>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Posting>, ()> {
    let mut failed = false;
    let mut err = |field: &str, rule: &str, msg: String, diags: &mut Vec<Diagnostic>| {
        failed = true;
        diags.push(diag_at(raw, field, Diagnostic::error(rule, msg)));
    };

    let language = raw
        .language
        .as_deref()
        .map(language_tag)
        .unwrap_or_else(|| feed.language.clone());

    let title = clean_text(raw.title.as_deref().unwrap_or(""));
    if title.is_empty() {
        err(
            "title",
            "posting.title",
            "the posting has no title: add `title: \"…\"` to the front matter".into(),
            diags,
        );
    }
    let description_html = raw.description_html.clone().unwrap_or_default();
    // Decompressed once here, for the blank check and for the prose below.
    let description = description_html.html();
    if description.trim().is_empty() {
        err(
            "description",
            "posting.description",
            "the posting has no description: write the job description in the body".into(),
            diags,
        );
    }
    let url = raw.url.clone().unwrap_or_default();
    // Remote sources hand over any string: only http(s) reaches `href`s and `<link>`s, in
    // canonical form (`<`, `>`, `"` and spaces percent-encoded).
    let url = match web_url(&url) {
        Ok(u) => u,
        Err(why) => {
            err(
                "url",
                "posting.url",
                format!(
                    "the posting has no absolute http(s) page URL ({url:?}: {why}): set the site's base URL or the feed's base_url"
                ),
                diags,
            );
            url
        }
    };

    let mut date = |field: &str, value: &Option<String>, diags: &mut Vec<Diagnostic>| match value {
        None => None,
        Some(v) => match dates::parse(v, tz) {
            Ok(d) => Some(d),
            Err(e) => {
                err(
                    field,
                    "posting.date",
                    format!("{v:?} is not a date: {e}"),
                    diags,
                );
                None
            }
        },
    };
    let date_posted = date("date", &raw.date_posted, diags);
    let valid_through = date("expirydate", &raw.valid_through, diags);
    let updated = date("lastmod", &raw.updated, diags);
    if raw.date_posted.is_none() {
        err(
            "date",
            "posting.date",
            "the posting has no publication date: add `date: \"YYYY-MM-DD\"`".into(),
            diags,
        );
    }

    let apply = match raw
        .apply
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            diags.push(diag_at(
                raw,
                "apply",
                Diagnostic::warning(
                    "posting.apply",
                    "no apply link: candidates are sent to the posting's page; add an apply URL or e-mail",
                ),
            ));
            Apply::Url { url: url.clone() }
        }
        Some(a) => match parse_apply(a, &url) {
            Ok((apply, warning)) => {
                if let Some(w) = warning {
                    diags.push(diag_at(
                        raw,
                        "apply",
                        Diagnostic::warning("posting.apply", w),
                    ));
                }
                apply
            }
            Err(e) => {
                err("apply", "posting.apply", e, diags);
                Apply::Url { url: url.clone() }
            }
        },
    };

    // Employment types: the posting's words, else the feed default.
    let mut employment_types = Vec::new();
    let words: Vec<&String> = if raw.employment.is_empty() {
        feed.defaults.employment_types.iter().collect()
    } else {
        raw.employment.iter().collect()
    };
    for w in words {
        match vocab::employment_type(w) {
            Some(t) if !employment_types.contains(&t) => employment_types.push(t),
            Some(_) => {}
            None => diags.push(diag_at(
                raw,
                "employment",
                Diagnostic::warning(
                    "posting.employment-type",
                    format!(
                        "{w:?} is not a known employment type; use one of {}",
                        EmploymentType::ALL.map(|t| t.as_str()).join(", ")
                    ),
                ),
            )),
        }
    }

    // Workplace: explicit word, else what the location phrases say, else the feed default.
    let mut locations = raw.locations.clone();
    let mut arrangement = None;
    let mut countries_raw: Vec<String> = raw.applicant_countries.clone();
    for text in &raw.location_text {
        let info = location::interpret(text);
        if info.is_empty() {
            diags.push(diag_at(
                raw,
                "location",
                Diagnostic::warning(
                    "posting.location",
                    format!("could not read the location {text:?}; the feed defaults apply"),
                ),
            ));
        }
        arrangement = arrangement.or(info.arrangement);
        locations.extend(info.locations);
        countries_raw.extend(info.applicant_countries);
    }
    if let Some(word) = &raw.arrangement {
        match vocab::arrangement(word) {
            Some(a) => arrangement = Some(a),
            None => diags.push(diag_at(
                raw,
                "arrangement",
                Diagnostic::warning(
                    "posting.arrangement",
                    format!("{word:?} is not a work arrangement; use on-site, hybrid or remote"),
                ),
            )),
        }
    }
    // The description's plain text, made only when a fact must be looked for in prose.
    let prose = std::cell::OnceCell::new();
    let prose = || -> &str { prose.get_or_init(|| text::lines_of(&description)) };
    if arrangement.is_none() {
        let info = location::from_prose(prose());
        arrangement = info.arrangement;
        countries_raw.extend(info.applicant_countries);
    }
    let arrangement = arrangement
        .or(feed.defaults.arrangement)
        .unwrap_or(Arrangement::OnSite);
    if locations.is_empty() && arrangement != Arrangement::Remote {
        locations = feed.defaults.locations.clone();
    }
    if countries_raw.is_empty() && arrangement == Arrangement::Remote {
        countries_raw = feed.defaults.applicant_countries.clone();
    }
    let (applicant_countries, unknown) = country::expand(&countries_raw);
    for u in unknown {
        diags.push(diag_at(
            raw,
            "location",
            Diagnostic::warning(
                "posting.country",
                format!("{u:?} is not a country or region jobfeed knows; use an ISO 3166-1 code such as SE"),
            ),
        ));
    }
    let workplace = Workplace {
        arrangement,
        applicant_countries: if arrangement == Arrangement::Remote {
            applicant_countries
        } else {
            Vec::new()
        },
    };

    let salary = read_salary(raw, &language, prose, diags);

    if failed {
        return Err(());
    }
    let (Some(date_posted), true) = (date_posted, !title.is_empty()) else {
        return Err(());
    };
    if let Some(end) = valid_through
        && end < now
    {
        return Ok(None);
    }
    let organization = raw
        .organization
        .as_ref()
        .and_then(|o| clean_organization(o, raw, diags))
        .map(std::sync::Arc::new)
        .unwrap_or_else(|| feed_organization.clone());
    let locations: Vec<_> = locations.iter().map(clean_location).collect();
    let group = raw.group.clone();
    let id = match &raw.id {
        Some(id) => slug_id(id),
        None => match &group {
            Some(g) => slug_id(&format!("{g}-{language}")),
            None => format!("p{}", &blake3::hash(url.as_bytes()).to_hex()[..16]),
        },
    };
    Ok(Some(Posting {
        id,
        source: raw.source.clone(),
        origin: Some(raw.origin.clone()),
        language,
        title,
        description_html,
        summary: raw
            .summary
            .as_deref()
            .map(clean_text)
            .filter(|s| !s.is_empty()),
        url,
        apply,
        date_posted,
        valid_through,
        updated: updated.unwrap_or(date_posted).max(date_posted),
        employment_types,
        hiring_organization: organization,
        locations,
        workplace,
        salary,
        team: raw
            .team
            .clone()
            .or_else(|| feed.defaults.team.clone())
            .map(|t| clean_text(&t)),
        categories: raw
            .categories
            .iter()
            .map(|c| clean_text(c))
            .filter(|c| !c.is_empty())
            .collect(),
        translation_group: group,
        alternates: Vec::new(),
        extra: raw
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), clean_json(v)))
            .collect(),
    }))
}

fn read_salary<'a>(
    raw: &RawPosting,
    language: &str,
    prose: impl FnOnce() -> &'a str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Salary> {
    let warn = |diags: &mut Vec<Diagnostic>, msg: String| {
        diags.push(diag_at(
            raw,
            "salary",
            Diagnostic::warning("posting.salary", msg),
        ))
    };
    if let Some(s) = &raw.salary {
        if s.min.is_some() || s.max.is_some() {
            let num = |v: &Option<String>| v.as_deref().and_then(salary::parse_amount);
            let currency = s
                .currency
                .as_deref()
                .and_then(|c| salary::currency_for(c, language));
            let unit = s
                .unit
                .as_deref()
                .map(|u| {
                    salary::unit(u)
                        .map(|u| u.as_str().to_string())
                        .unwrap_or_else(|| u.trim().to_uppercase())
                })
                .unwrap_or_else(|| SalaryUnit::Year.as_str().to_string());
            match currency {
                Some(currency) => {
                    return Some(Salary {
                        currency,
                        min: num(&s.min),
                        max: num(&s.max),
                        unit,
                    });
                }
                None => warn(
                    diags,
                    format!(
                        "salary currency {:?} is not an ISO 4217 code such as EUR",
                        s.currency
                    ),
                ),
            }
        }
        if let Some(text) = &s.text {
            match salary::parse_text(text, language) {
                Ok(s) => return Some(s),
                Err(e) => warn(diags, format!("could not read the salary {text:?}: {e}")),
            }
        }
    }
    match salary::find_in_text(prose(), language) {
        salary::Found::Salary(s) => Some(s),
        salary::Found::Unsure(line, why) => {
            warn(
                diags,
                format!(
                    "a salary line was found but not read with confidence, so no salary is published: {line:?} ({why})"
                ),
            );
            None
        }
        salary::Found::None => None,
    }
}

/// Parses an apply target; `page` is the posting's own URL (for `#anchor` links).
pub fn parse_apply(a: &str, page: &str) -> Result<(Apply, Option<String>), String> {
    if let Some(rest) = a.strip_prefix("mailto:") {
        let addr = rest.split('?').next().unwrap_or("");
        let addr = percent_decode(addr);
        return if is_email(&addr) {
            Ok((Apply::Email { email: addr }, None))
        } else {
            Err(format!("{a:?} has no valid e-mail address"))
        };
    }
    if is_email(a) {
        return Ok((
            Apply::Email {
                email: a.to_string(),
            },
            None,
        ));
    }
    if a.starts_with('#') {
        return Ok((
            Apply::Url {
                url: page.to_string(),
            },
            Some(format!(
                "apply link {a:?} points into the posting's own page; candidates are sent to {page}"
            )),
        ));
    }
    match url::Url::parse(a) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            Ok((Apply::Url { url: u.to_string() }, None))
        }
        Ok(u) => Err(format!(
            "apply link scheme `{}:` is not allowed; use an http(s) URL or an e-mail address",
            u.scheme()
        )),
        Err(_) if a.chars().any(char::is_whitespace) => {
            Err(format!("{a:?} is not a URL or e-mail address"))
        }
        // "www.example.com/jobs" is a site without its scheme, not a page beside this one.
        Err(_) if looks_like_host(a) => match url::Url::parse(&format!("https://{a}")) {
            Ok(u) => Ok((
                Apply::Url { url: u.to_string() },
                Some(format!(
                    "apply link {a:?} has no `https://`; {u} is used (write it in full)"
                )),
            )),
            Err(_) => Err(format!("{a:?} is not a URL or e-mail address")),
        },
        Err(_) => match url::Url::parse(page).and_then(|base| base.join(a)) {
            Ok(u) if !a.contains(':') => Ok((Apply::Url { url: u.to_string() }, None)),
            _ => Err(format!("{a:?} is not a URL or e-mail address")),
        },
    }
}

/// Whether a link with no scheme starts with a host name rather than a relative path:
/// `www.…`, or a dotted first segment whose last part is not a file extension.
fn looks_like_host(a: &str) -> bool {
    let first = a.split(['/', '?', '#']).next().unwrap_or("");
    if first.starts_with("www.") {
        return true;
    }
    let Some((name, last)) = first.rsplit_once('.') else {
        return false;
    };
    const FILES: &[&str] = &[
        "html", "htm", "php", "asp", "aspx", "jsp", "cgi", "pdf", "md",
    ];
    !name.is_empty()
        && !name.starts_with('.')
        && last.len() >= 2
        && last.chars().all(|c| c.is_ascii_alphabetic())
        && !FILES.contains(&last.to_ascii_lowercase().as_str())
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\".contains(c))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Lower-case primary subtag, region kept: `En` → `en`, `nb-NO` → `nb-NO`.
pub fn language_tag(s: &str) -> String {
    let s = s.trim().replace('_', "-");
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    std::iter::once(primary)
        .chain(parts.map(|p| p.to_string()))
        .collect::<Vec<_>>()
        .join("-")
}

/// Collapses white space and drops control characters.
pub fn clean_text(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An absolute http(s) URL in its canonical serialisation, or why it is not one.
pub fn web_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u.to_string()),
        Ok(u) => Err(format!("scheme `{}:` is not allowed", u.scheme())),
        Err(e) => Err(e.to_string()),
    }
}

/// A source's own organisation with clean text and only http(s) links (others dropped with
/// a warning); `None` when no name is left, so the feed's organisation stands in.
fn clean_organization(
    o: &Organization,
    raw: &RawPosting,
    diags: &mut Vec<Diagnostic>,
) -> Option<Organization> {
    let name = clean_text(&o.name);
    if name.is_empty() {
        return None;
    }
    let mut link = |u: &str| match web_url(u) {
        Ok(u) => Some(u),
        Err(why) => {
            diags.push(diag_at(
                raw,
                "organization",
                Diagnostic::warning(
                    "posting.organization",
                    format!("the organisation link {u:?} is left out: {why}"),
                ),
            ));
            None
        }
    };
    Some(Organization {
        name,
        url: o.url.as_deref().and_then(&mut link),
        logo: o.logo.as_deref().and_then(&mut link),
        same_as: o.same_as.iter().filter_map(|u| link(u)).collect(),
    })
}

/// A location with its texts cleaned; parts left empty become missing.
fn clean_location(l: &crate::model::Location) -> crate::model::Location {
    let c = |s: &Option<String>| s.as_deref().map(clean_text).filter(|s| !s.is_empty());
    crate::model::Location {
        street: c(&l.street),
        locality: c(&l.locality),
        region: c(&l.region),
        postal_code: c(&l.postal_code),
        country: l.country.clone(),
    }
}

/// Every string in a JSON value cleaned like other text (source extras such as keywords).
fn clean_json(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(clean_text(s)),
        Value::Array(a) => Value::Array(a.iter().map(clean_json).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (clean_text(k), clean_json(v)))
                .collect(),
        ),
        v => v.clone(),
    }
}

/// A stable id from any text: lower-case ASCII letters, digits and `-`, at most 64 chars.
pub fn slug_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = fold_ascii(c);
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        return format!("p{}", &blake3::hash(s.as_bytes()).to_hex()[..16]);
    }
    if out.len() > 64 {
        // Keep the id readable and unique: a prefix plus a hash of the whole.
        let hash = &blake3::hash(out.as_bytes()).to_hex()[..12];
        return format!("{}-{hash}", &out[..51].trim_end_matches('-'));
    }
    out
}

fn fold_ascii(c: char) -> char {
    match c {
        'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' | 'Å' | 'Ä' | 'À' | 'Á' => 'a',
        'æ' | 'Æ' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' | 'Ö' | 'Ø' | 'Ó' => 'o',
        'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
        'ü' | 'ú' | 'ù' | 'û' | 'Ü' => 'u',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ç' => 'c',
        'ñ' => 'n',
        'ß' => 's',
        other => other,
    }
}

fn dedupe_ids(out: &mut Normalised, held: &std::collections::HashMap<String, String>) {
    // Who keeps each id: the posting still at the URL it was published at, else the first.
    // Borrowed, not copied: at 100,000 postings copies of every id and file name were
    // 20 MB of the peak.
    let losers: Vec<(usize, String)> = {
        let ps = &out.postings;
        let mut owner: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(ps.len());
        for (i, p) in ps.iter().enumerate() {
            let o = *owner.entry(p.id.as_str()).or_insert(i);
            let at = |j: usize| held.get(&p.id) == Some(&ps[j].url);
            if o != i && at(i) && !at(o) {
                owner.insert(p.id.as_str(), i);
            }
        }
        ps.iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let o = owner[p.id.as_str()];
                (o != i).then(|| {
                    let by = ps[o].origin.as_deref().unwrap_or("another posting");
                    (i, by.to_string())
                })
            })
            .collect()
    };
    if !losers.is_empty() {
        let mut losers = losers.into_iter().peekable();
        let mut kept = Vec::with_capacity(out.postings.len());
        for (i, p) in std::mem::take(&mut out.postings).into_iter().enumerate() {
            let Some((_, by)) = losers.next_if(|(j, _)| *j == i) else {
                kept.push(p);
                continue;
            };
            out.diagnostics.push(
                Diagnostic::error(
                    "posting.duplicate-id",
                    format!(
                        "the id {:?} is already taken by {by}; give this posting its own `id`",
                        p.id
                    ),
                )
                .file(p.origin.clone().unwrap_or_default())
                .field("id")
                .posting(&p.id),
            );
        }
        out.postings = kept;
    }
    // Two files at one page URL: the site shows one of them there, the feeds would list both.
    fn from_file(p: &Posting) -> Option<&str> {
        p.origin.as_deref().filter(|o| !o.contains("://"))
    }
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::with_capacity(out.postings.len());
    let mut twice = Vec::new();
    for (i, p) in out.postings.iter().enumerate() {
        let Some(origin) = from_file(p) else {
            continue;
        };
        if seen.insert(p.url.as_str()) {
            continue;
        }
        if let Some(first) = out.postings[..i]
            .iter()
            .find(|q| q.url == p.url)
            .and_then(from_file)
        {
            twice.push(
                Diagnostic::warning(
                    "posting.duplicate-url",
                    format!(
                        "{first} is published at the same page URL ({}); a site shows one page there: give one of them its own `slug` or `url`",
                        p.url
                    ),
                )
                .file(origin)
                .posting(&p.id),
            );
        }
    }
    out.diagnostics.extend(twice);
}

fn link_translations(postings: &mut [Posting]) {
    let groups = translation_groups(postings.iter());
    for p in postings.iter_mut() {
        link(p, &groups);
    }
}

/// What the other postings of a feed need to know of one: who holds an id, from which
/// file, and its place among translations.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub origin: Option<String>,
    pub group: Option<String>,
    /// Its id, language and URL, as its translations link it.
    pub link: Alternate,
}

/// The members of a feed's postings (normalised, ids made unique, before the gate: a
/// posting the gate leaves out still holds its id and is still linked as a translation).
pub fn members(postings: &[Posting]) -> Vec<Member> {
    postings
        .iter()
        .map(|p| Member {
            origin: p.origin.clone(),
            group: p.translation_group.clone(),
            link: link_to(p),
        })
        .collect()
}

/// How `p`'s translations link it.
fn link_to(p: &Posting) -> Alternate {
    Alternate {
        language: p.language.clone(),
        url: p.url.clone(),
        id: p.id.clone(),
    }
}

/// Links `fresh` postings (just read from edited files) to their translations among
/// themselves and `others` (the postings of every other file, as the last run left them);
/// the translations' own links follow with the next whole run.
pub fn link_among(fresh: &mut [Posting], others: &[&Member]) {
    // Only the fresh postings' groups are wanted, and those are the groups made of them.
    let mut groups = translation_groups(fresh.iter());
    for m in others {
        if let Some(group) = m.group.as_ref().and_then(|g| groups.get_mut(g)) {
            group.push(m.link.clone());
        }
    }
    for p in fresh.iter_mut() {
        link(p, &groups);
    }
}

/// Each translation group's members, as alternates.
fn translation_groups<'a>(
    postings: impl Iterator<Item = &'a Posting>,
) -> BTreeMap<String, Vec<Alternate>> {
    let mut groups: BTreeMap<String, Vec<Alternate>> = BTreeMap::new();
    for p in postings {
        if let Some(g) = &p.translation_group {
            groups.entry(g.clone()).or_default().push(link_to(p));
        }
    }
    groups
}

/// Sets `p`'s alternates: the other members of its group, in order.
fn link(p: &mut Posting, groups: &BTreeMap<String, Vec<Alternate>>) {
    if let Some(g) = &p.translation_group
        && let Some(all) = groups.get(g)
    {
        let mut alts: Vec<Alternate> = all.iter().filter(|a| a.id != p.id).cloned().collect();
        alts.sort();
        p.alternates = alts;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_apply_keeps_only_the_address() {
        let (a, w) = parse_apply(
            "mailto:jobs%40example.com?subject=Hello%20there&body=CV",
            "https://x.test/job/",
        )
        .unwrap();
        assert_eq!(
            a,
            Apply::Email {
                email: "jobs@example.com".into()
            }
        );
        assert!(w.is_none());
    }

    #[test]
    fn anchor_apply_resolves_to_the_page_with_a_warning() {
        let (a, w) = parse_apply("#down", "https://x.test/job/").unwrap();
        assert_eq!(
            a,
            Apply::Url {
                url: "https://x.test/job/".into()
            }
        );
        assert!(w.unwrap().contains("#down"));
    }

    #[test]
    fn an_apply_link_without_its_scheme_is_the_site_not_a_page_beside_the_posting() {
        let page = "https://x.test/career/job/";
        let (apply, warning) = parse_apply("www.safespring.com/jobs", page).unwrap();
        assert_eq!(
            apply,
            Apply::Url {
                url: "https://www.safespring.com/jobs".into()
            }
        );
        assert!(warning.unwrap().contains("https://"));
        let (apply, _) = parse_apply("jobs.example.org", page).unwrap();
        assert_eq!(apply.href(), "https://jobs.example.org/");
        // Relative links stay relative to the posting's page.
        for (rel, to) in [
            ("apply.html", "https://x.test/career/job/apply.html"),
            ("../apply/", "https://x.test/career/apply/"),
            ("/apply", "https://x.test/apply"),
        ] {
            let (apply, warning) = parse_apply(rel, page).unwrap();
            assert_eq!((apply.href().as_str(), warning), (to, None), "{rel}");
        }
        assert!(parse_apply("Apply via email", page).is_err());
    }

    #[test]
    fn javascript_apply_is_refused() {
        assert!(parse_apply("javascript:alert(1)", "https://x.test/").is_err());
    }

    fn feed() -> FeedConfig {
        toml::from_str(
            "id = \"t\"\ntitle = \"T\"\nbase_url = \"https://x.test/\"\nlanguage = \"en\"\n\
             timezone = \"UTC\"\nsources = []\n[organization]\nname = \"Feed Org\"\nurl = \"https://org.test/\"\n",
        )
        .unwrap()
    }

    fn raw_posting(url: &str) -> RawPosting {
        RawPosting {
            origin: "https://ats.test/jobs".into(),
            title: Some("Engineer".into()),
            description_html: Some("<p>Work.</p>".into()),
            url: Some(url.into()),
            apply: Some("https://x.test/apply".into()),
            date_posted: Some("2026-11-01".into()),
            ..RawPosting::default()
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_copied_file_does_not_take_a_live_postings_id_and_is_told_who_holds_it() {
        let posting = |origin: &str, url: &str| RawPosting {
            origin: origin.into(),
            id: Some("platform-1".into()),
            ..raw_posting(url)
        };
        // The copy comes first in file order.
        let raws = vec![
            posting("content/0-copy.md", "https://x.test/copy/"),
            posting("content/platform.md", "https://x.test/platform/"),
        ];
        let held = [(
            "platform-1".to_string(),
            "https://x.test/platform/".to_string(),
        )]
        .into_iter()
        .collect();
        let out = normalise_with(raws.clone(), &feed(), now(), None, &held);
        assert_eq!(out.postings.len(), 1);
        assert_eq!(
            out.postings[0].origin.as_deref(),
            Some("content/platform.md")
        );
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.rule == "posting.duplicate-id")
            .unwrap();
        assert!(d.is_error());
        assert_eq!(d.file.as_deref(), Some("content/0-copy.md"));
        assert!(d.message.contains("content/platform.md"), "{}", d.message);
        // With no history, the first file keeps it.
        let out = normalise_with(raws, &feed(), now(), None, &Default::default());
        assert_eq!(out.postings[0].origin.as_deref(), Some("content/0-copy.md"));
    }

    #[test]
    fn two_files_at_one_page_url_are_both_published_with_a_warning() {
        let posting = |origin: &str, id: &str| RawPosting {
            origin: origin.into(),
            id: Some(id.into()),
            ..raw_posting("https://x.test/career/engineer/")
        };
        let raws = vec![posting("content/a.md", "a"), posting("content/b.md", "b")];
        let out = normalise_with(raws, &feed(), now(), None, &Default::default());
        assert_eq!(out.postings.len(), 2);
        let d: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.rule == "posting.duplicate-url")
            .collect();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].file.as_deref(), Some("content/b.md"));
        assert!(d[0].message.contains("content/a.md"));
    }

    #[test]
    fn a_kept_outcome_is_reused_until_the_posting_expires() {
        let cache = crate::cache::Cache::new();
        let mut raw = raw_posting("https://x.test/job");
        raw.valid_through = Some("2026-12-01".into());
        raw.key = Some(crate::cache::key(&[b"job"]));
        let first = normalise_with(
            vec![raw.clone()],
            &feed(),
            now(),
            Some(&cache),
            &Default::default(),
        );
        assert_eq!(first.postings.len(), 1);
        assert_eq!(cache.normalised.len(), 1);
        // Same key, other content: the kept outcome is used while it holds...
        let mut renamed = raw.clone();
        renamed.title = Some("Renamed".into());
        let kept = normalise_with(
            vec![renamed.clone()],
            &feed(),
            now(),
            Some(&cache),
            &Default::default(),
        );
        assert_eq!(kept.postings[0].title, "Engineer");
        // ...and not once the posting it holds has expired.
        let later = "2026-12-03T00:00:00Z".parse().unwrap();
        let expired = normalise_with(
            vec![renamed],
            &feed(),
            later,
            Some(&cache),
            &Default::default(),
        );
        assert!(expired.postings.is_empty());
        assert_eq!(expired.skipped.len(), 1);
    }

    #[test]
    fn page_urls_must_be_http_and_are_published_percent_encoded() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "/relative",
        ] {
            let out = normalise(vec![raw_posting(bad)], &feed(), now());
            assert!(out.postings.is_empty(), "{bad} was published");
            assert!(
                out.diagnostics
                    .iter()
                    .any(|d| d.rule == "posting.url" && d.is_error()),
                "{bad}: {:?}",
                out.diagnostics
            );
        }
        let out = normalise(
            vec![raw_posting("https://x.test/jobs/1?a=1&b=<x> \"y\"")],
            &feed(),
            now(),
        );
        assert_eq!(
            out.postings[0].url,
            "https://x.test/jobs/1?a=1&b=%3Cx%3E%20%22y%22"
        );
    }

    #[test]
    fn source_organisations_locations_categories_and_extras_lose_controls_and_unsafe_links() {
        let mut raw = raw_posting("https://x.test/jobs/1");
        raw.organization = Some(Organization {
            name: "Acme\u{1}\u{85} AB".into(),
            url: Some("javascript:alert(1)".into()),
            logo: Some("data:image/svg+xml,<svg onload=alert(1)>".into()),
            same_as: vec!["https://acme.test/".into(), "vbscript:x".into()],
        });
        raw.locations = vec![crate::model::Location {
            locality: Some("Solna\u{0}\u{9f}".into()),
            street: Some("\u{7}".into()),
            country: "SE".into(),
            ..crate::model::Location::default()
        }];
        raw.categories = vec!["\u{1b}[31mIT".into(), "\u{1}".into()];
        raw.extra.insert(
            "keywords".into(),
            serde_json::json!(["a\u{2}b", {"k": "\u{8}"}]),
        );
        let out = normalise(vec![raw], &feed(), now());
        let p = &out.postings[0];
        assert_eq!(
            *p.hiring_organization,
            Organization {
                name: "Acme AB".into(),
                url: None,
                logo: None,
                same_as: vec!["https://acme.test/".into()],
            }
        );
        assert_eq!(
            out.diagnostics
                .iter()
                .filter(|d| d.rule == "posting.organization")
                .count(),
            3
        );
        assert_eq!(p.locations[0].locality.as_deref(), Some("Solna"));
        assert_eq!(p.locations[0].street, None);
        assert_eq!(p.categories, ["[31mIT"]);
        assert_eq!(p.extra["keywords"], serde_json::json!(["ab", {"k": ""}]));
    }

    #[test]
    fn an_organisation_without_a_name_left_is_the_feeds() {
        let mut raw = raw_posting("https://x.test/jobs/1");
        raw.organization = Some(Organization {
            name: "\u{1}\u{2}".into(),
            ..Organization::default()
        });
        let out = normalise(vec![raw], &feed(), now());
        assert_eq!(out.postings[0].hiring_organization.name, "Feed Org");
    }

    #[test]
    fn slug_ids_are_ascii_and_bounded() {
        assert_eq!(slug_id("Kärriär Ingenjör-SV"), "karriar-ingenjor-sv");
        let long = slug_id(&"x".repeat(200));
        assert!(long.len() <= 64, "{long}");
        assert_eq!(long, slug_id(&"x".repeat(200)));
    }

    #[test]
    fn language_tags_lowercase_the_primary_subtag() {
        assert_eq!(language_tag("En"), "en");
        assert_eq!(language_tag("nb_NO"), "nb-NO");
    }
}
