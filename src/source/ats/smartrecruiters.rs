//! SmartRecruiters Posting API: pages of `/v1/companies/{company}/postings`, then one detail each.
//! List items carry no description; details are fetched by `ref` (conditionally, from stored validators).

use serde_json::Value;

use super::{Adapter, Fetcher, raw, remote_config, s};
use crate::model::{Location, Organization};
use crate::source::RawPosting;
use crate::source::error::{SourceError, parse_json};
use crate::source::html::sanitize_html;
use crate::source::state::Doc;

pub const DEFAULT_BASE: &str = "https://api.smartrecruiters.com";
/// The API's largest page.
const PAGE: usize = 100;
/// Stops a server that never reaches `totalFound` from paging forever.
const MAX_PAGES: usize = 100;

remote_config! {
    /// A SmartRecruiters company: `type = "smartrecruiters"`, `company = "Acme"`.
    SmartRecruitersConfig {
        /// The company identifier (the `Acme` in `jobs.smartrecruiters.com/Acme`).
        company: String,
    }
}

impl SmartRecruitersConfig {
    fn page_url(&self, offset: usize) -> String {
        format!(
            "{}/v1/companies/{}/postings?limit={PAGE}&offset={offset}",
            self.base(DEFAULT_BASE),
            self.company
        )
    }

    /// The detail URL of an item: its `ref`, moved onto a configured base (proxies, tests).
    fn detail_url(&self, item: &Value, id: &str) -> String {
        let base = self.base(DEFAULT_BASE);
        match s(item, "ref") {
            Some(r) if r.contains(&format!("/postings/{id}")) => match r.strip_prefix(DEFAULT_BASE)
            {
                Some(path) => format!("{base}{path}"),
                None => r,
            },
            _ => format!("{base}/v1/companies/{}/postings/{id}", self.company),
        }
    }
}

impl Adapter for SmartRecruitersConfig {
    fn origin(&self) -> String {
        self.page_url(0)
    }

    fn fetch(&self, f: &Fetcher<'_>) -> Result<Vec<Doc>, SourceError> {
        let mut docs = Vec::new();
        let mut items = Vec::new();
        let mut offset = 0;
        for page in 0..MAX_PAGES {
            let doc = f.get(&format!("page:{page}"), &self.page_url(offset))?;
            let v: Value = parse_json(&doc.body, &doc.url)?;
            let content = v
                .get("content")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = v.get("totalFound").and_then(Value::as_u64).unwrap_or(0) as usize;
            docs.push(doc);
            offset += content.len();
            let done = content.is_empty() || offset >= total;
            items.extend(content);
            if done {
                break;
            }
        }
        // Details in two lanes: the per-host limit allows two requests in flight.
        let wanted: Vec<(String, String)> = items
            .iter()
            .filter_map(|it| s(it, "id").map(|id| (id.clone(), self.detail_url(it, &id))))
            .collect();
        let results: Vec<Result<Doc, SourceError>> = std::thread::scope(|sc| {
            let (a, b): (Vec<_>, Vec<_>) = wanted.iter().enumerate().partition(|(i, _)| i % 2 == 0);
            // A lane stops at its first failure: the read fails anyway, and fetching on
            // would spend requests (and the byte budget's overshoot) for nothing.
            let run = |part: Vec<(usize, &(String, String))>| {
                let mut done = Vec::new();
                for (i, (id, url)) in part {
                    let r = f.get(&format!("detail:{id}"), url);
                    let failed = r.is_err();
                    done.push((i, r));
                    if failed {
                        break;
                    }
                }
                done
            };
            let h = sc.spawn(move || run(b));
            let mut all = run(a);
            all.extend(h.join().unwrap_or_default());
            all.sort_by_key(|(i, _)| *i);
            all.into_iter().map(|(_, r)| r).collect()
        });
        for r in results {
            docs.push(r?);
        }
        Ok(docs)
    }

