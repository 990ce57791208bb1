//! The validation gate: Google's JobPosting rules on fixtures and rendered postings, every
//! output format's file checks, and the in-process XSD checker held equal to `xmllint`.

use std::path::{Path, PathBuf};
use std::process::Command;

use jobfeed::config::OutputKind;
use jobfeed::diag::Diagnostic;
use jobfeed::model::{Arrangement, test_posting};
use jobfeed::render::{Format, Rendered, jsonld};
use jobfeed::validate::Gate;
use serde_json::Value;

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

fn load_jsonld(name: &str) -> Value {
    let path = fixtures("jsonld").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn error_rules(d: &[Diagnostic]) -> Vec<&str> {
    let mut rules: Vec<&str> = d
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules
}

fn file(format: Format, bytes: impl Into<Vec<u8>>) -> Rendered {
    Rendered {
        path: "out".into(),
        output: "test".into(),
        kind: OutputKind::Jsonld,
        format,
        bytes: bytes.into(),
        key: None,
    }
}

// ---------------------------------------------------------------- JSON-LD

#[test]
fn valid_onsite_remote_and_hybrid_fixtures_have_no_errors() {
    let gate = Gate::new();
    for name in [
        "valid-onsite.jsonld",
        "valid-remote.jsonld",
        "valid-hybrid.jsonld",
    ] {
        let d = gate.check_posting(&load_jsonld(name));
        assert!(error_rules(&d).is_empty(), "{name}: {d:#?}");
    }
}

#[test]
fn each_broken_fixture_gets_one_error_naming_the_rule_it_breaks() {
    let gate = Gate::new();
    let cases: &[(&str, &[&str])] = &[
        (
            "missing-required.jsonld",
            &["jsonld.schema", "jsonld.schema"],
        ),
        (
            "missing-address-country.jsonld",
            &["jsonld.address-country"],
        ),
        (
            "remote-without-countries.jsonld",
            &["jsonld.remote-countries"],
        ),
        (
            "remote-empty-countries.jsonld",
            &["jsonld.remote-countries"],
        ),
        ("salary-annual.jsonld", &["jsonld.salary-unit"]),
        ("salary-min-above-max.jsonld", &["jsonld.salary-range"]),
        (
            "valid-through-before-posted.jsonld",
            &["jsonld.valid-through"],
        ),
        (
            "description-equals-title.jsonld",
            &["jsonld.description-title"],
        ),
        (
            "bad-formats.jsonld",
            &["jsonld.schema", "jsonld.schema", "jsonld.schema"],
        ),
    ];
    for (name, expected) in cases {
        let d = gate.check_posting(&load_jsonld(name));
        assert_eq!(error_rules(&d), *expected, "{name}: {d:#?}");
        for e in d.iter().filter(|d| d.is_error()) {
            assert!(
                e.field.as_deref().is_some_and(|f| f.starts_with('/')),
                "{name}: no field in {e:?}"
            );
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn missing_required_properties_are_named_by_their_json_pointer() {
    let d = Gate::new().check_posting(&load_jsonld("missing-required.jsonld"));
    let fields: Vec<&str> = d
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.field.as_deref())
        .collect();
    assert_eq!(fields, ["/hiringOrganization", "/jobLocation"]);
    assert!(
        d[0].message.contains("hiringOrganization"),
        "{}",
        d[0].message
    );
}

#[test]
fn format_errors_point_at_the_bad_values() {
    let d = Gate::new().check_posting(&load_jsonld("bad-formats.jsonld"));
    let fields: Vec<&str> = d
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.field.as_deref())
        .collect();
    assert_eq!(fields, ["/datePosted", "/employmentType", "/url"], "{d:#?}");
    let date = d
        .iter()
        .find(|d| d.field.as_deref() == Some("/datePosted"))
        .unwrap();
    assert!(date.message.contains("ISO 8601"), "{}", date.message);
}

#[test]
fn weak_posting_is_published_with_warnings_for_what_would_make_it_better() {
    let d = Gate::new().check_posting(&load_jsonld("weak-but-valid.jsonld"));
    assert!(error_rules(&d).is_empty(), "{d:#?}");
    let mut warned: Vec<&str> = d.iter().map(|d| d.rule.as_str()).collect();
    warned.sort_unstable();
    assert_eq!(
        warned,
        [
            "jsonld.description-short",
            "jsonld.logo-missing",
            "jsonld.salary-missing",
            "jsonld.title-style"
        ]
    );
}

#[test]
fn rendered_remote_posting_without_applicant_countries_is_rejected() {
    let mut p = test_posting();
    p.workplace.arrangement = Arrangement::Remote;
    p.workplace.applicant_countries.clear();
    let d = Gate::new().check_posting(&jsonld::document(&p, &Default::default()));
    assert_eq!(error_rules(&d), ["jsonld.remote-countries"], "{d:#?}");
    assert_eq!(
        d[0].field.as_deref(),
        Some("/applicantLocationRequirements")
    );
}

#[test]
fn rendered_posting_with_salary_unit_annual_is_rejected() {
    let mut p = test_posting();
    p.salary.as_mut().unwrap().unit = "ANNUAL".into();
    let d = Gate::new().check_posting(&jsonld::document(&p, &Default::default()));
    assert_eq!(error_rules(&d), ["jsonld.salary-unit"], "{d:#?}");
    assert!(d[0].message.contains("YEAR"), "{}", d[0].message);
}

#[test]
fn rendered_test_posting_passes_the_gate_as_document_and_snippet() {
    let gate = Gate::new();
    let doc = jsonld::document(&test_posting(), &Default::default());
    assert_eq!(
        gate.check_file(&file(Format::JsonLd, jsonld::to_bytes(&doc))),
        vec![]
    );
    assert_eq!(
        gate.check_file(&file(Format::JsonLdSnippet, jsonld::snippet(&doc, &[]))),
        vec![]
    );
}

#[test]
fn jsonld_file_that_is_not_json_is_an_error() {
    let d = Gate::new().check_file(&file(Format::JsonLd, "{\"title\": "));
    assert_eq!(error_rules(&d), ["output.json"]);
}

// ---------------------------------------------------------------- JSON outputs

#[test]
fn postings_json_items_are_checked_against_the_generated_posting_schema() {
    let gate = Gate::new();
    let good = serde_json::to_vec_pretty(&vec![test_posting()]).unwrap();
    assert_eq!(gate.check_file(&file(Format::Postings, good)), vec![]);
    let mut bad = serde_json::to_value(vec![test_posting(), test_posting()]).unwrap();
    bad[1]["id"] = "Not A Valid Id".into();
    let d = gate.check_file(&file(Format::Postings, serde_json::to_vec(&bad).unwrap()));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].rule, "postings.schema");
    assert_eq!(d[0].field.as_deref(), Some("/1/id"));
}

