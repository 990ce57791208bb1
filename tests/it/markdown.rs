//! Markdown source end to end: example Hugo sites under `tests/fixtures/sites/` read, normalised
//! and checked for the URLs, languages, apply targets, workplaces and salaries a site publishes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use jobfeed::config::{LoadedFeed, parse_feed};
use jobfeed::diag::Diagnostic;
use jobfeed::model::{Apply, Arrangement, EmploymentType, Posting};
use jobfeed::normalise::{Normalised, normalise};
use jobfeed::source::{self, SourceContext, SourceOutput};

fn sites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn feed_in(dir: &Path, source: &str) -> LoadedFeed {
    let text = format!(
        r#"
id = "fjordbit"
title = "Fjordbit jobs"
base_url = "https://jobs.example.test/fjordbit/"
language = "en"
timezone = "Europe/Stockholm"

[organization]
name = "Fjordbit"

[[sources]]
type = "markdown"
{source}
"#
    );
    parse_feed(&text, &dir.join("feed.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn run_in(dir: &Path, source: &str, drafts: bool) -> (SourceOutput, Normalised) {
    let feed = feed_in(dir, source);
    let ctx = SourceContext {
        feed: &feed.config,
        config_dir: &feed.dir,
        state_dir: &feed.dir,
        drafts,
        now: now(),
        cache: None,
        only: None,
        spill: None,
    };
    let out = source::read(&feed.config.sources[0], &ctx);
    let n = normalise(out.postings.clone(), &feed.config, now());
    (out, n)
}

fn run(source: &str, drafts: bool) -> (SourceOutput, Normalised) {
    run_in(&sites(), source, drafts)
}

fn by_lang<'a>(n: &'a Normalised, lang: &str) -> Vec<&'a Posting> {
    n.postings.iter().filter(|p| p.language == lang).collect()
}

fn one<'a>(n: &'a Normalised, id: &str) -> &'a Posting {
    n.postings.iter().find(|p| p.id == id).unwrap_or_else(|| {
        panic!(
            "no posting {id}; have {:?}",
            n.postings.iter().map(|p| &p.id).collect::<Vec<_>>()
        )
    })
}

fn rules(d: &[Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.rule.clone()).collect()
}

const NORDIC: &str = "path = \"nordic\"\nsection = \"career\"";

#[test]
fn multilingual_site_publishes_each_language_under_its_own_host_and_permalink() {
    let (_, n) = run(NORDIC, false);
    let urls: Vec<(&str, &str)> = n
        .postings
        .iter()
        .map(|p| (p.language.as_str(), p.url.as_str()))
        .collect();
    assert!(
        urls.contains(&(
            "sv",
            "https://fjordbit.example.se/karriar/backendutvecklare-i-goteborg/"
        )),
        "{urls:?}"
    );
    assert!(
        urls.contains(&(
            "en",
            "https://fjordbit.example.eu/career/backend-developer-storage-platform/"
        )),
        "{urls:?}"
    );
    assert!(
        urls.contains(&(
            "da",
            "https://fjordbit.example.dk/career/2026-backend-developer/"
        )),
        "{urls:?}"
    );
    assert!(
        urls.contains(&(
            "nb",
            "https://fjordbit.example.no/career/2025-nettverksingenior/"
        )),
        "{urls:?}"
    );
    assert_eq!(n.postings.len(), 4, "{urls:?}");
}

#[test]
fn section_index_drafts_future_and_opted_out_pages_are_not_postings() {
    let (out, n) = run(NORDIC, false);
    let origins: Vec<&str> = out.postings.iter().map(|p| p.origin.as_str()).collect();
    for skipped in [
        "_index.md",
        "2026-draft-role.md",
        "2026-future-role.md",
        "handbook.md",
    ] {
        assert!(
            !origins.iter().any(|o| o.ends_with(skipped)),
            "{skipped} in {origins:?}"
        );
    }
    // A future page waits, and its author is told why it is not out, where.
    let scheduled = out
        .diagnostics
        .iter()
        .find(|d| d.rule == "posting.scheduled")
        .expect("a warning for the future page");
    assert!(!scheduled.is_error());
    assert!(
        scheduled
            .file
            .as_deref()
            .is_some_and(|f| f.ends_with("2026-future-role.md")),
        "{scheduled:?}"
    );
    assert_eq!(scheduled.line, Some(4), "{scheduled:?}");
    assert!(scheduled.message.contains("2027-01-15"), "{scheduled:?}");
    // The expired page is read, then left out by normalise with its reason.
    assert!(
        n.skipped
            .iter()
            .any(|(o, why)| o.ends_with("2026-old-role.md") && why.contains("expired")),
        "{:?}",
        n.skipped
    );
    let (out, _) = run(NORDIC, true);
    assert!(
        out.postings
            .iter()
            .any(|p| p.origin.ends_with("2026-draft-role.md"))
    );
}

