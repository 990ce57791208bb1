//! Remote sources against a real HTTP server on 127.0.0.1: every adapter's mapping, and every
//! way a fetch can fail (retries, Retry-After, timeouts, bad bodies, limits, mass removal).

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, TimeZone, Utc};
use jobfeed::config::FeedConfig;
use jobfeed::diag::{Diagnostic, Severity};
use jobfeed::model::{Apply, Arrangement, EmploymentType, Posting};
use jobfeed::source::http::{HttpClient, HttpOptions, Sleeper, Validators};
use jobfeed::source::{RawPosting, SourceContext, SourceOutput};

use crate::support::{Loopback, feed_toml, read_head};

// ---- a scripted HTTP/1.1 server ----------------------------------------------------------

#[derive(Clone, Default)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    /// Bytes written as the whole answer instead (broken framing).
    raw: Option<Vec<u8>>,
}

fn ok(body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status: 200,
        body: body.into(),
        ..Reply::default()
    }
}

fn status(code: u16) -> Reply {
    Reply {
        status: code,
        body: b"error".to_vec(),
        ..Reply::default()
    }
}

impl Reply {
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

#[derive(Clone, Debug)]
struct Seen {
    target: String,
    headers: HashMap<String, String>,
}

/// Answers each request target with its queue of replies; the last reply repeats.
struct Server {
    tcp: Loopback,
    routes: Arc<Mutex<HashMap<String, VecDeque<Reply>>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        let routes: Arc<Mutex<HashMap<String, VecDeque<Reply>>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        Server {
            tcp: Loopback::start(move |conn| serve(conn, &r, &s)),
            routes,
            seen,
        }
    }

    fn base(&self) -> String {
        self.tcp.base()
    }

    fn route(&self, target: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .unwrap()
            .insert(target.to_string(), replies.into());
    }

    fn seen(&self, target: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.target == target)
            .cloned()
            .collect()
    }
}

fn serve(
    mut conn: TcpStream,
    routes: &Mutex<HashMap<String, VecDeque<Reply>>>,
    seen: &Mutex<Vec<Seen>>,
) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let Some(head) = read_head(&mut conn) else {
        return;
    };
    let mut lines = head.lines();
    let target = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    seen.lock().unwrap().push(Seen {
        target: target.clone(),
        headers,
    });
    let reply = {
        let mut routes = routes.lock().unwrap();
        match routes.get_mut(&target) {
            Some(q) if q.len() > 1 => q.pop_front().unwrap(),
            Some(q) => q.front().cloned().unwrap_or_else(|| status(404)),
            None => status(404),
        }
    };
    thread::sleep(reply.delay);
    let bytes = match reply.raw {
        Some(raw) => raw,
        None => {
            let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
            if reply.status != 304 {
                out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
            }
            for (k, v) in &reply.headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let mut b = out.into_bytes();
            b.extend_from_slice(&reply.body);
            b
        }
    };
    let _ = conn.write_all(&bytes);
    let _ = conn.flush();
}

// ---- helpers -----------------------------------------------------------------------------

/// Records waits instead of sleeping; its wall clock stands still.
#[derive(Default)]
struct FakeClock {
    slept: Mutex<Vec<Duration>>,
}

const CLOCK_EPOCH: u64 = 1_795_000_000;

impl Sleeper for FakeClock {
    fn sleep(&self, d: Duration) {
        self.slept.lock().unwrap().push(d);
    }
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(CLOCK_EPOCH)
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ats")
            .join(name),
    )
    .unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

/// A feed with one source given as TOML lines.
fn feed(source: &str) -> FeedConfig {
    let text = feed_toml(
        "nordvik",
        "Nordvik careers",
        &format!("[[sources]]\n{source}\n"),
    );
    toml::from_str(&text).unwrap()
}

struct Run {
    state: tempfile::TempDir,
    clock: Arc<FakeClock>,
}

impl Run {
    fn new() -> Run {
        Run {
            state: tempfile::tempdir().unwrap(),
            clock: Arc::default(),
        }
    }

    fn read_at(&self, feed: &FeedConfig, at: DateTime<Utc>) -> SourceOutput {
        let ctx = SourceContext {
            feed,
            config_dir: self.state.path(),
            state_dir: self.state.path(),
            drafts: false,
            now: at,
            cache: None,
            only: None,
            spill: None,
        };
        jobfeed::source::read_with(&feed.sources[0], &ctx, self.clock.clone())
    }

