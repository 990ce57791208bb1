//! Hugo site configuration: base URLs, languages, content directories and permalink patterns.
//! Used to find each language's content and to compute the URL Hugo publishes a page under.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The site config file names Hugo looks for, in its order.
pub const CONFIG_FILES: [&str; 6] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.json",
];

/// Why a site config could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct SiteError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// Permalink patterns by section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Permalinks {
    pub page: BTreeMap<String, String>,
    pub section: BTreeMap<String, String>,
}

/// One configured language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Language {
    pub base_url: Option<url::Url>,
    pub content_dir: Option<String>,
    pub permalinks: Permalinks,
    pub locale: Option<String>,
    pub weight: i64,
}

/// A content directory and the language its pages are in.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentRoot {
    pub dir: PathBuf,
    pub language: Option<String>,
}

/// What jobfeed needs from a Hugo site config. `Site::default()` stands for "no config".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Site {
    /// The config file read, if any.
    pub config_file: Option<PathBuf>,
    pub base_url: Option<url::Url>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub language_code: Option<String>,
    pub default_language: Option<String>,
    pub default_in_subdir: bool,
    pub remove_path_accents: bool,
    pub disable_path_to_lower: bool,
    pub content_dir: Option<String>,
    pub languages: BTreeMap<String, Language>,
    pub permalinks: Permalinks,
    /// Module mounts onto `content`: source directory → language.
    pub mounts: Vec<(String, Option<String>)>,
}

/// Facts of a page that decide its URL.
#[derive(Debug, Clone, Default)]
pub struct PageFacts<'a> {
    pub slug: Option<&'a str>,
    pub url: Option<&'a str>,
    pub title: Option<&'a str>,
    /// The page date as written (`YYYY-MM-DD…`), for `:year`, `:month`, `:day`.
    pub date: Option<&'a str>,
}

impl Site {
    /// Reads the site config at `root`, if there is one.
    pub fn load(root: &Path) -> Result<Site, SiteError> {
        for name in CONFIG_FILES {
            let file = root.join(name);
            if !file.is_file() {
                continue;
            }
            let shown = file.display().to_string();
            let text = std::fs::read_to_string(&file).map_err(|e| SiteError {
                file: shown.clone(),
                line: 1,
                message: format!("cannot read the site config: {e}"),
            })?;
            let value = parse_config(name, &text).map_err(|(line, message)| SiteError {
                file: shown.clone(),
                line,
                message,
            })?;
            let mut site = Site::from_value(&lowercase_keys(value));
            site.config_file = Some(file);
            return Ok(site);
        }
        Ok(Site::default())
    }

    fn from_value(v: &Value) -> Site {
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let url = |v: &Value| s(v, "baseurl").and_then(|u| parse_base(&u));
        let mut languages = BTreeMap::new();
        if let Some(Value::Object(langs)) = v.get("languages") {
            for (code, l) in langs {
                languages.insert(
                    code.clone(),
                    Language {
                        base_url: url(l),
                        content_dir: s(l, "contentdir"),
                        permalinks: permalinks(l.get("permalinks")),
                        locale: s(l, "locale").or_else(|| s(l, "languagecode")),
                        weight: l.get("weight").and_then(Value::as_i64).unwrap_or(0),
                    },
                );
            }
        }
        let mut mounts = Vec::new();
        if let Some(Value::Array(ms)) = v.get("module").and_then(|m| m.get("mounts")) {
            for m in ms {
                let (Some(source), Some(target)) = (s(m, "source"), s(m, "target")) else {
                    continue;
                };
                if target.trim_end_matches('/') != "content" {
                    continue;
                }
                let mut langs: Vec<String> = Vec::new();
                if let Some(l) = s(m, "lang") {
                    langs.push(l);
                }
                if let Some(Value::Array(ls)) = m
                    .get("sites")
                    .and_then(|x| x.get("matrix"))
                    .and_then(|x| x.get("languages"))
                {
                    langs.extend(ls.iter().filter_map(Value::as_str).map(str::to_string));
                }
                mounts.push((source, (langs.len() == 1).then(|| langs[0].clone())));
            }
        }
        Site {
            config_file: None,
            base_url: url(v),
            title: s(v, "title"),
            author: s(v, "author").or_else(|| {
                v.get("params")
                    .and_then(|p| p.get("author"))
                    .and_then(|a| a.get("name").or(Some(a)))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }),
            language_code: s(v, "languagecode"),
            default_language: s(v, "defaultcontentlanguage"),
            default_in_subdir: b("defaultcontentlanguageinsubdir"),
            remove_path_accents: b("removepathaccents"),
            disable_path_to_lower: b("disablepathtolower"),
            content_dir: s(v, "contentdir"),
            languages,
            permalinks: permalinks(v.get("permalinks")),
            mounts,
        }
    }

