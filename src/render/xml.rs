//! The one XML writer every XML renderer uses: quick-xml events, cleaned text, split CDATA.
//! Keeping it in one place means no renderer can forget `xml_clean` or the `]]>` split.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::text::xml_clean;

/// A streaming XML document in memory, indented by two spaces, UTF-8 with a declaration.
pub struct Xml {
    w: Writer<Vec<u8>>,
}

// Writing into a `Vec` cannot fail; the only error source would be the IO sink.
const VEC_WRITE: &str = "writing XML into a Vec cannot fail";

impl Xml {
    /// Starts a document with `<?xml version="1.0" encoding="utf-8"?>`.
    pub fn new() -> Self {
        Self::with_capacity(16 * 1024)
    }

    /// Like [`Xml::new`], with room for about `bytes` of output (see [`super::size_hint`]).
    pub fn with_capacity(bytes: usize) -> Self {
        let mut w = Writer::new_with_indent(Vec::with_capacity(bytes), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .expect(VEC_WRITE);
        Xml { w }
    }

    /// A fragment written `depth` elements deep, after a sibling element: exactly the bytes
    /// the same calls would add to a whole document at that place (indentation included),
    /// so items can be rendered on their own and spliced into their feed.
    pub fn fragment(depth: usize) -> Self {
        let mut w = Writer::new_with_indent(Vec::with_capacity(8 * 1024), b' ', 2);
        for _ in 0..depth {
            w.write_event(Event::Start(BytesStart::new("x")))
                .expect(VEC_WRITE);
        }
        w.write_event(Event::Empty(BytesStart::new("x")))
            .expect(VEC_WRITE);
        w.get_mut().clear();
        Xml { w }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.w.get_ref().len()
    }

    /// Whether nothing is written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The fragment's bytes (see [`Xml::fragment`]), without a final newline.
    pub fn into_fragment(self) -> Vec<u8> {
        self.w.into_inner()
    }

    /// Opens `<name attr="…">`; attribute values are cleaned and escaped.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let start = start_tag(name, attrs);
        self.w.write_event(Event::Start(start)).expect(VEC_WRITE);
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .expect(VEC_WRITE);
    }

    /// `<name attr="…"/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let start = start_tag(name, attrs);
        self.w.write_event(Event::Empty(start)).expect(VEC_WRITE);
    }

    /// `<name>text</name>` with `&`, `<`, `>` escaped by the writer and illegal characters removed.
    pub fn text(&mut self, name: &str, value: &str) {
        self.text_attrs(name, &[], value);
    }

    /// Like [`Xml::text`] with attributes.
    pub fn text_attrs(&mut self, name: &str, attrs: &[(&str, &str)], value: &str) {
        let clean = xml_clean(value);
        self.w
            .write_event(Event::Start(start_tag(name, attrs)))
            .expect(VEC_WRITE);
        self.w
            .write_event(Event::Text(BytesText::new(&clean)))
            .expect(VEC_WRITE);
        self.close(name);
    }

    /// `<name><![CDATA[value]]></name>`, split at every `]]>` so it cannot end the section early.
    pub fn cdata(&mut self, name: &str, value: &str) {
        self.cdata_attrs(name, &[], value);
    }

    /// Like [`Xml::cdata`] with attributes.
    pub fn cdata_attrs(&mut self, name: &str, attrs: &[(&str, &str)], value: &str) {
        let clean = xml_clean(value);
        self.w
            .write_event(Event::Start(start_tag(name, attrs)))
            .expect(VEC_WRITE);
        for part in BytesCData::escaped(&clean) {
            self.w.write_event(Event::CData(part)).expect(VEC_WRITE);
        }
        self.close(name);
    }

    /// Text in CDATA when `cdata`, else escaped text (board profiles choose).
    pub fn content(&mut self, name: &str, value: &str, cdata: bool) {
        if cdata {
            self.cdata(name, value);
        } else {
            self.text(name, value);
        }
    }

    /// The finished document, ending with a newline.
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.w.into_inner();
        bytes.push(b'\n');
        bytes
    }

    /// The envelope of a feed whose items go at byte `at` (taken with [`Xml::len`] after
    /// the head was written): the finished document split there.
    pub fn into_envelope(self, at: usize) -> super::Envelope {
        let mut head = self.finish();
        let tail = head.split_off(at);
        super::Envelope {
            head,
            sep: b"",
            tail,
        }
    }
}

impl Default for Xml {
    fn default() -> Self {
        Self::new()
    }
}

fn start_tag<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut start = BytesStart::new(name);
    for (k, v) in attrs {
        let v = xml_clean(v);
        start.push_attribute((*k, v.as_ref()));
    }
    start
}

/// RFC 822 date as RSS wants it, always in GMT with a 4-digit year:
/// `Fri, 27 Nov 2026 08:00:00 GMT`.
pub fn rfc822(t: &DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// RFC 3339 / ISO 8601 in UTC with `Z` and whole seconds: `2026-11-27T08:00:00Z`.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// W3C Datetime with an explicit offset, as sitemaps show it: `2026-11-27T08:00:00+00:00`.
pub fn w3c(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cdata_splits_the_end_marker_and_drops_illegal_characters() {
        let mut x = Xml::new();
        x.cdata("d", "a]]>b\u{1}c\u{85}");
        let s = String::from_utf8(x.finish()).unwrap();
        assert!(s.contains("<d><![CDATA[a]]]]><![CDATA[>bc]]></d>"), "{s}");
    }

    #[test]
    fn text_and_attributes_escape_markup_characters() {
        let mut x = Xml::new();
        x.text_attrs("a", &[("href", "https://x.test/?a=1&b=<2>")], "A & B <c>");
        let s = String::from_utf8(x.finish()).unwrap();
        assert!(
            s.contains(r#"href="https://x.test/?a=1&amp;b=&lt;2&gt;""#),
            "{s}"
        );
        assert!(s.contains("A &amp; B &lt;c&gt;"), "{s}");
        assert!(
            s.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{s}"
        );
    }

    #[test]
    fn dates_use_each_target_format() {
        let t = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
        assert_eq!(rfc822(&t), "Fri, 27 Nov 2026 08:00:00 GMT");
        assert_eq!(rfc3339(&t), "2026-11-27T08:00:00Z");
        assert_eq!(w3c(&t), "2026-11-27T08:00:00+00:00");
    }
}
