//! XML outputs: re-parse every file to the end (well-formed UTF-8, XML 1.0 characters only)
//! into a small element tree, then the structural checks of RSS, Atom and sitemaps.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::diag::Diagnostic;
use crate::render::text::is_xml_char;

/// Sitemaps protocol limit per file; beyond it a sitemap index is needed.
pub const SITEMAP_MAX_URLS: usize = 50_000;

/// One element of a parsed document: name as written (with prefix), attributes with
/// entities resolved, child elements, and its own text (text and CDATA concatenated).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    /// 1-based line of the start tag.
    pub line: u32,
    /// A stub left by [`parse_detaching`]: the element was handed over and checked alone,
    /// only its name and line stay here.
    pub detached: bool,
}

impl Element {
    /// The name without namespace prefix (`atom:link` → `link`).
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// Child elements with this local name.
    pub fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.local_name() == local)
    }

    pub fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == local)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the element has a child `local` with non-blank text.
    fn has_text_child(&self, local: &str) -> bool {
        self.children_named(local)
            .any(|c| !c.text.trim().is_empty())
    }
}

/// Why a document is not XML at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotXml {
    /// `xml.well-formed` or `xml.illegal-char`.
    pub rule: &'static str,
    pub message: String,
    pub line: Option<u32>,
}

impl NotXml {
    fn wf(message: impl Into<String>, line: Option<u32>) -> Self {
        NotXml {
            rule: "xml.well-formed",
            message: message.into(),
            line,
        }
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        Diagnostic::error(self.rule, self.message).line(self.line)
    }
}

/// Line numbers for positions that only move forward.
struct Lines<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: u64) -> u32 {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(self.s.len());
        if end < self.pos {
            return line_at(self.s, pos);
        }
        self.line += self.s.as_bytes()[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = end;
        u32::try_from(self.line).unwrap_or(u32::MAX)
    }
}

fn line_at(s: &str, pos: u64) -> u32 {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(s.len());
    let end = (0..=end)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    u32::try_from(s[..end].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Parses `bytes` completely. Anything a strict XML parser would refuse is an error,
/// including characters that are illegal even inside CDATA or as `&#…;` (pitfall 2).
pub fn parse(bytes: &[u8]) -> Result<Element, NotXml> {
    parse_detaching(bytes, usize::MAX, None, &mut |_| {})
}

/// Parses like [`parse`], but every element at `depth` (the root is 0) named `name` (any
/// name when `None`) is handed to `detached` as soon as it ends, and only a stub of it stays
/// in the tree. A feed's items are checked one by one and memory holds one item's tree,
/// not the whole document's.
pub fn parse_detaching(
    bytes: &[u8],
    depth: usize,
    name: Option<&str>,
    detached: &mut dyn FnMut(Element),
) -> Result<Element, NotXml> {
    let s = simdutf8::compat::from_utf8(bytes).map_err(|e| {
        NotXml::wf(
            format!(
                "not UTF-8 (at byte {}): write the file as UTF-8",
                e.valid_up_to()
            ),
            None,
        )
    })?;
    let s = s.strip_prefix('\u{FEFF}').unwrap_or(s);
    if let Some(i) = crate::render::text::first_refused(s, false) {
        let c = s[i..].chars().next().unwrap_or_default();
        return Err(NotXml {
            rule: "xml.illegal-char",
            message: format!(
                "character U+{:04X} is not allowed in XML 1.0, not even in CDATA: strip it from the source text",
                c as u32
            ),
            line: Some(line_at(s, i as u64)),
        });
    }
    let mut reader = Reader::from_str(s);
    reader.config_mut().check_end_names = true;
    // Lines are counted incrementally: counting from the start for every event made
    // parsing quadratic in the file size (a 10,000-job board feed took minutes).
    let mut lines = Lines { s, pos: 0, line: 1 };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            NotXml::wf(
                format!("not well-formed: {e}"),
                Some(line_at(s, reader.error_position())),
            )
        })?;
        let line = lines.at(pos);
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if stack.is_empty() && root.is_some() {
                    return Err(NotXml::wf("more than one root element", Some(line)));
                }
                stack.push(element(&e, line)?);
            }
            Event::Empty(e) => {
                let el = element(&e, line)?;
                let el = detach(el, stack.len() == depth, name, detached);
                attach(&mut stack, &mut root, el, line)?;
            }
            Event::End(e) => {
                let Some(el) = stack.pop() else {
                    return Err(NotXml::wf(
                        format!("end tag </{}> without a start tag", e.name().as_ref()),
                        Some(line),
                    ));
                };
                let el = detach(el, stack.len() == depth, name, detached);
                attach(&mut stack, &mut root, el, line)?;
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), line)?,
            Event::CData(c) => push_text(&mut stack, &c.xml10_content(), line)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                    Ok(Some(c)) => {
                        return Err(NotXml {
                            rule: "xml.illegal-char",
                            message: format!(
                                "character reference &{}; is U+{:04X}, which XML 1.0 does not allow: strip it from the source text",
                                r.as_ref(),
                                c as u32
                            ),
                            line: Some(line),
                        });
                    }
                    Err(e) => {
                        return Err(NotXml::wf(
                            format!("bad character reference &{};: {e}", r.as_ref()),
                            Some(line),
                        ));
                    }
                    Ok(None) => match r.as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => {
                            return Err(NotXml::wf(
                                format!(
                                    "undefined entity &{other};: XML knows only &lt; &gt; &amp; &apos; &quot; (decode HTML entities to characters before rendering)"
                                ),
                                Some(line),
                            ));
                        }
                    },
                };
                push_text(&mut stack, &resolved, line)?;
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    return Err(NotXml::wf(
                        format!(
                            "declared encoding {enc:?}: outputs must declare encoding=\"utf-8\""
                        ),
                        Some(line),
                    ));
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(NotXml::wf(
            format!(
                "the document ends inside <{}> (opened on line {})",
                open.name, open.line
            ),
            Some(line_at(s, s.len() as u64)),
        ));
    }
    root.ok_or_else(|| {
        NotXml::wf(
            "no root element: the file is empty or has only a declaration",
            Some(1),
        )
    })
}

