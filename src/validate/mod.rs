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
            Format::JsonLdSnippet => self.check_snippet(bytes),
            Format::JsonFeed => match parse_json(bytes) {
                Ok(doc) => {
                    dedupe_fields(schema_diagnostics(&self.jsonfeed, &doc, "jsonfeed.schema"))
                }
                Err(e) => vec![json_error(&e)],
            },
            Format::Postings => match parse_json(bytes) {
                Ok(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| {
                        schema_diagnostics(&self.posting, item, "postings.schema")
                            .into_iter()
                            .map(move |d| {
                                let field = format!("/{i}{}", d.field.as_deref().unwrap_or(""));
                                d.field(field)
                            })
                    })
                    .collect(),
                Ok(_) => vec![
                    Diagnostic::error(
                        "postings.schema",
                        "postings.json must be a JSON array of postings",
                    )
                    .field(""),
                ],
                Err(e) => vec![json_error(&e)],
            },
            Format::Rss => with_xml(bytes, xml::check_rss),
            Format::Atom => with_xml(bytes, xml::check_atom),
            Format::Sitemap => with_xml(bytes, xml::check_sitemap),
            Format::Indeed => with_xml(bytes, |root| check_xsd(&self.indeed, "indeed.xsd", root)),
            Format::Linkedin => with_xml(bytes, |root| {
                check_xsd(&self.linkedin, "linkedin.xsd", root)
            }),
            // Board profiles rename elements freely: only well-formedness is common to them.
            Format::Board => with_xml(bytes, |_| Vec::new()),
        }
    }

    fn errors_of_posting(&self, doc: &Value) -> Vec<Diagnostic> {
        self.check_posting(doc)
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    }

    /// The `<script type="application/ld+json">` snippet: nothing in the JSON may end the
    /// element (pitfall 1), the JSON is a valid posting, and only hreflang links follow.
    fn check_snippet(&self, bytes: &[u8]) -> Vec<Diagnostic> {
        const OPEN: &str = "<script type=\"application/ld+json\">";
        const CLOSE: &str = "</script>";
        let err = |m: &str| vec![Diagnostic::error("snippet.script", m.to_string())];
        let Ok(text) = std::str::from_utf8(bytes) else {
            return err("the snippet is not UTF-8");
        };
        let Some(rest) = text.trim_start().strip_prefix(OPEN) else {
            return err("the snippet must start with <script type=\"application/ld+json\">");
        };
        let Some(end) = rest.find(CLOSE) else {
            return err("the snippet has no </script>");
        };
        let (body, tail) = (&rest[..end], &rest[end + CLOSE.len()..]);
        let mut out = Vec::new();
        if let Some(c) = body.chars().find(|c| matches!(c, '<' | '>' | '&')) {
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

fn parse_json(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(bytes)
}

fn json_error(e: &serde_json::Error) -> Diagnostic {
    Diagnostic::error("output.json", format!("not valid JSON: {e}"))
        .line(u32::try_from(e.line()).ok())
}

fn with_xml(bytes: &[u8], check: impl FnOnce(&xml::Element) -> Vec<Diagnostic>) -> Vec<Diagnostic> {
    match xml::parse(bytes) {
        Ok(root) => check(&root),
        Err(e) => vec![e.into_diagnostic()],
    }
}

fn check_xsd(schema: &xsd::Xsd, rule: &str, root: &xml::Element) -> Vec<Diagnostic> {
    schema
        .validate(root)
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
}