    fn read(&self, feed: &FeedConfig) -> SourceOutput {
        self.read_at(feed, now())
    }
}

fn errors(out: &SourceOutput) -> Vec<&Diagnostic> {
    out.diagnostics.iter().filter(|d| d.is_error()).collect()
}

/// Normalises and insists nothing was lost or broken.
fn valid(raws: Vec<RawPosting>, feed: &FeedConfig) -> Vec<Posting> {
    let n = raws.len();
    let out = jobfeed::normalise::normalise(raws, feed, now());
    let errs: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(out.postings.len(), n, "{:#?}", out.diagnostics);
    out.postings
}

fn by_id<'a>(ps: &'a [Posting], id: &str) -> &'a Posting {
    ps.iter().find(|p| p.id == id).unwrap_or_else(|| {
        panic!(
            "no {id} in {:?}",
            ps.iter().map(|p| &p.id).collect::<Vec<_>>()
        )
    })
}

const GH_LIST: &str = "/v1/boards/nordvik/jobs?content=true";

fn greenhouse(server: &Server, extra: &str) -> FeedConfig {
    feed(&format!(
        "type = \"greenhouse\"\nboard = \"nordvik\"\nbase_url = \"{}\"\n{extra}",
        server.base()
    ))
}

/// A Greenhouse answer with `n` jobs.
fn gh_jobs(n: usize) -> Vec<u8> {
    let jobs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": 5000 + i, "title": format!("Job {i}"),
                "absolute_url": format!("https://job-boards.greenhouse.io/nordvik/jobs/{}", 5000 + i),
                "location": {"name": "Stockholm, Sweden"}, "first_published": "2026-11-01T09:00:00Z",
                "updated_at": "2026-11-01T09:00:00Z", "language": "en", "company_name": "Nordvik Cloud AB",
                "content": "&lt;p&gt;Work.&lt;/p&gt;", "departments": [], "offices": [], "metadata": null
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"jobs": jobs, "meta": {"total": n}})).unwrap()
}

// ---- adapters ----------------------------------------------------------------------------

#[test]
fn greenhouse_decodes_content_once_splits_packed_locations_and_normalises() {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(fixture("greenhouse-jobs.json"))]);
    let feed = greenhouse(&server, "");
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let raw = &out.postings[0];
    assert_eq!(raw.source, "greenhouse");
    assert_eq!(raw.id.as_deref(), Some("greenhouse-4100001"));
    let html = raw.description_html.as_ref().unwrap().html();
    assert!(
        html.contains("<p>We run clouds &amp; keep them up.</p>"),
        "{html}"
    );
    assert!(
        !html.contains("&amp;amp;") && !html.contains("&lt;"),
        "{html}"
    );
    assert!(
        !html.contains("script") && !html.contains("style="),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="https://job-boards.greenhouse.io/nordvik/benefits">"#),
        "{html}"
    );
    assert_eq!(
        raw.organization, None,
        "the feed's own organisation (with logo) wins"
    );
    assert_eq!(raw.team.as_deref(), Some("Infrastructure"));

    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "greenhouse-4100001");
    let places: Vec<_> = p
        .locations
        .iter()
        .map(|l| (l.locality.as_deref().unwrap(), l.country.as_str()))
        .collect();
    assert_eq!(places, [("Stockholm", "SE"), ("Berlin", "DE")]);
    assert_eq!(p.employment_types, [EmploymentType::FullTime]);
    assert_eq!(
        p.date_posted,
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap()
    );
    assert_eq!(
        p.apply,
        Apply::Url {
            url: "https://job-boards.greenhouse.io/nordvik/jobs/4100001".into()
        }
    );
    let r = by_id(&ps, "greenhouse-4100002");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(r.workplace.applicant_countries, ["NO", "SE"]);
    assert_eq!(
        r.valid_through,
        Some(Utc.with_ymd_and_hms(2027, 1, 31, 23, 59, 0).unwrap())
    );
}

