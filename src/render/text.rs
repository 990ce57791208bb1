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
