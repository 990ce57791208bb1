//! Content globs (`glob = [...]` of a markdown source): a pattern and a path, split at the
//! first newline. Besides never panicking or backtracking for long (libFuzzer's `-timeout`),
//! the matcher must keep the meaning of its wildcards.
#![no_main]

use jobfeed::source::markdown::glob_match;
use libfuzzer_sys::fuzz_target;

/// A path `pattern` must match: `**` segments take nothing, `*` the empty string, `?` an `x`.
fn instance(pattern: &str) -> String {
    pattern
        .trim_start_matches("./")
        .split('/')
        .filter(|seg| *seg != "**")
        .map(|seg| seg.replace('*', "").replace('?', "x"))
        .collect::<Vec<_>>()
        .join("/")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, path) = text.split_once('\n').unwrap_or((text, ""));
    let matched = glob_match(pattern, path);
    assert!(glob_match("**", path), "`**` refused {path:?}");
    let example = instance(pattern);
    assert!(
        glob_match(pattern, &example),
        "{pattern:?} refused its own instance {example:?}"
    );
    // A star takes whatever `?` takes.
    let wider = pattern.replace('?', "*");
    assert!(
        !matched || glob_match(&wider, path),
        "{pattern:?} matched {path:?} but {wider:?} did not"
    );
});
