//! Adversarial text in every field of a markdown posting: script tags, `]]>`, every C0/C1
//! control character, RTL overrides, zero-width joiners, emoji, `javascript:` and `data:`
//! links, `&` and `<` in URLs. Guards sanitising, XML text safety and snippet escaping.

use std::path::Path;

use crate::support::{bin, example_copy};

pub(crate) fn hostile() -> String {
    let mut controls = String::new();
    for c in (0u32..0x20).chain(0x7f..0xa0) {
        if c != b'\n' as u32 && c != b'\r' as u32 {
            controls.push(char::from_u32(c).unwrap());
        }
    }
    format!(
        "</script><script>alert(1)</script> ]]> & <b> \u{202e}evil\u{202c} a\u{200d}b 🎉 {controls}"
    )
}

pub(crate) fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if !p.file_name().unwrap().to_string_lossy().starts_with('.') {
            out.push(p);
        }
    }
}

/// Guards, for markdown postings: the allow-list sanitiser (no script, iframe, event handler,
/// `javascript:`/`data:` link survives), control-character stripping and `]]>` splitting in
/// XML text, the escaped JSON-LD script in snippets, and that visible Unicode (RTL marks,
/// joiners, emoji) is kept rather than stripped with the controls.
#[test]
fn hostile_text_in_every_field_leaves_every_output_valid_and_inert() {
    let dir = example_copy();
    let h = hostile();
    // YAML double-quoted strings carry the text; control characters are escaped for YAML.
    let yaml = |s: &str| {
        let mut o = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                    o.push_str(&format!("\\u{:04X}", c as u32))
                }
                c => o.push(c),
            }
        }
        o.push('"');
        o
    };
    // A raw NUL byte makes a file binary (and skipped, tested elsewhere); the front matter
    // still carries U+0000 through a YAML escape.
    let h_text = h.replace('\0', "");
    let h = &h_text;
    let body = format!(
        "{{{{< ingress >}}}}\n{h}\n{{{{< /ingress >}}}}\n\n## {h}\n\n- [click](javascript:alert(1))\n- [data](data:text/html,<script>alert(1)</script>)\n- [ok](https://example.com/?a=1&b=<2>)\n- <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">raw</a>\n\n<script>alert(4)</script><iframe src=\"https://evil.example/\"></iframe>\n\nSalary range: €50,000 - €80,000 annually {h}\n"
    );
    let text = format!(
        "---\nTitle: {}\nintro: {}\ndate: \"2026-11-05\"\nTeam: {}\nLocation: {}\nDuration: \"Full time\"\nsidebarlinkurl: \"https://apply.example.net/jobs/9?a=1&b=<x>\"\n---\n{body}",
        yaml(&format!("Hostile {}", hostile())),
        yaml(&hostile()),
        yaml(&hostile()),
        yaml(&format!("Sweden - Solna {}", hostile())),
    );
    std::fs::write(
        dir.path()
            .join("feeds/example/content/en/career/hostile.md"),
        text,
    )
    .unwrap();
    let out = bin().current_dir(dir.path()).arg("build").output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        !log.contains("blocked") || log.contains("0 blocked"),
        "an output failed the gate: {log}"
    );

    let public = dir.path().join("public/example");
    let postings: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(public.join("postings.json")).unwrap()).unwrap();
    let p = postings
        .iter()
        .find(|p| {
            p["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Hostile"))
        })
        .unwrap_or_else(|| panic!("the hostile posting was not published: {log}"));
    // Visible text survives: RTL marks, joiners and emoji are content.
    let title = p["title"].as_str().unwrap();
    assert!(
        title.contains('\u{202e}') && title.contains('\u{200d}') && title.contains('🎉'),
        "{title}"
    );
    assert!(
        !title.chars().any(|c| (c as u32) < 0x20 && c != '\t'),
        "control characters kept: {title:?}"
    );

    assert_outputs_inert(&public);
    assert_links_safe(p["descriptionHtml"].as_str().unwrap());
}

/// Every published file is UTF-8 and well-formed (XML, JSON), keeps no `javascript:` or
/// `data:` link or active HTML, and every page has exactly its one inert JSON-LD script.
pub(crate) fn assert_outputs_inert(public: &Path) {
    let mut files = Vec::new();
    walk(public, &mut files);
    let refs = regex::Regex::new(r"&#(x[0-9a-fA-F]+|[0-9]+);").unwrap();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let s = String::from_utf8(bytes.clone())
            .unwrap_or_else(|_| panic!("{} is not UTF-8", f.display()));
        let name = f.to_string_lossy();
        if name.ends_with("/report.json") {
            // The build report quotes refused input in its diagnostics, as JSON strings.
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            continue;
        }
        assert!(
            !s.to_lowercase().contains("javascript:"),
            "{name} keeps a javascript: link"
        );
        assert!(!s.contains("data:text/html"), "{name} keeps a data: link");
        assert!(
            !s.contains("<iframe") && !s.contains("onclick") && !s.contains("onerror"),
            "{name} keeps active HTML"
        );
        if name.ends_with(".xml") {
            // quick-xml does not check characters: XML 1.0 forbids most C0 controls, raw or
            // as character references.
            let referenced = refs.captures_iter(&s).filter_map(|c| {
                let n = &c[1];
                match n.strip_prefix('x') {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => n.parse().ok(),
                }
                .and_then(char::from_u32)
            });
            let bad = s.chars().chain(referenced).find(|&c| {
                matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}')
            });
            assert!(
                bad.is_none(),
                "{name} holds a character XML forbids: {bad:?}"
            );
            let mut r = quick_xml::Reader::from_reader(&bytes[..]);
            let mut buf = Vec::new();
            loop {
                match r.read_event_into(&mut buf) {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed: {e}"),
                }
                buf.clear();
            }
        } else if name.ends_with(".json") || name.ends_with(".jsonld") {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if name.ends_with(".html") {
            let inner = s
                .split_once("<script type=\"application/ld+json\">")
                .and_then(|(_, rest)| rest.split_once("</script>"))
                .map(|(inner, _)| inner)
                .unwrap_or_else(|| panic!("{name} has no script element"));
            assert!(
                !inner.contains('<') && !inner.contains('>'),
                "{name}: raw angle brackets inside the script"
            );
            assert_eq!(
                s.matches("<script").count(),
                1,
                "{name} can start a second script"
            );
        }
    }
}

/// Links in a description keep only http(s) and mailto.
pub(crate) fn assert_links_safe(html: &str) {
    for href in html.split("href=\"").skip(1) {
        let target = href.split('"').next().unwrap();
        assert!(
            target.starts_with("https://")
                || target.starts_with("http://")
                || target.starts_with("mailto:"),
            "unsafe link kept: {target}"
        );
    }
}
