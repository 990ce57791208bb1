//! The validation gate: every posting's JSON-LD and every output file is checked before
//! anything is published. Validators are built once, from schemas compiled into the binary.
//!
//! - [`Gate::check_posting`]: `schemas/jobposting.schema.json` plus the rules in [`google`];
//!   where both catch one problem, the author sees only the rule's message.
//! - [`Gate::check_file`]: JSON outputs re-parsed and schema-checked, XML outputs re-parsed
//!   to the end ([`xml`]), Indeed and LinkedIn files checked against our XSDs ([`xsd`]).

pub mod google;
pub mod xml;
pub mod xsd;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::render::{Format, Rendered};

/// Google's rules for our JobPosting JSON-LD.
pub const JOBPOSTING_SCHEMA: &str = include_str!("../../schemas/jobposting.schema.json");
/// JSON Feed 1.1.
pub const JSONFEED_SCHEMA: &str = include_str!("../../schemas/jsonfeed.schema.json");
/// One canonical posting, generated from `model::Posting` (`cargo run -- schema --out schemas`).
pub const POSTING_SCHEMA: &str = include_str!("../../schemas/posting.schema.json");
/// The Indeed XML contract.
pub const INDEED_XSD: &str = include_str!("../../schemas/indeed.xsd");
/// The LinkedIn XML contract.
pub const LINKEDIN_XSD: &str = include_str!("../../schemas/linkedin.xsd");

/// Compiled validators for every output format.
pub struct Gate {
    jobposting: Validator,
    jsonfeed: Validator,
    /// One JSON Feed item (`#/$defs/item`), so items can be checked one by one.
    jsonfeed_item: Validator,
    posting: Validator,
    indeed: xsd::Xsd,
    linkedin: xsd::Xsd,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").finish_non_exhaustive()
    }
}

fn json_validator(name: &str, text: &str) -> Validator {
    let schema: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("embedded {name} is not JSON: {e}"));
    // Formats (date-time, uri, email) are only checked when asked for (stack.md pitfall 3).
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("embedded {name} is not a valid JSON Schema: {e}"))
}

fn xsd(name: &str, text: &str) -> xsd::Xsd {
    xsd::Xsd::parse(text)
        .unwrap_or_else(|e| panic!("embedded {name} is outside the supported XSD subset: {e}"))
}

impl Gate {
    /// Builds every validator from the schemas compiled into the binary. Infallible in
    /// practice: the schemas are constants, and the unit tests build a `Gate` from them.
    pub fn new() -> Self {
        Gate {
            jobposting: json_validator("jobposting.schema.json", JOBPOSTING_SCHEMA),
            jsonfeed: json_validator("jsonfeed.schema.json", JSONFEED_SCHEMA),
            jsonfeed_item: json_validator(
                "jsonfeed.schema.json#/$defs/item",
                &subschema(JSONFEED_SCHEMA, "item"),
            ),
            posting: json_validator("posting.schema.json", POSTING_SCHEMA),
            indeed: xsd("indeed.xsd", INDEED_XSD),
            linkedin: xsd("linkedin.xsd", LINKEDIN_XSD),
        }
    }

