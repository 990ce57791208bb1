//! Front matter: the YAML (`---`), TOML (`+++`) or JSON (`{…}`) block at the top of a page.
//! Keys are lower-cased the way Hugo does, with the line of every key kept for diagnostics.

use std::collections::BTreeMap;

use serde_json::Value;

/// Why a file could not be read as a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrontMatterError {
    /// Stable rule name (`frontmatter.yaml`, `frontmatter.unclosed` …).
    pub rule: &'static str,
    pub message: String,
    /// 1-based line in the file.
    pub line: u32,
}

impl FrontMatterError {
    fn new(rule: &'static str, line: u32, message: impl Into<String>) -> Self {
        FrontMatterError {
            rule,
            message: message.into(),
            line,
        }
    }
}

/// Which syntax the front matter used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
    Json,
    /// The file has no front matter.
    None,
}

/// Two spellings of one key (`language` and `Language`) with different values.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseConflict {
    /// Lower-case key.
    pub key: String,
    /// Every spelling as written, its line and value, in file order.
    pub spellings: Vec<(String, u32, Value)>,
    /// The spelling whose value was kept.
    pub kept: String,
}

/// A parsed page: front matter fields (lower-case keys) and the markdown body.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub format: Format,
    /// Fields by lower-case key.
    pub fields: BTreeMap<String, Value>,
    /// 1-based line of each lower-case key (the spelling that was kept).
    pub lines: BTreeMap<String, u32>,
    /// The body, with `\n` line ends.
    pub body: String,
    /// 1-based line where the body starts.
    pub body_line: u32,
    /// Keys written more than once with the same spelling: key, first line, last line.
    pub duplicates: Vec<(String, u32, u32)>,
    pub conflicts: Vec<CaseConflict>,
}

impl Page {
    /// A field as text: strings as written, numbers and booleans printed.
    pub fn text(&self, key: &str) -> Option<String> {
        self.fields.get(key).and_then(value_text)
    }
}

/// Text of a scalar value; `None` for null, arrays and tables.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Checks raw bytes are text and decodes them: NUL bytes mean binary, bad UTF-8 is reported at its line.
pub fn decode(bytes: &[u8]) -> Result<String, FrontMatterError> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(FrontMatterError::new(
            "markdown.binary",
            1,
            "the file is binary, not markdown text",
        ));
    }
    match simdutf8::compat::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = line_at(bytes, e.valid_up_to());
            Err(FrontMatterError::new(
                "markdown.encoding",
                line,
                "the file is not valid UTF-8: save it as UTF-8",
            ))
        }
    }
}

fn line_at(bytes: &[u8], offset: usize) -> u32 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
}

/// Splits a page into front matter and body and parses the front matter.
pub fn parse(text: &str) -> Result<Page, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    // Hugo accepts blank lines before the front matter; they still count for line numbers.
    let mut skipped = 0u32;
    let mut rest = text.as_str();
    loop {
        match rest.split_once('\n') {
            Some((first, tail)) if first.trim().is_empty() => {
                rest = tail;
                skipped += 1;
            }
            _ => break,
        }
    }
    let first_line = skipped + 1;
    let opener = rest.lines().next().unwrap_or("").trim_end();
    match opener {
        "---" => delimited(rest, "---", Format::Yaml, first_line),
        "+++" => delimited(rest, "+++", Format::Toml, first_line),
        _ if rest.starts_with('{') => json(rest, first_line),
        _ => Ok(Page {
            format: Format::None,
            fields: BTreeMap::new(),
            lines: BTreeMap::new(),
            body: text.clone(),
            body_line: 1,
            duplicates: Vec::new(),
            conflicts: Vec::new(),
        }),
    }
}