#[test]
fn lever_reads_epoch_dates_salary_range_lists_and_workplace() {
    let server = Server::start();
    server.route(
        "/v0/postings/nordvik?mode=json",
        vec![ok(fixture("lever-postings.json"))],
    );
    let feed = feed(&format!(
        "type = \"lever\"\nsite = \"nordvik\"\neu = true\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let html = out.postings[0].description_html.clone().unwrap().html();
    assert!(
        html.contains("<h3>What you bring</h3><ul><li>Rust</li>\n<li>Linux</li></ul>"),
        "{html}"
    );
    assert!(!html.contains("style"), "{html}");
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "lever-5b1c2d3e-0000-4000-8000-00000000abcd");
    assert_eq!(
        p.date_posted,
        DateTime::from_timestamp_millis(1_764_000_000_000).unwrap()
    );
    assert_eq!(p.workplace.arrangement, Arrangement::Hybrid);
    let s = p.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("NOK", Some(700000.0), Some(900000.0), "YEAR")
    );
    assert_eq!(p.locations.len(), 2);
    assert_eq!(p.locations[1].locality.as_deref(), Some("Bergen"));
    assert_eq!(p.employment_types, [EmploymentType::FullTime]);
    assert!(matches!(&p.apply, Apply::Url { url } if url.ends_with("/apply")));
    let r = by_id(&ps, "lever-6c2d3e4f-0000-4000-8000-00000000beef");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(r.workplace.applicant_countries, ["DK"]);
    assert_eq!(r.employment_types, [EmploymentType::Contractor]);
}

#[test]
fn ashby_drops_unlisted_maps_country_names_and_shows_only_displayed_salary() {
    let server = Server::start();
    server.route(
        "/posting-api/job-board/Nordvik?includeCompensation=true",
        vec![ok(fixture("ashby-job-board.json"))],
    );
    let feed = feed(&format!(
        "type = \"ashby\"\nboard = \"Nordvik\"\nbase_url = \"{}/\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2, "the unlisted job is not published");
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "ashby-0a1b2c3d-1111-4222-8333-444455556666");
    assert_eq!(p.title, "Site Reliability Engineer");
    assert_eq!(p.workplace.arrangement, Arrangement::Hybrid);
    let l = &p.locations[0];
    assert_eq!(
        (
            l.locality.as_deref(),
            l.region.as_deref(),
            l.country.as_str()
        ),
        (Some("Toronto"), Some("Ontario"), "CA")
    );
    let s = p.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("CAD", Some(110000.0), Some(140000.0), "YEAR")
    );
    assert_eq!(p.employment_types, [EmploymentType::FullTime]);
    let r = by_id(&ps, "ashby-1b2c3d4e-2222-4333-8444-555566667777");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(r.workplace.applicant_countries, ["CA"]);
    assert!(
        r.locations.is_empty(),
        "empty address strings are missing, not a city"
    );
    assert_eq!(r.salary, None, "compensation not meant for display");
    assert_eq!(r.employment_types, [EmploymentType::Contractor]);
}

#[test]
fn recruitee_gives_one_posting_per_translation_with_string_salary_and_utc_dates() {
    let server = Server::start();
    server.route("/api/offers/", vec![ok(fixture("recruitee-offers.json"))]);
    let feed = feed(&format!(
        "type = \"recruitee\"\ncompany = \"nordvik\"\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2);
    assert!(
        out.postings
            .iter()
            .all(|p| p.group.as_deref() == Some("recruitee-900100"))
    );
    let ps = valid(out.postings, &feed);
    let en = by_id(&ps, "recruitee-900100-en");
    let sv = by_id(&ps, "recruitee-900100-sv");
    assert_eq!(sv.title, "Molningenjör (k/m/d) - Stockholm");
    assert_eq!(sv.language, "sv");
    assert_eq!(en.alternates.len(), 1, "translations are linked");
    assert_eq!(
        en.date_posted,
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 41, 37).unwrap()
    );
    assert_eq!(
        en.valid_through,
        Some(Utc.with_ymd_and_hms(2027, 2, 28, 23, 0, 0).unwrap())
    );
    assert_eq!(en.workplace.arrangement, Arrangement::Hybrid);
    let l = &en.locations[0];
    assert_eq!(
        (
            l.street.as_deref(),
            l.postal_code.as_deref(),
            l.country.as_str()
        ),
        (Some("Kungsgatan 1"), Some("111 22"), "SE")
    );
    let s = en.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("SEK", Some(45000.0), Some(55000.0), "MONTH")
    );
    assert_eq!(en.employment_types, [EmploymentType::FullTime]);
    assert!(matches!(&en.apply, Apply::Url { url } if url.ends_with("/c/new")));
    assert!(!en.description_html.html().contains("style"));
}