    /// Google's rules for one posting's JSON-LD: errors (the posting is left out) and
    /// warnings (published, but weaker). One diagnostic per problem: a schema error at a
    /// field a specific rule already reports (or inside it) is dropped, and at most one
    /// schema error is kept per field.
    pub fn check_posting(&self, doc: &Value) -> Vec<Diagnostic> {
        let rules = google::check(doc);
        let schema = schema_diagnostics(&self.jobposting, doc, "jsonld.schema");
        let covered: Vec<&str> = rules
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.field.as_deref())
            .collect();
        let schema: Vec<Diagnostic> = schema
            .into_iter()
            .filter(|d| {
                let f = d.field.as_deref().unwrap_or("");
                !covered
                    .iter()
                    .any(|c| f == *c || (f.starts_with(c) && f[c.len()..].starts_with('/')))
            })
            .collect();
        let mut out: Vec<Diagnostic> = schema.into_iter().chain(rules).collect();
        // Errors first, then by field, so reports read top-down.
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.field.cmp(&b.field))
        });
        out
    }

    /// Checks one rendered file: well-formed, and valid against its format's schema.
    /// Only errors: per-posting warnings were already reported by [`Gate::check_posting`].
    pub fn check_file(&self, file: &Rendered) -> Vec<Diagnostic> {
        let bytes = file.bytes.as_slice();
        match file.format {
            Format::JsonLd => match parse_json(bytes) {
                Ok(doc) => self.errors_of_posting(&doc),
                Err(e) => vec![json_error(&e)],
            },
            Format::JsonLdSnippet => self.check_snippet(bytes, &|_| false),
            // The big arrays are checked element by element as they are read, so memory
            // holds one item's tree, not the whole feed's (see `json_items`).
            Format::JsonFeed => {
                let mut found = Vec::new();
                let streamed = json_items(bytes, Some("items"), &mut |i, item| {
                    found.extend(prefixed(
                        schema_diagnostics(&self.jsonfeed_item, &item, "jsonfeed.schema"),
                        &format!("/items/{i}"),
                    ));
                });
                match streamed {
                    Ok(envelope) => {
                        let mut out =
                            schema_diagnostics(&self.jsonfeed, &envelope, "jsonfeed.schema");
                        out.extend(found);
                        dedupe_fields(out)
                    }
                    // Not the expected shape: the whole-document check names the problem.
                    Err(_) => match parse_json(bytes) {
                        Ok(doc) => dedupe_fields(schema_diagnostics(
                            &self.jsonfeed,
                            &doc,
                            "jsonfeed.schema",
                        )),
                        Err(e) => vec![json_error(&e)],
                    },
                }
            }
            Format::Postings => {
                let mut found = Vec::new();
                let streamed = json_items(bytes, None, &mut |i, item| {
                    found.extend(prefixed(
                        schema_diagnostics(&self.posting, &item, "postings.schema"),
                        &format!("/{i}"),
                    ));
                });
                match streamed {
                    Ok(_) => found,
                    Err(_) => match parse_json(bytes) {
                        Ok(_) => vec![
                            Diagnostic::error(
                                "postings.schema",
                                "postings.json must be a JSON array of postings",
                            )
                            .field(""),
                        ],
                        Err(e) => vec![json_error(&e)],
                    },
                }
            }
            // Items are checked one by one as the parser finishes them (see `with_xml_items`).
            Format::Rss => {
                with_xml_items(bytes, 2, Some("item"), xml::check_rss_item, xml::check_rss)
            }
            Format::Atom => with_xml_items(
                bytes,
                1,
                Some("entry"),
                xml::check_atom_entry,
                xml::check_atom,
            ),
            Format::Sitemap => with_xml_items(
                bytes,
                1,
                Some("url"),
                xml::check_sitemap_url,
                xml::check_sitemap,
            ),
            Format::Indeed => self.with_xsd_jobs(bytes, &self.indeed, "indeed.xsd"),
            Format::Linkedin => self.with_xsd_jobs(bytes, &self.linkedin, "linkedin.xsd"),
            // Board profiles rename elements freely: only well-formedness is common to them.
            Format::Board => with_xml_items(bytes, 1, None, |_, _| Vec::new(), |_| Vec::new()),
        }
    }

    /// A board feed against its XSD, one `<job>` at a time.
    fn with_xsd_jobs(&self, bytes: &[u8], schema: &xsd::Xsd, rule: &str) -> Vec<Diagnostic> {
        with_xml_items(
            bytes,
            1,
            Some("job"),
            |job, n| xsd_diagnostics(schema.validate_detached(job, n), rule),
            |root| xsd_diagnostics(schema.validate(root), rule),
        )
    }

    fn errors_of_posting(&self, doc: &Value) -> Vec<Diagnostic> {
        self.check_posting(doc)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    }

    /// The `<script type="application/ld+json">` snippet: nothing in the JSON may end the
    /// element (pitfall 1), the JSON is a valid posting, and only hreflang links follow.
    /// JSON for which `verified` holds (exactly the text of a document that passed the
    /// posting rules) is not checked as a posting again.
    pub fn check_snippet(&self, bytes: &[u8], verified: &dyn Fn(&[u8]) -> bool) -> Vec<Diagnostic> {
        const OPEN: &str = "<script type=\"application/ld+json\">";
        const CLOSE: &str = "</script>";
        let err = |m: &str| vec![Diagnostic::error("snippet.script", m.to_string())];
        let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
            return err("the snippet is not UTF-8");
        };
        let Some(rest) = text.trim_start().strip_prefix(OPEN) else {
            return err("the snippet must start with <script type=\"application/ld+json\">");
        };
        let Some(end) = memchr::memmem::find(rest.as_bytes(), CLOSE.as_bytes()) else {
            return err("the snippet has no </script>");
        };
        let (body, tail) = (&rest[..end], &rest[end + CLOSE.len()..]);
        let mut out = Vec::new();
        if let Some(c) = memchr::memchr3(b'<', b'>', b'&', body.as_bytes())
            .map(|i| char::from(body.as_bytes()[i]))
        {
            out.push(Diagnostic::error(
                "snippet.script",
                format!("the JSON inside <script> holds a raw {c:?}: escape <, > and & as \\u003c, \\u003e, \\u0026 so no string can end the element"),
            ));
        }
        for line in tail.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !(line.starts_with("<link rel=\"alternate\" ") && line.ends_with('>')) {
                out.push(Diagnostic::error(
                    "snippet.script",
                    format!("unexpected content after </script>: {line:?} (only <link rel=\"alternate\" …> lines may follow)"),
                ));
                break;
            }
        }
        if verified(body.trim().as_bytes()) {
            return out;
        }
        match serde_json::from_str::<Value>(body) {
            Ok(doc) => out.extend(self.errors_of_posting(&doc)),
            Err(e) => out.push(Diagnostic::error(
                "snippet.script",
                format!("the JSON inside <script> does not parse: {e}"),
            )),
        }
        out
    }
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

