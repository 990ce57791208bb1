//! Personio XML feed: `GET https://{company}.jobs.personio.de/xml?language=en`.
//! An empty `<workzag-jobs/>` is zero jobs; any other answer (an HTML page) is an error, never zero.

use quick_xml::events::Event;
use serde::Deserialize;

use super::{Adapter, raw, remote_config, salary_unit};
use crate::model::Location;
use crate::source::error::SourceError;
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

remote_config! {
    /// A Personio career site: `type = "personio"`, `company = "acme"`.
    PersonioConfig {
        /// The company subdomain (the `acme` in `acme.jobs.personio.de`).
        company: String,
        /// Language of the texts (`?language=`); default: the feed's language.
        #[serde(default)]
        language: Option<String>,
        /// ISO country of the offices (the feed names cities only).
        #[serde(default)]
        country: Option<String>,
    }
}

impl PersonioConfig {
    fn site(&self) -> String {
        self.base(&format!("https://{}.jobs.personio.de", self.company))
    }

    fn lang(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }
}

impl Adapter for PersonioConfig {
    fn origin(&self) -> String {
        format!("{}/xml?language={}", self.site(), self.lang())
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        let opts = Options {
            site: self.site(),
            language: self.lang().to_string(),
            country: self.country.clone(),
        };
        docs.iter().try_fold(Vec::new(), |mut acc, d| {
            acc.extend(parse(&d.body, &d.url, &opts)?);
            Ok(acc)
        })
    }
}

/// What the XML itself does not say.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Career site root, for job page URLs (`{site}/job/{id}`).
    pub site: String,
    pub language: String,
    pub country: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Jobs {
    #[serde(rename = "position", default)]
    positions: Vec<Position>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Position {
    id: Option<String>,
    subcompany: Option<String>,
    office: Option<String>,
    #[serde(default)]
    additional_offices: Option<Offices>,
    department: Option<String>,
    recruiting_category: Option<String>,
    name: Option<String>,
    #[serde(default)]
    job_descriptions: Option<Descriptions>,
    employment_type: Option<String>,
    seniority: Option<String>,
    schedule: Option<String>,
    keywords: Option<String>,
    occupation_category: Option<String>,
    created_at: Option<String>,
    #[serde(default)]
    salary_information: Option<SalaryInfo>,
}

#[derive(Debug, Default, Deserialize)]
struct Offices {
    #[serde(default)]
    office: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Descriptions {
    #[serde(rename = "jobDescription", default)]
    items: Vec<Description>,
}

#[derive(Debug, Default, Deserialize)]
struct Description {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SalaryInfo {
    min: Option<String>,
    max: Option<String>,
    currency_code: Option<String>,
    currency_symbol: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The name of the first element, or why there is none.
fn root_name(body: &[u8]) -> Option<String> {
    let mut r = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(String::from(e.name().into_inner()));
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Reads a `<workzag-jobs>` answer.
pub fn parse(body: &[u8], url: &str, opts: &Options) -> Result<Vec<RawPosting>, SourceError> {
    // An unknown company answers with an HTML page: that is an outage, not an empty board.
    if root_name(body).as_deref() != Some("workzag-jobs") {
        return Err(SourceError::NotData {
            url: url.to_string(),
            expected: "the <workzag-jobs> XML feed".into(),
        });
    }
    let text = std::str::from_utf8(body).map_err(|e| SourceError::Parse {
        url: url.to_string(),
        reason: format!("not UTF-8: {e}"),
    })?;
    let jobs: Jobs = quick_xml::de::from_str(text).map_err(|e| SourceError::Parse {
        url: url.to_string(),
        reason: format!("malformed XML: {e}"),
    })?;
    Ok(jobs
        .positions
        .into_iter()
        .filter_map(|p| position(p, url, opts))
        .collect())
}

fn position(x: Position, url: &str, opts: &Options) -> Option<RawPosting> {
    let id = opt(&x.id)?;
    let mut p = raw(url);
    p.group = Some(format!("personio-{id}"));
    p.language = Some(opts.language.clone());
    p.title = opt(&x.name);
    let page = format!("{}/job/{id}?language={}", opts.site, opts.language);
    p.url = Some(page.clone());
    p.apply = Some(format!("{page}#apply"));
    p.date_posted = opt(&x.created_at);
    let mut html = String::new();
    for d in x.job_descriptions.map(|d| d.items).unwrap_or_default() {
        if let Some(n) = opt(&d.name) {
            html.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(&n)));
        }
        if let Some(v) = opt(&d.value) {
            html.push_str(&format!("<p>{v}</p>"));
        }
    }
    p.description_html = Some(sanitize_html(&html, Some(&page)).into());
    match opt(&x.schedule).as_deref() {
        Some("full-time") => p.employment.push("FULL_TIME".into()),
        Some("part-time") => p.employment.push("PART_TIME".into()),
        Some("full-or-part-time") => {
            p.employment.push("FULL_TIME".into());
            p.employment.push("PART_TIME".into());
        }
        _ => {}
    }
    match opt(&x.employment_type).as_deref() {
        Some("intern") | Some("trainee") => p.employment.push("INTERN".into()),
        Some("freelance") => p.employment.push("CONTRACTOR".into()),
        _ => {}
    }
    p.team = opt(&x.department);
    p.categories.extend(opt(&x.recruiting_category));
    p.categories.extend(opt(&x.occupation_category));
    if let Some(k) = opt(&x.keywords) {
        p.extra.insert("keywords".into(), k.into());
    }
    if let Some(sc) = opt(&x.subcompany) {
        p.extra.insert("subcompany".into(), sc.into());
    }
    if let Some(sn) = opt(&x.seniority) {
        p.extra.insert("seniority".into(), sn.into());
    }
    let offices = std::iter::once(x.office)
        .chain(
            x.additional_offices
                .map(|o| o.office)
                .unwrap_or_default()
                .into_iter()
                .map(Some),
        )
        .filter_map(|o| opt(&o));
    for office in offices {
        let lower = office.to_lowercase();
        if lower.starts_with("remote") {
            p.arrangement = Some("remote".into());
            p.location_text.push(office);
        } else if let Some(c) = &opts.country {
            p.locations.push(Location {
                locality: Some(office),
                country: c.to_ascii_uppercase(),
                ..Location::default()
            });
        } else {
            match super::place(&office, None) {
                Some(loc) => p.locations.push(loc),
                None => p.location_text.push(office),
            }
        }
    }
    if let Some(sal) = x.salary_information {
        let (min, max) = (opt(&sal.min), opt(&sal.max));
        if min.is_some() || max.is_some() {
            p.salary = Some(RawSalary {
                currency: opt(&sal.currency_code).or_else(|| opt(&sal.currency_symbol)),
                min,
                max,
                unit: opt(&sal.kind).map(|k| salary_unit(&k).unwrap_or_else(|| k.to_uppercase())),
                text: None,
            });
        }
    }
    Some(p)
}
