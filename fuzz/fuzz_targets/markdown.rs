//! Markdown body with Hugo shortcodes and Liquid/Go template text → sanitised description HTML,
//! as the markdown source renders a page body.
#![no_main]

use jobfeed::source::markdown::{body, shortcodes};
use jobfeed_fuzz::{BODY_TAGS, assert_clean_html, assert_line_inside};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Shortcodes named `keep`/`drop` take the configured-rule paths, as a feed config would.
    let rule = |name: &str| match name {
        "keep" => Some(shortcodes::Action::Keep),
        "drop" => Some(shortcodes::Action::Drop),
        _ => None,
    };
    let resolve = |target: &str| {
        (!target.is_empty() && !target.contains("missing"))
            .then(|| format!("https://x.test/{}/", target.trim_matches('/')))
    };
    let expanded = shortcodes::expand(text, &rule, &resolve);
    for (line, message) in &expanded.warnings {
        // Warnings carry 0-based lines.
        assert_line_inside(line + 1, text, message);
        assert!(!message.is_empty());
    }
    for tag in &expanded.tags {
        assert_line_inside(tag.line + 1, text, tag);
    }
    let page = url::Url::parse("https://x.test/career/job/").expect("static URL");
    let rendered = body::render(&expanded.markdown, Some(&page));
    let html = rendered.html.html();
    assert_clean_html(&html, BODY_TAGS);
    // Sanitised output fed back through the sanitiser must not gain anything.
    assert_clean_html(&body::sanitize(&html), BODY_TAGS);
});