    /// Is this a multilingual site?
    pub fn multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The content directories under `root` with their languages.
    pub fn content_roots(&self, root: &Path) -> Vec<ContentRoot> {
        let mut out: Vec<ContentRoot> = Vec::new();
        fn push(out: &mut Vec<ContentRoot>, dir: PathBuf, language: Option<String>) {
            if dir.is_dir() && !out.iter().any(|r| r.dir == dir) {
                out.push(ContentRoot { dir, language });
            }
        }
        for (source, lang) in &self.mounts {
            push(&mut out, root.join(source), lang.clone());
        }
        for (code, l) in &self.languages {
            if let Some(d) = &l.content_dir {
                push(&mut out, root.join(d), Some(code.clone()));
            }
        }
        let content = root.join(self.content_dir.as_deref().unwrap_or("content"));
        if out.is_empty() && self.multilingual() {
            // Convention without mounts: content/<lang>/ per configured language.
            for code in self.languages.keys() {
                push(&mut out, content.join(code), Some(code.clone()));
            }
        }
        if out.is_empty() {
            let single = (self.languages.len() == 1)
                .then(|| self.languages.keys().next().cloned())
                .flatten();
            if content.is_dir() {
                push(&mut out, content, single);
            } else {
                // Pointed at a content directory itself.
                push(&mut out, root.to_path_buf(), single);
            }
        }
        out
    }

    /// The base URL pages of `lang` are published under, with the path prefix Hugo adds.
    pub fn base_for(&self, lang: Option<&str>, fallback: Option<&url::Url>) -> Option<url::Url> {
        let l = lang.and_then(|l| self.languages.get(l));
        if let Some(u) = l.and_then(|l| l.base_url.clone()) {
            return Some(u);
        }
        let base = self.base_url.clone().or_else(|| fallback.cloned())?;
        let default = self.default_language.as_deref().unwrap_or("en");
        match lang {
            Some(lang) if self.multilingual() && (lang != default || self.default_in_subdir) => {
                base.join(&format!("{lang}/")).ok()
            }
            _ => Some(base),
        }
    }

    /// The permalink pattern for pages of `section` in `lang`.
    pub fn page_pattern(&self, lang: Option<&str>, section: &str) -> Option<&str> {
        lang.and_then(|l| self.languages.get(l))
            .and_then(|l| l.permalinks.page.get(section))
            .or_else(|| self.permalinks.page.get(section))
            .map(String::as_str)
    }

    /// The URL path of a section's list page: its `permalinks.section` pattern, else `/<section>/`.
    pub fn section_path(&self, lang: Option<&str>, section: &str) -> String {
        lang.and_then(|l| self.languages.get(l))
            .and_then(|l| l.permalinks.section.get(section))
            .or_else(|| self.permalinks.section.get(section))
            .cloned()
            .unwrap_or_else(|| {
                let segs: Vec<String> = section.split('/').map(|s| self.urlize(s)).collect();
                format!("/{}/", segs.join("/"))
            })
    }

