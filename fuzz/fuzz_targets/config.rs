//! Feed config: TOML text → typed config and its checks, plus what a run derives from it
//! (each remote source's durations and limits, the schedule's next fire time).
#![no_main]

use std::path::Path;

use jobfeed::config::{SourceConfig, parse_feed};
use jobfeed_fuzz::assert_line_inside;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let feed = match parse_feed(text, Path::new("feeds/fuzz.toml")) {
        Ok(f) => f,
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("feeds/fuzz.toml"), "{shown}");
            if let Some(line) = e.line() {
                assert_line_inside(line, text, &e);
            }
            return;
        }
    };
    let c = &feed.config;
    let _ = c.outputs();
    let tz = c.tz();
    if let Some(s) = &c.schedule {
        let schedule = jobfeed::schedule::Schedule::parse(s, tz).expect("validated schedule");
        let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("fixed instant");
        let _ = schedule.upcoming(now).next();
    }
    for source in &c.sources {
        let remote = match source {
            SourceConfig::Markdown(_) => continue,
            SourceConfig::Greenhouse(s) => s.remote(),
            SourceConfig::Lever(s) => s.remote(),
            SourceConfig::Ashby(s) => s.remote(),
            SourceConfig::Recruitee(s) => s.remote(),
            SourceConfig::Personio(s) => s.remote(),
            SourceConfig::Workable(s) => s.remote(),
            SourceConfig::Smartrecruiters(s) => s.remote(),
            SourceConfig::Teamtailor(s) => s.remote(),
            SourceConfig::Jsonld(s) => s.remote(),
            SourceConfig::Json(s) => s.remote(),
        };
        match remote {
            Ok(r) => {
                assert!((0.0..=1.0).contains(&r.min_keep_ratio), "{r:?}");
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
