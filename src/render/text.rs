//! Text safety shared by every XML and HTML output: XML-illegal characters, CDATA, entities.

use std::borrow::Cow;

/// True for characters XML 1.0 allows (`#x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-]`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Removes characters XML cannot carry, even escaped (C0 controls, U+FFFE/U+FFFF), and the
/// C1 controls that readers render as garbage. Everything else, RTL marks and emoji included, stays.
pub fn xml_clean(s: &str) -> Cow<'_, str> {
    if first_refused(s, true).is_none() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| is_xml_char(c) && !is_c1(c)).collect())
    }
}

/// Byte offset of the first character XML 1.0 refuses (with `c1`, also of the first C1
/// control). Scans bytes: in UTF-8 each of these has a fixed encoding, so text need not be
/// decoded (this runs over every byte of every output).
pub fn first_refused(s: &str, c1: bool) -> Option<usize> {
    let b = s.as_bytes();
    // Almost all text has none of the bytes that start these: skip such chunks with a test
    // the compiler can vectorise, and look closely only at a chunk that has one.
    const CHUNK: usize = 64;
    let suspect =
        |x: u8| (x < 0x20 && !matches!(x, b'\t' | b'\n' | b'\r')) | (x == 0xC2) | (x == 0xEF);
    let mut start = 0;
    for chunk in b.chunks(CHUNK) {
        if chunk.iter().fold(false, |any, &x| any | suspect(x)) {
            break;
        }
        start += chunk.len();
    }
    b[start..].iter().enumerate().find_map(|(j, &x)| {
        let i = start + j;
        let refused = match x {
            b'\t' | b'\n' | b'\r' => false,
            0..0x20 => true,
            // U+0080..U+009F
            0xC2 => c1 && matches!(b.get(i + 1), Some(0x80..=0x9F)),
            // U+FFFE, U+FFFF
            0xEF => b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)),
            _ => false,
        };
        refused.then_some(i)
    })
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// Decodes HTML entities (`&nbsp;`, `&amp;`, `&#8217;`) to characters.
pub fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// Replaces HTML entities in an HTML fragment by their characters, except those that
/// stand for markup (`&lt; &gt; &amp; &quot; &apos;` and their numeric forms), which stay
/// as they are so the HTML keeps its meaning. Feed readers that treat the description as
/// XML then never meet an entity XML does not define (`&nbsp;`). Unknown `&name;` stays.
pub fn decode_html_entities_keep_markup(html: &str) -> Cow<'_, str> {
    if !html.contains('&') {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // An entity is `&` + up to 32 name or number characters + `;`.
        let end = rest
            .char_indices()
            .skip(1)
            .take(33)
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))
            .filter(|&(_, c)| c == ';')
            .map(|(j, _)| j);
        match end {
            Some(j) if j > 1 => {
                let token = &rest[..=j];
                let decoded = html_escape::decode_html_entities(token);
                if decoded == token || matches!(decoded.as_ref(), "<" | ">" | "&" | "\"" | "'") {
                    out.push_str(token);
                } else {
                    out.push_str(&decoded);
                }
                rest = &rest[j + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Plain text of an HTML fragment: tags dropped, entities decoded, white space collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte scan must agree with the character rules it replaces, or illegal
        /// characters reach XML outputs (or legal text is stripped).
        #[test]
        fn byte_scan_agrees_with_the_character_rules(
            // Long clean runs before the odd character cross the scan's 64-byte chunks.
            s in "\\PC*|[\\x00-\\x{A0}\\x{FFFD}-\\x{10000}]{0,40}|[a-zæøå ]{0,200}[\\x00-\\x{A0}\\x{FFFD}-\\x{10000}]{0,3}[a-z]{0,70}"
        ) {
            let by_chars = |c1: bool| s.char_indices().find(|&(_, c)| !is_xml_char(c) || (c1 && is_c1(c))).map(|(i, _)| i);
            proptest::prop_assert_eq!(first_refused(&s, true), by_chars(true));
            proptest::prop_assert_eq!(first_refused(&s, false), by_chars(false));
        }
    }

    #[test]
    fn illegal_xml_characters_are_removed_and_the_rest_kept() {
        assert_eq!(xml_clean("a\u{1}b\u{b}c\u{fffe}d\u{85}"), "abcd");
        let kept = "RTL \u{202e}x \u{200d} 🎉 e\u{301}";
        assert_eq!(xml_clean(kept), kept);
    }

    #[test]
    fn entities_become_characters_but_markup_escapes_stay() {
        assert_eq!(
            decode_html_entities_keep_markup(
                "a&nbsp;b &#8217; &lt;p&gt; &amp;amp; &#60; &quot; &foo; & ;"
            ),
            "a\u{a0}b \u{2019} &lt;p&gt; &amp;amp; &#60; &quot; &foo; & ;"
        );
        assert_eq!(decode_html_entities_keep_markup("&eacute;t&eacute;"), "été");
    }

    #[test]
    fn html_to_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_to_text("<p>Fish&amp; chips</p><ul><li>x</li></ul>"),
            "Fish& chips x"
        );
    }
}