#[test]
fn json_feed_needs_version_title_and_item_content() {
    let gate = Gate::new();
    let good = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Jobs",
        "items": [{"id": "a", "content_html": "<p>x</p>", "date_published": "2026-11-02T00:00:00Z"}]}"#;
    assert_eq!(gate.check_file(&file(Format::JsonFeed, good)), vec![]);
    let bad = r#"{"version": "1.1", "title": "Jobs",
        "items": [{"id": "a"}, {"id": "b", "content_text": "x", "date_published": "2 Nov 2026"}]}"#;
    let d = gate.check_file(&file(Format::JsonFeed, bad));
    let fields: Vec<&str> = d.iter().filter_map(|d| d.field.as_deref()).collect();
    assert_eq!(
        fields,
        ["/version", "/items/0", "/items/1/date_published"],
        "{d:#?}"
    );
    assert!(d.iter().all(|d| d.rule == "jsonfeed.schema"));
}

// ---------------------------------------------------------------- XML outputs

const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Jobs</title>
    <link>https://www.example.com/career/</link>
    <description>Open positions</description>
    <atom:link href="https://www.example.com/feed/rss.xml" rel="self" type="application/rss+xml"/>
    <item>
      <title>Platform Engineer</title>
      <link>https://www.example.com/career/platform-engineer/?utm_source=rss&amp;utm_medium=feed</link>
      <guid isPermaLink="false">platform-engineer-en</guid>
      <description><![CDATA[<p>Build & run]]]]><![CDATA[>.</p>]]></description>
    </item>
  </channel>
