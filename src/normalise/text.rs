//! The plain text of a sanitised description, one line per block, for finding facts stated
//! only in prose (salary lines, "remote from anywhere in the EU").

/// Tags that end a line of text: blocks, list items, table rows and line breaks.
const BREAKS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "thead",
    "tbody",
    "blockquote",
    "div",
];
/// Tags inside a line that separate nothing ("**Pay:**" reads "Pay:").
const INLINE: &[&str] = &[
    "a", "strong", "em", "b", "i", "u", "s", "span", "code", "sub", "sup", "small", "mark",
];

/// Lines of visible text: tags dropped (a block's end ends a line, a table cell adds a
/// space), entities decoded once, spaces collapsed, blank lines left out.
///
/// Made from the description when normalising needs it rather than carried beside it from
/// the source: a run held both for every posting (about 40 MB at 10,000 postings).
pub fn lines_of(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        raw.push_str(&rest[..open]);
        let tag = &rest[open + 1..];
        let end = tag_end(tag);
        let bare = tag.trim_start_matches('/');
        let name = &bare[..bare.bytes().take_while(u8::is_ascii_alphanumeric).count()];
        let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if is(BREAKS) {
            raw.push('\n');
        } else if !is(INLINE) {
            raw.push(' ');
        }
        rest = &tag[end..];
    }
    raw.push_str(rest);
    let decoded = html_escape::decode_html_entities(&raw);
    let mut out = String::with_capacity(decoded.len());
    for line in decoded.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        for (i, w) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Where a tag's text ends (after its `>`; a `>` inside a quoted attribute does not end it).
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '>') => return i + 1,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    tag.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_inline_tags_join_their_words() {
        let html = "<h2>Pay</h2>\n<p><strong>Salary:</strong><br />\n€1 - €2\nyearly</p><ul><li>one</li><li>two &amp;amp; three</li></ul>";
        assert_eq!(
            lines_of(html),
            "Pay\nSalary:\n€1 - €2\nyearly\none\ntwo &amp; three"
        );
    }

    #[test]
    fn table_cells_are_spaced_and_quoted_brackets_stay_inside_their_tag() {
        let html = r#"<table><tr><th>Pay</th><td>40 000 kr</td></tr></table><p><a href="mailto:a>b@x.test">mail</a>  us</p>"#;
        assert_eq!(lines_of(html), "Pay 40 000 kr\nmail us");
    }

    #[test]
    fn plain_text_and_an_unclosed_tag_lose_nothing_visible() {
        assert_eq!(lines_of("no tags at all"), "no tags at all");
        assert_eq!(lines_of("a <b"), "a");
        assert_eq!(lines_of(""), "");
    }

    proptest::proptest! {
        /// Text without markup keeps every word, in order; no input makes it panic.
        #[test]
        fn text_without_markup_keeps_its_words(s in "[^<&]{0,200}", any in "\\PC{0,200}") {
            let words: Vec<&str> = s.split_whitespace().collect();
            let lines = lines_of(&s);
            proptest::prop_assert_eq!(lines.split_whitespace().collect::<Vec<_>>(), words);
            let _ = lines_of(&any);
        }
    }
}