#[test]
fn content_directory_language_wins_over_disagreeing_front_matter_keys() {
    let (out, n) = run(NORDIC, false);
    let da = by_lang(&n, "da");
    assert_eq!(da.len(), 1);
    let warning = out
        .diagnostics
        .iter()
        .find(|d| {
            d.rule == "frontmatter.case-conflict"
                && d.file.as_deref().is_some_and(|f| f.contains("/da/"))
        })
        .expect("a warning about language/Language");
    assert!(
        warning.message.contains("`language`") && warning.message.contains("`Language`"),
        "{}",
        warning.message
    );
    assert_eq!(warning.line, Some(8));
}

#[test]
fn danish_posting_is_remote_across_the_eu_with_its_body_salary() {
    let (_, n) = run(NORDIC, false);
    let p = one(&n, "2026-backend-developer-da");
    assert_eq!(p.workplace.arrangement, Arrangement::Remote);
    assert_eq!(p.workplace.applicant_countries.len(), 27);
    assert!(p.workplace.applicant_countries.contains(&"DK".to_string()));
    let s = p.salary.as_ref().expect("salary");
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("EUR", Some(50000.0), Some(80000.0), "YEAR")
    );
    assert_eq!(p.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(
        p.apply,
        Apply::Url {
            url: "https://fjordbit.example-ats.test/jobs/4711/apply".into()
        }
    );
}

#[test]
fn descriptions_have_no_shortcode_syntax_and_keep_wrapper_content() {
    let (_, n) = run(NORDIC, false);
    for p in &n.postings {
        assert!(
            !p.description_html.html().contains("{{"),
            "{}: {}",
            p.id,
            p.description_html
        );
        assert!(
            !p.description_html.html().contains("accordion-script"),
            "{}",
            p.id
        );
    }
    let da = one(&n, "2026-backend-developer-da");
    assert!(
        da.description_html
            .html()
            .contains("<strong>Sådan ansætter vi</strong>"),
        "{}",
        da.description_html
    );
    assert!(da.description_html.html().contains("Løninterval"));
    let nb = one(&n, "2025-nettverksingenior-nb");
    assert!(
        nb.description_html.html().contains("Du får frihet"),
        "{}",
        nb.description_html
    );
    assert!(
        nb.description_html
            .html()
            .contains("href=\"https://fjordbit.example.no/career/2025-nettverksingenior/#info\""),
        "{}",
        nb.description_html
    );
}

#[test]
fn english_links_resolve_against_the_page_and_relref_finds_the_target() {
    let (_, n) = run(NORDIC, false);
    let en = one(&n, "2026-backend-developer-en");
    let html = &en.description_html.html();
    assert!(
        html.contains("href=\"https://fjordbit.example.eu/career/handbook/\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://fjordbit.example.eu/career/\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://fjordbit.example.eu/career/backend-developer-storage-platform/#process\""), "{html}");
    assert_eq!(en.workplace.arrangement, Arrangement::Remote);
    assert_eq!(en.workplace.applicant_countries.len(), 27);
    let s = en.salary.as_ref().expect("salary");
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("EUR", Some(50000.0), Some(80000.0), "YEAR")
    );
    assert_eq!(en.team.as_deref(), Some("Storage"));
    assert!(en.valid_through.is_some());
}