</rss>
"#;

#[test]
fn well_formed_rss_passes_and_structural_gaps_are_named() {
    let gate = Gate::new();
    assert_eq!(gate.check_file(&file(Format::Rss, RSS)), vec![]);
    let no_guid = RSS.replace(
        "<guid isPermaLink=\"false\">platform-engineer-en</guid>",
        "",
    );
    let d = gate.check_file(&file(Format::Rss, no_guid));
    assert_eq!(error_rules(&d), ["rss.item"]);
    let no_link = RSS.replace("<link>https://www.example.com/career/</link>", "");
    assert_eq!(
        error_rules(&gate.check_file(&file(Format::Rss, no_link))),
        ["rss.channel"]
    );
}

#[test]
fn rss_with_html_entity_raw_ampersand_or_control_character_is_not_published() {
    let gate = Gate::new();
    for (bad, rule) in [
        (
            RSS.replace("Open positions", "Open&nbsp;positions"),
            "xml.well-formed",
        ),
        (
            RSS.replace("&amp;utm_medium", "&utm_medium"),
            "xml.well-formed",
        ),
        (
            RSS.replace("Build & run", "Build \u{b} run"),
            "xml.illegal-char",
        ),
        (RSS.replace("</rss>\n", ""), "xml.well-formed"),
    ] {
        let d = gate.check_file(&file(Format::Rss, bad));
        assert_eq!(error_rules(&d), [rule], "{d:#?}");
    }
}

#[test]
fn output_with_the_wrong_root_element_is_refused() {
    let d = Gate::new().check_file(&file(Format::Atom, RSS));
    assert_eq!(error_rules(&d), ["xml.root"]);
    let d = Gate::new().check_file(&file(Format::Sitemap, RSS));
    assert_eq!(error_rules(&d), ["xml.root"]);
}

#[test]
fn empty_output_is_not_xml() {
    for format in [
        Format::Rss,
        Format::Atom,
        Format::Indeed,
        Format::Board,
        Format::Linkedin,
        Format::Sitemap,
    ] {
        let d = Gate::new().check_file(&file(format, Vec::new()));
        assert_eq!(error_rules(&d), ["xml.well-formed"], "{format:?}");
    }
}

#[test]
fn atom_feed_and_entries_need_id_title_updated() {
    let gate = Gate::new();
    let good = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:jobfeed:example</id><title>Jobs</title><updated>2026-11-20T08:30:00Z</updated>
  <entry><id>urn:jobfeed:example:1</id><title>Platform Engineer</title><updated>2026-11-20T08:30:00Z</updated></entry>
</feed>"#;
    assert_eq!(gate.check_file(&file(Format::Atom, good)), vec![]);
    let bad = good.replacen(
        "<updated>2026-11-20T08:30:00Z</updated></entry>",
        "</entry>",
        1,
    );
    let d = gate.check_file(&file(Format::Atom, bad));
    assert_eq!(error_rules(&d), ["atom.entry"]);
    assert_eq!(d[0].field.as_deref(), Some("/feed/entry[1]"));
}

#[test]
fn sitemap_urls_need_loc() {
    let gate = Gate::new();
    let good = r#"<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.example.com/career/a/</loc><lastmod>2026-11-20T08:30:00+00:00</lastmod></url>
</urlset>"#;
    assert_eq!(gate.check_file(&file(Format::Sitemap, good)), vec![]);
    let bad = good.replace("<loc>https://www.example.com/career/a/</loc>", "");
    assert_eq!(
        error_rules(&gate.check_file(&file(Format::Sitemap, bad))),
        ["sitemap.url"]
    );
}