    /// The URL path (from the base) Hugo gives a page at `rel` (relative to its content root).
    pub fn page_path(&self, lang: Option<&str>, rel: &Path, facts: &PageFacts<'_>) -> String {
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let file = parts.last().cloned().unwrap_or_default();
        let stem = file
            .rsplit_once('.')
            .map(|(s, _)| s.to_string())
            .unwrap_or(file.clone());
        let is_bundle = stem == "index" && parts.len() > 1;
        let dirs: &[String] = &parts[..parts.len().saturating_sub(1)];
        let (dirs, name) = if is_bundle {
            (&dirs[..dirs.len() - 1], dirs[dirs.len() - 1].clone())
        } else {
            (dirs, stem)
        };
        let section = dirs.first().cloned().unwrap_or_default();
        let urlize = |s: &str| self.urlize(s);
        let slug_or_title = || {
            facts
                .slug
                .map(&urlize)
                .or_else(|| facts.title.map(&urlize))
                .unwrap_or_else(|| urlize(&name))
        };
        let path = match self.page_pattern(lang, &section) {
            Some(pattern) => {
                let date = facts.date.unwrap_or("");
                let part = |a: usize, b: usize| date.get(a..b).unwrap_or("").to_string();
                let mut out = String::new();
                for (i, seg) in pattern.split('/').enumerate() {
                    if i > 0 {
                        out.push('/');
                    }
                    out.push_str(&expand_segment(seg, &|token: &str| match token {
                        "year" => Some(part(0, 4)),
                        "month" => Some(part(5, 7)),
                        "day" => Some(part(8, 10)),
                        "slug" => Some(slug_or_title()),
                        "slugorfilename" | "slugorcontentbasename" => {
                            Some(facts.slug.map(&urlize).unwrap_or_else(|| urlize(&name)))
                        }
                        "title" => Some(facts.title.map(&urlize).unwrap_or_else(|| urlize(&name))),
                        "filename" | "contentbasename" => Some(urlize(&name)),
                        "section" => Some(urlize(&section)),
                        "sections" => {
                            Some(dirs.iter().map(|d| urlize(d)).collect::<Vec<_>>().join("/"))
                        }
                        _ => None,
                    }));
                }
                out
            }
            None => {
                let mut segs: Vec<String> = dirs.iter().map(|d| urlize(d)).collect();
                segs.push(facts.slug.map(&urlize).unwrap_or_else(|| urlize(&name)));
                format!("/{}/", segs.join("/"))
            }
        };
        let mut path = path;
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        path
    }

    /// The absolute URL of a page; `base_override` wins over the site config.
    pub fn page_url(
        &self,
        lang: Option<&str>,
        rel: &Path,
        facts: &PageFacts<'_>,
        base_override: Option<&url::Url>,
        fallback: Option<&url::Url>,
    ) -> Option<String> {
        if let Some(u) = facts
            .url
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        {
            return Some(u.to_string());
        }
        let base = match base_override {
            Some(b) => Some(b.clone()),
            None => self.base_for(lang, fallback),
        }?;
        let path = match facts.url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => u.to_string(),
            None => self.page_path(lang, rel, facts),
        };
        base.join(path.trim_start_matches('/'))
            .ok()
            .map(|u| u.to_string())
    }

    /// Hugo's path sanitiser: lower case, spaces to `-`, only letters, digits and `._-~+@#`.
    pub fn urlize(&self, s: &str) -> String {
        urlize(s, self.remove_path_accents, !self.disable_path_to_lower)
    }
}

fn expand_segment(seg: &str, token: &dyn Fn(&str) -> Option<String>) -> String {
    let Some(rest) = seg.strip_prefix(':') else {
        return seg.to_string();
    };
    match token(rest) {
        Some(v) => v,
        None => seg.to_string(),
    }
}

