//! Greenhouse Job Board API: `GET /v1/boards/{board}/jobs?content=true`.
//! `content` is entity-escaped HTML (decoded exactly once); `location.name` may pack several places.

use serde_json::Value;

use super::{Adapter, parse_each, raw, remote_config, s, split_places};
use crate::model::Organization;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

pub const DEFAULT_BASE: &str = "https://boards-api.greenhouse.io";

remote_config! {
    /// A Greenhouse job board: `type = "greenhouse"`, `board = "acme"`.
    GreenhouseConfig {
        /// The board token (the `acme` in `job-boards.greenhouse.io/acme`).
        board: String,
    }
}

impl Adapter for GreenhouseConfig {
    fn origin(&self) -> String {
        format!(
            "{}/v1/boards/{}/jobs?content=true",
            self.base(DEFAULT_BASE),
            self.board
        )
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a `jobs` list answer.
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let jobs = v
        .get("jobs")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `jobs` list in the answer".into(),
        })?;
    Ok(jobs.iter().filter_map(|j| job(j, url)).collect())
}

fn job(j: &Value, url: &str) -> Option<RawPosting> {
    let id = s(j, "id")?;
    let mut p = raw(url);
    p.id = Some(format!("greenhouse-{id}"));
    p.title = s(j, "title");
    p.language = s(j, "language");
    p.url = s(j, "absolute_url");
    p.apply = p.url.clone();
    p.date_posted = s(j, "first_published").or_else(|| s(j, "updated_at"));
    p.updated = s(j, "updated_at");
    p.valid_through = s(j, "application_deadline");
    if let Some(content) = s(j, "content") {
        // The API escapes the HTML once (`&lt;p&gt;`): decode once, then sanitise.
        let html = html_escape::decode_html_entities(&content);
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    if let Some(name) = j.get("location").and_then(|l| s(l, "name")) {
        for part in split_places(&name) {
            match super::place(&part, None) {
                Some(loc) => p.locations.push(loc),
                None => p.location_text.push(part),
            }
        }
    }
    p.organization = s(j, "company_name").map(|name| Organization {
        name,
        ..Organization::default()
    });
    p.team = j
        .get("departments")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
        .and_then(|d| s(d, "name"));
    for m in j
        .get("metadata")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = s(m, "name").unwrap_or_default().to_lowercase();
        if name == "employment type" {
            match m.get("value") {
                Some(Value::Array(vs)) => p.employment.extend(vs.iter().filter_map(super::text)),
                Some(v) => p.employment.extend(super::text(v)),
                None => {}
            }
        }
    }
    // Only the single-job endpoint has pay ranges; read them when a proxy adds them.
    if let Some(r) = j
        .get("pay_input_ranges")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
    {
        let cents = |k: &str| {
            r.get(k)
                .and_then(Value::as_f64)
                .map(|c| format!("{}", c / 100.0))
        };
        p.salary = Some(RawSalary {
            currency: s(r, "currency_type"),
            min: cents("min_cents"),
            max: cents("max_cents"),
            unit: Some("YEAR".into()),
            text: None,
        });
    }
    Some(p)
}
