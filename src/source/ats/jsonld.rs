//! Career pages that embed schema.org JobPosting JSON-LD (`<script type="application/ld+json">`).
//! Finds postings in objects, arrays and `@graph`; also maps Teamtailor's embedded `_jobposting`.

use serde_json::Value;

use super::{Adapter, Fetcher, parse_each, raw, remote_config, s, salary_unit};
use crate::model::{Location, Organization};
use crate::normalise::country;
use crate::source::error::{SourceError, repair_lone_surrogates};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;
use crate::source::{RawPosting, RawSalary};

remote_config! {
    /// Career pages with JobPosting JSON-LD: `type = "jsonld"`, `urls = ["https://…/jobs/1"]`.
    JsonldConfig {
        /// Pages to read; each may hold one or more postings.
        urls: Vec<String>,
    }
}

impl Adapter for JsonldConfig {
    fn origin(&self) -> String {
        self.urls.first().cloned().unwrap_or_default()
    }

    fn fetch(&self, f: &Fetcher<'_>) -> Result<Vec<Doc>, SourceError> {
        if self.urls.is_empty() {
            return Err(SourceError::Config("`urls` lists no page".into()));
        }
        self.urls
            .iter()
            .enumerate()
            .map(|(i, u)| f.get(&format!("page:{i}"), u))
            .collect()
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        parse_each(docs, |d| parse(&d.body, &d.url))
    }
}

/// Reads every JobPosting in the JSON-LD blocks of an HTML page; a page without any is an error
/// (a moved page or a login wall must not empty the feed).
pub fn parse(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let html = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    let mut blocks = 0;
    for block in scripts(&html) {
        blocks += 1;
        let block = repair_lone_surrogates(block.trim().as_bytes());
        let v: Value = serde_json::from_slice(&block).map_err(|e| SourceError::Parse {
            url: url.to_string(),
            reason: format!("malformed JSON-LD block: {e}"),
        })?;
        let mut found = Vec::new();
        collect(&v, &mut found);
        out.extend(
            found
                .into_iter()
                .filter_map(|j| from_jobposting(j, url, Some(url))),
        );
    }
    if blocks == 0 {
        return Err(SourceError::NotData {
            url: url.to_string(),
            expected: "a page with JobPosting JSON-LD".into(),
        });
    }
    Ok(out)
}

/// The contents of `<script type="application/ld+json">` elements.
fn scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let start = at + i;
        let Some(gt) = lower[start..].find('>') else {
            break;
        };
        let tag = &lower[start..start + gt];
        let body_start = start + gt + 1;
        let Some(end) = lower[body_start..].find("</script") else {
            break;
        };
        if tag.contains("application/ld+json") {
            out.push(&html[body_start..body_start + end]);
        }
        at = body_start + end;
    }
    out
}

fn is_type(v: &Value, t: &str) -> bool {
    match v.get("@type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
        _ => false,
    }
}

fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(_) if is_type(v, "JobPosting") => out.push(v),
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                collect(g, out);
            }
        }
        _ => {}
    }
}

/// One value or each of a list.
fn each(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(x) => vec![x],
    }
}

/// Maps a schema.org JobPosting; `page` is the page it came from (the default URL).
pub fn from_jobposting(j: &Value, origin: &str, page: Option<&str>) -> Option<RawPosting> {
    let mut p = raw(origin);
    let ident = match j.get("identifier") {
        Some(Value::Object(_)) => j.get("identifier").and_then(|i| s(i, "value")),
        Some(v) => super::text(v),
        None => None,
    };
    p.id = ident.map(|i| format!("jsonld-{i}"));
    p.title = s(j, "title");
    p.url = s(j, "url").or_else(|| page.map(str::to_string));
    p.apply = p.url.clone();
    p.date_posted = s(j, "datePosted");
    p.valid_through = s(j, "validThrough");
    p.language = s(j, "inLanguage");
    if let Some(d) = s(j, "description") {
        // Some sites escape the HTML inside the JSON string: decode only when nothing is markup yet.
        let html = if !d.contains('<') && d.contains("&lt;") {
            html_escape::decode_html_entities(&d).into_owned()
        } else {
            d
        };
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    p.employment = each(j.get("employmentType"))
        .into_iter()
        .filter_map(super::text)
        .collect();
    if s(j, "jobLocationType").is_some_and(|t| t.eq_ignore_ascii_case("TELECOMMUTE")) {
        p.arrangement = Some("remote".into());
    }
    for r in each(j.get("applicantLocationRequirements")) {
        if let Some(n) = super::text(r).or_else(|| s(r, "name")) {
            p.applicant_countries.push(n);
        }
    }
    for place in each(j.get("jobLocation")) {
        let a = place.get("address").unwrap_or(place);
        if let Some(t) = super::text(a) {
            p.location_text.push(t);
            continue;
        }
        let c = a
            .get("addressCountry")
            .and_then(|c| super::text(c).or_else(|| s(c, "name")));
        match c.as_deref().and_then(country::code) {
            Some(country) => {
                // Teamtailor fills the region with a continent or the country: not a region.
                let region = s(a, "addressRegion").filter(|r| {
                    country::code(r).is_none()
                        && ![
                            "europe", "asia", "africa", "americas", "oceania", "emea", "apac",
                        ]
                        .contains(&r.to_lowercase().as_str())
                });
                p.locations.push(Location {
                    street: s(a, "streetAddress"),
                    locality: s(a, "addressLocality"),
                    region,
                    postal_code: s(a, "postalCode"),
                    country,
                });
            }
            None => {
                if let Some(l) = s(a, "addressLocality") {
                    p.location_text.push(l);
                }
            }
        }
    }
    if let Some(o) = j.get("hiringOrganization") {
        p.organization = s(o, "name").map(|name| Organization {
            name,
            url: s(o, "sameAs").or_else(|| s(o, "url")),
            logo: s(o, "logo"),
            ..Organization::default()
        });
    }
    if let Some(b) = j.get("baseSalary").filter(|b| b.is_object()) {
        let v = b.get("value").cloned().unwrap_or(Value::Null);
        let (min, max) = if v.is_object() {
            (
                s(&v, "minValue").or_else(|| s(&v, "value")),
                s(&v, "maxValue").or_else(|| s(&v, "value")),
            )
        } else {
            (super::text(&v), super::text(&v))
        };
        let unit = s(&v, "unitText").or_else(|| s(b, "unitText"));
        p.salary = Some(RawSalary {
            currency: s(b, "currency"),
            min,
            max,
            unit: unit.map(|u| salary_unit(&u).unwrap_or_else(|| u.to_uppercase())),
            text: None,
        });
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_surrogate_in_a_json_ld_block_becomes_a_replacement_character() {
        let page = br#"<html><script type="application/ld+json">
            {"@type": "JobPosting", "title": "Chef \ud83c", "datePosted": "2026-11-01"}
        </script></html>"#;
        let ps = parse(page, "https://x.test/jobs/1").unwrap();
        assert_eq!(ps[0].title.as_deref(), Some("Chef \u{fffd}"));
    }
}
