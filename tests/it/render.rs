//! Renderers end to end: snapshots of every format for three fixed postings, read back with
//! independent parsers (feed-rs, serde_json, quick-xml), determinism and a Unicode proptest.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use jobfeed::config::{FeedConfig, OutputConfig, OutputKind, parse_feed};
use jobfeed::model::{
    Alternate, Apply, Arrangement, EmploymentType, Location, Posting, Workplace, sort_postings,
    test_posting,
};
use jobfeed::render::board::{BoardPreset, BoardProfile};
use jobfeed::render::text::{decode_entities, xml_clean};
use jobfeed::render::{Format, RenderContext, Rendered, feed_updated, render_output};
use proptest::prelude::*;
use quick_xml::Reader;
use quick_xml::events::Event;

const FEED: &str = r#"
id = "example"
title = "Example jobs"
description = "Open positions at Example Cloud"
base_url = "https://jobs.example.com/example/"
language = "en"

[organization]
name = "Example Cloud AB"
url = "https://www.example.com/"
email = "jobs@example.com"
linkedin_company_id = "1234567"
poster_email = "recruiter@example.com"

[[sources]]
type = "markdown"
path = "content"
"#;

fn feed() -> FeedConfig {
    parse_feed(FEED, Path::new("feeds/example.toml"))
        .expect("fixture feed parses")
        .config
}

fn office(
    street: Option<&str>,
    postal: Option<&str>,
    city: &str,
    region: Option<&str>,
    country: &str,
) -> Location {
    Location {
        street: street.map(Into::into),
        locality: Some(city.into()),
        region: region.map(Into::into),
        postal_code: postal.map(Into::into),
        country: country.into(),
    }
}

/// Fully remote within the EU, in Danish, no office.
fn remote_da() -> Posting {
    let mut p = test_posting();
    p.id = "backend-udvikler-da".into();
    p.language = "da".into();
    p.title = "Backend-udvikler (Rust) – fuldt remote".into();
    p.description_html =
        "<p>Vi søger en backend-udvikler &amp; du arbejder hjemmefra i hele EU.</p><ul><li>Rust</li><li>Postgres</li></ul>"
            .into();
    p.summary = Some("Backend-udvikler, fuldt remote i EU.".into());
    p.url = "https://www.example.com/da/karriere/backend-udvikler/".into();
    p.date_posted = Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap();
    p.updated = Utc.with_ymd_and_hms(2026, 11, 12, 10, 0, 0).unwrap();
    p.valid_through = Some(Utc.with_ymd_and_hms(2027, 2, 1, 3, 0, 0).unwrap());
    p.locations = vec![];
    p.workplace = Workplace {
        arrangement: Arrangement::Remote,
        applicant_countries: vec!["DK".into(), "SE".into(), "DE".into()],
    };
    p.team = Some("Backend".into());
    p.categories = vec!["Engineering".into()];
    p.translation_group = None;
    p
}

/// Hybrid, in English, two offices, a Swedish translation, contract + full time.
fn hybrid_en() -> Posting {
    let mut p = test_posting();
    p.id = "data-engineer-en".into();
    p.title = "Data Engineer, R&D <Analytics>".into();
    p.description_html =
        "<p>Pipelines &amp; dashboards. Markers like ]]&gt; and ]]> must survive.</p>".into();
    p.url = "https://www.example.com/career/data-engineer/?ref=site&lang=en".into();
    p.date_posted = Utc.with_ymd_and_hms(2026, 11, 5, 8, 0, 0).unwrap();
    p.updated = Utc.with_ymd_and_hms(2026, 11, 21, 14, 15, 0).unwrap();
    p.valid_through = None;
    p.employment_types = vec![EmploymentType::FullTime, EmploymentType::Contractor];
    p.locations = vec![
        office(
            Some("Sveavägen 1"),
            Some("111 57"),
            "Stockholm",
            Some("Stockholm County"),
            "SE",
        ),
        office(None, Some("0150"), "Oslo", None, "NO"),
    ];
    p.workplace = Workplace {
        arrangement: Arrangement::Hybrid,
        applicant_countries: vec![],
    };
    p.salary = None;
    p.team = Some("Data".into());
    p.alternates = vec![Alternate {
        language: "sv".into(),
        url: "https://www.example.com/sv/karriar/data-engineer/".into(),
        id: "data-engineer-sv".into(),
    }];
    p
}

