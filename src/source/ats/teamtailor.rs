//! Teamtailor: `GET https://{company}.career.teamtailor.com/jobs.json`, a JSON Feed 1.1.
//! Each item embeds a schema.org JobPosting (`_jobposting`) with an int identifier and places.

use serde_json::Value;

use super::{Adapter, Fetcher, parse_each, remote_config, s};
use crate::source::RawPosting;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;

remote_config! {
    /// A Teamtailor career site: `type = "teamtailor"`, `company = "acme"`
    /// (custom domains: `base_url = "https://careers.acme.com"`).
    TeamtailorConfig {
        /// The company subdomain (the `acme` in `acme.career.teamtailor.com`).
        #[serde(default)]
        company: String,
    }
}

impl Adapter for TeamtailorConfig {
    fn origin(&self) -> String {
        let default = format!("https://{}.career.teamtailor.com", self.company);
        format!("{}/jobs.json", self.base(&default))
    }

    fn fetch(&self, f: &Fetcher<'_>) -> Result<Vec<Doc>, SourceError> {
        if self.company.is_empty() && self.base_url.is_none() {
            return Err(SourceError::Config(
                "teamtailor needs `company` or `base_url`".into(),
            ));
        }
        Ok(vec![f.get("list", &self.origin())?])
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads a JSON Feed answer.
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `items` list in the JSON Feed".into(),
        })?;
    Ok(items.iter().filter_map(|it| item(it, url)).collect())
}

fn item(it: &Value, url: &str) -> Option<RawPosting> {
    let page = s(it, "url");
    let jp = it.get("_jobposting").cloned().unwrap_or(Value::Null);
    let mut p = super::jsonld::from_jobposting(&jp, url, page.as_deref()).unwrap_or_default();
    p.origin = url.to_string();
    let ident = jp
        .get("identifier")
        .and_then(|i| s(i, "value"))
        .or_else(|| s(it, "id"))?;
    p.id = Some(format!("teamtailor-{ident}"));
    p.title = p.title.or_else(|| s(it, "title"));
    p.url = page.or(p.url);
    p.apply = p.url.clone();
    p.date_posted = p.date_posted.or_else(|| s(it, "date_published"));
    p.updated = s(it, "date_modified");
    if p.description_html.is_none()
        && let Some(html) = s(it, "content_html")
    {
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    p.summary = s(it, "summary");
    Some(p)
}