/// Hugo's `urlize` for one path segment.
pub fn urlize(s: &str, remove_accents: bool, lower: bool) -> String {
    let s = if remove_accents {
        s.chars().map(strip_accent).collect::<String>()
    } else {
        s.to_string()
    };
    let mut out = String::new();
    let mut pending_hyphen = false;
    let mut was_hyphen = false;
    for c in s.chars() {
        let allowed = c.is_alphanumeric() || "._-~+@#".contains(c);
        if allowed {
            was_hyphen = c == '-';
            if pending_hyphen {
                if !was_hyphen {
                    out.push('-');
                }
                pending_hyphen = false;
            }
            out.push(c);
        } else if !out.is_empty() && !was_hyphen && c.is_whitespace() {
            pending_hyphen = true;
        }
    }
    if lower { out.to_lowercase() } else { out }
}

/// Removes a combining accent the way Unicode decomposition would; `ø`, `æ`, `ß` have none.
fn strip_accent(c: char) -> char {
    const FROM: &str = "àáâãäåāăąÀÁÂÃÄÅĀçćčÇĆČďĎèéêëēėęěÈÉÊËĒĖĘĚìíîïīįÌÍÎÏĪñńňÑŃŇòóôõöōőÒÓÔÕÖŌŐřŘśšşŚŠŞťŤùúûüūůűÙÚÛÜŪŮŰýÿÝžźżŽŹŻ";
    const TO: &str = "aaaaaaaaaAAAAAAAcccCCCdDeeeeeeeeEEEEEEEEiiiiiiIIIIInnnNNNoooooooOOOOOOOrRsssSSStTuuuuuuuUUUUUUUyyYzzzZZZ";
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

fn permalinks(v: Option<&Value>) -> Permalinks {
    let mut p = Permalinks::default();
    let Some(Value::Object(map)) = v else {
        return p;
    };
    let strings = |v: &Value| -> BTreeMap<String, String> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("page", Value::Object(_)) => p.page.extend(strings(v)),
            ("section", Value::Object(_)) => p.section.extend(strings(v)),
            // The old flat form: `[permalinks] career = '/jobs/:slug/'` is a page pattern.
            (_, Value::String(s)) => {
                p.page.insert(k.clone(), s.clone());
            }
            _ => {}
        }
    }
    p
}

fn parse_base(s: &str) -> Option<url::Url> {
    let mut s = s.trim().to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    url::Url::parse(&s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

fn parse_config(name: &str, text: &str) -> Result<Value, (u32, String)> {
    if name.ends_with(".toml") {
        let t: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count() as u32)
                .unwrap_or(1);
            (line, format!("invalid TOML: {}", e.message()))
        })?;
        Ok(super::frontmatter::toml_to_json(toml::Value::Table(t)))
    } else if name.ends_with(".yaml") {
        let mut opts = serde_saphyr::Options::default();
        opts.strict_booleans = false;
        opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        serde_saphyr::from_str_with_options(text, opts).map_err(|e| {
            let line = e.location().map(|l| l.line() as u32).unwrap_or(1);
            let msg = e.to_string();
            (
                line,
                format!("invalid YAML: {}", msg.lines().next().unwrap_or("")),
            )
        })
    } else {
        serde_json::from_str(text).map_err(|e| (e.line() as u32, format!("invalid JSON: {e}")))
    }
}