fn delimited(
    rest: &str,
    fence: &str,
    format: Format,
    first_line: u32,
) -> Result<Page, FrontMatterError> {
    let after_open = rest.split_once('\n').map(|(_, t)| t).unwrap_or("");
    let mut offset = 0;
    let mut close = None;
    for (i, line) in after_open.split_inclusive('\n').enumerate() {
        let l = line.trim_end();
        if l == fence || (format == Format::Yaml && l == "...") {
            close = Some((i, offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((close_idx, fm_end, body_start)) = close else {
        return Err(FrontMatterError::new(
            "frontmatter.unclosed",
            first_line,
            format!("the front matter opened here is never closed: add a line `{fence}` after it"),
        ));
    };
    let fm = &after_open[..fm_end];
    let fm_first = first_line + 1;
    let (raw, keys) = match format {
        Format::Yaml => (yaml(fm, fm_first)?, yaml_keys(fm, fm_first)),
        _ => (toml_fm(fm, fm_first)?, toml_keys(fm, fm_first)),
    };
    Ok(build(
        format,
        raw,
        keys,
        after_open[body_start..].to_string(),
        fm_first + close_idx as u32 + 1,
    ))
}

fn yaml(fm: &str, fm_first: u32) -> Result<Vec<(String, Value)>, FrontMatterError> {
    if fm.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut opts = serde_saphyr::Options::default();
    // YAML 1.1 would read `country: NO` as false and `on: yes` as true; authors mean the text.
    opts.strict_booleans = true;
    // Real sites carry repeated keys; Hugo keeps the last, and so do we (with a warning).
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    let map: serde_json::Map<String, Value> = serde_saphyr::from_str_with_options(fm, opts)
        .map_err(|e| {
            let line = e
                .location()
                .map(|l| fm_first + (l.line() as u32).saturating_sub(1))
                .unwrap_or(fm_first);
            let msg = e.to_string();
            let msg = msg.lines().next().unwrap_or("");
            // The file line is given already: drop the parser's own count from the start of
            // the front matter ("error: line 3 column 3: …"), keep the column.
            let msg = msg.strip_prefix("error: ").unwrap_or(msg);
            let (column, msg) = match msg.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
                Some((at, rest)) => (at.split_once("column ").map(|(_, c)| c), rest),
                None => (None, msg),
            };
            let at = column
                .map(|c| format!(" at column {c}"))
                .unwrap_or_default();
            // A hint only where the line shows the usual cause.
            let text = e
                .location()
                .and_then(|l| fm.lines().nth((l.line() as usize).saturating_sub(1)))
                .unwrap_or("");
            let hint = if text.starts_with('\t') || text.trim_start_matches(' ').starts_with('\t') {
                " (indent with spaces, not tabs)"
            } else if text
                .split_once(": ")
                .is_some_and(|(_, v)| v.contains(": ") && !v.trim_start().starts_with(['"', '\'']))
            {
                " (quote values that contain `: `)"
            } else {
                ""
            };
            FrontMatterError::new(
                "frontmatter.yaml",
                line,
                format!("invalid YAML front matter{at}: {msg}{hint}"),
            )
        })?;
    Ok(map.into_iter().collect())
}

fn toml_fm(fm: &str, fm_first: u32) -> Result<Vec<(String, Value)>, FrontMatterError> {
    let table: toml::Table = toml::from_str(fm).map_err(|e| {
        let line = e
            .span()
            .map(|s| fm_first + fm[..s.start.min(fm.len())].matches('\n').count() as u32)
            .unwrap_or(fm_first);
        FrontMatterError::new(
            "frontmatter.toml",
            line,
            format!("invalid TOML front matter: {}", e.message()),
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

/// TOML values as JSON; dates become their RFC 3339 text.
pub fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn json(rest: &str, first_line: u32) -> Result<Page, FrontMatterError> {
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    let value = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return Err(FrontMatterError::new(
                "frontmatter.json",
                first_line + e.line().saturating_sub(1) as u32,
                format!("invalid JSON front matter: {e}"),
            ));
        }
        None => {
            return Err(FrontMatterError::new(
                "frontmatter.json",
                first_line,
                "empty JSON front matter",
            ));
        }
    };
    let end = stream.byte_offset();
    let Value::Object(map) = value else {
        return Err(FrontMatterError::new(
            "frontmatter.json",
            first_line,
            "JSON front matter must be an object",
        ));
    };
    let fm = &rest[..end];
    let keys = json_keys(fm, first_line);
    // The body starts on the next line only when a line break follows the object: after
    // `{…} text` it starts on the closing line itself (fuzzing found the off-by-one).
    let (body, next) = match rest[end..].strip_prefix('\n') {
        Some(b) => (b, 1),
        None => (&rest[end..], 0),
    };
    let body_line = first_line + fm.matches('\n').count() as u32 + next;
    Ok(build(
        Format::Json,
        map.into_iter().collect(),
        keys,
        body.to_string(),
        body_line,
    ))
}

/// Merges case variants, recording lines, duplicates and conflicts.
fn build(
    format: Format,
    raw: Vec<(String, Value)>,
    keys: Vec<(String, u32)>,
    body: String,
    body_line: u32,
) -> Page {
    let mut line_of: BTreeMap<&str, u32> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (k, line) in &keys {
        if let Some(first) = line_of.insert(k.as_str(), *line) {
            duplicates.push((k.clone(), first, *line));
        }
    }
    // Spellings grouped by lower-case key, in file order.
    let mut groups: BTreeMap<String, Vec<(String, u32, Value)>> = BTreeMap::new();
    for (k, v) in raw {
        let line = line_of.get(k.as_str()).copied().unwrap_or(0);
        groups
            .entry(k.to_lowercase())
            .or_default()
            .push((k, line, v));
    }
    let mut fields = BTreeMap::new();
    let mut lines = BTreeMap::new();
    let mut conflicts = Vec::new();
    for (key, mut spellings) in groups {
        spellings.sort_by_key(|s| s.1);
        // Precedence: the all-lower-case spelling (Hugo's own), else the last one written.
        let kept = spellings
            .iter()
            .position(|s| s.0 == key)
            .unwrap_or(spellings.len() - 1);
        let (kept_name, line, value) = spellings[kept].clone();
        if spellings.iter().any(|s| s.2 != value) {
            conflicts.push(CaseConflict {
                key: key.clone(),
                spellings: spellings.clone(),
                kept: kept_name,
            });
        }
        if line > 0 {
            lines.insert(key.clone(), line);
        }
        fields.insert(key, value);
    }
    Page {
        format,
        fields,
        lines,
        body,
        body_line,
        duplicates,
        conflicts,
    }
}

/// Top-level YAML keys with their lines (keys start in column 0).
fn yaml_keys(fm: &str, fm_first: u32) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, line) in fm.lines().enumerate() {
        if line.is_empty() || line.starts_with([' ', '\t', '#', '-', '}', ']']) {
            continue;
        }
        let key = if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
            line[1..].find(q).map(|end| line[1..=end].to_string())
        } else {
            line.find(": ")
                .or_else(|| line.ends_with(':').then(|| line.len() - 1))
                .map(|end| line[..end].trim().to_string())
        };
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            out.push((k, fm_first + i as u32));
        }
    }
    out
}

/// Top-level TOML keys with their lines; a table header counts as its key's line.
fn toml_keys(fm: &str, fm_first: u32) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut in_table = false;
    for (i, line) in fm.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[') {
            in_table = true;
            let name = h.trim_start_matches('[').trim_end_matches(']').trim();
            let top = name
                .split('.')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if !out.iter().any(|(k, _)| k == top) {
                out.push((top.to_string(), fm_first + i as u32));
            }
            continue;
        }
        if in_table || t.starts_with('#') {
            continue;
        }
        if let Some((k, _)) = t.split_once('=') {
            let k = k.trim().trim_matches('"').trim_matches('\'');
            let k = k.split('.').next().unwrap_or(k);
            if !k.is_empty() {
                out.push((k.to_string(), fm_first + i as u32));
            }
        }
    }
    out
}