    fn parse(&self, docs: &[Doc]) -> Result<Vec<RawPosting>, SourceError> {
        let pages: Vec<&Doc> = docs.iter().filter(|d| d.key.starts_with("page:")).collect();
        let details: Vec<(&str, &Doc)> = docs
            .iter()
            .filter_map(|d| d.key.strip_prefix("detail:").map(|id| (id, d)))
            .collect();
        let mut out = Vec::new();
        for page in pages {
            let mut list = parse_list(&page.body, &page.url)?;
            for p in &mut list {
                let id =
                    p.id.as_deref()
                        .and_then(|i| i.strip_prefix("smartrecruiters-"));
                if let Some((_, d)) = details.iter().find(|(k, _)| Some(*k) == id) {
                    apply_detail(p, &d.body, &d.url)?;
                }
            }
            out.extend(list);
        }
        Ok(out)
    }
}

/// Reads one page of the list.
pub fn parse_list(body: &[u8], url: &str) -> Result<Vec<RawPosting>, SourceError> {
    let v: Value = parse_json(body, url)?;
    let items = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Parse {
            url: url.to_string(),
            reason: "no `content` list in the answer".into(),
        })?;
    Ok(items.iter().filter_map(|it| item(it, url)).collect())
}

fn label(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|o| s(o, "label").or_else(|| s(o, "id")))
}

fn item(it: &Value, url: &str) -> Option<RawPosting> {
    let id = s(it, "id")?;
    let mut p = raw(url);
    p.id = Some(format!("smartrecruiters-{id}"));
    p.title = s(it, "name");
    p.date_posted = s(it, "releasedDate");
    p.language = it.get("language").and_then(|l| s(l, "code"));
    p.employment.extend(label(it, "typeOfEmployment"));
    p.team = label(it, "department");
    p.categories.extend(label(it, "function"));
    p.organization = it
        .get("company")
        .and_then(|c| s(c, "name"))
        .map(|name| Organization {
            name,
            ..Organization::default()
        });
    let company_id = it.get("company").and_then(|c| s(c, "identifier"));
    if let Some(cid) = company_id {
        p.url = Some(format!("https://jobs.smartrecruiters.com/{cid}/{id}"));
    }
    let loc = it.get("location").cloned().unwrap_or(Value::Null);
    let flag = |k: &str| loc.get(k).and_then(Value::as_bool) == Some(true);
    p.arrangement = Some(
        if flag("remote") {
            "remote"
        } else if flag("hybrid") {
            "hybrid"
        } else {
            "on-site"
        }
        .to_string(),
    );
    if let Some(country) = s(&loc, "country") {
        // The API writes countries lower-case ("us").
        let country = country.to_ascii_uppercase();
        if flag("remote") {
            p.applicant_countries.push(country.clone());
        }
        if !flag("remote") || s(&loc, "city").is_some() {
            p.locations.push(Location {
                street: s(&loc, "address"),
                locality: s(&loc, "city"),
                region: s(&loc, "region"),
                postal_code: s(&loc, "postalCode"),
                country,
            });
        }
    } else if let Some(full) = s(&loc, "fullLocation") {
        p.location_text.push(full);
    }
    Some(p)
}

/// Adds a detail answer's description and links.
pub fn apply_detail(p: &mut RawPosting, body: &[u8], url: &str) -> Result<(), SourceError> {
    let v: Value = parse_json(body, url)?;
    if let Some(u) = s(&v, "postingUrl") {
        p.url = Some(u);
    }
    p.apply = s(&v, "applyUrl").or_else(|| p.url.clone());
    let sections = v
        .get("jobAd")
        .and_then(|j| j.get("sections"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut html = String::new();
    for key in [
        "companyDescription",
        "jobDescription",
        "qualifications",
        "additionalInformation",
    ] {
        let Some(sec) = sections.get(key) else {
            continue;
        };
        let Some(t) = s(sec, "text") else {
            continue;
        };
        if let Some(title) = s(sec, "title") {
            html.push_str(&format!("<h3>{}</h3>", html_escape::encode_text(&title)));
        }
        html.push_str(&t);
    }
    if !html.is_empty() {
        p.description_html = Some(sanitize_html(&html, p.url.as_deref()).into());
    }
    Ok(())
}