/// Hugo config keys are case-insensitive (`baseURL` = `baseurl`).
fn lowercase_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lowercase_keys(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
baseURL = "https://example.eu/"
defaultContentLanguage = 'sv'
removePathAccents = true
[languages.en]
baseURL = 'https://example.eu/'
[languages.en.permalinks.page]
career = '/career/:slug/'
[languages.sv]
baseURL = 'https://example.se/'
[languages.sv.permalinks.page]
career = '/karriar/:slug/'
[languages.da]
baseURL = 'https://example.dk/'
[[module.mounts]]
source = 'content/sv'
target = 'content'
[module.mounts.sites.matrix]
languages = ['sv']
"#;

    fn site() -> Site {
        let v = parse_config("hugo.toml", CONFIG).unwrap();
        Site::from_value(&lowercase_keys(v))
    }

    #[test]
    fn per_language_base_url_and_permalink_give_the_published_url() {
        let s = site();
        let facts = PageFacts {
            title: Some("Molnarkitekt i Göteborg"),
            ..PageFacts::default()
        };
        let u = s.page_url(Some("sv"), Path::new("career/x.md"), &facts, None, None);
        assert_eq!(
            u.as_deref(),
            Some("https://example.se/karriar/molnarkitekt-i-goteborg/")
        );
    }

    #[test]
    fn languages_without_a_pattern_use_the_file_path() {
        let s = site();
        let u = s.page_url(
            Some("da"),
            Path::new("career/2026-job.md"),
            &PageFacts::default(),
            None,
            None,
        );
        assert_eq!(u.as_deref(), Some("https://example.dk/career/2026-job/"));
    }

    #[test]
    fn front_matter_url_and_slug_override_the_default() {
        let s = site();
        let f = PageFacts {
            url: Some("/jobs/special/"),
            ..PageFacts::default()
        };
        let u = s.page_url(Some("da"), Path::new("career/a.md"), &f, None, None);
        assert_eq!(u.as_deref(), Some("https://example.dk/jobs/special/"));
        let f = PageFacts {
            slug: Some("My Slug"),
            ..PageFacts::default()
        };
        let u = s.page_url(Some("da"), Path::new("career/a.md"), &f, None, None);
        assert_eq!(u.as_deref(), Some("https://example.dk/career/my-slug/"));
    }

    #[test]
    fn section_pages_use_their_own_permalinks() {
        let v = parse_config(
            "hugo.toml",
            "[languages.sv.permalinks.section]\ncareer = '/karriar/'\n",
        )
        .unwrap();
        let s = Site::from_value(&lowercase_keys(v));
        assert_eq!(s.section_path(Some("sv"), "career"), "/karriar/");
        assert_eq!(s.section_path(Some("da"), "career"), "/career/");
    }

    #[test]
    fn mounts_map_content_directories_to_languages() {
        assert_eq!(
            site().mounts,
            vec![("content/sv".to_string(), Some("sv".to_string()))]
        );
    }

    #[test]
    fn flat_permalinks_and_date_tokens() {
        let v = parse_config(
            "config.toml",
            "baseurl = 'https://x.test/'\n[permalinks]\njobs = '/:year/:month/:filename/'\n",
        )
        .unwrap();
        let s = Site::from_value(&lowercase_keys(v));
        let f = PageFacts {
            date: Some("2026-03-04"),
            ..PageFacts::default()
        };
        let u = s.page_url(None, Path::new("jobs/dev.md"), &f, None, None);
        assert_eq!(u.as_deref(), Some("https://x.test/2026/03/dev/"));
    }

    #[test]
    fn single_host_sites_prefix_non_default_languages() {
        let v = parse_config(
            "hugo.toml",
            "baseURL = 'https://x.test/'\ndefaultContentLanguage = 'en'\n[languages.en]\n[languages.de]\n",
        )
        .unwrap();
        let s = Site::from_value(&lowercase_keys(v));
        let u = s.page_url(
            Some("de"),
            Path::new("jobs/a.md"),
            &PageFacts::default(),
            None,
            None,
        );
        assert_eq!(u.as_deref(), Some("https://x.test/de/jobs/a/"));
        let u = s.page_url(
            Some("en"),
            Path::new("jobs/a.md"),
            &PageFacts::default(),
            None,
            None,
        );
        assert_eq!(u.as_deref(), Some("https://x.test/jobs/a/"));
    }

    #[test]
    fn urlize_keeps_letters_without_decomposition() {
        assert_eq!(
            urlize("DevOps-ingeniør med  sterk", true, true),
            "devops-ingeniør-med-sterk"
        );
        assert_eq!(urlize("Café: Über!", true, true), "cafe-uber");
    }
}
