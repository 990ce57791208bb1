//! Google's JobPosting rules that a JSON Schema cannot say well (order of dates, salary
//! ranges, title style, recommended fields), each with a stable rule name and a fix.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::diag::Diagnostic;

/// Schema.org's salary periods, as Google reads them (case-sensitive).
pub const SALARY_UNITS: [&str; 5] = ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"];

/// Descriptions shorter than this (as text, without tags) are too thin for job search.
pub const MIN_DESCRIPTION_CHARS: usize = 100;

/// Every rule over one JobPosting document, errors and warnings.
pub fn check(doc: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    remote_countries(doc, &mut out);
    salary(doc, &mut out);
    dates(doc, &mut out);
    description(doc, &mut out);
    title(doc, &mut out);
    address_country(doc, &mut out);
    recommended(doc, &mut out);
    out
}

/// TELECOMMUTE means "fully remote"; Google then needs the countries applicants may live
/// in, or it guesses from the office and may delist the job.
fn remote_countries(doc: &Value, out: &mut Vec<Diagnostic>) {
    if doc.get("jobLocationType").and_then(Value::as_str) != Some("TELECOMMUTE") {
        return;
    }
    let named = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.trim().is_empty())
    };
    let ok = match doc.get("applicantLocationRequirements") {
        Some(Value::Array(items)) => !items.is_empty() && items.iter().all(named),
        _ => false,
    };
    if !ok {
        out.push(
            Diagnostic::error(
                "jsonld.remote-countries",
                "the job is fully remote (jobLocationType TELECOMMUTE) but names no countries applicants may live in: \
                 list them (remote countries / applicantLocationRequirements, e.g. [{\"@type\":\"Country\",\"name\":\"SE\"}]), \
                 or mark the job on-site or hybrid",
            )
            .field("/applicantLocationRequirements"),
        );
    }
}

fn salary(doc: &Value, out: &mut Vec<Diagnostic>) {
    let Some(value) = doc.get("baseSalary").and_then(|s| s.get("value")) else {
        return;
    };
    if !value.is_object() {
        return; // the schema reports the wrong shape
    }
    match value.get("unitText") {
        Some(Value::String(u)) if SALARY_UNITS.contains(&u.as_str()) => {}
        found => {
            let what = match found {
                None => "has no unit".to_string(),
                Some(Value::String(u)) => format!("unit {u:?} is not one Google knows"),
                Some(other) => format!("unit {other} is not text"),
            };
            let hint = match found
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase)
                .as_deref()
            {
                Some("ANNUAL" | "ANNUALLY" | "YEARLY" | "PER YEAR" | "YEARS") => {
                    " (for a yearly salary write YEAR)"
                }
                Some("HOURLY" | "HOURS") => " (for an hourly wage write HOUR)",
                Some("MONTHLY" | "MONTHS") => " (for a monthly salary write MONTH)",
                Some("WEEKLY" | "WEEKS") => " (for a weekly wage write WEEK)",
                Some("DAILY" | "DAYS") => " (for a daily rate write DAY)",
                _ => "",
            };
            out.push(
                Diagnostic::error(
                    "jsonld.salary-unit",
                    format!("the salary {what}: use one of HOUR, DAY, WEEK, MONTH, YEAR{hint}"),
                )
                .field("/baseSalary/value/unitText"),
            );
        }
    }
    if let (Some(min), Some(max)) = (
        value.get("minValue").and_then(Value::as_f64),
        value.get("maxValue").and_then(Value::as_f64),
    ) && min > max
    {
        out.push(
            Diagnostic::error(
                "jsonld.salary-range",
                format!("the salary minimum {min} is above the maximum {max}: swap them or fix the figures"),
            )
            .field("/baseSalary/value/minValue"),
        );
    }
}

/// An ISO 8601 date or RFC 3339 date-time, as an instant (a date is its midnight UTC).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

fn dates(doc: &Value, out: &mut Vec<Diagnostic>) {
    let get = |k: &str| doc.get(k).and_then(Value::as_str).and_then(parse_date);
    if let (Some(posted), Some(until)) = (get("datePosted"), get("validThrough"))
        && until < posted
    {
        out.push(
            Diagnostic::error(
                "jsonld.valid-through",
                format!(
                    "the posting closes ({}) before it was posted ({}): fix the closing date or the posting date",
                    until.format("%Y-%m-%d %H:%M"),
                    posted.format("%Y-%m-%d %H:%M")
                ),
            )
            .field("/validThrough"),
        );
    }
}

