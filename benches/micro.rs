//! Micro-benchmarks per posting: front matter, markdown + shortcodes to sanitised HTML,
//! each renderer, and the validation gate. `cargo bench --bench micro`.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jobfeed::config::{OutputConfig, OutputKind, parse_feed};
use jobfeed::model::{Posting, test_posting};
use jobfeed::render::{RenderContext, render_output};
use jobfeed::source::markdown::{body, frontmatter, shortcodes};
use jobfeed::validate::Gate;

const POSTING: &str =
    include_str!("../feeds/example/content/en/career/site-reliability-engineer.md");

fn postings(n: usize) -> Vec<Posting> {
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let mut p = test_posting();
            p.id = format!("posting-{i:06}-en");
            p.title = format!("Platform Engineer {i}");
            p.url = format!("https://www.example.com/career/posting-{i:06}/");
            p.date_posted = base + Duration::hours(i as i64);
            p.updated = p.date_posted;
            p.description_html = "<p>Build and run our Kubernetes platform.</p>"
                .repeat(40)
                .into();
            p
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("per posting");
    g.throughput(Throughput::Elements(1));
    g.bench_function("front matter parse", |b| {
        b.iter(|| frontmatter::parse(black_box(POSTING)).unwrap())
    });
    let page_url = url::Url::parse("https://www.example.com/career/sre/").unwrap();
    g.bench_function("shortcodes + markdown to sanitised HTML", |b| {
        b.iter(|| {
            let expanded = shortcodes::expand(black_box(POSTING), &|_| None, &|_| None);
            body::render(&expanded.markdown, Some(&page_url))
        })
    });
    let gate = Gate::new();
    let doc = jobfeed::render::jsonld::document(&test_posting(), &Default::default());
    g.bench_function("gate: JobPosting JSON-LD", |b| {
        b.iter(|| gate.check_posting(black_box(&doc)))
    });
    g.finish();

    let feed_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/feeds/example.toml"))
            .unwrap();
    let feed = parse_feed(&feed_text, std::path::Path::new("feeds/example.toml")).unwrap();
    let n = 1000;
    let ps = postings(n);
    let ctx = RenderContext {
        feed: &feed.config,
        updated: ps.last().unwrap().updated,
    };
    let mut g = c.benchmark_group("render 1000 postings");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    for kind in OutputKind::ALL {
        let out = OutputConfig::of(kind);
        g.bench_function(kind.as_str(), |b| {
            b.iter(|| render_output(&out, black_box(&ps), &ctx))
        });
    }
    let files = render_output(&OutputConfig::of(OutputKind::Indeed), &ps, &ctx);
    g.bench_function("gate: indeed.xml (XSD)", |b| {
        b.iter(|| gate.check_file(black_box(&files[0])))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
