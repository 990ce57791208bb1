//! Workable public widget: `GET /api/v1/widget/accounts/{account}?details=true`.
//! A job is listed once per location with the same `shortcode`: rows are grouped into one posting.

use serde_json::Value;

use super::{Adapter, parse_each, raw, remote_config, s};
use crate::model::Location;
use crate::source::RawPosting;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;

pub const DEFAULT_BASE: &str = "https://apply.workable.com";

remote_config! {
    /// A Workable account: `type = "workable"`, `account = "acme"`.
    WorkableConfig {
        /// The account slug (the `acme` in `apply.workable.com/acme`).
        account: String,
    }
}

impl Adapter for WorkableConfig {
    fn origin(&self) -> String {
        format!(
            "{}/api/v1/widget/accounts/{}?details=true",
            self.base(DEFAULT_BASE),
            self.account
        )
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a widget answer, one posting per `shortcode`, in first-seen order.
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let jobs = v
        .get("jobs")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `jobs` list in the answer".into(),
        })?;
    let mut out: Vec<RawPosting> = Vec::new();
    for row in jobs {
        let Some(code) = s(row, "shortcode") else {
            continue;
        };
        let id = format!("workable-{code}");
        let idx = match out.iter().position(|p| p.id.as_deref() == Some(&id)) {
            Some(i) => i,
            None => {
                out.push(first_row(row, url, id));
                out.len() - 1
            }
        };
        let p = &mut out[idx];
        for loc in row_locations(row) {
            if !p.locations.contains(&loc) {
                p.locations.push(loc);
            }
        }
    }
    for p in &mut out {
        if p.arrangement.as_deref() == Some("remote") {
            // The listed places of a remote job are where applicants may live, not offices.
            let places = std::mem::take(&mut p.locations);
            for l in places {
                if !p.applicant_countries.contains(&l.country) {
                    p.applicant_countries.push(l.country.clone());
                }
                if l.locality.is_some() {
                    p.locations.push(l);
                }
            }
        }
    }
    Ok(out)
}

fn first_row(row: &Value, url: &str, id: String) -> RawPosting {
    let mut p = raw(url);
    p.id = Some(id);
    p.title = s(row, "title");
    p.url = s(row, "url").or_else(|| s(row, "shortlink"));
    p.apply = s(row, "application_url").or_else(|| p.url.clone());
    p.date_posted = s(row, "published_on").or_else(|| s(row, "created_at"));
    p.team = s(row, "department");
    p.employment.extend(s(row, "employment_type"));
    p.arrangement = match row.get("telecommuting").and_then(Value::as_bool) {
        Some(true) => Some("remote".into()),
        _ => None,
    };
    let html = ["description", "requirements", "benefits"]
        .iter()
        .filter_map(|k| s(row, k))
        .collect::<Vec<_>>()
        .join("\n");
    if !html.is_empty() {
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    p
}

fn row_locations(row: &Value) -> Vec<Location> {
    let mut out = Vec::new();
    for l in row
        .get("locations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if l.get("hidden").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let country = s(l, "countryCode")
            .or_else(|| s(l, "country").and_then(|c| crate::normalise::country::code(&c)));
        if let Some(country) = country {
            out.push(Location {
                locality: s(l, "city"),
                region: s(l, "region"),
                country: country.to_ascii_uppercase(),
                ..Location::default()
            });
        }
    }
    if out.is_empty()
        && let Some(country) = s(row, "country").and_then(|c| crate::normalise::country::code(&c))
    {
        out.push(Location {
            locality: s(row, "city"),
            region: s(row, "state"),
            country,
            ..Location::default()
        });
    }
    out
}
