//! schema.org JobPosting JSON-LD, one document per posting, following Google's rules,
//! and the ready-to-embed `<script type="application/ld+json">` snippet.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::tracking;
use crate::model::{Alternate, Apply, Arrangement, Posting};

/// The JobPosting document for `p`.
pub fn document(p: &Posting, tracking_params: &BTreeMap<String, String>) -> Value {
    let mut d = Map::new();
    d.insert("@context".into(), json!("https://schema.org/"));
    d.insert("@type".into(), json!("JobPosting"));
    d.insert("title".into(), json!(p.title));
    d.insert("description".into(), json!(p.description_html));
    d.insert("datePosted".into(), json!(datetime(&p.date_posted)));
    if let Some(v) = &p.valid_through {
        d.insert("validThrough".into(), json!(datetime(v)));
    }
    match p.employment_types.as_slice() {
        [] => {}
        [one] => {
            d.insert("employmentType".into(), json!(one.as_str()));
        }
        many => {
            d.insert(
                "employmentType".into(),
                Value::Array(many.iter().map(|t| json!(t.as_str())).collect()),
            );
        }
    }
    let org = &p.hiring_organization;
    let mut o = Map::new();
    o.insert("@type".into(), json!("Organization"));
    o.insert("name".into(), json!(org.name));
    if let Some(u) = &org.url {
        o.insert("sameAs".into(), json!(u));
    }
    if !org.same_as.is_empty() {
        let mut all: Vec<&String> = org.url.iter().collect();
        all.extend(org.same_as.iter());
        o.insert("sameAs".into(), json!(all));
    }
    if let Some(l) = &org.logo {
        o.insert("logo".into(), json!(l));
    }
    d.insert("hiringOrganization".into(), Value::Object(o));
    if !p.locations.is_empty() {
        let places: Vec<Value> = p
            .locations
            .iter()
            .map(|l| {
                let mut a = Map::new();
                a.insert("@type".into(), json!("PostalAddress"));
                if let Some(s) = &l.street {
                    a.insert("streetAddress".into(), json!(s));
                }
                if let Some(s) = &l.locality {
                    a.insert("addressLocality".into(), json!(s));
                }
                if let Some(s) = &l.region {
                    a.insert("addressRegion".into(), json!(s));
                }
                if let Some(s) = &l.postal_code {
                    a.insert("postalCode".into(), json!(s));
                }
                a.insert("addressCountry".into(), json!(l.country));
                json!({"@type": "Place", "address": Value::Object(a)})
            })
            .collect();
        d.insert(
            "jobLocation".into(),
            if places.len() == 1 {
                places.into_iter().next().expect("one place")
            } else {
                Value::Array(places)
            },
        );
    }
    if p.workplace.arrangement == Arrangement::Remote {
        d.insert("jobLocationType".into(), json!("TELECOMMUTE"));
        // Always present for remote work, even empty: the gate then names the missing countries.
        let countries: Vec<Value> = p
            .workplace
            .applicant_countries
            .iter()
            .map(|c| json!({"@type": "Country", "name": c}))
            .collect();
        d.insert(
            "applicantLocationRequirements".into(),
            Value::Array(countries),
        );
    }
    if let Some(s) = &p.salary {
        let mut v = Map::new();
        v.insert("@type".into(), json!("QuantitativeValue"));
        match (s.min, s.max) {
            (Some(a), Some(b)) if a == b => {
                v.insert("value".into(), number(a));
            }
            (min, max) => {
                if let Some(a) = min {
                    v.insert("minValue".into(), number(a));
                }
                if let Some(b) = max {
                    v.insert("maxValue".into(), number(b));
                }
            }
        }
        v.insert("unitText".into(), json!(s.unit));
        d.insert(
            "baseSalary".into(),
            json!({"@type": "MonetaryAmount", "currency": s.currency, "value": Value::Object(v)}),
        );
    }
    d.insert(
        "identifier".into(),
        json!({"@type": "PropertyValue", "name": org.name, "value": p.id}),
    );
    let direct = p
        .extra
        .get("directApply")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    d.insert("directApply".into(), json!(direct));
    d.insert("inLanguage".into(), json!(p.language));
    d.insert(
        "url".into(),
        json!(tracking::apply(&p.url, tracking_params)),
    );
    if let Apply::Email { email } = &p.apply {
        d.insert(
            "applicationContact".into(),
            json!({"@type": "ContactPoint", "email": email}),
        );
    }
    if let Some(team) = &p.team {
        d.insert("occupationalCategory".into(), json!(team));
    }
    Value::Object(d)
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// ISO 8601 date-time in UTC with a `Z` (seconds precision).
pub fn datetime(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The document as pretty JSON with a trailing newline.
pub fn to_bytes(doc: &Value) -> Vec<u8> {
    let mut b = to_text(doc).into_bytes();
    b.push(b'\n');
    b
}

/// `doc` pretty-printed: the `.jsonld` file without its last newline.
pub fn to_text(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("JSON values serialise")
}

/// The JSON inside the snippet's `<script>` element: `doc` as [`to_bytes`] writes it (without
/// the last newline), made [`script_safe`].
pub fn snippet_json(doc: &Value) -> String {
    script_safe(&to_text(doc))
}

/// Whether `safe` is exactly [`script_safe`] of `json`, compared without making it.
pub fn is_script_safe_of(safe: &[u8], json: &[u8]) -> bool {
    let (mut safe, mut json) = (safe, json);
    while let Some((i, escape)) = next_markup(json) {
        let Some(rest) = safe
            .strip_prefix(&json[..i])
            .and_then(|rest| rest.strip_prefix(escape.as_bytes()))
        else {
            return false;
        };
        safe = rest;
        json = &json[i + 1..];
    }
    safe == json
}

/// `<script type="application/ld+json">` with `<`, `>` and `&` escaped so that no string
/// can end the element, plus hreflang alternates for translations.
pub fn snippet(doc: &Value, alternates: &[Alternate]) -> Vec<u8> {
    snippet_of(&to_text(doc), alternates)
}

/// [`snippet`] of the document whose [`to_text`] is `text`: the `.jsonld` file's text is
/// made once for both files.
pub fn snippet_of(text: &str, alternates: &[Alternate]) -> Vec<u8> {
    let json = script_safe(text);
    let mut out = String::with_capacity(json.len() + 64);
    out.push_str("<script type=\"application/ld+json\">\n");
    out.push_str(&json);
    out.push_str("\n</script>\n");
    for a in alternates {
        out.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">\n",
            html_escape::encode_double_quoted_attribute(&a.language),
            html_escape::encode_double_quoted_attribute(&a.url)
        ));
    }
    out.into_bytes()
}