#[test]
fn swedish_toml_posting_reads_localised_location_employment_and_monthly_sek() {
    let (_, n) = run(NORDIC, false);
    let sv = one(&n, "2026-backend-developer-sv");
    assert_eq!(sv.workplace.arrangement, Arrangement::Remote);
    assert_eq!(sv.workplace.applicant_countries, vec!["NO", "SE"]);
    assert_eq!(sv.employment_types, vec![EmploymentType::FullTime]);
    let s = sv.salary.as_ref().expect("salary");
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("SEK", Some(45000.0), Some(55000.0), "MONTH")
    );
}

#[test]
fn translations_share_a_group_and_link_to_each_other() {
    let (_, n) = run(NORDIC, false);
    let en = one(&n, "2026-backend-developer-en");
    let langs: Vec<&str> = en.alternates.iter().map(|a| a.language.as_str()).collect();
    assert_eq!(langs, vec!["da", "sv"]);
}

#[test]
fn field_lines_point_at_the_front_matter_keys() {
    let (out, _) = run(NORDIC, false);
    let da = out
        .postings
        .iter()
        .find(|p| p.origin.contains("/da/"))
        .unwrap();
    assert_eq!(da.line_of("title"), Some(2));
    assert_eq!(da.line_of("apply"), Some(6));
    assert_eq!(da.line_of("employment"), Some(10));
    assert_eq!(da.line_of("description"), Some(12));
    assert_eq!(
        da.line_of("salary"),
        Some(33),
        "the body line with the amount"
    );
}

#[test]
fn per_language_base_url_in_the_feed_overrides_the_site() {
    let src = format!("{NORDIC}\nbase_urls = {{ da = \"https://staging.example.dk/\" }}");
    let (_, n) = run(&src, false);
    assert_eq!(
        one(&n, "2026-backend-developer-da").url,
        "https://staging.example.dk/career/2026-backend-developer/"
    );
}