/// On-site, in Swedish, e-mail application, part time.
fn onsite_sv() -> Posting {
    let mut p = test_posting();
    p.id = "lagerarbetare-goteborg-sv".into();
    p.language = "sv".into();
    p.title = "Lagerarbetare i Göteborg".into();
    p.description_html = "<p>Plock&nbsp;och packning, deltid.</p>".into();
    p.summary = None;
    p.url = "https://www.example.com/sv/karriar/lagerarbetare/".into();
    p.apply = Apply::Email {
        email: "jobb@example.com".into(),
    };
    p.date_posted = Utc.with_ymd_and_hms(2026, 10, 28, 7, 30, 0).unwrap();
    p.updated = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    p.valid_through = Some(Utc.with_ymd_and_hms(2026, 12, 31, 22, 59, 59).unwrap());
    p.employment_types = vec![EmploymentType::PartTime];
    p.locations = vec![office(
        Some("Hamngatan 3"),
        Some("411 06"),
        "Göteborg",
        Some("Västra Götaland"),
        "SE",
    )];
    p.workplace = Workplace {
        arrangement: Arrangement::OnSite,
        applicant_countries: vec![],
    };
    p.salary = None;
    p.team = Some("Logistik".into());
    p.categories = vec![];
    p.translation_group = None;
    p
}

fn postings() -> Vec<Posting> {
    let mut ps = vec![remote_da(), hybrid_en(), onsite_sv()];
    sort_postings(&mut ps);
    ps
}

fn output(kind: OutputKind) -> OutputConfig {
    let mut out = OutputConfig::of(kind);
    if matches!(kind, OutputKind::Indeed | OutputKind::Linkedin) {
        out.tracking = BTreeMap::from([("utm_source".to_string(), kind.as_str().to_string())]);
    }
    out
}

fn board(preset: BoardPreset) -> OutputConfig {
    let mut out = OutputConfig::of(OutputKind::Indeed);
    out.name = Some(format!("{preset:?}").to_lowercase());
    out.profile = Some(BoardProfile {
        preset,
        ..BoardProfile::default()
    });
    out
}

/// Every output kind plus the board presets, over `ps`.
fn render_all(ps: &[Posting]) -> Vec<Rendered> {
    let feed = feed();
    let ctx = RenderContext {
        feed: &feed,
        updated: feed_updated(ps, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
    };
    let mut outs: Vec<OutputConfig> = OutputKind::ALL.into_iter().map(output).collect();
    outs.extend(
        [
            BoardPreset::Talent,
            BoardPreset::Jooble,
            BoardPreset::Adzuna,
            BoardPreset::Ziprecruiter,
        ]
        .map(board),
    );
    outs.iter()
        .flat_map(|o| render_output(o, ps, &ctx))
        .collect()
}

fn utf8(f: &Rendered) -> &str {
    std::str::from_utf8(&f.bytes).expect("output is UTF-8")
}

/// Leaf elements of an XML document as (name, text), failing on anything not well-formed:
/// mismatched tags, unknown entities, characters XML 1.0 forbids, trailing garbage.
fn xml_leaves(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let s = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    if let Some(c) = s.chars().find(|&c| !jobfeed::render::text::is_xml_char(c)) {
        return Err(format!("XML-illegal character U+{:04X}", c as u32));
    }
    let mut reader = Reader::from_str(s);
    let mut stack: Vec<(String, String, bool)> = Vec::new();
    let mut leaves = Vec::new();
    let mut roots = 0;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("at {}: {e}", reader.error_position()))?
        {
            Event::Start(e) => {
                if stack.is_empty() {
                    roots += 1;
                }
                if let Some(parent) = stack.last_mut() {
                    parent.2 = true;
                }
                stack.push((e.name().as_ref().to_string(), String::new(), false));
            }
            Event::End(_) => {
                let (name, text, has_children) = stack.pop().ok_or("end without start")?;
                if !has_children {
                    leaves.push((name, text));
                }
            }
            Event::Empty(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.2 = true;
                }
                leaves.push((e.name().as_ref().to_string(), String::new()));
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.1.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err("text outside the root".into()),
                }
            }
            Event::CData(t) => stack
                .last_mut()
                .ok_or("CDATA outside the root")?
                .1
                .push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(format!("undefined entity &{other};")),
                    },
                };
                stack
                    .last_mut()
                    .ok_or("reference outside the root")?
                    .1
                    .push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() || roots != 1 {
        return Err(format!("unclosed elements {stack:?} or {roots} roots"));
    }
    Ok(leaves)
}

fn texts_of<'a>(leaves: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    leaves
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .collect()
}