/// Hands `el` over and returns its stub when it is at the detached depth and has the name.
fn detach(
    el: Element,
    at_depth: bool,
    name: Option<&str>,
    detached: &mut dyn FnMut(Element),
) -> Element {
    if !at_depth || name.is_some_and(|n| el.local_name() != n) {
        return el;
    }
    let stub = Element {
        name: el.name.clone(),
        line: el.line,
        detached: true,
        ..Element::default()
    };
    detached(el);
    stub
}

fn element(e: &BytesStart<'_>, line: u32) -> Result<Element, NotXml> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| {
            NotXml::wf(
                format!("bad attribute in <{}>: {err}", e.name().as_ref()),
                Some(line),
            )
        })?;
        let value = a.normalized_value(XmlVersion::Explicit1_0).map_err(|err| {
            NotXml::wf(
                format!("bad attribute value in <{}>: {err}", e.name().as_ref()),
                Some(line),
            )
        })?;
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            return Err(NotXml {
                rule: "xml.illegal-char",
                message: format!(
                    "attribute of <{}> holds U+{:04X}, which XML 1.0 does not allow",
                    e.name().as_ref(),
                    c as u32
                ),
                line: Some(line),
            });
        }
        attrs.push((a.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(Element {
        name: e.name().as_ref().to_string(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
        detached: false,
    })
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    line: u32,
) -> Result<(), NotXml> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err(NotXml::wf("more than one root element", Some(line))),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str, line: u32) -> Result<(), NotXml> {
    match stack.last_mut() {
        Some(top) => top.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(NotXml::wf("text outside the root element", Some(line))),
    }
    Ok(())
}

/// The root element must be `expected` (local name), or the file is the wrong format.
pub fn check_root(root: &Element, expected: &str) -> Vec<Diagnostic> {
    if root.local_name() == expected {
        Vec::new()
    } else {
        vec![
            Diagnostic::error(
                "xml.root",
                format!("root element is <{}>, expected <{expected}>", root.name),
            )
            .line(Some(root.line))
            .field(format!("/{}", root.name)),
        ]
    }
}

/// RSS 2.0: one `channel` with `title`, `link`, `description`; every `item` has a
/// `title` or `description`, and a `guid` (our readers dedupe by it).
pub fn check_rss(root: &Element) -> Vec<Diagnostic> {
    let mut out = check_root(root, "rss");
    if !out.is_empty() {
        return out;
    }
    if root.attr("version") != Some("2.0") {
        out.push(rss_err("/rss", root.line, "<rss> needs version=\"2.0\""));
    }
    let channels: Vec<&Element> = root
        .children
        .iter()
        .filter(|c| c.name == "channel")
        .collect();
    let [channel] = channels.as_slice() else {
        out.push(rss_err(
            "/rss",
            root.line,
            &format!(
                "<rss> must hold exactly one <channel>, found {}",
                channels.len()
            ),
        ));
        return out;
    };
    // Exact names: `atom:link` (the self link) must not stand in for the channel's `link`.
    for need in ["title", "link", "description"] {
        if !channel.children.iter().any(|c| c.name == need) {
            out.push(rss_err(
                "/rss/channel",
                channel.line,
                &format!("<channel> has no <{need}>: RSS 2.0 requires title, link and description"),
            ));
        }
    }
    for (i, item) in channel.children_named("item").enumerate() {
        if !item.detached {
            out.extend(check_rss_item(item, i + 1));
        }
    }
    out
}

/// One RSS `<item>` (the `n`th): a `title` or `description`, and a `guid`.
pub fn check_rss_item(item: &Element, n: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let at = format!("/rss/channel/item[{n}]");
    if !item.has_text_child("title") && !item.has_text_child("description") {
        out.push(
            Diagnostic::error(
                "rss.item",
                "<item> has neither <title> nor <description>: give it at least one",
            )
            .field(&at)
            .line(Some(item.line)),
        );
    }
    if !item.has_text_child("guid") {
        out.push(
            Diagnostic::error(
                "rss.item",
                "<item> has no <guid>: add the posting's permanent id",
            )
            .field(&at)
            .line(Some(item.line)),
        );
    }
    out
}

fn rss_err(field: &str, line: u32, message: &str) -> Diagnostic {
    Diagnostic::error("rss.channel", message)
        .field(field)
        .line(Some(line))
}

/// Atom (RFC 4287): the feed and every entry have exactly one `id`, `title` and `updated`.
pub fn check_atom(root: &Element) -> Vec<Diagnostic> {
    let mut out = check_root(root, "feed");
    if !out.is_empty() {
        return out;
    }
    exactly_one(root, "/feed", "atom.feed", &mut out);
    for (i, entry) in root.children_named("entry").enumerate() {
        if !entry.detached {
            out.extend(check_atom_entry(entry, i + 1));
        }
    }
    out
}

/// One Atom `<entry>` (the `n`th): exactly one `id`, `title` and `updated`.
pub fn check_atom_entry(entry: &Element, n: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    exactly_one(entry, &format!("/feed/entry[{n}]"), "atom.entry", &mut out);
    out
}

fn exactly_one(el: &Element, at: &str, rule: &str, out: &mut Vec<Diagnostic>) {
    for need in ["id", "title", "updated"] {
        let n = el.children_named(need).count();
        if n != 1 {
            out.push(
                Diagnostic::error(
                    rule,
                    format!(
                        "<{}> must have exactly one <{need}>, found {n}",
                        el.local_name()
                    ),
                )
                .field(at)
                .line(Some(el.line)),
            );
        } else if need != "title" && !el.has_text_child(need) {
            out.push(
                Diagnostic::error(rule, format!("<{}> has an empty <{need}>", el.local_name()))
                    .field(format!("{at}/{need}"))
                    .line(Some(el.line)),
            );
        }
    }
}

/// Sitemaps: root `urlset`, at most 50,000 `<url>`, each with a non-empty `<loc>`; or a
/// sitemap index (root `sitemapindex`) of at most 50,000 `<sitemap>`, each with a `<loc>`.
pub fn check_sitemap(root: &Element) -> Vec<Diagnostic> {
    if root.local_name() == "sitemapindex" {
        return check_sitemap_index(root);
    }
    let mut out = check_root(root, "urlset");
    if !out.is_empty() {
        return out;
    }
    let urls: Vec<&Element> = root.children_named("url").collect();
    if urls.len() > SITEMAP_MAX_URLS {
        out.push(
            Diagnostic::error(
                "sitemap.size",
                format!("{} <url> entries; a sitemap may hold at most {SITEMAP_MAX_URLS}: split it and add a sitemap index", urls.len()),
            )
            .field("/urlset"),
        );
    }
    for (i, url) in urls.iter().enumerate() {
        if !url.detached {
            out.extend(check_sitemap_url(url, i + 1));
        }
    }
    out
}

/// A sitemap index: at most 50,000 `<sitemap>`, each with a non-empty `<loc>`.
fn check_sitemap_index(root: &Element) -> Vec<Diagnostic> {
    let maps: Vec<&Element> = root.children_named("sitemap").collect();
    let mut out = Vec::new();
    if maps.is_empty() || maps.len() > SITEMAP_MAX_URLS {
        out.push(
            Diagnostic::error(
                "sitemap.size",
                format!(
                    "{} <sitemap> entries; a sitemap index holds 1 to {SITEMAP_MAX_URLS}",
                    maps.len()
                ),
            )
            .field("/sitemapindex"),
        );
    }
    for (i, map) in maps.iter().enumerate() {
        if !map.has_text_child("loc") {
            out.push(
                Diagnostic::error(
                    "sitemap.url",
                    "<sitemap> has no <loc>: every entry needs the sitemap's absolute URL",
                )
                .field(format!("/sitemapindex/sitemap[{}]", i + 1))
                .line(Some(map.line)),
            );
        }
    }
    out
}

/// One sitemap `<url>` (the `n`th): a non-empty `<loc>`.
pub fn check_sitemap_url(url: &Element, n: usize) -> Vec<Diagnostic> {
    if url.has_text_child("loc") {
        return Vec::new();
    }
    vec![
        Diagnostic::error(
            "sitemap.url",
            "<url> has no <loc>: every entry needs the page's absolute URL",
        )
        .field(format!("/urlset/url[{n}]"))
        .line(Some(url.line)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_text_and_entities_are_joined_into_element_text() {
        let root = parse(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a><b>x &amp; <![CDATA[<p>y</p>]]>&#65;</b></a>").unwrap();
        assert_eq!(root.children[0].text, "x & <p>y</p>A");
    }

    #[test]
    fn control_characters_are_refused_even_inside_cdata_or_as_references() {
        let raw = parse(b"<a><![CDATA[x\x0by]]></a>").unwrap_err();
        assert_eq!(raw.rule, "xml.illegal-char");
        let refd = parse(b"<a>&#x1;</a>").unwrap_err();
        assert!(
            refd.rule == "xml.illegal-char" || refd.rule == "xml.well-formed",
            "{refd:?}"
        );
    }

    #[test]
    fn html_entities_unclosed_elements_and_two_roots_are_not_xml() {
        for bad in [
            &b"<a>&nbsp;</a>"[..],
            b"<a><b></a>",
            b"<a>",
            b"<a/><b/>",
            b"",
            b"<a>x</a>trailing",
            b"<a href=\"x&y\"/>",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(
                err.rule,
                "xml.well-formed",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn error_line_points_at_the_problem() {
        let err = parse(b"<a>\n<b>\n</c>\n</a>").unwrap_err();
        assert_eq!(err.line, Some(3), "{err:?}");
    }

    #[test]
    fn detached_items_are_handed_over_whole_and_leave_stubs_with_their_lines() {
        let doc = "<rss>\n<channel>\n<title>t</title>\n<item><guid>1</guid></item>\n<item><title>x</title></item>\n</channel>\n</rss>";
        let mut items = Vec::new();
        let root =
            parse_detaching(doc.as_bytes(), 2, Some("item"), &mut |el| items.push(el)).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].child("guid").unwrap().text, "1");
        assert_eq!(items[1].line, 5);
        let channel = root.child("channel").unwrap();
        assert!(
            !channel.child("title").unwrap().detached,
            "only items are detached"
        );
        let stubs: Vec<&Element> = channel.children_named("item").collect();
        assert!(stubs.iter().all(|s| s.detached && s.children.is_empty()));
        assert_eq!(stubs[1].line, 5);
        // The per-item check finds on the handed-over item what the whole-tree check finds.
        let whole = check_rss(&parse(doc.as_bytes()).unwrap());
        let streamed: Vec<Diagnostic> = items
            .iter()
            .enumerate()
            .flat_map(|(i, it)| check_rss_item(it, i + 1))
            .collect();
        assert_eq!(streamed.len(), 2, "{streamed:?}");
        let mut all = check_rss(&root);
        all.extend(streamed);
        assert_eq!(all, whole);
    }

    #[test]
    fn rss_item_without_guid_is_reported() {
        let root = parse(b"<rss version=\"2.0\"><channel><title>t</title><link>l</link><description>d</description><item><title>x</title></item></channel></rss>").unwrap();
        let d = check_rss(&root);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field.as_deref(), Some("/rss/channel/item[1]"));
    }

    #[test]
    fn sitemap_index_entries_need_a_loc() {
        let entry = |loc: &str| Element {
            name: "sitemap".into(),
            children: vec![Element {
                name: "loc".into(),
                text: loc.into(),
                ..Element::default()
            }],
            ..Element::default()
        };
        let index = |children| Element {
            name: "sitemapindex".into(),
            children,
            ..Element::default()
        };
        assert!(check_sitemap(&index(vec![entry("https://e.com/sitemap-1.xml")])).is_empty());
        let d = check_sitemap(&index(vec![
            entry("https://e.com/sitemap-1.xml"),
            entry(""),
        ]));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].rule, "sitemap.url");
        assert_eq!(d[0].field.as_deref(), Some("/sitemapindex/sitemap[2]"));
        assert_eq!(check_sitemap(&index(Vec::new()))[0].rule, "sitemap.size");
    }

    #[test]
    fn sitemap_over_fifty_thousand_urls_is_refused() {
        // Built directly: parsing 50,001 entries in a debug build would take seconds.
        let url = Element {
            name: "url".into(),
            children: vec![Element {
                name: "loc".into(),
                text: "https://e.com/".into(),
                ..Element::default()
            }],
            ..Element::default()
        };
        let root = Element {
            name: "urlset".into(),
            children: vec![url; SITEMAP_MAX_URLS + 1],
            ..Element::default()
        };
        let d = check_sitemap(&root);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "sitemap.size");
        assert!(
            check_sitemap(&Element {
                children: root.children[..SITEMAP_MAX_URLS].to_vec(),
                ..root.clone()
            })
            .is_empty()
        );
    }
}