/// Keys of the outermost JSON object with their lines.
fn json_keys(fm: &str, first_line: u32) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut line = first_line;
    let mut chars = fm.chars().peekable();
    let mut expect_key = false;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' | '[' => {
                depth += 1;
                expect_key = c == '{' && depth == 1;
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 1 => expect_key = true,
            '"' => {
                let start_line = line;
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                s.push(n);
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                }
                if depth == 1 && expect_key {
                    out.push((s, start_line));
                    expect_key = false;
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_are_lowercased_with_their_lines() {
        let p = parse("---\nTitle: \"Job\"\ndate: \"2026-02-16\"\n---\nBody\n").unwrap();
        assert_eq!(p.text("title").as_deref(), Some("Job"));
        assert_eq!(p.lines["title"], 2);
        assert_eq!(p.lines["date"], 3);
        assert_eq!(p.body, "Body\n");
        assert_eq!(p.body_line, 5);
    }

    #[test]
    fn yaml_11_words_keep_their_text() {
        let p = parse("---\ncountry: NO\non: yes\nflag: true\n---\n").unwrap();
        assert_eq!(p.fields["country"], Value::String("NO".into()));
        assert_eq!(p.fields["on"], Value::String("yes".into()));
        assert_eq!(p.fields["flag"], Value::Bool(true));
    }

    #[test]
    fn bom_crlf_and_leading_blank_lines_are_accepted() {
        let p = parse("\u{feff}\r\n\r\n---\r\ntitle: A\r\n---\r\nText\r\n").unwrap();
        assert_eq!(p.text("title").as_deref(), Some("A"));
        assert_eq!(p.lines["title"], 4);
        assert_eq!(p.body, "Text\n");
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported() {
        let p = parse("---\nteam: A\nteam: B\n---\n").unwrap();
        assert_eq!(p.text("team").as_deref(), Some("B"));
        assert_eq!(p.duplicates, vec![("team".to_string(), 2, 3)]);
        assert_eq!(p.lines["team"], 3);
    }

    #[test]
    fn case_variant_keys_that_disagree_are_reported_and_lowercase_wins() {
        let p = parse("---\nlanguage: \"da\"\nLanguage: \"En\"\n---\n").unwrap();
        assert_eq!(p.text("language").as_deref(), Some("da"));
        assert_eq!(p.conflicts.len(), 1);
        assert_eq!(p.conflicts[0].spellings[1].0, "Language");
        assert_eq!(p.conflicts[0].kept, "language");
    }

    #[test]
    fn toml_front_matter_with_tables_and_dates() {
        let p = parse("+++\ntitle = \"T\"\ndate = 2026-01-02\n[salary]\nmin = 1\n+++\nB").unwrap();
        assert_eq!(p.format, Format::Toml);
        assert_eq!(p.text("date").as_deref(), Some("2026-01-02"));
        assert_eq!(p.fields["salary"]["min"], Value::from(1));
        assert_eq!(p.lines["salary"], 4);
        assert_eq!(p.body, "B");
    }

    #[test]
    fn json_front_matter_reads_keys_lines_and_body() {
        let p = parse("{\n  \"title\": \"T\",\n  \"Team\": \"X\"\n}\nBody").unwrap();
        assert_eq!(p.format, Format::Json);
        assert_eq!(p.lines["team"], 3);
        assert_eq!(p.body, "Body");
        assert_eq!(p.body_line, 5);
    }

    /// Fuzz finding (target `frontmatter`): text after the closing brace on the same line was
    /// placed on the next line, past the end of the file.
    #[test]
    fn json_body_on_the_closing_line_starts_on_that_line() {
        let p = parse("\n\n{ \"t\":  1}}").unwrap();
        assert_eq!((p.body.as_str(), p.body_line), ("}", 3));
        let p = parse("{\"t\": 1} rest\nmore").unwrap();
        assert_eq!((p.body.as_str(), p.body_line), (" rest\nmore", 1));
        let p = parse("{\"t\": 1}\nnext").unwrap();
        assert_eq!((p.body.as_str(), p.body_line), ("next", 2));
    }

    #[test]
    fn malformed_yaml_is_an_error_at_its_line() {
        let e = parse("---\ntitle: ok\nname: Foo: Bar\n---\n").unwrap_err();
        assert_eq!(e.rule, "frontmatter.yaml");
        assert_eq!(e.line, 3, "{e:?}");
        // One line number (the file's), and the hint that fits the line.
        assert!(!e.message.contains("line "), "{}", e.message);
        assert!(e.message.contains("quote values"), "{}", e.message);
        let e = parse("---\ntitle: ok\n  draft: false\n---\n").unwrap_err();
        assert!(!e.message.contains("quote values"), "{}", e.message);
        let e = parse("---\ntitle: ok\nlist:\n\t- a\n---\n").unwrap_err();
        assert!(e.message.contains("not tabs"), "{}", e.message);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = parse("\n---\ntitle: x\n").unwrap_err();
        assert_eq!((e.rule, e.line), ("frontmatter.unclosed", 2));
    }

    #[test]
    fn binary_and_bad_utf8_are_refused() {
        assert_eq!(decode(b"ab\0cd").unwrap_err().rule, "markdown.binary");
        let e = decode(b"---\ntitle: \xff\n").unwrap_err();
        assert_eq!((e.rule, e.line), ("markdown.encoding", 2));
    }

    proptest::proptest! {
        #[test]
        fn random_pages_never_panic_and_errors_name_a_line_inside_the_file(
            s in "(\u{feff})?(\r?\n)?(---|\\+\\+\\+|\\{)?\r?\n[a-zA-Z:\"'{}\\[\\]=, \n\r#-]{0,80}(---|\\+\\+\\+|\\})?\n?[a-z ]{0,10}"
        ) {
            match parse(&s) {
                Ok(p) => proptest::prop_assert!(p.body_line >= 1),
                Err(e) => {
                    let lines = s.lines().count().max(1) as u32;
                    proptest::prop_assert!(e.line >= 1 && e.line <= lines + 1, "{e:?} for {s:?}");
                }
            }
        }
    }
}