#[test]
fn every_format_matches_its_snapshot() {
    for f in render_all(&postings()) {
        let name = format!("{}__{}", f.output, f.path.replace('/', "_"));
        insta::assert_snapshot!(name, utf8(&f));
    }
}

#[test]
fn output_files_and_formats_are_the_expected_set() {
    let files = render_all(&postings());
    let got: Vec<(String, Format)> = files
        .iter()
        .map(|f| (format!("{}:{}", f.output, f.path), f.format))
        .collect();
    for (name, format) in [
        ("rss:rss.xml", Format::Rss),
        ("rss:da/rss.xml", Format::Rss),
        ("atom:sv/atom.xml", Format::Atom),
        ("jsonfeed:en/feed.json", Format::JsonFeed),
        ("indeed:indeed.xml", Format::Indeed),
        ("talent:indeed.xml", Format::Board),
        ("jooble:indeed.xml", Format::Board),
        ("linkedin:linkedin.xml", Format::Linkedin),
        ("sitemap:sitemap.xml", Format::Sitemap),
        ("jsonld:jobs/data-engineer-en.jsonld", Format::JsonLd),
    ] {
        assert!(
            got.contains(&(name.to_string(), format)),
            "{name} {format:?} missing from {got:?}"
        );
    }
}

#[test]
fn syndication_feeds_parse_with_feed_rs_and_keep_ids_titles_and_languages() {
    let ps = postings();
    for f in render_all(&ps) {
        if !matches!(f.format, Format::Rss | Format::Atom | Format::JsonFeed) {
            continue;
        }
        let parsed =
            feed_rs::parser::parse(&f.bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        let lang = f.path.split_once('/').map(|(l, _)| l);
        let expected: Vec<&Posting> = ps
            .iter()
            .filter(|p| lang.is_none_or(|l| p.language == l))
            .collect();
        assert_eq!(parsed.entries.len(), expected.len(), "{}", f.path);
        for (e, p) in parsed.entries.iter().zip(&expected) {
            assert_eq!(
                e.title.as_ref().map(|t| t.content.as_str()),
                Some(p.title.as_str()),
                "{}",
                f.path
            );
            match f.format {
                Format::Atom => assert_eq!(e.id, format!("urn:jobfeed:example:{}", p.id)),
                _ => assert_eq!(e.id, p.id),
            }
            assert_eq!(e.published, Some(p.date_posted), "{}", f.path);
        }
        if let Some(l) = lang {
            assert_eq!(parsed.language.as_deref(), Some(l), "{}", f.path);
        }
        if f.format == Format::JsonFeed {
            let v: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
            assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
            assert_eq!(v["language"], lang.unwrap_or("en"));
            for (item, p) in v["items"].as_array().unwrap().iter().zip(&expected) {
                assert_eq!(item["language"], p.language.as_str());
                assert_eq!(item["content_html"], *p.description_html.html());
            }
        }
    }
}

#[test]
fn jsonld_documents_parse_and_keep_google_required_fields() {
    for f in render_all(&postings())
        .iter()
        .filter(|f| f.format == Format::JsonLd)
    {
        let v: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
        for key in [
            "title",
            "description",
            "datePosted",
            "hiringOrganization",
            "identifier",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {}", f.path);
        }
        if v["jobLocationType"] == "TELECOMMUTE" {
            assert!(v["applicantLocationRequirements"].is_array(), "{}", f.path);
        } else {
            assert!(
                v["jobLocation"].is_object() || v["jobLocation"].is_array(),
                "{}",
                f.path
            );
        }
    }
}

#[test]
fn indeed_has_one_job_per_office_with_decoded_cdata_content() {
    let files = render_all(&postings());
    let f = files.iter().find(|f| f.output == "indeed").unwrap();
    let leaves = xml_leaves(&f.bytes).unwrap();
    // Newest first. da remote without office: 1 job; en hybrid with two offices: 2; sv on-site: 1.
    assert_eq!(
        texts_of(&leaves, "referencenumber"),
        [
            "backend-udvikler-da",
            "data-engineer-en-se-stockholm",
            "data-engineer-en-no-oslo",
            "lagerarbetare-goteborg-sv"
        ]
    );
    assert_eq!(
        texts_of(&leaves, "requisitionid")[1..3],
        ["data-engineer-en", "data-engineer-en"]
    );
    assert_eq!(
        texts_of(&leaves, "remotetype"),
        ["Fully remote", "Hybrid remote", "Hybrid remote"]
    );
    assert_eq!(texts_of(&leaves, "country"), ["DK", "SE", "NO", "SE"]);
    assert!(texts_of(&leaves, "url")[1].ends_with("?ref=site&lang=en&utm_source=indeed"));
    assert_eq!(
        texts_of(&leaves, "expirationdate"),
        ["2027-01-31", "2026-12-31"]
    );
    let text = utf8(f);
    let job_part = &text[text.find("<job>").unwrap()..];
    assert!(
        !job_part.contains("&amp;") && !job_part.contains("&nbsp;") && !job_part.contains("&gt;"),
        "{text}"
    );
    for name in ["title", "date", "url", "description", "email"] {
        assert!(
            job_part.contains(&format!("<{name}><![CDATA[")),
            "{name} not in CDATA"
        );
    }
}

#[test]
fn linkedin_and_sitemap_read_back_with_quick_xml() {
    let ps = postings();
    let files = render_all(&ps);
    let li = files.iter().find(|f| f.format == Format::Linkedin).unwrap();
    let leaves = xml_leaves(&li.bytes).unwrap();
    assert_eq!(texts_of(&leaves, "expectedJobCount"), ["3"]);
    assert!(
        texts_of(&leaves, "partnerJobId")
            .iter()
            .all(|id| id.chars().count() <= 40)
    );
    assert_eq!(
        texts_of(&leaves, "workplaceTypes"),
        ["Remote", "Hybrid", "On-site"]
    );
    assert_eq!(
        texts_of(&leaves, "applyUrl")[2],
        "https://www.example.com/sv/karriar/lagerarbetare/?utm_source=linkedin"
    );

    let sm = files.iter().find(|f| f.format == Format::Sitemap).unwrap();
    let leaves = xml_leaves(&sm.bytes).unwrap();
    let locs: Vec<&str> = ps.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(texts_of(&leaves, "loc"), locs);
    assert_eq!(texts_of(&leaves, "lastmod")[1], "2026-11-21T14:15:00+00:00");
    assert!(
        utf8(sm)
            .contains(r#"hreflang="sv" href="https://www.example.com/sv/karriar/data-engineer/""#)
    );
}

#[test]
fn board_presets_and_indeed_are_well_formed() {
    for f in render_all(&postings())
        .iter()
        .filter(|f| matches!(f.format, Format::Indeed | Format::Board))
    {
        let leaves = xml_leaves(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.output));
        assert!(!leaves.is_empty());
    }
}

#[test]
fn the_validation_gate_accepts_every_rendered_file() {
    let gate = jobfeed::validate::Gate::new();
    let mut ps = postings();
    // LinkedIn wants at least 100 characters of description; the fixtures are short.
    for p in &mut ps {
        p.description_html = format!("{}<p>Vi tilbyder / We offer / Vi erbjuder: flexible hours, a pension plan and a learning budget.</p>", p.description_html).into();
    }
    let errors: Vec<String> = render_all(&ps)
        .iter()
        .flat_map(|f| {
            gate.check_file(f)
                .into_iter()
                .filter(|d| d.is_error())
                .map(move |d| format!("{} {}: {}", f.output, f.path, d.human()))
        })
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn missing_board_contacts_render_empty_and_the_gate_rejects_them() {
    let gate = jobfeed::validate::Gate::new();
    let mut feed = feed();
    feed.organization.email = None;
    feed.organization.poster_email = None;
    feed.organization.linkedin_company_id = None;
    let ps = postings();
    let ctx = RenderContext {
        feed: &feed,
        updated: feed_updated(&ps, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
    };
    for kind in [OutputKind::Indeed, OutputKind::Linkedin] {
        let files = render_output(&output(kind), &ps, &ctx);
        let errors = gate.check_file(&files[0]);
        assert!(
            errors.iter().any(|d| d.is_error()),
            "{kind:?} accepted without contacts"
        );
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    assert_eq!(render_all(&postings()), render_all(&postings()));
}

#[test]
fn changing_one_posting_changes_only_its_sitemap_lastmod() {
    let before = postings();
    let mut after = before.clone();
    after[2].updated = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
    let sitemap = |ps: &[Posting]| {
        let f = render_all(ps)
            .into_iter()
            .find(|f| f.format == Format::Sitemap)
            .unwrap();
        String::from_utf8(f.bytes).unwrap()
    };
    let (a, b) = (sitemap(&before), sitemap(&after));
    let changed: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert_eq!(a.lines().count(), b.lines().count());
    assert_eq!(
        changed,
        [(
            "    <lastmod>2026-11-01T12:00:00+00:00</lastmod>",
            "    <lastmod>2026-11-25T00:00:00+00:00</lastmod>"
        )]
    );
}

/// Hostile text pieces: markup, CDATA end, entities, controls, bidi marks, emoji.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<char>().prop_map(String::from),
        1 => Just("]]>".to_string()),
        1 => Just("</script>".to_string()),
        1 => Just("&".to_string()),
        1 => Just("&nbsp;&amp;&#1;&#xFFFE;".to_string()),
        1 => Just("<![CDATA[".to_string()),
        1 => Just("\u{200f}\u{202e}\u{200d}".to_string()),
        1 => Just("🎉👩‍💻".to_string()),
        1 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        1 => (0x80u32..0xA0).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        1 => Just("\u{FFFE}\u{FFFF}".to_string()),
        1 => Just("\r\n".to_string()),
    ]
}

fn hostile(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max_pieces).prop_map(|v| v.concat())
}

/// Mostly short text; sometimes repeated up to ~100 kB.
fn long_hostile() -> impl Strategy<Value = String> {
    (
        hostile(64),
        prop_oneof![4 => Just(1usize), 1 => 1usize..2000],
    )
        .prop_map(|(s, n)| {
            let mut out = s.repeat(n);
            let mut cut = out.len().min(100_000);
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out
        })
}

/// The title as an XML reader sees it: illegal characters gone, line ends normalised.
fn visible(s: &str) -> String {
    eol(&xml_clean(s))
}

/// XML 1.0 §2.11 line-end normalisation, which quick-xml's reader leaves to the caller.
fn eol(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_xml_output_is_well_formed_and_keeps_the_title(
        title in hostile(40).prop_filter("a title", |t| !t.trim().is_empty()),
        description in long_hostile(),
        team in hostile(20),
    ) {
        let mut p = hybrid_en();
        p.title = title.clone();
        p.description_html = description.into();
        p.team = Some(team);
        p.summary = Some(title.clone());
        let ps = vec![p];
        for f in render_all(&ps) {
            match f.format {
                Format::JsonFeed | Format::JsonLd | Format::Postings => {
                    let v: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
                    let t = if f.format == Format::JsonFeed { &v["items"][0]["title"] } else if f.format == Format::Postings { &v[0]["title"] } else { &v["title"] };
                    prop_assert_eq!(t.as_str(), Some(title.as_str()));
                }
                Format::JsonLdSnippet => {
                    let s = utf8(&f);
                    let inner = s.split("\n</script>").next().unwrap().trim_start_matches("<script type=\"application/ld+json\">\n");
                    prop_assert!(!inner.contains('<'));
                    let v: serde_json::Value = serde_json::from_str(inner).unwrap();
                    prop_assert_eq!(v["title"].as_str(), Some(title.as_str()));
                }
                _ => {
                    let leaves = xml_leaves(&f.bytes).map_err(|e| TestCaseError::fail(format!("{} {}: {e}", f.output, f.path)))?;
                    let expected = match f.format {
                        // Boards get decoded entities (Indeed forbids them).
                        Format::Indeed | Format::Board => visible(&decode_entities(&title)),
                        _ => visible(&title),
                    };
                    let name = match f.output.as_str() { "jooble" => "name", _ => "title" };
                    let titles = texts_of(&leaves, name);
                    if f.format == Format::Sitemap {
                        prop_assert!(titles.is_empty());
                    } else {
                        // The channel title comes first in RSS/Atom; the posting's is last.
                        prop_assert_eq!(titles.last().map(|t| eol(t)), Some(expected), "{} {}", f.output, f.path);
                    }
                }
            }
        }
    }
}

#[test]
fn a_change_in_one_language_leaves_other_language_feeds_byte_identical() {
    let before = postings();
    let mut after = before.clone();
    let en = after.iter_mut().find(|p| p.language == "en").unwrap();
    en.updated = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
    let (a, b) = (render_all(&before), render_all(&after));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.path, y.path);
        let other_language = x.path.starts_with("da/") || x.path.starts_with("sv/");
        if other_language {
            assert_eq!(x.bytes, y.bytes, "{} {} changed", x.output, x.path);
        }
    }
    let rss = |fs: &[Rendered]| {
        fs.iter()
            .find(|f| f.path == "en/rss.xml")
            .unwrap()
            .bytes
            .clone()
    };
    assert_ne!(rss(&a), rss(&b));
}
