//! Hugo shortcodes (`{{< name args >}}`, `{{% name %}}…{{% /name %}}`) removed before markdown:
//! wrappers keep their content, presentation is dropped, `ref`/`relref` become URLs.

use std::collections::BTreeMap;

/// What to do with a shortcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Keep the inner content (paired) or the text/link arguments (self-closing).
    Keep,
    /// Remove it with its content.
    Drop,
}

/// Built-in rules; configuration adds to and overrides them.
pub fn builtin_action(name: &str) -> Option<Action> {
    match name {
        "ingress" | "note" | "accordion" | "details" | "tip" | "warning" | "info" | "callout"
        | "alert" | "highlight-box" | "lead" | "quote" | "blockquote" | "center" => {
            Some(Action::Keep)
        }
        "accordion-script" | "distance" | "localtextbutton" | "figure" | "youtube" | "vimeo"
        | "gist" | "tweet" | "x" | "instagram" | "spacer" | "divider" | "contact" | "button"
        | "2calltoaction" | "calltoaction" | "horisontal-card" | "horizontal-card" => {
            Some(Action::Drop)
        }
        n if n.starts_with("icon-block") => Some(Action::Drop),
        _ => None,
    }
}

/// One shortcode tag as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tag {
    pub name: String,
    pub positional: Vec<String>,
    pub named: BTreeMap<String, String>,
    /// 0-based line in the text.
    pub line: u32,
}

/// The result of the pre-pass.
#[derive(Debug, Default, PartialEq)]
pub struct Expanded {
    /// Markdown without shortcode syntax.
    pub markdown: String,
    /// Problems: 0-based line and message.
    pub warnings: Vec<(u32, String)>,
    /// Every tag seen (for data such as `icon-block … link="…"`).
    pub tags: Vec<Tag>,
    /// Names no rule covers (handled by the default: paired kept, self-closing dropped),
    /// with the 0-based line each is first met on.
    pub unknown: BTreeMap<String, u32>,
}

#[derive(Debug, Clone)]
enum Tok {
    Text(String),
    Open { tag: Tag, self_closing: bool },
    Close { name: String },
}

/// Expands shortcodes in `text`. `rule` decides per name (None = default); `resolve` turns a
/// `ref`/`relref` target into a URL.
pub fn expand(
    text: &str,
    rule: &dyn Fn(&str) -> Option<Action>,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Expanded {
    let mut out = Expanded::default();
    let toks = tokenize(text, &mut out.warnings);
    for t in &toks {
        if let Tok::Open { tag, .. } = t {
            if rule(&tag.name)
                .or_else(|| builtin_action(&tag.name))
                .is_none()
                && !matches!(tag.name.as_str(), "ref" | "relref")
            {
                out.unknown.entry(tag.name.clone()).or_insert(tag.line);
            }
            out.tags.push(tag.clone());
        }
    }
    let mut i = 0;
    out.markdown = render(&toks, &mut i, None, rule, resolve, &mut out.warnings);
    out
}

fn tokenize(text: &str, warnings: &mut Vec<(u32, String)>) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut text_buf = String::new();
    let mut rest = text;
    let mut line = 0u32;
    loop {
        let open = ["{{<", "{{%"]
            .iter()
            .filter_map(|o| rest.find(o).map(|i| (i, *o)))
            .min_by_key(|(i, _)| *i);
        let Some((start, opener)) = open else {
            text_buf.push_str(rest);
            break;
        };
        text_buf.push_str(&rest[..start]);
        line += rest[..start].matches('\n').count() as u32;
        let closer = if opener == "{{<" { ">}}" } else { "%}}" };
        let after = &rest[start + 3..];
        let Some(end) = after.find(closer) else {
            warnings.push((
                line,
                format!("shortcode `{opener}` is never closed with `{closer}`; its text is kept without the syntax"),
            ));
            text_buf.push_str(after);
            break;
        };
        let inner = &after[..end];
        let consumed = 3 + end + 3;
        let tag_line = line;
        line += inner.matches('\n').count() as u32;
        rest = &rest[start + consumed..];
        let inner = inner.trim();
        // `{{</* x */>}}` is Hugo's way to show shortcode syntax literally: not content for a feed.
        if inner.starts_with("/*") {
            continue;
        }
        if !text_buf.is_empty() {
            toks.push(Tok::Text(std::mem::take(&mut text_buf)));
        }
        if let Some(name) = inner.strip_prefix('/') {
            toks.push(Tok::Close {
                name: name.trim().to_string(),
            });
            continue;
        }
        let (inner, self_closing) = match inner.strip_suffix('/') {
            Some(i) => (i.trim_end(), true),
            None => (inner, false),
        };
        let mut tag = parse_args(inner);
        tag.line = tag_line;
        toks.push(Tok::Open { tag, self_closing });
    }
    if !text_buf.is_empty() {
        toks.push(Tok::Text(text_buf));
    }
    toks
}

