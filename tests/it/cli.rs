//! The `jobfeed` binary as a user runs it: exit codes, messages, and what lands on disk.

use std::path::Path;
use std::process::Output;

use crate::support::{bin, example_copy, replace_in};

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn jsonld_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("public/example/jobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonld"))
        .collect();
    v.sort();
    v
}

#[test]
fn build_on_the_example_publishes_every_current_posting_with_rss_and_sitemap() {
    let dir = example_copy();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        jsonld_files(dir.path()),
        [
            "backend-developer-go-en.jsonld",
            "datacentertekniker-sv.jsonld",
            "site-reliability-engineer-en.jsonld",
            "site-reliability-engineer-sv.jsonld",
        ],
        "the draft and the expired posting must not be published"
    );
    for f in ["rss.xml", "sitemap.xml", "report.json", "postings.json"] {
        let p = dir.path().join("public/example").join(f);
        assert!(p.is_file(), "{f} missing");
    }
    let summary = text(&out);
    assert!(
        summary.contains("4 postings published, 1 skipped, 0 invalid"),
        "{summary}"
    );
    // Which one, and why, not only how many.
    assert!(
        summary.contains("support-engineer-2025.md: skipped: expired"),
        "{summary}"
    );
}

#[test]
fn drafts_flag_publishes_the_draft_too() {
    let dir = example_copy();
    let out = run(dir.path(), &["build", "--drafts"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(jsonld_files(dir.path()).contains(&"security-engineer-en.jsonld".to_string()));
}

#[test]
fn check_on_the_example_is_clean() {
    let dir = example_copy();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !dir.path().join("public").exists(),
        "check must publish nothing"
    );
}

/// Breaks two postings of a copy: one loses its title, one gets an impossible date.
fn broken_copy() -> tempfile::TempDir {
    let dir = example_copy();
    let content = dir.path().join("feeds/example/content");
    replace_in(
        &content.join("en/career/backend-developer-go.md"),
        "Title: \"Backend Developer (Go)\"\n",
        "",
    );
    replace_in(
        &content.join("sv/career/datacentertekniker.md"),
        "date: \"2026-11-10\"",
        "date: \"2026-13-45\"",
    );
    dir
}

#[test]
fn check_names_both_broken_files_with_line_and_field_and_exits_1() {
    let dir = broken_copy();
    let out = run(dir.path(), &["check"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("backend-developer-go.md:"), "{all}");
    assert!(all.contains("field `title`"), "{all}");
    assert!(all.contains("datacentertekniker.md:4:"), "{all}");
    assert!(all.contains("field `date`"), "{all}");
    assert!(all.contains("2 postings published"), "{all}");
    assert!(all.contains("2 invalid"), "{all}");
}

#[test]
fn check_github_format_prints_workflow_annotations() {
    let dir = broken_copy();
    let out = run(dir.path(), &["check", "--format", "github"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=") && l.contains("datacentertekniker.md,line=4")),
        "{stdout}"
    );
}

#[test]
fn build_on_a_broken_copy_still_publishes_the_valid_postings() {
    let dir = broken_copy();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        jsonld_files(dir.path()),
        [
            "site-reliability-engineer-en.jsonld",
            "site-reliability-engineer-sv.jsonld"
        ]
    );
}

#[test]
fn quiet_build_prints_errors_and_the_summary_but_no_warnings() {
    let dir = broken_copy();
    let loud = text(&run(dir.path(), &["build"]));
    assert!(loud.contains("warning["), "{loud}");
    let out = run(dir.path(), &["build", "--quiet"]);
    let quiet = text(&out);
    assert_eq!(out.status.code(), Some(1), "{quiet}");
    assert!(!quiet.contains("warning["), "{quiet}");
    assert!(quiet.contains("datacentertekniker.md:4:"), "{quiet}");
    assert!(quiet.contains("field `title`"), "{quiet}");
    assert!(quiet.contains("2 postings published"), "{quiet}");
}

#[test]
fn misspelt_config_key_exits_2_naming_file_line_and_the_valid_key() {
    let dir = example_copy();
    let cfg = dir.path().join("feeds/example.toml");
    let s = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, s.replacen("title = ", "titel = ", 1)).unwrap();
    let out = run(dir.path(), &["check"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("feeds/example.toml:4:"), "{all}");
    assert!(
        all.contains("`titel`") && all.contains("did you mean `title`"),
        "{all}"
    );
}

#[test]
fn rebuilding_unchanged_input_rewrites_nothing() {
    let dir = example_copy();
    assert!(run(dir.path(), &["build"]).status.success());
    let rss = dir.path().join("public/example/rss.xml");
    let before = std::fs::metadata(&rss).unwrap().modified().unwrap();
    let bytes = std::fs::read(&rss).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(run(dir.path(), &["build"]).status.success());
    assert_eq!(std::fs::read(&rss).unwrap(), bytes);
    assert_eq!(std::fs::metadata(&rss).unwrap().modified().unwrap(), before);
}

#[test]
fn removed_posting_disappears_from_the_output_directory() {
    let dir = example_copy();
    assert!(run(dir.path(), &["build"]).status.success());
    std::fs::remove_file(
        dir.path()
            .join("feeds/example/content/sv/career/datacentertekniker.md"),
    )
    .unwrap();
    assert!(run(dir.path(), &["build"]).status.success());
    assert!(!jsonld_files(dir.path()).contains(&"datacentertekniker-sv.jsonld".to_string()));
    assert!(
        !dir.path()
            .join("public/example/jobs/datacentertekniker-sv.html")
            .exists()
    );
}

#[test]
fn schema_command_prints_the_config_and_posting_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["schema", "--out", "s"]);
    assert!(out.status.success(), "{}", text(&out));
    for f in ["posting.schema.json", "config.schema.json"] {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("s").join(f)).unwrap()).unwrap();
        assert!(v.get("$schema").is_some(), "{f}");
    }
}

#[test]
fn invalid_schedule_exits_2_naming_the_feed_file_and_line() {
    let dir = example_copy();
    let cfg = dir.path().join("feeds/example.toml");
    let s = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        s.replace("schedule = \"*/15 * * * *\"", "schedule = \"0 9 * * 8\""),
    )
    .unwrap();
    let out = run(dir.path(), &["check"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("feeds/example.toml:9:"), "{all}");
    assert!(all.contains("day-of-week 8"), "{all}");
}
