//! Recruitee Careers Site API: `GET https://{company}.recruitee.com/api/offers/`.
//! One posting per translation (same group); `"… UTC"` dates and string salaries pass through.

use serde_json::Value;

use super::{Adapter, parse_each, raw, remote_config, s, salary_unit};
use crate::model::{Location, Organization};
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

remote_config! {
    /// A Recruitee careers site: `type = "recruitee"`, `company = "acme"`.
    RecruiteeConfig {
        /// The company subdomain (the `acme` in `acme.recruitee.com`).
        company: String,
    }
}

impl Adapter for RecruiteeConfig {
    fn origin(&self) -> String {
        let default = format!("https://{}.recruitee.com", self.company);
        format!("{}/api/offers/", self.base(&default))
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads an `offers` answer.
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let offers = v
        .get("offers")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `offers` list in the answer".into(),
        })?;
    Ok(offers.iter().flat_map(|o| offer(o, url)).collect())
}

fn employment(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let c = code.to_lowercase();
    if c.contains("fulltime") || c.contains("full_time") {
        out.push("FULL_TIME");
    }
    if c.contains("parttime") || c.contains("part_time") {
        out.push("PART_TIME");
    }
    if c.contains("fixed_term") || c.contains("temporary") {
        out.push("TEMPORARY");
    }
    if c.contains("intern") || c.contains("trainee") {
        out.push("INTERN");
    }
    if c.contains("freelance") || c.contains("contract") {
        out.push("CONTRACTOR");
    }
    out.into_iter().map(str::to_string).collect()
}

fn offer(o: &Value, url: &str) -> Vec<RawPosting> {
    let Some(id) = s(o, "id") else {
        return Vec::new();
    };
    let mut base = raw(url);
    base.group = Some(format!("recruitee-{id}"));
    base.url = s(o, "careers_url");
    base.apply = s(o, "careers_apply_url").or_else(|| base.url.clone());
    base.date_posted = s(o, "published_at").or_else(|| s(o, "created_at"));
    base.updated = s(o, "updated_at");
    base.valid_through = s(o, "close_at");
    base.team = s(o, "department");
    base.categories = o
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(super::text).collect())
        .unwrap_or_default();
    base.employment = s(o, "employment_type_code")
        .map(|c| employment(&c))
        .unwrap_or_default();
    base.organization = s(o, "company_name").map(|name| Organization {
        name,
        ..Organization::default()
    });
    let flag = |k: &str| o.get(k).and_then(Value::as_bool) == Some(true);
    base.arrangement = if flag("hybrid") {
        Some("hybrid".into())
    } else if flag("remote") {
        Some("remote".into())
    } else if flag("on_site") {
        Some("on-site".into())
    } else {
        None
    };
    for l in o
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(country) = s(l, "country_code") {
            base.locations.push(Location {
                street: s(l, "street"),
                locality: s(l, "city"),
                region: s(l, "state"),
                postal_code: s(l, "postal_code"),
                country: country.to_ascii_uppercase(),
            });
        }
    }
    if base.locations.is_empty()
        && let Some(country) = s(o, "country_code")
    {
        base.locations.push(Location {
            locality: s(o, "city"),
            region: s(o, "state_name"),
            postal_code: s(o, "postal_code"),
            country: country.to_ascii_uppercase(),
            ..Location::default()
        });
    }
    if base.arrangement.as_deref() == Some("remote") {
        for l in &base.locations {
            if !base.applicant_countries.contains(&l.country) {
                base.applicant_countries.push(l.country.clone());
            }
        }
    }
    if let Some(sal) = o.get("salary").filter(|v| v.is_object())
        && (s(sal, "min").is_some() || s(sal, "max").is_some())
    {
        base.salary = Some(RawSalary {
            currency: s(sal, "currency"),
            min: s(sal, "min"),
            max: s(sal, "max"),
            unit: s(sal, "period").map(|p| salary_unit(&p).unwrap_or_else(|| p.to_uppercase())),
            text: None,
        });
    }

    let with_text = |mut p: RawPosting, t: &Value, lang: Option<String>| {
        p.language = lang;
        p.title = s(t, "title");
        let html = [s(t, "description"), s(t, "requirements")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
        p
    };
    match o.get("translations").and_then(Value::as_object) {
        Some(tr) if !tr.is_empty() => tr
            .iter()
            .map(|(lang, t)| with_text(base.clone(), t, Some(lang.clone())))
            .collect(),
        _ => vec![with_text(base, o, None)],
    }
}