#[test]
fn legacy_site_reads_mailto_anchor_apply_and_on_site_office() {
    let (out, n) = run("path = \"legacy\"\nsection = \"career\"", true);
    assert_eq!(n.postings.len(), 3, "{:?}", rules(&n.diagnostics));
    let pe = one(&n, "platform-engineer-en");
    assert_eq!(
        pe.url,
        "https://www.fjordbit.example/career/platform-engineer/"
    );
    assert_eq!(
        pe.apply,
        Apply::Email {
            email: "jobs@fjordbit.example".into()
        }
    );
    assert_eq!(pe.workplace.arrangement, Arrangement::Remote);
    assert_eq!(pe.workplace.applicant_countries, vec!["NO", "SE"]);
    assert_eq!(pe.team.as_deref(), Some("Container platform"));
    assert!(
        !pe.description_html.html().contains("Questions?"),
        "{}",
        pe.description_html
    );

    let cfo = one(&n, "cfo-en");
    assert_eq!(
        cfo.apply,
        Apply::Url {
            url: cfo.url.clone()
        }
    );
    assert!(
        n.diagnostics
            .iter()
            .any(|d| d.rule == "posting.apply" && d.message.contains("#down"))
    );
    assert_eq!(cfo.workplace.arrangement, Arrangement::OnSite);
    let office = &cfo.locations[0];
    assert_eq!(
        (
            office.locality.as_deref(),
            office.region.as_deref(),
            office.country.as_str()
        ),
        (Some("Solna"), Some("Stockholm"), "SE")
    );
    assert!(
        !cfo.description_html.html().contains("Read more")
            && !cfo.description_html.html().contains("chair@"),
        "{}",
        cfo.description_html
    );

    let ctl = one(&n, "controller-en");
    assert_eq!(ctl.employment_types, vec![EmploymentType::PartTime]);
    assert_eq!(ctl.workplace.arrangement, Arrangement::Remote);
    assert_eq!(ctl.workplace.applicant_countries, vec!["SE"]);
    assert!(
        out.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn legacy_drafts_stay_out_without_the_drafts_flag() {
    let (out, _) = run("path = \"legacy\"\nsection = \"career\"", false);
    let origins: Vec<&str> = out.postings.iter().map(|p| p.origin.as_str()).collect();
    assert_eq!(origins.len(), 1, "{origins:?}");
    assert!(origins[0].ends_with("controller.md"));
}

#[test]
fn globs_select_postings_instead_of_a_section() {
    let (out, _) = run(
        "path = \"nordic\"\nglob = [\"career/2026-backend-*.md\"]",
        false,
    );
    assert_eq!(
        out.postings.len(),
        3,
        "{:?}",
        out.postings.iter().map(|p| &p.origin).collect::<Vec<_>>()
    );
}

#[test]
fn broken_files_become_diagnostics_and_the_rest_continue() {
    let dir = tempfile::tempdir().unwrap();
    let career = dir.path().join("site/content/jobs");
    std::fs::create_dir_all(&career).unwrap();
    std::fs::write(
        dir.path().join("site/config.toml"),
        "baseURL = 'https://x.example/'\n",
    )
    .unwrap();
    std::fs::write(
        career.join("a-bad-yaml.md"),
        "---\ntitle: ok\nname: Foo: Bar\n---\nx\n",
    )
    .unwrap();
    std::fs::write(career.join("b-unclosed.md"), "---\ntitle: x\n").unwrap();
    std::fs::write(career.join("c-binary.md"), b"\x00\x01\x02binary").unwrap();
    std::fs::write(
        career.join("d-latin1.md"),
        b"---\ntitle: \"Caf\xe9\"\n---\n",
    )
    .unwrap();
    std::fs::write(career.join("e-big.md"), "x".repeat(5 * 1024 * 1024 + 1)).unwrap();
    std::fs::write(
        career.join("f-good.md"),
        "---\ntitle: Good\ndate: 2026-01-01\ncountry: NO\non: yes\napply: https://x.example/a\n---\nA job.\n",
    )
    .unwrap();
    let (out, n) = run_in(dir.path(), "path = \"site\"\nsection = \"jobs\"", false);
    let found: Vec<(String, Option<u32>)> = out
        .diagnostics
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}",
                    d.file.as_deref().unwrap_or("").rsplit('/').next().unwrap(),
                    d.rule
                ),
                d.line,
            )
        })
        .collect();
    for (expected, line) in [
        ("a-bad-yaml.md:frontmatter.yaml", Some(3)),
        ("b-unclosed.md:frontmatter.unclosed", Some(1)),
        ("c-binary.md:markdown.binary", Some(1)),
        ("d-latin1.md:markdown.encoding", Some(2)),
    ] {
        assert!(
            found.contains(&(expected.to_string(), line)),
            "{expected} in {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|(f, _)| f == "e-big.md:markdown.too-large"),
        "{found:?}"
    );
    assert_eq!(n.postings.len(), 1);
    assert_eq!(n.postings[0].url, "https://x.example/jobs/f-good/");
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("content/jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("a.md"),
        "---\ntitle: A\ndate: 2026-01-01\n---\nText\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&jobs, jobs.join("loop")).unwrap();
    let (out, _) = run_in(
        dir.path(),
        "path = \".\"\nsection = \"jobs\"\nbase_url = \"https://x.example/\"",
        false,
    );
    assert_eq!(out.postings.len(), 1);
}

fn front_matter_line() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just("title: \"A job\"".to_string()),
        Just("Title: Foo: Bar".to_string()),
        Just("date: 2026-01-01".to_string()),
        Just("date: not a date".to_string()),
        Just("country: NO".to_string()),
        Just("draft: yes".to_string()),
        Just("location: Remote (Sweden or Norway)".to_string()),
        Just("salary: { min: 1, max: x }".to_string()),
        Just("apply: javascript:alert(1)".to_string()),
        Just("  - dangling".to_string()),
        Just("language: da\nLanguage: En".to_string()),
        "[a-zA-Z]{1,8}: [a-z0-9 {}\\[\\]:\"]{0,12}",
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    #[test]
    fn random_front_matter_and_bodies_never_panic_and_failures_are_diagnostics(
        fm in proptest::collection::vec(front_matter_line(), 0..8),
        fence in proptest::sample::select(vec!["---", "+++", ""]),
        body in "[a-zA-Z0-9 {}<>%/#*\\[\\]()\n€-]{0,120}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let jobs = dir.path().join("content/jobs");
        std::fs::create_dir_all(&jobs).unwrap();
        let text = if fence.is_empty() { body.clone() } else { format!("{fence}\n{}\n{fence}\n{body}", fm.join("\n")) };
        std::fs::write(jobs.join("job.md"), &text).unwrap();
        let (out, n) = run_in(dir.path(), "path = \".\"\nsection = \"jobs\"\nbase_url = \"https://x.example/\"", false);
        let file_errors = out.diagnostics.iter().filter(|d| d.is_error()).count();
        // A file is either read (one raw posting) or reported; never both, never neither unless skipped as a draft or future page.
        proptest::prop_assert!(out.postings.len() + file_errors <= 1, "{:?}", out.diagnostics);
        for d in out.diagnostics.iter().chain(&n.diagnostics) {
            proptest::prop_assert!(d.file.is_some(), "{d:?}");
        }
        for p in &n.postings {
            proptest::prop_assert!(!p.description_html.html().contains("{{"));
        }
    }
}