/// The schema of `$defs/<name>` of a schema document, as a schema of its own (keeping the
/// `$defs` it refers to).
fn subschema(text: &str, name: &str) -> String {
    let full: Value = serde_json::from_str(text).expect("embedded schema is JSON");
    serde_json::json!({
        "$schema": full["$schema"],
        "$defs": full["$defs"],
        "$ref": format!("#/$defs/{name}"),
    })
    .to_string()
}

/// Diagnostics of one array element, with the element's pointer put before their fields.
fn prefixed(diags: Vec<Diagnostic>, at: &str) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .map(|d| {
            let field = format!("{at}{}", d.field.as_deref().unwrap_or(""));
            d.field(field)
        })
        .collect()
}

/// Reads a JSON document whose one big array (the document itself with `key` `None`, or
/// the member `key` of the top-level object) is handed to `each` element by element as it
/// is parsed. Returns the document with that array left empty. Any other shape is an error.
fn json_items(
    bytes: &[u8],
    key: Option<&str>,
    each: &mut dyn FnMut(usize, Value),
) -> serde_json::Result<Value> {
    use serde::Deserializer as _;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let doc = match key {
        None => {
            de.deserialize_seq(Elements(each))?;
            Value::Array(Vec::new())
        }
        Some(key) => de.deserialize_map(Envelope { key, each })?,
    };
    de.end()?;
    Ok(doc)
}

/// Visits an array, handing over each element.
struct Elements<'a>(&'a mut dyn FnMut(usize, Value));

impl<'de> serde::de::DeserializeSeed<'de> for Elements<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Elements<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            (self.0)(i, v);
            i += 1;
        }
        Ok(())
    }
}

/// Visits the top-level object, handing over the elements of member `key`.
struct Envelope<'a> {
    key: &'a str,
    each: &'a mut dyn FnMut(usize, Value),
}

impl<'de> serde::de::Visitor<'de> for Envelope<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        let mut seen = false;
        while let Some(k) = map.next_key::<String>()? {
            if k == self.key && !seen {
                seen = true;
                map.next_value_seed(Elements(&mut *self.each))?;
                out.insert(k, Value::Array(Vec::new()));
            } else {
                let v: Value = map.next_value()?;
                out.insert(k, v);
            }
        }
        Ok(Value::Object(out))
    }
}

fn parse_json(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(bytes)
}

fn json_error(e: &serde_json::Error) -> Diagnostic {
    Diagnostic::error("output.json", format!("not valid JSON: {e}"))
        .line(u32::try_from(e.line()).ok())
}

