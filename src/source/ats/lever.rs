//! Lever Postings API: `GET /v0/postings/{site}?mode=json` (EU host on request).
//! `createdAt` is epoch milliseconds; `lists[].content` is bare `<li>` items wrapped here in `<ul>`.

use serde_json::Value;

use super::{Adapter, epoch_ms, parse_each, raw, remote_config, s, salary_unit};
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

pub const DEFAULT_BASE: &str = "https://api.lever.co";
pub const EU_BASE: &str = "https://api.eu.lever.co";

remote_config! {
    /// A Lever site: `type = "lever"`, `site = "acme"` (add `eu = true` for the EU host).
    LeverConfig {
        /// The site name (the `acme` in `jobs.lever.co/acme`).
        site: String,
        /// Use Lever's EU API host.
        #[serde(default)]
        eu: bool,
    }
}

impl Adapter for LeverConfig {
    fn origin(&self) -> String {
        let default = if self.eu { EU_BASE } else { DEFAULT_BASE };
        format!("{}/v0/postings/{}?mode=json", self.base(default), self.site)
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a postings answer (a bare array).
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let items = v.as_array().ok_or_else(|| SourceError::Parse {
        url: url.to_string(),
        reason: "expected a list of postings".into(),
    })?;
    Ok(items.iter().filter_map(|j| posting(j, url)).collect())
}

fn posting(j: &Value, url: &str) -> Option<RawPosting> {
    let id = s(j, "id")?;
    let mut p = raw(url);
    p.id = Some(format!("lever-{id}"));
    p.title = s(j, "text");
    p.url = s(j, "hostedUrl");
    p.apply = s(j, "applyUrl").or_else(|| p.url.clone());
    p.date_posted = j
        .get("createdAt")
        .and_then(Value::as_i64)
        .and_then(epoch_ms);
    p.updated = j
        .get("updatedAt")
        .and_then(Value::as_i64)
        .and_then(epoch_ms);

    let mut html = s(j, "description")
        .or_else(|| {
            let parts: Vec<String> = ["opening", "descriptionBody"]
                .iter()
                .filter_map(|k| s(j, k))
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n"))
        })
        .unwrap_or_default();
    for l in j
        .get("lists")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(t) = s(l, "text") {
            html.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(&t)));
        }
        if let Some(c) = s(l, "content") {
            html.push_str(&format!("<ul>{c}</ul>"));
        }
    }
    if let Some(a) = s(j, "additional") {
        html.push_str(&a);
    }
    p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());

    let country = s(j, "country").map(|c| c.to_ascii_uppercase());
    let cats = j.get("categories").cloned().unwrap_or(Value::Null);
    p.employment.extend(s(&cats, "commitment"));
    p.team = s(&cats, "team").or_else(|| s(&cats, "department"));
    p.categories.extend(s(&cats, "department"));
    let mut places: Vec<String> = cats
        .get("allLocations")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(super::text).collect())
        .unwrap_or_default();
    if places.is_empty() {
        places.extend(s(&cats, "location"));
    }
    let workplace = s(j, "workplaceType").map(|w| w.to_lowercase());
    p.arrangement = match workplace.as_deref() {
        Some("remote") => Some("remote".into()),
        Some("hybrid") => Some("hybrid".into()),
        Some("on-site") | Some("onsite") => Some("on-site".into()),
        _ => None,
    };
    for place in places {
        match super::place(&place, country.as_deref()) {
            Some(loc) => p.locations.push(loc),
            None => p.location_text.push(place),
        }
    }
    if p.arrangement.as_deref() == Some("remote")
        && let Some(c) = &country
    {
        p.applicant_countries.push(c.clone());
    }
    if let Some(r) = j.get("salaryRange").filter(|r| r.is_object()) {
        p.salary = Some(RawSalary {
            currency: s(r, "currency"),
            min: s(r, "min"),
            max: s(r, "max"),
            unit: s(r, "interval").map(|i| salary_unit(&i).unwrap_or_else(|| i.to_uppercase())),
            text: s(j, "salaryDescriptionPlain"),
        });
    }
    Some(p)
}