#[test]
fn personio_reads_cdata_salary_without_max_schedule_and_offices() {
    let server = Server::start();
    server.route(
        "/xml?language=de",
        vec![ok(fixture("personio-positions.xml"))],
    );
    let feed = feed(&format!(
        "type = \"personio\"\ncompany = \"nordvik\"\nlanguage = \"de\"\ncountry = \"DE\"\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let html = out.postings[0].description_html.clone().unwrap().html();
    assert!(html.starts_with("<h3>Your tasks</h3><p>"), "{html}");
    assert!(html.contains("<br>•    Replace disks"), "{html}");
    assert!(html.contains("<strong>Hands-on</strong>"), "{html}");
    assert!(!html.contains("bad()"), "{html}");
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "personio-700001-de");
    assert_eq!(p.language, "de");
    assert_eq!(p.url, format!("{}/job/700001?language=de", server.base()));
    assert_eq!(
        p.employment_types,
        [EmploymentType::FullTime, EmploymentType::PartTime]
    );
    let cities: Vec<_> = p
        .locations
        .iter()
        .map(|l| l.locality.clone().unwrap())
        .collect();
    assert_eq!(cities, ["Berlin", "Munich"]);
    let s = p.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("EUR", Some(52000.0), None, "YEAR")
    );
    let r = by_id(&ps, "personio-700002-de");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(
        r.employment_types,
        [EmploymentType::PartTime, EmploymentType::Contractor]
    );
}

#[test]
fn personio_empty_board_is_zero_postings_but_an_html_page_is_an_error() {
    let server = Server::start();
    server.route("/xml?language=en", vec![ok(fixture("personio-empty.xml"))]);
    let feed = feed(&format!(
        "type = \"personio\"\ncompany = \"nordvik\"\nbase_url = \"{}\"",
        server.base()
    ));
    let run = Run::new();
    let out = run.read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert!(out.postings.is_empty());

    server.route(
        "/xml?language=en",
        vec![
            ok("<!DOCTYPE html><html><body>Page not found</body></html>")
                .header("Content-Type", "text/html"),
        ],
    );
    let out = run.read(&feed);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(e[0].rule, "source.parse");
    assert!(
        e[0].message.contains("web page instead of"),
        "{}",
        e[0].message
    );
}

