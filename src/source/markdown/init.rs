//! `jobfeed init --from-hugo`: a ready, commented feed config drafted from a Hugo site.
//! Reads the site config and the postings' front matter; lists what it could not decide.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::frontmatter;
use super::hugo::Site;
use super::{DEFAULT_FIELDS, walk};

/// Section names job pages are usually kept under, in the languages we read.
const SECTION_GUESSES: &[&str] = &[
    "career",
    "careers",
    "jobs",
    "job",
    "karriar",
    "karriär",
    "karriere",
    "karriere",
    "jobb",
    "lediga-jobb",
    "ledige-stillinger",
    "stillinger",
    "vacancies",
    "open-positions",
    "rekry",
    "ura",
    "stellen",
];

/// Why no config could be drafted.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} is not a directory")]
    NotADirectory(String),
    #[error("cannot read the Hugo site config: {0}")]
    Site(#[from] super::hugo::SiteError),
    #[error("cannot find the current directory: {0}")]
    Cwd(#[source] std::io::Error),
}

/// A drafted feed config.
#[derive(Debug, Clone, PartialEq)]
pub struct InitResult {
    /// The feed TOML, commented, ready to save as `out_file`.
    pub toml: String,
    /// What could not be decided and needs a human (one sentence each).
    pub undecided: Vec<String>,
    /// The section chosen.
    pub section: Option<String>,
    /// Posting files found in it.
    pub postings: usize,
}

/// Drafts a feed config for the Hugo site at `site`, to be saved as `out_file` (the site
/// path in it is written relative to `out_file`'s directory). `section` picks the posting
/// section; without it the usual names (`career`, `jobs` …) are tried.
pub fn init_from_hugo(
    site: &Path,
    section: Option<&str>,
    out_file: &Path,
) -> Result<InitResult, InitError> {
    if !site.is_dir() {
        return Err(InitError::NotADirectory(site.display().to_string()));
    }
    let cfg = Site::load(site)?;
    let roots = cfg.content_roots(site);
    let mut undecided = Vec::new();

    let count = |name: &str| -> usize {
        roots
            .iter()
            .map(|r| postings_in(&r.dir.join(name)).len())
            .sum()
    };
    let section = match section {
        Some(s) => Some(s.to_string()),
        None => {
            let best = SECTION_GUESSES
                .iter()
                .map(|s| (count(s), *s))
                .filter(|(n, _)| *n > 0)
                .max_by_key(|(n, _)| *n);
            match best {
                Some((_, s)) => Some(s.to_string()),
                None => {
                    undecided.push(
                        "no section of job postings was found (tried career, jobs …): set `section` or `glob` in [[sources]]"
                            .into(),
                    );
                    None
                }
            }
        }
    };
    let files: Vec<PathBuf> = roots
        .iter()
        .flat_map(|r| match &section {
            Some(s) => postings_in(&r.dir.join(s)),
            None => Vec::new(),
        })
        .collect();
    if section.is_some() && files.is_empty() {
        undecided.push(format!(
            "the section {:?} holds no posting pages yet",
            section.as_deref().unwrap_or("")
        ));
    }

    // Which front matter keys the postings use.
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        let Some(page) = std::fs::read(f)
            .ok()
            .and_then(|b| frontmatter::decode(&b).ok())
            .and_then(|t| frontmatter::parse(&t).ok())
        else {
            undecided.push(format!(
                "{} could not be read; run `jobfeed check` for details",
                f.display()
            ));
            continue;
        };
        for k in page.fields.keys() {
            *keys.entry(k.clone()).or_default() += 1;
        }
    }
    let mut fields: Vec<(&str, String)> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for (field, candidates) in DEFAULT_FIELDS {
        let used = candidates
            .iter()
            .filter_map(|k| keys.get(*k).map(|n| (*n, *k)))
            .max_by_key(|(n, _)| *n);
        match used {
            Some((_, k)) => fields.push((field, k.to_string())),
            None => missing.push(field),
        }
    }
    for essential in ["title", "date", "apply"] {
        if missing.contains(&essential) && !files.is_empty() {
            undecided.push(format!(
                "no front matter key for `{essential}` was found in the postings: name it under [sources.fields]"
            ));
        }
    }

    let language = cfg
        .default_language
        .clone()
        .or_else(|| {
            // Hugo's own default is `en`; otherwise the first language by weight.
            cfg.languages
                .iter()
                .min_by_key(|(code, l)| (l.weight, *code != "en", (*code).clone()))
                .map(|(code, _)| code.clone())
        })
        .or_else(|| cfg.language_code.clone())
        .map(|l| crate::normalise::language_tag(&l))
        .unwrap_or_else(|| {
            undecided
                .push("the site does not say its language: `language = \"en\"` was assumed".into());
            "en".into()
        });
    let primary = language.split('-').next().unwrap_or("").to_string();
    let timezone = match primary.as_str() {
        "sv" => "Europe/Stockholm",
        "da" => "Europe/Copenhagen",
        "nb" | "nn" | "no" => "Europe/Oslo",
        "fi" => "Europe/Helsinki",
        "de" => "Europe/Berlin",
        _ => {
            undecided
                .push("the time zone could not be told from the language: UTC was assumed".into());
            "UTC"
        }
    };
    let org = cfg
        .author
        .clone()
        .or_else(|| cfg.title.clone())
        .unwrap_or_else(|| {
            undecided.push(
                "the organisation's name is not in the site config: fill in [organization] name"
                    .into(),
            );
            "Example Employer".into()
        });
    if cfg.author.is_none() && cfg.title.is_some() {
        undecided.push(format!(
            "the organisation's name was taken from the site title {org:?}: check [organization] name"
        ));
    }
    let id = {
        let raw = crate::normalise::slug_id(&org);
        let id: String = raw.chars().filter(|c| *c != '_').take(40).collect();
        if id.is_empty() || id.starts_with('p') && id.len() == 17 {
            "jobs".to_string()
        } else {
            id
        }
    };
    undecided.push(
        "base_url is where the feed's outputs will be served: replace the example URL".into(),
    );
    if cfg.base_url.is_none() && cfg.languages.values().all(|l| l.base_url.is_none()) {
        undecided.push("the site config has no baseURL: set `base_url` in [[sources]] so postings get their page URLs".into());
    }
    let site_url = cfg
        .base_url
        .as_ref()
        .map(|u| u.to_string())
        .unwrap_or_else(|| "https://www.example.com/".into());
    if missing.contains(&"employment") {
        undecided.push(
            "the postings do not state an employment type: FULL_TIME was set as the default".into(),
        );
    }
    if missing.contains(&"location") {
        undecided.push("the postings do not state a location: set [defaults] arrangement and locations or applicant_countries".into());
    }

    let site_path = relative_to(out_file, site)?;
    let mut t = String::new();
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    t.push_str("# Feed drafted by `jobfeed init --from-hugo`. Check every line marked CHECK.\n");
    t.push_str(&format!("id = {}\n", q(&id)));
    t.push_str(&format!("title = {}\n", q(&format!("{org} jobs"))));
    t.push_str("# CHECK: the public URL the feed's outputs (rss.xml, jobs/…) are served under.\n");
    t.push_str(&format!(
        "base_url = {}\n",
        q(&format!("https://jobs.example.com/{id}/"))
    ));
    t.push_str("# Language of postings that do not say (the site's default content language).\n");
    t.push_str(&format!("language = {}\n", q(&language)));
    t.push_str(&format!("timezone = {}\n", q(timezone)));
    t.push_str("\n[organization]\n");
    t.push_str("# CHECK: the hiring organisation's legal or brand name.\n");
    t.push_str(&format!("name = {}\n", q(&org)));
    t.push_str(&format!("url = {}\n", q(&site_url)));
    t.push_str("\n[defaults]\n");
    if missing.contains(&"employment") {
        t.push_str("# CHECK: no posting states its employment type.\n");
        t.push_str("employment_types = [\"FULL_TIME\"]\n");
    } else {
        t.push_str("# Used only for postings that do not state their own.\n");
        t.push_str("# employment_types = [\"FULL_TIME\"]\n");
    }
    t.push_str("# arrangement = \"remote\"\n# applicant_countries = [\"EU\"]\n");
    t.push_str("\n[[sources]]\ntype = \"markdown\"\n");
    t.push_str("# The Hugo site, relative to this file.\n");
    t.push_str(&format!("path = {}\n", q(&site_path)));
    match &section {
        Some(s) => t.push_str(&format!("section = {}\n", q(s))),
        None => t.push_str("# CHECK: no job section found.\n# section = \"career\"\n"),
    }
    if !fields.is_empty() {
        t.push_str("\n# Front matter keys the postings use, per field.\n[sources.fields]\n");
        for (field, key) in &fields {
            t.push_str(&format!("{field} = {}\n", q(key)));
        }
    }
    let unused: BTreeSet<&String> = keys
        .keys()
        .filter(|k| {
            !DEFAULT_FIELDS
                .iter()
                .any(|(_, ks)| ks.contains(&k.as_str()))
                && ![
                    "draft",
                    "slug",
                    "url",
                    "translationkey",
                    "publishdate",
                    "aliases",
                    "weight",
                ]
                .contains(&k.as_str())
        })
        .collect();
    if !unused.is_empty() {
        t.push_str(&format!(
            "# Keys not read: {}\n",
            unused
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(InitResult {
        toml: t,
        undecided,
        section,
        postings: files.len(),
    })
}

/// Posting files in a section directory (not `_index` pages).
fn postings_in(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    // Counting for a starter config: `check` and `build` report unreadable directories.
    walk(dir, 0, &mut BTreeSet::new(), &mut files, &mut Vec::new());
    files.retain(|f| {
        !f.file_stem()
            .is_some_and(|s| s.to_string_lossy().starts_with("_index"))
    });
    files.sort();
    files
}

/// `target` as a path relative to the directory `out_file` will be saved in.
fn relative_to(out_file: &Path, target: &Path) -> Result<String, InitError> {
    let cwd = std::env::current_dir().map_err(InitError::Cwd)?;
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        p.canonicalize().unwrap_or_else(|_| normalize(&p))
    };
    let from = abs(out_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new(".")));
    let to = abs(target);
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c.as_os_str());
    }
    let s = rel.to_string_lossy().replace('\\', "/");
    Ok(if s.is_empty() { ".".into() } else { s })
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nordic() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/nordic")
    }

    #[test]
    fn drafted_config_parses_and_finds_the_career_section() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("feeds/nordic.toml");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let r = init_from_hugo(&nordic(), None, &out).unwrap();
        assert_eq!(r.section.as_deref(), Some("career"));
        assert!(r.postings >= 4, "{r:?}");
        let feed =
            crate::config::parse_feed(&r.toml, &out).unwrap_or_else(|e| panic!("{e}\n{}", r.toml));
        assert_eq!(feed.config.language, "sv");
        assert_eq!(feed.config.timezone, "Europe/Stockholm");
        assert!(r.toml.contains("apply = \"sidebarlinkurl\""), "{}", r.toml);
        assert!(r.toml.contains("employment = \"duration\""), "{}", r.toml);
        assert!(r.undecided.iter().any(|u| u.contains("base_url")));
    }

    #[test]
    fn site_path_is_written_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content/jobs")).unwrap();
        let out = dir.path().join("feeds/x.toml");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let r = init_from_hugo(&site, Some("jobs"), &out).unwrap();
        assert!(r.toml.contains("path = \"../site\""), "{}", r.toml);
        assert!(r.undecided.iter().any(|u| u.contains("no posting pages")));
    }
}
