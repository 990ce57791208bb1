//! Every ATS payload parser: the first byte picks the parser, the rest is the answer body.
#![no_main]

use jobfeed::source::RawPosting;
use jobfeed::source::ats::{
    ashby, greenhouse, json, jsonld, lever, personio, recruitee, smartrecruiters, teamtailor,
    workable,
};
use jobfeed::source::error::SourceError;
use jobfeed_fuzz::{REMOTE_TAGS, assert_clean_html};
use libfuzzer_sys::fuzz_target;

const URL: &str = "https://ats.test/api/jobs";

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let result: Result<Vec<RawPosting>, SourceError> = match which % 11 {
        0 => greenhouse::parse(body, URL),
        1 => lever::parse(body, URL),
        2 => ashby::parse(body, URL),
        3 => recruitee::parse(body, URL),
        4 => personio::parse(
            body,
            URL,
            &personio::Options {
                site: "https://acme.jobs.personio.test".into(),
                language: "en".into(),
                country: Some("DE".into()),
            },
        ),
        5 => workable::parse(body, URL),
        6 => smartrecruiters::parse_list(body, URL),
        7 => {
            // A detail answer applied to a list item, as the adapter does.
            let mut p = jobfeed::source::ats::raw(URL);
            smartrecruiters::apply_detail(&mut p, body, URL).map(|()| vec![p])
        }
        8 => teamtailor::parse(body, URL),
        9 => jsonld::parse(body, URL),
        _ => json::parse(body, URL),
    };
    match result {
        Ok(postings) => {
            for p in &postings {
                assert_eq!(p.origin, URL, "{p:?}");
                if let Some(html) = &p.description_html {
                    assert_clean_html(&html.html(), REMOTE_TAGS);
                }
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            // An unreadable answer always names where it came from.
            assert_eq!(e.url(), Some(URL), "{e:?}");
        }
    }
});