#[test]
fn configured_field_names_value_words_exclusion_key_and_shortcode_rules_apply() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("content/jobb");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("a.md"),
        "---\njobtitle: \"Driftstekniker\"\ndate: \"2026-01-10\"\nform: \"Fast anställning\"\nort: \"Flexibelt\"\nlön: { currency: SEK, min: 40000, max: 48000, unit: month }\n---\nText.\n\n{{% note %}}Intern anteckning{{% /note %}}\n\nLön: 1 - 2 EUR per year\n",
    )
    .unwrap();
    std::fs::write(
        jobs.join("b.md"),
        "---\njobtitle: Hidden\ndate: 2026-01-10\npublicera: false\n---\nx\n",
    )
    .unwrap();
    let source = r#"path = "."
section = "jobb"
base_url = "https://x.example/"
language = "sv"
exclude_key = "publicera"
employment_words = { "Fast anställning" = "FULL_TIME" }
arrangement_words = { "Flexibelt" = "hybrid" }
shortcodes = { drop = ["note"] }
[sources.fields]
title = "jobtitle"
employment = "form"
location = "ort"
salary = "lön""#;
    let (out, n) = run_in(dir.path(), source, false);
    assert_eq!(out.postings.len(), 1, "{:?}", out.diagnostics);
    let p = &n.postings[0];
    assert_eq!(p.title, "Driftstekniker");
    assert_eq!(p.language, "sv");
    assert_eq!(p.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(p.workplace.arrangement, Arrangement::Hybrid);
    assert!(
        !p.description_html.html().contains("Intern anteckning"),
        "{}",
        p.description_html
    );
    // Front matter salary wins over the body line.
    let s = p.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("SEK", Some(40000.0), Some(48000.0), "MONTH")
    );
}

#[test]
fn pages_hugo_does_not_render_are_not_postings() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("content/jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("a.md"),
        "---\ntitle: A\ndate: 2026-01-01\nbuild:\n  render: never\n---\nx\n",
    )
    .unwrap();
    std::fs::write(
        jobs.join("b.md"),
        "---\ntitle: B\ndate: 2026-01-01\njobfeed: false\n---\nx\n",
    )
    .unwrap();
    std::fs::write(
        jobs.join("c.md"),
        "---\ntitle: C\ndate: 2026-01-01\n---\nx\n",
    )
    .unwrap();
    let (out, _) = run_in(
        dir.path(),
        "path = \".\"\nsection = \"jobs\"\nbase_url = \"https://x.example/\"",
        false,
    );
    let origins: Vec<&str> = out.postings.iter().map(|p| p.origin.as_str()).collect();
    assert_eq!(origins.len(), 1, "{origins:?}");
    assert!(origins[0].ends_with("c.md"));
}

