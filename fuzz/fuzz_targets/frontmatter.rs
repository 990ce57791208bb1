//! Front matter: any bytes through the markdown source's decode and split/parse step.
#![no_main]

use jobfeed::source::markdown::frontmatter::{Format, decode, parse};
use jobfeed_fuzz::assert_line_inside;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match decode(data) {
        Ok(t) => t,
        Err(e) => {
            assert!(!e.message.is_empty(), "{e:?}");
            assert!(e.line >= 1, "{e:?}");
            return;
        }
    };
    match parse(&text) {
        Ok(page) => {
            // An empty body after a closing fence without a newline starts just past the end.
            if page.body.is_empty() {
                assert_line_inside(page.body_line.saturating_sub(1).max(1), &text, &page);
            } else {
                assert_line_inside(page.body_line, &text, &page);
            }
            for (key, line) in &page.lines {
                assert_line_inside(*line, &text, &key);
                assert!(page.fields.contains_key(key), "line without field {key:?}");
            }
            for (key, first, last) in &page.duplicates {
                assert!(first <= last, "duplicate {key:?} lines out of order");
            }
            if page.format == Format::None {
                assert!(page.fields.is_empty());
            }
            // The body is a suffix of the (CRLF-normalised) text, never invented.
            let normalised = text.replace("\r\n", "\n");
            assert!(
                normalised.ends_with(&page.body),
                "body is not the end of the page: {:?}",
                page.body
            );
        }
        Err(e) => {
            assert!(!e.message.is_empty(), "{e:?}");
            assert!(e.rule.starts_with("frontmatter."), "{e:?}");
            assert_line_inside(e.line, &text, &e);
        }
    }
});