#[test]
fn board_profiles_are_only_checked_for_well_formedness() {
    let gate = Gate::new();
    assert_eq!(
        gate.check_file(&file(
            Format::Board,
            "<jobs><job><titel>x</titel></job></jobs>"
        )),
        vec![]
    );
    assert_eq!(
        error_rules(&gate.check_file(&file(Format::Board, "<jobs><job></jobs>"))),
        ["xml.well-formed"]
    );
}

// ---------------------------------------------------------------- XSD: ours vs xmllint

fn xml_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures("xml"))
        .expect("tests/fixtures/xml exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the XML fixtures, found {files:?}"
    );
    files
}

/// `indeed-valid-*.xml` → (indeed.xsd, Format::Indeed, valid = true).
fn fixture_contract(path: &Path) -> (&'static str, Format, bool) {
    let name = path.file_name().unwrap().to_string_lossy();
    let (xsd, format) = if name.starts_with("indeed-") {
        ("indeed.xsd", Format::Indeed)
    } else if name.starts_with("linkedin-") {
        ("linkedin.xsd", Format::Linkedin)
    } else {
        panic!("{name}: XML fixtures are named indeed-… or linkedin-…");
    };
    let valid = if name.contains("-valid-") {
        true
    } else if name.contains("-invalid-") {
        false
    } else {
        panic!("{name}: name it …-valid-… or …-invalid-…");
    };
    (xsd, format, valid)
}

/// `xmllint --schema`'s verdict. Missing xmllint fails the test: CI installs it, and a
/// skipped comparison would silently stop proving the in-process checker right.
fn xmllint_accepts(xsd: &str, doc: &Path) -> bool {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(xsd);
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(doc)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run xmllint ({e}); install it: `apt-get install -y libxml2-utils` (Debian/Ubuntu)")
        });
    match out.status.code() {
        Some(0) => true,
        // 3 = validation error, 4 = schema/parse problems of the document
        Some(3 | 4) => false,
        other => panic!(
            "xmllint failed unexpectedly ({other:?}) on {}: {}",
            doc.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn in_process_xsd_checker_agrees_with_xmllint_on_every_xml_fixture() {
    let gate = Gate::new();
    let mut disagreements = Vec::new();
    for path in xml_fixtures() {
        let (xsd, format, expected) = fixture_contract(&path);
        let ours = gate.check_file(&file(format, std::fs::read(&path).unwrap()));
        let ours_ok = ours.iter().all(|d| !d.is_error());
        let lint_ok = xmllint_accepts(xsd, &path);
        if ours_ok != lint_ok || ours_ok != expected {
            disagreements.push(format!(
                "{}: expected valid={expected}, ours={ours_ok} {ours:?}, xmllint={lint_ok}",
                path.display()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn xsd_errors_name_the_element_path_and_what_was_expected() {
    let gate = Gate::new();
    let read = |n: &str| std::fs::read(fixtures("xml").join(n)).unwrap();
    let d = gate.check_file(&file(
        Format::Indeed,
        read("indeed-invalid-country-name.xml"),
    ));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].rule, "indeed.xsd");
    assert_eq!(d[0].field.as_deref(), Some("/source/job[1]/country"));
    assert!(d[0].message.contains("[A-Z]{2}"), "{}", d[0].message);

    let d = gate.check_file(&file(
        Format::Indeed,
        read("indeed-invalid-missing-email.xml"),
    ));
    assert_eq!(d[0].field.as_deref(), Some("/source/job[1]/description"));
    assert!(
        d[0].message.contains("<email> is required"),
        "{}",
        d[0].message
    );

    let d = gate.check_file(&file(
        Format::Linkedin,
        read("linkedin-invalid-missing-poster-email.xml"),
    ));
    assert_eq!(d[0].rule, "linkedin.xsd");
    assert_eq!(d[0].field.as_deref(), Some("/source/job[2]"));
    assert!(d[0].message.contains("posterEmail"), "{}", d[0].message);
}
