//! Another jobfeed's `postings.json` (our own canonical schema), read back as raw postings.
//! Lets one feed republish another; everything is re-normalised and re-sanitised here.

use super::{Adapter, Fetcher, parse_each, remote_config};
use crate::model::Posting;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

remote_config! {
    /// A `postings.json` in jobfeed's schema: `type = "json"`, `url = "https://…/postings.json"`.
    JsonConfig {
        /// Where the file is served.
        url: String,
    }
}

impl Adapter for JsonConfig {
    fn origin(&self) -> String {
        self.url.clone()
    }

    fn fetch(&self, f: &Fetcher<'_>) -> Result<Vec<Doc>, SourceError> {
        Ok(vec![f.get("list", &self.url)?])
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a list of canonical postings (or `{"postings": […]}`).
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: serde_json::Value = parse_json(body, url)?;
    let list = match v {
        serde_json::Value::Object(mut o) => o.remove("postings").unwrap_or_default(),
        v => v,
    };
    let postings: Vec<Posting> = serde_json::from_value(list).map_err(|e| SourceError::Parse {
        url: url.to_string(),
        reason: format!("not a list of jobfeed postings: {e}"),
    })?;
    Ok(postings.into_iter().map(|p| raw_of(p, url)).collect())
}

fn raw_of(p: Posting, url: &str) -> RawPosting {
    let clean = sanitize_html(&p.description_html.html(), Some(&p.url));
    RawPosting {
        origin: url.to_string(),
        id: Some(p.id),
        group: p.translation_group,
        language: Some(p.language),
        title: Some(p.title),
        description_html: Some(clean.into()),
        summary: p.summary,
        apply: Some(p.apply.href()),
        url: Some(p.url),
        date_posted: Some(p.date_posted.to_rfc3339()),
        valid_through: p.valid_through.map(|d| d.to_rfc3339()),
        updated: Some(p.updated.to_rfc3339()),
        employment: p
            .employment_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
        locations: p.locations,
        arrangement: Some(p.workplace.arrangement.as_str().to_string()),
        applicant_countries: p.workplace.applicant_countries,
        salary: p.salary.map(|s| RawSalary {
            currency: Some(s.currency),
            min: s.min.map(|v| v.to_string()),
            max: s.max.map(|v| v.to_string()),
            unit: Some(s.unit),
            text: None,
        }),
        team: p.team,
        categories: p.categories,
        organization: Some(std::sync::Arc::unwrap_or_clone(p.hiring_organization)),
        extra: p.extra,
        ..RawPosting::default()
    }
}