/// Escapes `<`, `>` and `&` as JSON unicode escapes (the same data for a JSON parser).
pub fn script_safe(json: &str) -> String {
    // One pass: a description holds hundreds of these.
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    let mut rest = json;
    while let Some((i, escape)) = next_markup(rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(escape);
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// The first byte of markup in `text` and the JSON escape [`script_safe`] writes for it.
fn next_markup(text: &[u8]) -> Option<(usize, &'static str)> {
    let i = memchr::memchr3(b'&', b'<', b'>', text)?;
    let escape = match text[i] {
        b'&' => "\\u0026",
        b'<' => "\\u003c",
        _ => "\\u003e",
    };
    Some((i, escape))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_posting;

    #[test]
    fn remote_posting_has_telecommute_with_countries_and_office() {
        let doc = document(&test_posting(), &BTreeMap::new());
        assert_eq!(doc["jobLocationType"], "TELECOMMUTE");
        assert_eq!(doc["applicantLocationRequirements"][0]["name"], "SE");
        assert_eq!(doc["jobLocation"]["address"]["addressCountry"], "SE");
        assert_eq!(doc["baseSalary"]["value"]["unitText"], "YEAR");
        assert_eq!(doc["baseSalary"]["value"]["minValue"], 50000);
    }

    #[test]
    fn snippet_cannot_close_the_script_element() {
        let mut p = test_posting();
        p.title = "</script><script>alert(1)</script> & <!--".into();
        let html = String::from_utf8(snippet(&document(&p, &BTreeMap::new()), &[])).unwrap();
        let inner = html
            .strip_prefix("<script type=\"application/ld+json\">\n")
            .unwrap()
            .strip_suffix("\n</script>\n")
            .unwrap();
        assert!(!inner.contains('<') && !inner.contains('>') && !inner.contains('&'));
        let back: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back["title"], p.title);
    }

    #[test]
    fn the_snippet_json_is_the_documents_text_made_script_safe() {
        let doc = document(&test_posting(), &BTreeMap::new());
        let file = to_bytes(&doc);
        let json = snippet_json(&doc);
        assert!(is_script_safe_of(
            json.as_bytes(),
            file.strip_suffix(b"\n").unwrap()
        ));
        assert!(!is_script_safe_of(json.as_bytes(), &file));
    }

    proptest::proptest! {
        /// Guards the snippet shortcut: only the exact script-safe form of a passed
        /// document counts as that document.
        #[test]
        fn script_safe_form_is_recognised_exactly(s in "[a-c<>&\\\\u0-9]{0,40}", t in "[a-c<>&\\\\u0-9]{0,40}") {
            let safe = script_safe(&s);
            proptest::prop_assert!(is_script_safe_of(safe.as_bytes(), s.as_bytes()));
            proptest::prop_assert_eq!(is_script_safe_of(safe.as_bytes(), t.as_bytes()), script_safe(&t) == safe);
        }
    }
}