#[test]
fn workable_groups_rows_by_shortcode_into_one_multi_location_posting() {
    let server = Server::start();
    server.route(
        "/api/v1/widget/accounts/nordvik?details=true",
        vec![ok(fixture("workable-widget.json"))],
    );
    let feed = feed(&format!(
        "type = \"workable\"\naccount = \"nordvik\"\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2, "four rows, two jobs");
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "workable-ab12cd34ef");
    let places: Vec<_> = p
        .locations
        .iter()
        .map(|l| (l.locality.as_deref().unwrap(), l.country.as_str()))
        .collect();
    assert_eq!(places, [("Madrid", "ES"), ("Lisbon", "PT")]);
    assert_eq!(
        p.date_posted.date_naive().to_string(),
        "2026-11-04",
        "local midnight in Stockholm"
    );
    assert_eq!(p.employment_types, [EmploymentType::FullTime]);
    let r = by_id(&ps, "workable-zz99yy88xx");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(r.workplace.applicant_countries, ["ES", "PT"]);
    assert!(r.locations.is_empty());
}

#[test]
fn smartrecruiters_pages_through_the_list_and_fetches_each_detail() {
    let server = Server::start();
    let page = |n: u8| {
        String::from_utf8(fixture(&format!("smartrecruiters-page-{n}.json")))
            .unwrap()
            .replace("__BASE__", &server.base())
    };
    server.route(
        "/v1/companies/nordvik/postings?limit=100&offset=0",
        vec![ok(page(0))],
    );
    server.route(
        "/v1/companies/nordvik/postings?limit=100&offset=1",
        vec![ok(page(1))],
    );
    server.route(
        "/v1/companies/nordvik/postings/744000000000001",
        vec![ok(fixture("smartrecruiters-detail-1.json"))],
    );
    server.route(
        "/v1/companies/nordvik/postings/744000000000002",
        vec![ok(fixture("smartrecruiters-detail-2.json"))],
    );
    let feed = feed(&format!(
        "type = \"smartrecruiters\"\ncompany = \"nordvik\"\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let ps = valid(out.postings, &feed);
    assert_eq!(ps.len(), 2);
    let p = by_id(&ps, "smartrecruiters-744000000000001");
    assert_eq!(p.language, "sv");
    assert_eq!(p.workplace.arrangement, Arrangement::Hybrid);
    assert_eq!(
        p.locations[0].country, "SE",
        "lower-case country upper-cased"
    );
    assert_eq!(p.locations[0].locality.as_deref(), Some("Solna"));
    assert!(
        p.description_html
            .html()
            .starts_with("<h3>Om oss</h3><p>Vi driver moln.</p>")
    );
    assert!(!p.description_html.html().contains("img"));
    assert!(p.url.ends_with("744000000000001-data-center-operator"));
    assert_eq!(p.team.as_deref(), Some("Operations"));
    let r = by_id(&ps, "smartrecruiters-744000000000002");
    assert_eq!(r.workplace.arrangement, Arrangement::Remote);
    assert_eq!(r.workplace.applicant_countries, ["FI"]);
    assert_eq!(r.employment_types, [EmploymentType::PartTime]);
}

#[test]
fn teamtailor_reads_the_embedded_jobposting_with_int_identifier_and_places() {
    let server = Server::start();
    server.route("/jobs.json", vec![ok(fixture("teamtailor-jobs.json"))]);
    let feed = feed(&format!(
        "type = \"teamtailor\"\nbase_url = \"{}\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "teamtailor-8100001");
    let places: Vec<_> = p
        .locations
        .iter()
        .map(|l| {
            (
                l.locality.as_deref().unwrap(),
                l.region.as_deref(),
                l.country.as_str(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [("Stockholm", None, "SE"), ("København", None, "DK")]
    );
    assert_eq!(p.description_html.html(), "<p>Run our <b>network</b>.</p>");
    assert_eq!(p.employment_types, [EmploymentType::FullTime]);
}

#[test]
fn jsonld_pages_yield_postings_from_graph_with_escaped_description_and_salary() {
    let server = Server::start();
    server.route("/careers", vec![ok(fixture("careers-page.html"))]);
    let feed = feed(&format!(
        "type = \"jsonld\"\nurls = [\"{}/careers\"]",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let ps = valid(out.postings, &feed);
    let p = by_id(&ps, "jsonld-sec-7");
    assert_eq!(
        p.description_html.html(),
        "<p>Keep us <strong>safe</strong>.</p>"
    );
    assert_eq!(p.workplace.arrangement, Arrangement::Remote);
    assert_eq!(p.workplace.applicant_countries, ["NO", "SE"]);
    assert_eq!(
        p.employment_types,
        [EmploymentType::FullTime, EmploymentType::Contractor]
    );
    let s = p.salary.as_ref().unwrap();
    assert_eq!(
        (s.currency.as_str(), s.min, s.max, s.unit.as_str()),
        ("SEK", Some(60000.0), Some(70000.0), "MONTH")
    );
}

#[test]
fn json_source_reads_jobfeeds_own_postings_back_unchanged() {
    let server = Server::start();
    server.route("/postings.json", vec![ok(fixture("postings.json"))]);
    let feed = feed(&format!(
        "type = \"json\"\nurl = \"{}/postings.json\"",
        server.base()
    ));
    let out = Run::new().read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let ps = valid(out.postings, &feed);
    let p = &ps[0];
    assert_eq!(p.id, "platform-engineer-en");
    assert_eq!(p.source, "json");
    assert_eq!(
        p.apply,
        Apply::Email {
            email: "jobs@nordvik.example".into()
        }
    );
    assert_eq!(p.workplace.arrangement, Arrangement::Hybrid);
    assert_eq!(p.salary.as_ref().unwrap().unit, "MONTH");
    assert_eq!(p.translation_group.as_deref(), Some("platform-engineer"));
}

// ---- the client ----------------------------------------------------------------------------

#[test]
fn requests_identify_jobfeed_ask_for_gzip_and_revalidate_with_etag() {
    let server = Server::start();
    server.route(
        GH_LIST,
        vec![
            ok(fixture("greenhouse-jobs.json")).header("ETag", "\"v1\""),
            status(304).header("ETag", "\"v1\""),
        ],
    );
    let feed = greenhouse(&server, "");
    let run = Run::new();
    assert_eq!(run.read(&feed).postings.len(), 2);
    let out = run.read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2, "304 reuses the stored body");
    let seen = server.seen(GH_LIST);
    assert_eq!(seen.len(), 2);
    assert!(seen[0].headers["user-agent"].starts_with("jobfeed/"));
    assert!(seen[0].headers["accept-encoding"].contains("gzip"));
    assert!(!seen[0].headers.contains_key("if-none-match"));
    assert_eq!(seen[1].headers["if-none-match"], "\"v1\"");
}

#[test]
fn server_errors_are_retried_with_growing_backoff_until_success() {
    let server = Server::start();
    server.route(
        GH_LIST,
        vec![
            status(500),
            status(503),
            ok(fixture("greenhouse-jobs.json")),
        ],
    );
    let run = Run::new();
    let out = run.read(&greenhouse(&server, ""));
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2);
    assert_eq!(server.seen(GH_LIST).len(), 3);
    let slept = run.clock.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 2);
    assert!(slept[0] >= Duration::from_millis(250) && slept[0] <= Duration::from_millis(500));
    assert!(slept[1] >= Duration::from_millis(500) && slept[1] <= Duration::from_millis(1000));
}

#[test]
fn too_many_requests_waits_as_long_as_retry_after_says_in_seconds_or_as_a_date() {
    let server = Server::start();
    let clock = Arc::new(FakeClock::default());
    let date = httpdate::fmt_http_date(clock.now() + Duration::from_secs(30));
    server.route(
        "/jobs",
        vec![
            status(429).header("Retry-After", "7"),
            status(429).header("Retry-After", &date),
            ok("[]"),
        ],
    );
    let client = HttpClient::new(HttpOptions::default(), clock.clone()).unwrap();
    let got = client
        .get(&format!("{}/jobs", server.base()), &Validators::default())
        .unwrap();
    assert!(matches!(got, jobfeed::source::http::Fetched::Body { ref body, .. } if body == b"[]"));
    assert_eq!(
        *clock.slept.lock().unwrap(),
        [Duration::from_secs(7), Duration::from_secs(30)]
    );
}

#[test]
fn a_retry_after_longer_than_we_wait_fails_at_once_and_keeps_last_good() {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(fixture("greenhouse-jobs.json"))]);
    let feed = greenhouse(&server, "");
    let run = Run::new();
    assert_eq!(run.read(&feed).postings.len(), 2);
    server.route(GH_LIST, vec![status(429).header("Retry-After", "3600")]);
    let out = run.read(&feed);
    assert_eq!(out.postings.len(), 2);
    assert!(run.clock.slept.lock().unwrap().is_empty());
    assert!(errors(&out)[0].message.contains("retry after 3600s"));
}

/// Seeds the last good answer, breaks the server with `broken`, and checks the fallback.
fn keeps_last_good(broken: Reply, extra: &str, rule: &str, says: &str) {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(fixture("greenhouse-jobs.json"))]);
    let feed = greenhouse(&server, extra);
    let run = Run::new();
    assert_eq!(run.read(&feed).postings.len(), 2);
    server.route(GH_LIST, vec![broken]);
    let started = Instant::now();
    let out = run.read(&feed);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "bounded in time"
    );
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(e[0].rule, rule);
    assert_eq!(e[0].severity, Severity::Error);
    assert_eq!(
        e[0].file.as_deref(),
        Some(format!("{}{GH_LIST}", server.base()).as_str())
    );
    assert!(e[0].message.contains(says), "{}", e[0].message);
    assert!(
        e[0].message.contains("the last good postings (2 from"),
        "{}",
        e[0].message
    );
    assert_eq!(out.postings.len(), 2, "last good postings are returned");
    assert_eq!(out.postings[0].id.as_deref(), Some("greenhouse-4100001"));
}

#[test]
fn persistent_server_errors_report_the_status_and_keep_last_good() {
    keeps_last_good(
        status(502),
        "retries = 2",
        "source.fetch",
        "HTTP 502 (after 3 attempts)",
    );
}

#[test]
fn a_timeout_is_bounded_by_the_configured_limit_and_keeps_last_good() {
    let slow = Reply {
        delay: Duration::from_secs(3),
        ..ok(gh_jobs(1))
    };
    keeps_last_good(
        slow,
        "timeout = \"300ms\"",
        "source.fetch",
        "did not answer in time",
    );
}

#[test]
fn malformed_json_keeps_last_good() {
    keeps_last_good(
        ok("{\"jobs\": [{\"id\": 1,"),
        "",
        "source.parse",
        "malformed JSON",
    );
}

#[test]
fn an_html_login_page_instead_of_json_keeps_last_good() {
    let login =
        ok("\n<!DOCTYPE html><html><body><form action=\"/login\">Sign in</form></body></html>")
            .header("Content-Type", "text/html");
    keeps_last_good(login, "", "source.parse", "web page instead of JSON");
}

#[test]
fn a_truncated_body_keeps_last_good() {
    let cut = Reply {
        raw: Some(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"jobs\": ["
                .to_vec(),
        ),
        ..Reply::default()
    };
    keeps_last_good(cut, "", "source.fetch", "broke off before its end");
}

#[test]
fn an_answer_over_the_size_limit_keeps_last_good_declared_or_streamed() {
    keeps_last_good(
        ok(gh_jobs(40)),
        "max_bytes = 4000",
        "source.fetch",
        "larger than the limit of 4000 bytes",
    );
    // Without Content-Length the limit is enforced while reading.
    let mut raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
    raw.extend(gh_jobs(40));
    let streamed = Reply {
        raw: Some(raw),
        ..Reply::default()
    };
    keeps_last_good(
        streamed,
        "max_bytes = 4000",
        "source.fetch",
        "larger than the limit",
    );
}

/// A SmartRecruiters list of `n` postings whose detail documents each carry `pad` bytes of
/// description; the routes are installed on `server`.
fn sr_board(server: &Server, n: usize, pad: usize) {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("7440{i:05}"), "name": format!("Job {i}"),
                "releasedDate": "2026-11-04T07:30:00.000Z",
                "company": {"identifier": "NordvikCloud", "name": "Nordvik Cloud AB"},
                "location": {"city": "Solna", "country": "se", "remote": false},
                "typeOfEmployment": {"id": "permanent", "label": "Full-time"}
            })
        })
        .collect();
    let page = serde_json::json!({"offset": 0, "limit": 100, "totalFound": n, "content": items});
    server.route(SR_PAGE, vec![ok(page.to_string())]);
    for i in 0..n {
        let detail = serde_json::json!({
            "id": format!("7440{i:05}"),
            "jobAd": {"sections": {"jobDescription": {"text": format!("<p>{}</p>", "x".repeat(pad))}}}
        });
        server.route(&sr_detail(i), vec![ok(detail.to_string())]);
    }
}

