//! Description HTML held compressed between reading and rendering: descriptions are the
//! largest values of a run (about 490 MB of a 100,000-posting build), each read a few times.

use std::borrow::Cow;
use std::sync::Arc;

/// Sanitised HTML, LZ4-compressed (real postings to 60–70% of their size). Each render
/// decompresses its own copy, about ten per posting and run: some 7% of a build's time.
/// Clones share the bytes; equal text gives equal bytes, so it compares and hashes as its
/// text would.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Html(Arc<[u8]>);

impl Html {
    pub fn new(html: &str) -> Self {
        Html(lz4_flex::compress_prepend_size(html.as_bytes()).into())
    }

    /// The HTML itself (decompressed: keep it only as long as it is needed).
    pub fn html(&self) -> Text {
        Text(
            lz4_flex::decompress_size_prepended(&self.0)
                .expect("an Html holds the bytes it compressed"),
        )
    }

    /// Length of the HTML in bytes, without decompressing it.
    pub fn len(&self) -> usize {
        lz4_flex::block::uncompressed_size(&self.0).map_or(0, |(n, _)| n)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The compressed bytes: a key for the content (equal HTML, equal bytes).
    pub fn packed(&self) -> &[u8] {
        &self.0
    }
}

/// Decompressed HTML, used as a `str`. Each use checks it is UTF-8 again, with SIMD: that
/// costs a tenth of what making a `String` of it did, and needs no `unsafe`.
pub struct Text(Vec<u8>);

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        simdutf8::basic::from_utf8(&self.0).expect("an Html holds the text it compressed")
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl Default for Html {
    fn default() -> Self {
        Html::new("")
    }
}

impl std::fmt::Debug for Html {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.html(), f)
    }
}

impl std::fmt::Display for Html {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.html())
    }
}

impl From<&str> for Html {
    fn from(s: &str) -> Self {
        Html::new(s)
    }
}

impl From<String> for Html {
    fn from(s: String) -> Self {
        Html::new(&s)
    }
}

impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.html())
    }
}

impl<'de> serde::Deserialize<'de> for Html {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        Ok(Html::new(&s))
    }
}

impl schemars::JsonSchema for Html {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_comes_back_as_it_went_in_and_compares_by_content() {
        let text = "<p>Build and run <strong>our</strong> platform. Æøå €.</p>".repeat(20);
        let h = Html::new(&text);
        assert_eq!(h.html(), text);
        assert_eq!(h.len(), text.len());
        assert!(h.packed().len() < text.len() / 2, "{}", h.packed().len());
        assert_eq!(h, Html::from(text.clone()));
        assert_ne!(h, Html::from("<p>other</p>"));
        assert!(Html::default().is_empty());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Html>(&json).unwrap(), h);
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(s in "\\PC{0,300}") {
            proptest::prop_assert_eq!(Html::new(&s).html(), s);
        }
    }
}