/// Parses an XML file whose items (elements at `depth` named `name`) are checked one by one
/// as the parser finishes them, so only one item's tree is in memory; the rest of the
/// document is checked by `rest`. Findings follow document order: the envelope's first.
fn with_xml_items(
    bytes: &[u8],
    depth: usize,
    name: Option<&str>,
    mut item: impl FnMut(&xml::Element, usize) -> Vec<Diagnostic>,
    rest: impl FnOnce(&xml::Element) -> Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut n = 0;
    let parsed = xml::parse_detaching(bytes, depth, name, &mut |el| {
        n += 1;
        found.extend(item(&el, n));
    });
    match parsed {
        Ok(root) => {
            let mut out = rest(&root);
            out.extend(found);
            out
        }
        Err(e) => vec![e.into_diagnostic()],
    }
}

fn xsd_diagnostics(errors: Vec<xsd::XsdError>, rule: &str) -> Vec<Diagnostic> {
    errors
        .into_iter()
        .map(|e| {
            Diagnostic::error(rule, e.message)
                .field(e.path)
                .line(Some(e.line))
        })
        .collect()
}

/// Keeps the first diagnostic per field: one problem, one message.
fn dedupe_fields(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    diags
        .into_iter()
        .filter(|d| seen.insert(d.field.clone()))
        .collect()
}

/// Every schema violation of `doc` as a diagnostic with `field` = the JSON pointer of the
/// offending value (for a missing property: where it should be).
pub fn schema_diagnostics(validator: &Validator, doc: &Value, rule: &str) -> Vec<Diagnostic> {
    let diags = validator
        .iter_errors(doc)
        .map(|e| {
            let (field, message) = describe(&e);
            Diagnostic::error(rule, message).field(field)
        })
        .collect();
    dedupe_fields(diags)
}

/// A human message for one schema error, and the field it is about.
fn describe(e: &ValidationError<'_>) -> (String, String) {
    let path = e.instance_path().as_str().to_string();
    let name = path.rsplit('/').next().unwrap_or("").to_string();
    let value = e.instance();
    let shown = short_json(value);
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            let prop = property.as_str().unwrap_or_default();
            let field = format!("{path}/{}", prop.replace('~', "~0").replace('/', "~1"));
            let why = property_hint(prop)
                .map(|h| format!(": {h}"))
                .unwrap_or_default();
            (field, format!("`{prop}` is required but missing{why}"))
        }
        ValidationErrorKind::Enum { options } => {
            let opts = options
                .as_array()
                .map(|a| a.iter().map(short_json).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            (
                path,
                format!("{shown} is not allowed here; use one of: {opts}"),
            )
        }
        ValidationErrorKind::Constant { expected_value } => (
            path,
            format!(
                "{shown} is not allowed here; the only allowed value is {}",
                short_json(expected_value)
            ),
        ),
        ValidationErrorKind::Format { format } => (
            path,
            format!("{shown} is not a valid {format}{}", format_hint(format)),
        ),
        ValidationErrorKind::AnyOf { .. } if name == "datePosted" || name == "validThrough" => (
            path,
            format!(
                "{shown} is not an ISO 8601 date (2026-11-27) or date-time with offset (2026-11-27T09:00:00Z)"
            ),
        ),
        ValidationErrorKind::AnyOf { .. } if name == "value" => (
            path,
            "the salary has no amount: give `value`, or `minValue` and/or `maxValue`, as numbers"
                .into(),
        ),
        ValidationErrorKind::AnyOf { .. } => (
            path,
            format!("{shown} does not have any of the allowed shapes"),
        ),
        ValidationErrorKind::Pattern { pattern } => {
            let hint = match name.as_str() {
                "currency" => " (an ISO 4217 code such as EUR, SEK, USD)",
                "addressCountry" => " (an ISO 3166-1 alpha-2 code such as SE, DE, US)",
                "inLanguage" | "language" => " (a BCP 47 tag such as en, sv, pt-BR)",
                "title" | "description" | "name" => " (it must not be blank)",
                "url" => " (an absolute http or https URL)",
                _ => "",
            };
            (
                path,
                format!("{shown} does not match the pattern {pattern}{hint}"),
            )
        }
        ValidationErrorKind::MinItems { limit } => (
            path,
            format!(
                "needs at least {limit} item{}",
                if *limit == 1 { "" } else { "s" }
            ),
        ),
        ValidationErrorKind::MinLength { .. } => (path, "must not be empty".into()),
        _ => (path, e.to_string()),
    }
}

fn short_json(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

fn format_hint(format: &str) -> &'static str {
    match format {
        "date-time" => " (RFC 3339 with offset, e.g. 2026-11-27T09:00:00Z)",
        "date" => " (e.g. 2026-11-27)",
        "uri" => " (an absolute URL, e.g. https://example.com/jobs/1)",
        "email" => " (an e-mail address)",
        _ => "",
    }
}