const SR_PAGE: &str = "/v1/companies/nordvik/postings?limit=100&offset=0";

fn sr_detail(i: usize) -> String {
    format!("/v1/companies/nordvik/postings/7440{i:05}")
}

/// Guards the byte budget across one read's answers (`max_total_bytes`, counted in
/// `Fetcher::get`): each 100 kB detail is far under `max_bytes`, but 40 of them are 4 MB, and
/// without the budget a hostile list makes the read take `max_bytes` × postings. The read
/// stops soon after the budget, says so naming the source, and the last good postings stay.
#[test]
fn smartrecruiters_details_beyond_the_read_budget_stop_the_read_and_keep_last_good() {
    const BUDGET: usize = 1_000_000;
    const PAD: usize = 100_000;
    let server = Server::start();
    sr_board(&server, 40, 10);
    let feed = feed(&format!(
        "type = \"smartrecruiters\"\ncompany = \"nordvik\"\nbase_url = \"{}\"\nmax_total_bytes = {BUDGET}",
        server.base()
    ));
    let run = Run::new();
    let seeded = run.read(&feed);
    assert!(seeded.diagnostics.is_empty(), "{:#?}", seeded.diagnostics);
    assert_eq!(seeded.postings.len(), 40);

    sr_board(&server, 40, PAD);
    let before: usize = (0..40).map(|i| server.seen(&sr_detail(i)).len()).sum();
    let out = run.read(&feed);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(e[0].rule, "source.fetch");
    for says in [
        "source smartrecruiters: ",
        &format!("more than its budget of {BUDGET} bytes (`max_total_bytes`)"),
        "the last good postings (40 from",
    ] {
        assert!(e[0].message.contains(says), "{says:?} in {}", e[0].message);
    }
    assert_eq!(out.postings.len(), 40, "last good postings are returned");
    assert!(
        out.postings
            .iter()
            .all(|p| p.description_html.as_ref().is_some_and(|t| t.len() < 100)),
        "the postings are the stored ones, not the oversized new details"
    );
    // Ten details fill the budget; each lane may have one more in flight when it is crossed.
    let fetched: usize = (0..40)
        .map(|i| server.seen(&sr_detail(i)).len())
        .sum::<usize>()
        - before;
    assert!(
        fetched <= BUDGET / PAD + 2,
        "{fetched} of 40 details fetched after the budget was spent"
    );
}

