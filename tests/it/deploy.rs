//! deploy/ is ready to copy: systemd units verify cleanly and score well on hardening,
//! and every Kubernetes manifest validates against the Kubernetes schemas.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::repo;

fn tool(name: &str, env: &str, fallback: &Path) -> PathBuf {
    if let Ok(p) = std::env::var(env) {
        return PathBuf::from(p);
    }
    if fallback.is_file() {
        return fallback.to_path_buf();
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "{name} is not installed: run the suite with scripts/test.sh, which installs it"
    );
    PathBuf::from(String::from_utf8_lossy(&found.stdout).trim())
}

/// The units with ExecStart pointing at the binary under test, in a temporary directory.
fn units() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo().join("deploy/systemd")).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path())
            .unwrap()
            .replace("/usr/local/bin/jobfeed", env!("CARGO_BIN_EXE_jobfeed"));
        std::fs::write(dir.path().join(e.file_name()), text).unwrap();
    }
    dir
}

#[test]
fn systemd_units_verify_without_any_warning() {
    let analyze = tool(
        "systemd-analyze",
        "JOBFEED_SYSTEMD_ANALYZE",
        Path::new("/usr/bin/systemd-analyze"),
    );
    let dir = units();
    let out = Command::new(analyze)
        .current_dir(dir.path())
        .args([
            "verify",
            "--man=no",
            "jobfeed.service",
            "jobfeed-build.service",
            "jobfeed-build.timer",
        ])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(
        all.trim().is_empty(),
        "systemd-analyze verify printed warnings:\n{all}"
    );
}

#[test]
fn service_unit_exposure_score_is_at_most_2_5() {
    let analyze = tool(
        "systemd-analyze",
        "JOBFEED_SYSTEMD_ANALYZE",
        Path::new("/usr/bin/systemd-analyze"),
    );
    let dir = units();
    let out = Command::new(analyze)
        .current_dir(dir.path())
        .args(["security", "--offline=yes", "jobfeed.service"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = all
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no exposure level in:\n{all}"));
    let score: f64 = line
        .split(':')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the score in {line:?}"));
    assert!(score <= 2.5, "exposure {score} > 2.5:\n{all}");
}

fn manifests() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![repo().join("deploy/kubernetes")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml")
                && p.file_name().is_some_and(|n| n != "kustomization.yaml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_kubernetes_manifest_validates_strictly() {
    let validate = tool(
        "kubernetes-validate",
        "JOBFEED_KUBERNETES_VALIDATE",
        &repo().join(".venv/bin/kubernetes-validate"),
    );
    let files = manifests();
    assert!(files.len() >= 6, "{files:?}");
    let out = Command::new(validate)
        .arg("--strict")
        .args(&files)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert_eq!(all.matches(" passed ").count(), files.len(), "{all}");
}

#[test]
fn kustomizations_list_only_existing_files_and_every_manifest() {
    let mut listed = Vec::new();
    for k in ["base", "sharded", "feeds", "cronjob-s3"] {
        let dir = repo().join("deploy/kubernetes").join(k);
        let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
        for line in text.lines() {
            let item = line.trim().trim_start_matches("- ").trim();
            if item.ends_with(".yaml") || item.ends_with(".toml") || item.starts_with("../") {
                let p = dir.join(item);
                assert!(p.exists(), "{k}/kustomization.yaml lists missing {item}");
                listed.push(std::fs::canonicalize(p).unwrap());
            }
        }
    }
    for m in manifests() {
        if m.parent().unwrap().ends_with("feeds") {
            continue;
        }
        assert!(
            listed.contains(&std::fs::canonicalize(&m).unwrap()),
            "{} is in no kustomization",
            m.display()
        );
    }
}

#[test]
fn feed_files_shipped_with_the_manifests_are_valid_configs() {
    let mut n = 0;
    for dir in [
        "deploy/kubernetes/feeds",
        "deploy/kubernetes/cronjob-s3/feeds",
    ] {
        for e in std::fs::read_dir(repo().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&p).unwrap();
                jobfeed::config::parse_feed(&text, &p).unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
        }
    }
    assert!(n >= 2);
}