#[test]
fn apply_button_shortcode_supplies_the_apply_link_when_front_matter_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("content/jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("a.md"),
        "---\ntitle: A\ndate: 2026-01-01\n---\nText.\n\n{{< icon-block-horisontal text=\"Apply\" link=\"https://ats.example/9\" >}}\n",
    )
    .unwrap();
    let (out, n) = run_in(
        dir.path(),
        "path = \".\"\nsection = \"jobs\"\nbase_url = \"https://x.example/\"",
        false,
    );
    assert_eq!(
        n.postings[0].apply,
        Apply::Url {
            url: "https://ats.example/9".into()
        }
    );
    assert_eq!(out.postings[0].line_of("apply"), Some(7));
    assert!(
        !n.postings[0].description_html.html().contains("Apply"),
        "{}",
        n.postings[0].description_html
    );
}

/// Runs a site of `files` (name, text) under `content/jobs`, with no drafts.
fn jobs_site(files: &[(&str, &str)]) -> (SourceOutput, Normalised) {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("content/jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    for (name, text) in files {
        std::fs::write(jobs.join(name), text).unwrap();
    }
    run_in(
        dir.path(),
        "path = \".\"\nsection = \"jobs\"\nbase_url = \"https://x.example/\"",
        false,
    )
}

#[test]
fn a_draft_flag_that_is_neither_true_nor_false_is_published_with_a_warning_at_its_line() {
    let (out, _) = jobs_site(&[(
        "a.md",
        "---\ntitle: \"Engineer\"\ndate: \"2026-05-01\"\ndraft: flase\napply: \"https://x.example/apply\"\n---\nBuild things.\n",
    )]);
    assert_eq!(out.postings.len(), 1);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.rule == "frontmatter.draft")
        .expect("a warning about the draft flag");
    assert_eq!((d.line, d.is_error()), (Some(4), false), "{d:?}");
    assert!(d.message.contains("flase"), "{d:?}");
}

#[test]
fn a_misspelt_front_matter_key_gets_a_did_you_mean_at_its_line() {
    let (out, _) = jobs_site(&[
        (
            "a.md",
            "---\nTilte: \"Engineer\"\ndat: \"2026-05-01\"\napply: \"https://x.example/apply\"\n---\nBuild things.\n",
        ),
        // Keys near no field it lacks stay quiet.
        (
            "b.md",
            "---\ntitle: \"Engineer\"\ndate: \"2026-05-01\"\napply: \"https://x.example/apply\"\nteam_lead: \"Kim\"\ntags: [\"ops\"]\n---\nBuild things.\n",
        ),
    ]);
    let hints: Vec<(String, Option<u32>, String)> = out
        .diagnostics
        .iter()
        .filter(|d| d.rule == "frontmatter.unknown-key")
        .map(|d| {
            (
                d.file.clone().unwrap_or_default(),
                d.line,
                d.message.clone(),
            )
        })
        .collect();
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert!(hints.iter().all(|(f, ..)| f.ends_with("a.md")), "{hints:?}");
    assert!(
        hints
            .iter()
            .any(|(_, l, m)| *l == Some(2) && m.contains("did you mean `title`")),
        "{hints:?}"
    );
    assert!(
        hints
            .iter()
            .any(|(_, l, m)| *l == Some(3) && m.contains("did you mean `date`")),
        "{hints:?}"
    );
}

#[test]
fn a_list_where_one_value_is_read_is_said_to_be_a_list_at_its_line() {
    let (out, n) = jobs_site(&[(
        "a.md",
        "---\ntitle: [\"Senior Platform Engineer\", \"SRE\"]\ndate: \"2026-05-01\"\napply: \"https://x.example/apply\"\n---\nBuild things.\n",
    )]);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.rule == "frontmatter.type")
        .expect("a finding about the list");
    assert_eq!(d.line, Some(2), "{d:?}");
    assert!(d.message.contains("is a list"), "{d:?}");
    assert!(n.postings.is_empty(), "no title, no posting");
}

#[test]
fn an_unknown_shortcode_is_reported_at_its_own_line() {
    let (out, _) = jobs_site(&[(
        "a.md",
        "---\ntitle: \"Engineer\"\ndate: \"2026-05-01\"\napply: \"https://x.example/apply\"\n---\nBuild things.\n\n{{< benefits-table >}}\n",
    )]);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.rule == "markdown.shortcode-unknown")
        .expect("a warning");
    assert_eq!(d.line, Some(8), "{d:?}");
}