fn parse_args(inner: &str) -> Tag {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in inner.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '`' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    let mut tag = Tag::default();
    let mut it = words.into_iter();
    tag.name = it.next().unwrap_or_default();
    for w in it {
        match w.split_once('=') {
            Some((k, v))
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                tag.named.insert(k.to_string(), v.to_string());
            }
            _ => tag.positional.push(w),
        }
    }
    tag
}

/// Has `toks[from..]` a closing tag for `name` (allowing nested pairs of the same name)?
fn has_close(toks: &[Tok], name: &str) -> bool {
    let mut depth = 0;
    for t in toks {
        match t {
            Tok::Open {
                tag,
                self_closing: false,
            } if tag.name == name => depth += 1,
            Tok::Close { name: n } if n == name => {
                if depth == 0 {
                    return true;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    false
}

fn render(
    toks: &[Tok],
    i: &mut usize,
    until: Option<&str>,
    rule: &dyn Fn(&str) -> Option<Action>,
    resolve: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<(u32, String)>,
) -> String {
    let mut out = String::new();
    while *i < toks.len() {
        let t = toks[*i].clone();
        *i += 1;
        match t {
            Tok::Text(s) => out.push_str(&s),
            Tok::Close { name } => {
                if until == Some(name.as_str()) {
                    return out;
                }
                // A stray closing tag: nothing to keep.
            }
            Tok::Open { tag, self_closing } => {
                let paired = !self_closing && has_close(&toks[*i..], &tag.name);
                let action = rule(&tag.name).or_else(|| builtin_action(&tag.name));
                if paired {
                    let inner = render(toks, i, Some(&tag.name), rule, resolve, warnings);
                    if action == Some(Action::Drop) {
                        continue;
                    }
                    let inner = inner.trim();
                    let title = tag.named.get("title").filter(|t| !t.trim().is_empty());
                    if inner.is_empty() && title.is_none() {
                        continue;
                    }
                    out.push_str("\n\n");
                    if let Some(title) = title {
                        out.push_str(&format!("**{}**\n\n", title.trim()));
                    }
                    out.push_str(inner);
                    out.push_str("\n\n");
                } else {
                    // A wrapper opened and never closed: its text stays, but say so.
                    if !self_closing && builtin_action(&tag.name) == Some(Action::Keep) {
                        warnings.push((
                            tag.line,
                            format!(
                                "shortcode `{}` is opened but never closed with `{{{{< /{} >}}}}`; the text after it is kept",
                                tag.name, tag.name
                            ),
                        ));
                    }
                    out.push_str(&inline(&tag, action, resolve, warnings));
                }
            }
        }
    }
    out
}

fn inline(
    tag: &Tag,
    action: Option<Action>,
    resolve: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<(u32, String)>,
) -> String {
    if tag.name == "ref" || tag.name == "relref" {
        let target = tag
            .positional
            .first()
            .or_else(|| tag.named.get("path"))
            .cloned()
            .unwrap_or_default();
        return match resolve(&target) {
            Some(u) => u,
            None => {
                warnings.push((
                    tag.line,
                    format!(
                        "`{}` target {target:?} was not found; the link is left out",
                        tag.name
                    ),
                ));
                String::new()
            }
        };
    }
    if action != Some(Action::Keep) {
        return String::new();
    }
    let text = tag
        .named
        .get("text")
        .or_else(|| tag.positional.first())
        .cloned()
        .unwrap_or_default();
    match tag.named.get("link").or_else(|| tag.named.get("href")) {
        Some(link) if !text.is_empty() => format!("[{text}]({link})"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Expanded {
        expand(s, &|_| None, &|t| Some(format!("https://x.test/{t}/")))
    }

    #[test]
    fn wrappers_keep_content_and_accordion_title_becomes_bold() {
        let e = run(
            "{{< ingress >}}\nLead.\n{{</ ingress >}}\n\n{{% accordion title=\"How we hire\" %}}\nSteps\n{{% /accordion %}}",
        );
        assert!(e.markdown.contains("Lead."));
        assert!(e.markdown.contains("**How we hire**\n\nSteps"));
        assert!(!e.markdown.contains("{{"), "{}", e.markdown);
    }

    #[test]
    fn presentation_and_unknown_self_closing_shortcodes_are_dropped() {
        let e = run(
            "A {{< accordion-script >}} B {{< icon-block-x link=\"https://a.test/\" text=\"Go\" >}} C {{< mystery 1 />}}",
        );
        assert_eq!(e.markdown, "A  B  C ");
        assert_eq!(e.tags[1].named["link"], "https://a.test/");
        assert_eq!(e.unknown.keys().collect::<Vec<_>>(), vec!["mystery"]);
    }

    #[test]
    fn unknown_paired_shortcodes_keep_their_content() {
        let e = run("{{% box \"info\" %}}Inside{{% /box %}}");
        assert_eq!(e.markdown.trim(), "Inside");
    }

    #[test]
    fn configured_drop_removes_a_wrapper_with_its_content() {
        let e = expand(
            "x{{% note %}}secret{{% /note %}}y",
            &|n| (n == "note").then_some(Action::Drop),
            &|_| None,
        );
        assert_eq!(e.markdown, "xy");
    }

    #[test]
    fn relref_becomes_the_target_url() {
        let e = run("See [other]({{< relref \"career/other.md\" >}}).");
        assert_eq!(e.markdown, "See [other](https://x.test/career/other.md/).");
    }

    #[test]
    fn wrapper_opened_and_never_closed_warns() {
        let e = expand("{{< ingress >}}\nHello there.\n", &|_| None, &|_| None);
        assert!(e.markdown.contains("Hello there."));
        assert!(
            e.warnings.iter().any(|(_, w)| w.contains("never closed")),
            "{:?}",
            e.warnings
        );
    }

    #[test]
    fn unterminated_shortcode_warns_and_keeps_the_text() {
        let e = run("Before\n{{< note text");
        assert_eq!(e.warnings.len(), 1);
        assert_eq!(e.warnings[0].0, 1);
        assert_eq!(e.markdown, "Before\n note text");
    }

    fn fragments() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let frag = prop_oneof![
            Just("{{<"),
            Just("{{%"),
            Just(">}}"),
            Just("%}}"),
            Just("{{"),
            Just("}}"),
            Just("/"),
            Just(" note "),
            Just("accordion"),
            Just(" title=\"x\" "),
            Just("\n"),
            Just("ref"),
            Just("\""),
            Just("Text "),
            Just("*")
        ];
        proptest::collection::vec(frag, 0..24).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn random_shortcode_soup_never_panics_and_renders_without_braces(s in fragments()) {
            let e = run(&s);
            let body = super::super::body::render(&e.markdown, None);
            proptest::prop_assert!(!body.html.html().contains("{{"), "{:?} -> {}", s, body.html);
        }
    }

    #[test]
    fn empty_wrappers_leave_nothing() {
        let e = run("a{{< note >}}  {{< /note >}}b");
        assert_eq!(e.markdown, "ab");
    }
}
