//! Ashby Posting API: `GET /posting-api/job-board/{board}?includeCompensation=true`.
//! Unlisted jobs are dropped; countries come as names; salary only when the employer shows it.

use serde_json::Value;

use super::{Adapter, parse_each, raw, remote_config, s, salary_unit};
use crate::model::Location;
use crate::normalise::country;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

pub const DEFAULT_BASE: &str = "https://api.ashbyhq.com";

remote_config! {
    /// An Ashby job board: `type = "ashby"`, `board = "Acme"`.
    AshbyConfig {
        /// The job board name (the `Acme` in `jobs.ashbyhq.com/Acme`).
        board: String,
    }
}

impl Adapter for AshbyConfig {
    fn origin(&self) -> String {
        format!(
            "{}/posting-api/job-board/{}?includeCompensation=true",
            self.base(DEFAULT_BASE),
            self.board
        )
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a job-board answer.
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let jobs = v
        .get("jobs")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `jobs` list in the answer".into(),
        })?;
    Ok(jobs
        .iter()
        // Unlisted jobs are returned too; they must not be published.
        .filter(|j| j.get("isListed").and_then(Value::as_bool) != Some(false))
        .filter_map(|j| job(j, url))
        .collect())
}

/// A postal address with empty strings read as missing; `None` without a known country.
fn address(a: &Value) -> Option<Location> {
    let pa = a.get("postalAddress").unwrap_or(a);
    let country = s(pa, "addressCountry").and_then(|c| country::code(&c))?;
    Some(Location {
        street: s(pa, "streetAddress"),
        locality: s(pa, "addressLocality"),
        region: s(pa, "addressRegion"),
        postal_code: s(pa, "postalCode"),
        country,
    })
}

fn job(j: &Value, url: &str) -> Option<RawPosting> {
    let id = s(j, "id")?;
    let mut p = raw(url);
    p.id = Some(format!("ashby-{id}"));
    p.title = s(j, "title");
    p.url = s(j, "jobUrl");
    p.apply = s(j, "applyUrl").or_else(|| p.url.clone());
    p.date_posted = s(j, "publishedAt");
    p.updated = s(j, "updatedAt");
    if let Some(html) = s(j, "descriptionHtml") {
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    p.team = s(j, "team").or_else(|| s(j, "department"));
    p.categories.extend(s(j, "department"));
    p.employment.extend(s(j, "employmentType").map(|t| {
        match t.as_str() {
            "FullTime" => "FULL_TIME",
            "PartTime" => "PART_TIME",
            "Intern" => "INTERN",
            "Contract" => "CONTRACTOR",
            "Temporary" => "TEMPORARY",
            other => return other.to_string(),
        }
        .to_string()
    }));
    p.arrangement = match s(j, "workplaceType").as_deref() {
        Some("Remote") => Some("remote".into()),
        Some("Hybrid") => Some("hybrid".into()),
        Some("OnSite") => Some("on-site".into()),
        _ if j.get("isRemote").and_then(Value::as_bool) == Some(true) => Some("remote".into()),
        _ => None,
    };
    let mut places: Vec<Location> = j.get("address").and_then(address).into_iter().collect();
    for sl in j
        .get("secondaryLocations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(loc) = sl.get("address").and_then(address) {
            places.push(loc);
        } else if let Some(t) = s(sl, "location") {
            p.location_text.push(t);
        }
    }
    if p.arrangement.as_deref() == Some("remote") {
        // A remote job's address says where applicants may live; an office only with a city.
        for loc in places {
            if !p.applicant_countries.contains(&loc.country) {
                p.applicant_countries.push(loc.country.clone());
            }
            if loc.locality.is_some() {
                p.locations.push(loc);
            }
        }
    } else {
        p.locations = places;
    }
    if p.locations.is_empty()
        && p.applicant_countries.is_empty()
        && let Some(t) = s(j, "location")
    {
        p.location_text.push(t);
    }
    if j.get("shouldDisplayCompensationOnJobPostings")
        .and_then(Value::as_bool)
        == Some(true)
    {
        p.salary = salary(j.get("compensation").unwrap_or(&Value::Null));
    }
    Some(p)
}

fn salary(c: &Value) -> Option<RawSalary> {
    let from_tiers = c
        .get("compensationTiers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|t| {
            t.get("components")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
    let summary = c
        .get("summaryComponents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let comp = from_tiers
        .chain(summary)
        .find(|x| s(x, "compensationType").as_deref() == Some("Salary"))?;
    Some(RawSalary {
        currency: s(comp, "currencyCode"),
        min: s(comp, "minValue"),
        max: s(comp, "maxValue"),
        unit: s(comp, "interval").map(|i| salary_unit(&i).unwrap_or_else(|| i.to_uppercase())),
        text: None,
    })
}