/// The start of the visible text of a description, up to `limit` characters: tags removed,
/// entities left alone, whitespace collapsed. The rules below only need to know whether the
/// text is shorter than a bound, so a 5 kB description is read no further than that.
pub fn text_prefix(html: &str, limit: usize) -> String {
    let mut text = String::new();
    let mut chars = 0;
    let mut in_tag = false;
    let mut space = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                space = true;
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() => space = true,
            c => {
                if space && !text.is_empty() {
                    if chars == limit {
                        break;
                    }
                    text.push(' ');
                    chars += 1;
                }
                if chars == limit {
                    break;
                }
                space = false;
                text.push(c);
                chars += 1;
            }
        }
    }
    text
}

fn description(doc: &Value, out: &mut Vec<Diagnostic>) {
    let (Some(title), Some(desc)) = (
        doc.get("title").and_then(Value::as_str),
        doc.get("description").and_then(Value::as_str),
    ) else {
        return;
    };
    // One character past the longer of the bounds tells both rules apart from a long text.
    let limit = MIN_DESCRIPTION_CHARS.max(title.trim().chars().count()) + 1;
    let text = text_prefix(desc, limit);
    if text.is_empty() {
        return; // the schema's `description` rule covers a blank one
    }
    if text.eq_ignore_ascii_case(title.trim()) {
        out.push(
            Diagnostic::error(
                "jsonld.description-title",
                "the description only repeats the title: describe the job (duties, qualifications, hours, location)",
            )
            .field("/description"),
        );
    } else if text.chars().count() < MIN_DESCRIPTION_CHARS {
        out.push(
            Diagnostic::warning(
                "jsonld.description-short",
                format!(
                    "the description has {} characters of text; Google shows only the description, so describe duties, \
                     qualifications and hours (at least {MIN_DESCRIPTION_CHARS} characters)",
                    text.chars().count()
                ),
            )
            .field("/description"),
        );
    }
}

/// Google rejects "shouty" titles in spirit but not in validators: a warning.
fn title(doc: &Value, out: &mut Vec<Diagnostic>) {
    let Some(title) = doc.get("title").and_then(Value::as_str) else {
        return;
    };
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    // Short acronyms ("CTO", "QA") are fine; a whole title in capitals is not.
    let all_caps = letters.len() >= 6 && letters.iter().all(|c| !c.is_lowercase());
    let marks: Vec<char> = title.chars().filter(|c| matches!(c, '!' | '*')).collect();
    let mut why = Vec::new();
    if all_caps {
        why.push("is in ALL CAPS".to_string());
    }
    if !marks.is_empty() {
        why.push(format!(
            "contains {:?}",
            marks.into_iter().collect::<String>()
        ));
    }
    // "Join Acme as a cloud engineer" is a headline: the title is "Cloud Engineer".
    if let Some(org) = doc
        .get("hiringOrganization")
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str)
        && let Some(brand) = brand_of(org)
        && has_words(&title.to_lowercase(), &brand.to_lowercase())
    {
        why.push(format!("names the company ({brand}), as a headline does"));
    }
    if !why.is_empty() {
        out.push(
            Diagnostic::warning(
                "jsonld.title-style",
                format!(
                    "the title {}: Google and Indeed ask for the plain job title, without the company name, ALL CAPS, `!` or `*`",
                    why.join(" and ")
                ),
            )
            .field("/title"),
        );
    }
}

/// An organisation's name without its legal form ("Safespring AB" → "Safespring"); `None`
/// when too short to tell from an ordinary word.
fn brand_of(org: &str) -> Option<&str> {
    const FORMS: &[&str] = &[
        "ab", "as", "asa", "a/s", "aps", "oy", "oyj", "gmbh", "ag", "ltd", "ltd.", "limited",
        "inc", "inc.", "llc", "plc", "bv", "b.v.", "nv", "sa", "s.a.", "sas", "srl", "spa", "corp",
        "corp.", "co.",
    ];
    let mut brand = org.trim().trim_end_matches(',');
    while let Some((rest, last)) = brand.rsplit_once(' ') {
        if !FORMS.contains(&last.to_lowercase().as_str()) {
            break;
        }
        brand = rest.trim_end().trim_end_matches(',');
    }
    (brand.chars().filter(|c| c.is_alphanumeric()).count() >= 3).then_some(brand)
}

/// Whether `words` occurs in `text` as whole words (both lower-case).
fn has_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + words.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

