//! Markdown source: postings kept as markdown files with front matter (Hugo, Jekyll, Zola).
//! Finds the posting files, reads front matter and body, and hands over raw facts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{RawPosting, SourceContext, SourceOutput};
use crate::diag::Diagnostic;

/// Configuration of a markdown source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Name of the source in reports (default `markdown`).
    #[serde(default)]
    pub name: Option<String>,
    /// The site root (or a content directory), relative to the feed file.
    pub path: PathBuf,
    /// The section holding the postings (`career`, `jobs` …).
    #[serde(default)]
    pub section: Option<String>,
    /// Public URL of the site, when the site config does not say it.
    #[serde(default)]
    pub base_url: Option<url::Url>,
}

/// Reads every posting file of the source.
pub fn read(cfg: &MarkdownConfig, name: &str, ctx: &SourceContext<'_>) -> SourceOutput {
    let mut out = SourceOutput::default();
    let root = ctx.config_dir.join(&cfg.path);
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    for file in files {
        if file.file_name().is_some_and(|n| n == "_index.md") {
            continue;
        }
        match read_file(&file, cfg, name, ctx) {
            Ok(Some(p)) => out.postings.push(p),
            Ok(None) => {}
            Err(d) => out.diagnostics.push(d),
        }
        out.files.push(file);
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, files);
        } else if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
}

fn read_file(
    file: &Path,
    cfg: &MarkdownConfig,
    name: &str,
    ctx: &SourceContext<'_>,
) -> Result<Option<RawPosting>, Diagnostic> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        Diagnostic::error("markdown.read", format!("cannot read file: {e}")).file(&shown)
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let rest = text.strip_prefix("---\n").ok_or_else(|| {
        Diagnostic::error(
            "frontmatter.missing",
            "expected front matter starting with ---",
        )
        .file(&shown)
        .line(Some(1))
    })?;
    let (fm, body) = rest.split_once("\n---\n").ok_or_else(|| {
        Diagnostic::error(
            "frontmatter.unclosed",
            "front matter is not closed with ---",
        )
        .file(&shown)
        .line(Some(1))
    })?;
    let map: BTreeMap<String, serde_json::Value> = serde_saphyr::from_str(fm).map_err(|e| {
        Diagnostic::error(
            "frontmatter.yaml",
            format!("invalid YAML front matter: {e}"),
        )
        .file(&shown)
        .line(Some(1))
    })?;
    let map: BTreeMap<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect();
    let s = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if map.get("draft").and_then(|v| v.as_bool()) == Some(true) && !ctx.drafts {
        return Ok(None);
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let base = cfg
        .base_url
        .clone()
        .unwrap_or_else(|| ctx.feed.base_url.clone());
    let section = cfg.section.as_deref().unwrap_or("career");
    let url = base
        .join(&format!("{section}/{stem}/"))
        .ok()
        .map(|u| u.to_string());
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    let html = ammonia::clean(&html);
    let mut lines = BTreeMap::new();
    lines.insert(String::new(), 1);
    for (i, l) in fm.lines().enumerate() {
        if let Some((k, _)) = l.split_once(':') {
            lines.entry(k.trim().to_lowercase()).or_insert(i as u32 + 2);
        }
    }
    Ok(Some(RawPosting {
        source: name.to_string(),
        origin: shown,
        field_lines: lines,
        id: s("id"),
        group: Some(stem),
        language: s("language"),
        title: s("title"),
        description_html: Some(html),
        body_text: Some(body.to_string()),
        summary: s("intro").or_else(|| s("description")),
        url,
        apply: s("apply").or_else(|| s("sidebarlinkurl")),
        date_posted: s("date"),
        valid_through: s("expirydate"),
        updated: s("lastmod"),
        employment: s("duration").into_iter().collect(),
        location_text: s("location").into_iter().collect(),
        team: s("team"),
        ..RawPosting::default()
    }))
}
