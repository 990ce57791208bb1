//! Text safety shared by every XML and HTML output: XML-illegal characters, CDATA, entities.

use std::borrow::Cow;

/// True for characters XML 1.0 allows (`#x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-]`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Removes characters XML cannot carry, even escaped (C0 controls, U+FFFE/U+FFFF), and the
/// C1 controls that readers render as garbage. Everything else, RTL marks and emoji included, stays.
pub fn xml_clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| is_xml_char(c) && !is_c1(c)) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| is_xml_char(c) && !is_c1(c)).collect())
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// Decodes HTML entities (`&nbsp;`, `&amp;`, `&#8217;`) to characters.
pub fn decode_entities(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
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

    #[test]
    fn illegal_xml_characters_are_removed_and_the_rest_kept() {
        assert_eq!(xml_clean("a\u{1}b\u{b}c\u{fffe}d\u{85}"), "abcd");
        let kept = "RTL \u{202e}x \u{200d} 🎉 e\u{301}";
        assert_eq!(xml_clean(kept), kept);
    }

    #[test]
    fn html_to_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_to_text("<p>Fish&amp; chips</p><ul><li>x</li></ul>"),
            "Fish& chips x"
        );
    }
}