#[test]
fn a_redirect_loop_keeps_last_good() {
    let server_loop = status(302).header("Location", GH_LIST);
    keeps_last_good(
        server_loop,
        "",
        "source.fetch",
        "redirects too often or in a loop",
    );
}

#[test]
fn a_refused_connection_without_stored_state_reports_and_returns_nothing() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let feed = feed(&format!(
        "type = \"greenhouse\"\nboard = \"x\"\nbase_url = \"http://127.0.0.1:{port}\"\nretries = 1"
    ));
    let run = Run::new();
    let out = run.read(&feed);
    assert!(out.postings.is_empty());
    let e = errors(&out);
    assert!(
        e[0].message.contains("could not connect"),
        "{}",
        e[0].message
    );
    assert!(
        e[0].message.contains("no earlier answer is stored"),
        "{}",
        e[0].message
    );
    assert_eq!(
        run.clock.slept.lock().unwrap().len(),
        1,
        "connect errors are retried"
    );
}

// ---- mass removal ----------------------------------------------------------------------------

#[test]
fn a_sudden_drop_keeps_previous_postings_until_the_grace_period_ends() {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(gh_jobs(6))]);
    let feed = greenhouse(&server, "mass_removal_grace = \"24h\"");
    let run = Run::new();
    assert_eq!(run.read(&feed).postings.len(), 6);

    server.route(GH_LIST, vec![ok(gh_jobs(2))]);
    let out = run.read(&feed);
    assert_eq!(out.postings.len(), 6, "previous postings kept");
    let w = &out.diagnostics[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.rule, "source.mass-removal");
    assert_eq!(
        w.file.as_deref(),
        Some(format!("{}{GH_LIST}", server.base()).as_str())
    );
    assert!(w.message.contains("now lists 2 postings"), "{}", w.message);
    assert!(
        w.message.contains("of the 6 it listed before"),
        "{}",
        w.message
    );

    // Still within the grace period: still held back.
    let out = run.read_at(&feed, now() + chrono::Duration::hours(23));
    assert_eq!(out.postings.len(), 6);
    // The drop has lasted long enough: accepted.
    let out = run.read_at(&feed, now() + chrono::Duration::hours(25));
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.postings.len(), 2);
}

#[test]
fn an_operator_confirmation_accepts_a_sudden_drop_at_once() {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(gh_jobs(6))]);
    let run = Run::new();
    assert_eq!(run.read(&greenhouse(&server, "")).postings.len(), 6);
    server.route(GH_LIST, vec![ok(gh_jobs(0))]);
    let out = run.read(&greenhouse(&server, "accept_removals = true"));
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert!(
        out.postings.is_empty(),
        "a confirmed empty answer removes the postings"
    );
}

#[test]
fn normal_turnover_is_not_a_mass_removal() {
    let server = Server::start();
    server.route(GH_LIST, vec![ok(gh_jobs(2))]);
    let feed = greenhouse(&server, "");
    let run = Run::new();
    assert_eq!(run.read(&feed).postings.len(), 2);
    server.route(GH_LIST, vec![ok(gh_jobs(0))]);
    let out = run.read(&feed);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert!(
        out.postings.is_empty(),
        "two closed jobs on a small board are just closed"
    );
}