fn address_country(doc: &Value, out: &mut Vec<Diagnostic>) {
    let places: Vec<(String, &Value)> = match doc.get("jobLocation") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("/jobLocation/{i}"), p))
            .collect(),
        Some(p @ Value::Object(_)) => vec![("/jobLocation".to_string(), p)],
        _ => return,
    };
    for (at, place) in places {
        let country = place.get("address").and_then(|a| a.get("addressCountry"));
        let problem = match country {
            None => "has no country".to_string(),
            Some(Value::String(c)) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                continue;
            }
            Some(Value::String(c)) => format!("has country {c:?}, not an ISO 3166-1 alpha-2 code"),
            Some(other) => format!("has country {other}, not an ISO 3166-1 alpha-2 code"),
        };
        out.push(
            Diagnostic::error(
                "jsonld.address-country",
                format!("the job location {problem}: give the two-letter country code (e.g. SE, DE, US) of every office"),
            )
            .field(format!("{at}/address/addressCountry")),
        );
    }
}

/// Recommended by Google: published without them, but ranked and shown less well.
fn recommended(doc: &Value, out: &mut Vec<Diagnostic>) {
    let mut warn = |rule: &str, field: &str, message: &str| {
        out.push(Diagnostic::warning(rule, message).field(field));
    };
    if doc.get("baseSalary").is_none() {
        warn(
            "jsonld.salary-missing",
            "/baseSalary",
            "no salary: add the employer-stated pay (currency, amount or range, and unit); job search favours postings with pay",
        );
    }
    if doc.get("validThrough").is_none() {
        warn(
            "jsonld.valid-through-missing",
            "/validThrough",
            "no closing date: add one (valid through) so the posting expires instead of going stale",
        );
    }
    if doc.get("employmentType").is_none() {
        warn(
            "jsonld.employment-type-missing",
            "/employmentType",
            "no employment type: add FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, VOLUNTEER, PER_DIEM or OTHER",
        );
    }
    if let Some(org) = doc.get("hiringOrganization").filter(|o| o.is_object()) {
        if org.get("logo").is_none() {
            warn(
                "jsonld.logo-missing",
                "/hiringOrganization/logo",
                "the hiring organisation has no logo: add the URL of a logo image",
            );
        }
        if org.get("sameAs").is_none() {
            warn(
                "jsonld.same-as-missing",
                "/hiringOrganization/sameAs",
                "the hiring organisation has no sameAs: add the company's website URL",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(doc: &Value) -> Vec<String> {
        check(doc).into_iter().map(|d| d.rule).collect()
    }

    #[test]
    fn annual_salary_unit_is_an_error_that_says_write_year() {
        let doc = json!({"baseSalary": {"currency": "EUR", "value": {"minValue": 1, "maxValue": 2, "unitText": "ANNUAL"}}});
        let d = check(&doc);
        let unit = d.iter().find(|d| d.rule == "jsonld.salary-unit").unwrap();
        assert!(unit.is_error());
        assert!(unit.message.contains("write YEAR"), "{}", unit.message);
    }

    #[test]
    fn minimum_above_maximum_is_an_error() {
        let doc =
            json!({"baseSalary": {"value": {"minValue": 90, "maxValue": 20, "unitText": "YEAR"}}});
        assert!(rules(&doc).contains(&"jsonld.salary-range".into()));
    }

    #[test]
    fn telecommute_needs_named_countries() {
        for reqs in [
            json!(null),
            json!([]),
            json!([{"@type": "Country", "name": ""}]),
            json!({"name": "SE"}),
        ] {
            let mut doc = json!({"jobLocationType": "TELECOMMUTE"});
            if !reqs.is_null() {
                doc["applicantLocationRequirements"] = reqs.clone();
            }
            assert!(
                rules(&doc).contains(&"jsonld.remote-countries".into()),
                "{reqs}"
            );
        }
        let ok = json!({"jobLocationType": "TELECOMMUTE", "applicantLocationRequirements": [{"name": "SE"}]});
        assert!(!rules(&ok).contains(&"jsonld.remote-countries".into()));
    }

    #[test]
    fn dates_compare_across_date_and_date_time_forms() {
        let bad = json!({"datePosted": "2026-11-02T10:00:00+01:00", "validThrough": "2026-11-01"});
        assert!(rules(&bad).contains(&"jsonld.valid-through".into()));
        let good = json!({"datePosted": "2026-11-02", "validThrough": "2026-11-02T00:00:00Z"});
        assert!(!rules(&good).contains(&"jsonld.valid-through".into()));
    }

    #[test]
    fn description_equal_to_title_ignores_tags_and_case() {
        let doc = json!({"title": "Platform Engineer", "description": "<p>platform  engineer</p>"});
        assert!(rules(&doc).contains(&"jsonld.description-title".into()));
    }

    #[test]
    fn description_rules_decide_on_a_bounded_prefix_of_long_titles_and_texts() {
        let rules = |doc: &Value| -> Vec<String> {
            rules(doc)
                .into_iter()
                .filter(|r| r.starts_with("jsonld.description"))
                .collect()
        };
        // A title longer than the short-text bound, repeated as the whole description.
        let long_title = "Senior Platform Engineer ".repeat(8);
        let doc = json!({"title": long_title.trim(), "description": format!("<h2>{}</h2>", long_title.to_uppercase())});
        assert!(rules(&doc).contains(&"jsonld.description-title".into()));
        // The title followed by more text is not a repeat, and is long enough.
        let doc = json!({"title": long_title.trim(), "description": format!("<p>{long_title}</p><p>and more</p>")});
        assert!(rules(&doc).is_empty(), "{:?}", rules(&doc));
        // 99 letters of text is short; 100 is not; tags and whitespace runs do not count.
        let short = json!({"title": "T", "description": format!("<p>{}</p>\n\n<p>{}</p>", "a".repeat(49), "b".repeat(49))});
        let d = check(&short);
        let found = d
            .iter()
            .find(|d| d.rule == "jsonld.description-short")
            .unwrap();
        assert!(
            found.message.contains("has 99 characters"),
            "{}",
            found.message
        );
        let enough = json!({"title": "T", "description": format!("<p>{}</p> <p>{}</p>", "a".repeat(49), "b".repeat(50))});
        assert!(rules(&enough).is_empty());
    }

    #[test]
    fn text_prefix_stops_at_its_limit_and_collapses_whitespace() {
        assert_eq!(
            text_prefix("<p>one  two</p>\n<p>three</p>", 100),
            "one two three"
        );
        assert_eq!(text_prefix("<p>one  two</p>\n<p>three</p>", 5), "one t");
        assert_eq!(text_prefix("<p>one</p><p>two</p>", 4), "one ");
        assert_eq!(text_prefix("", 4), "");
    }

    #[test]
    fn shouting_titles_warn_but_acronyms_do_not() {
        let shout = check(&json!({"title": "PLATFORM ENGINEER"}));
        assert!(
            shout
                .iter()
                .any(|d| d.rule == "jsonld.title-style" && !d.is_error())
        );
        assert!(
            rules(&json!({"title": "Senior Engineer!"})).contains(&"jsonld.title-style".into())
        );
        assert!(!rules(&json!({"title": "CTO"})).contains(&"jsonld.title-style".into()));
    }

    #[test]
    fn a_title_that_names_the_company_is_a_headline() {
        let doc =
            |title: &str, org: &str| json!({"title": title, "hiringOrganization": {"name": org}});
        let headline = check(&doc(
            "Bliv en del af Safespring som cloud engineer",
            "Safespring AB",
        ));
        let d = headline
            .iter()
            .find(|d| d.rule == "jsonld.title-style")
            .expect("a warning");
        assert!(!d.is_error() && d.message.contains("Safespring"), "{d:?}");
        // The brand as part of another word, or no brand at all, is fine.
        assert!(
            !rules(&doc("Cloud Engineer", "Safespring AB")).contains(&"jsonld.title-style".into())
        );
        assert!(!rules(&doc("Acmeology Lead", "Acme Inc.")).contains(&"jsonld.title-style".into()));
        // A name that is only a legal form tells nothing.
        assert_eq!(brand_of("AB"), None);
        assert_eq!(brand_of("Nordvik Cloud AB"), Some("Nordvik Cloud"));
    }

    #[test]
    fn every_place_needs_an_alpha2_country() {
        let doc = json!({"jobLocation": [
            {"address": {"addressCountry": "SE"}},
            {"address": {"addressLocality": "Oslo"}},
            {"address": {"addressCountry": "Sweden"}}
        ]});
        let fields: Vec<String> = check(&doc)
            .into_iter()
            .filter(|d| d.rule == "jsonld.address-country")
            .filter_map(|d| d.field)
            .collect();
        assert_eq!(
            fields,
            [
                "/jobLocation/1/address/addressCountry",
                "/jobLocation/2/address/addressCountry"
            ]
        );
    }

    #[test]
    fn missing_recommended_fields_are_warnings_only() {
        let d = check(&json!({"title": "Engineer", "hiringOrganization": {"name": "X"}}));
        let mut warned: Vec<&str> = d.iter().map(|d| d.rule.as_str()).collect();
        warned.sort_unstable();
        assert_eq!(
            warned,
            [
                "jsonld.employment-type-missing",
                "jsonld.logo-missing",
                "jsonld.salary-missing",
                "jsonld.same-as-missing",
                "jsonld.valid-through-missing"
            ]
        );
        assert!(d.iter().all(|d| !d.is_error()));
    }
}