/// Why Google (or a reader of the file) needs a property, for "missing" messages.
fn property_hint(prop: &str) -> Option<&'static str> {
    Some(match prop {
        "title" => "Google requires the job's title",
        "description" => "Google requires the full job description",
        "datePosted" => "Google requires the date the job was first posted",
        "hiringOrganization" => "Google requires the hiring organisation",
        "name" => "give the name",
        "jobLocation" => {
            "Google requires the office address the employee reports to; only fully remote jobs (TELECOMMUTE with applicant countries) may leave it out"
        }
        "address" => "give the location's postal address",
        "addressCountry" => "give the two-letter country code (e.g. SE)",
        "currency" => "give the salary's ISO 4217 currency (e.g. EUR)",
        "unitText" => "give the salary period: HOUR, DAY, WEEK, MONTH or YEAR",
        "value" => "give the amount",
        "id" => "every item needs a permanent id",
        "version" => "a JSON Feed names its version",
        "items" => "a JSON Feed lists its items (possibly none)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_posting;
    use crate::render::jsonld;

    fn doc() -> Value {
        jsonld::document(&test_posting(), &Default::default())
    }

    #[test]
    fn embedded_schemas_build() {
        let _ = Gate::new();
    }

    #[test]
    fn rendered_test_posting_has_no_errors() {
        let d = Gate::new().check_posting(&doc());
        assert!(d.iter().all(|d| !d.is_error()), "{d:#?}");
    }

    #[test]
    fn schema_errors_name_the_json_pointer() {
        let mut doc = doc();
        doc["baseSalary"]["currency"] = "euro".into();
        doc["datePosted"] = "yesterday".into();
        let d = Gate::new().check_posting(&doc);
        let fields: Vec<&str> = d
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.field.as_deref())
            .collect();
        assert_eq!(fields, ["/baseSalary/currency", "/datePosted"], "{d:#?}");
    }

    #[test]
    fn unit_annual_is_reported_once_by_the_specific_rule() {
        let mut doc = doc();
        doc["baseSalary"]["value"]["unitText"] = "ANNUAL".into();
        let errors: Vec<Diagnostic> = Gate::new()
            .check_posting(&doc)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].rule, "jsonld.salary-unit");
        assert_eq!(
            errors[0].field.as_deref(),
            Some("/baseSalary/value/unitText")
        );
    }

    #[test]
    fn missing_address_country_is_reported_once() {
        let mut doc = doc();
        doc["jobLocation"]["address"]
            .as_object_mut()
            .unwrap()
            .remove("addressCountry");
        let errors: Vec<Diagnostic> = Gate::new()
            .check_posting(&doc)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].rule, "jsonld.address-country");
    }

    #[test]
    fn missing_job_location_is_required_unless_telecommute() {
        let mut doc = doc();
        let o = doc.as_object_mut().unwrap();
        o.remove("jobLocation");
        assert!(
            Gate::new()
                .check_posting(&doc)
                .iter()
                .all(|d| !d.is_error())
        );
        let o = doc.as_object_mut().unwrap();
        o.remove("jobLocationType");
        o.remove("applicantLocationRequirements");
        let d = Gate::new().check_posting(&doc);
        assert!(
            d.iter()
                .any(|d| d.is_error() && d.field.as_deref() == Some("/jobLocation")),
            "{d:#?}"
        );
    }

    #[test]
    fn snippet_with_raw_angle_bracket_or_trailing_markup_is_refused() {
        let gate = Gate::new();
        let good = jsonld::snippet(&doc(), &[]);
        let file = |bytes: Vec<u8>| Rendered {
            path: "jobs/x.html".into(),
            output: "jsonld".into(),
            kind: crate::config::OutputKind::Jsonld,
            format: Format::JsonLdSnippet,
            bytes,
            key: None,
        };
        assert_eq!(gate.check_file(&file(good.clone())), vec![]);
        let raw = String::from_utf8(good.clone())
            .unwrap()
            .replace("Platform Engineer", "Platform <b>Engineer</b>");
        assert!(!gate.check_file(&file(raw.into_bytes())).is_empty());
        let mut tail = good;
        tail.extend_from_slice(b"<script>alert(1)</script>\n");
        assert!(!gate.check_file(&file(tail)).is_empty());
    }

    /// Guards the shortcut for snippets whose JSON passed as a posting: only the posting
    /// rules are skipped, never the snippet's own, and only for exactly that JSON.
    #[test]
    fn a_snippet_of_a_verified_document_skips_only_the_posting_rules() {
        let gate = Gate::new();
        let mut bad = doc();
        bad.as_object_mut().unwrap().remove("title");
        let json = jsonld::snippet_json(&bad);
        let snippet = jsonld::snippet(&bad, &[]);
        let only_this = |b: &[u8]| b == json.as_bytes();
        // Unverified, the missing title is found; verified, the same bytes are let through.
        assert!(
            gate.check_snippet(&snippet, &|_| false)
                .iter()
                .any(Diagnostic::is_error)
        );
        assert_eq!(gate.check_snippet(&snippet, &only_this), vec![]);
        // Any other JSON is checked as a posting.
        let other = String::from_utf8(snippet.clone()).unwrap().replace(
            "\"@type\": \"JobPosting\"",
            "\"@type\": \"JobPosting\", \"x\": 1",
        );
        assert!(
            gate.check_snippet(other.as_bytes(), &only_this)
                .iter()
                .any(Diagnostic::is_error)
        );
        // The snippet's own rules hold for verified JSON too.
        let mut tail = snippet;
        tail.extend_from_slice(b"<script>alert(1)</script>\n");
        assert!(!gate.check_snippet(&tail, &|_| true).is_empty());
    }

    #[test]
    fn script_safe_escapes_every_markup_character_in_one_pass() {
        assert_eq!(
            jsonld::script_safe(r#"{"d": "<p>a & b</p> ø>"}"#),
            r#"{"d": "\u003cp\u003ea \u0026 b\u003c/p\u003e ø\u003e"}"#
        );
        assert_eq!(jsonld::script_safe("plain"), "plain");
    }

    fn json_file(format: Format, text: &str) -> Rendered {
        Rendered {
            path: "feed.json".into(),
            output: "jsonfeed".into(),
            kind: crate::config::OutputKind::Jsonfeed,
            format,
            bytes: text.as_bytes().to_vec(),
            key: None,
        }
    }

    /// Guards the item-by-item JSON Feed check: it must report what the whole-document
    /// schema check reports, with the same fields, or broken items would be published.
    #[test]
    fn json_feed_items_checked_one_by_one_match_the_whole_document_check() {
        let gate = Gate::new();
        let text = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "content_text": "x"}, {"content_text": "no id"},
                      {"id": "3", "url": "not a url", "content_text": "x"}]}"#;
        let whole = dedupe_fields(schema_diagnostics(
            &gate.jsonfeed,
            &serde_json::from_str(text).unwrap(),
            "jsonfeed.schema",
        ));
        let streamed = gate.check_file(&json_file(Format::JsonFeed, text));
        assert!(whole.len() >= 2, "{whole:?}");
        let fields = |d: &[Diagnostic]| {
            let mut f: Vec<_> = d.iter().map(|d| d.field.clone()).collect();
            f.sort();
            f
        };
        assert_eq!(fields(&streamed), fields(&whole));
        // A feed without title (envelope) and one whose items are not an array.
        let no_title = r#"{"version": "https://jsonfeed.org/version/1.1", "items": []}"#;
        assert!(
            !gate
                .check_file(&json_file(Format::JsonFeed, no_title))
                .is_empty()
        );
        let bad_items =
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": 3}"#;
        assert!(
            !gate
                .check_file(&json_file(Format::JsonFeed, bad_items))
                .is_empty()
        );
        assert_eq!(
            gate.check_file(&json_file(Format::JsonFeed, "{\"title\": 1} x"))[0].rule,
            "output.json"
        );
    }

    #[test]
    fn postings_json_must_be_an_array_and_each_element_a_posting() {
        let gate = Gate::new();
        let d = gate.check_file(&json_file(Format::Postings, "{}"));
        assert!(d[0].message.contains("must be a JSON array"), "{d:?}");
        let d = gate.check_file(&json_file(Format::Postings, "[{}, 3]"));
        assert!(
            d.iter()
                .any(|d| d.field.as_deref().is_some_and(|f| f.starts_with("/1"))),
            "{d:?}"
        );
        assert_eq!(gate.check_file(&json_file(Format::Postings, "[")).len(), 1);
    }
}
