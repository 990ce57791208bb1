//! The status page at `/` for people: feeds, postings, validation findings with the fix,
//! recent runs, source health and a small inline SVG chart. No external assets.

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::daemon::{FeedStatus, RunRecord, Shared};

fn esc(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}

/// Renders the page.
pub async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let feeds = shared
        .feeds
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let html = render(&feeds.values().cloned().collect::<Vec<_>>());
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// The page for a set of feeds.
pub fn render(feeds: &[FeedStatus]) -> String {
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>jobfeed status</title><style>");
    h.push_str("body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem;color:#222}");
    h.push_str("table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.25rem;text-align:left;vertical-align:top}");
    h.push_str(
        ".error{color:#a00}.warning{color:#8a5a00}.ok{color:#070}section{margin-bottom:2rem}",
    );
    h.push_str("@media(max-width:40rem){td,th{font-size:.85rem}}</style></head><body>");
    h.push_str("<h1>jobfeed status</h1>");
    if feeds.is_empty() {
        h.push_str("<p>No feeds are configured.</p>");
    }
    for f in feeds {
        feed_section(&mut h, f);
    }
    h.push_str("</body></html>\n");
    h
}

fn feed_section(h: &mut String, f: &FeedStatus) {
    let c = &f.feed.config;
    let _ = write!(
        h,
        "<section id=\"feed-{id}\"><h2>{title} <small>({id})</small></h2>",
        id = esc(&c.id),
        title = esc(&c.title)
    );
    match f.history.back() {
        None => h.push_str("<p>Not run yet.</p>"),
        Some(last) => {
            let _ = write!(
                h,
                "<p>Last run {at}: <span class=\"{cls}\">{outcome}</span>, {n} published, {inv} invalid, {secs:.2} s.</p>",
                at = last.at.format("%Y-%m-%d %H:%M:%S UTC"),
                cls = if last.ok { "ok" } else { "error" },
                outcome = if last.ok { "ok" } else { "failed" },
                n = last.published,
                inv = last.invalid,
                secs = last.seconds
            );
            if let Some(why) = &last.failure {
                let _ = write!(h, "<p class=\"error\">{}</p>", esc(why));
            }
        }
    }
    // Source health: a source is failing when the last run reported a source error for it.
    h.push_str("<h3>Sources</h3><ul>");
    for s in &c.sources {
        let failing = f.report.as_ref().and_then(|r| {
            r.diagnostics.iter().find(|d| {
                d.is_error() && d.rule.starts_with("source.") && d.message.contains(s.name())
            })
        });
        match failing {
            Some(d) => {
                let _ = write!(
                    h,
                    "<li>{}: <span class=\"error\">failing: {}</span></li>",
                    esc(s.name()),
                    esc(&d.message)
                );
            }
            None => {
                let _ = write!(
                    h,
                    "<li>{}: <span class=\"ok\">healthy</span></li>",
                    esc(s.name())
                );
            }
        }
    }
    h.push_str("</ul>");

    h.push_str(
        "<h3>Postings</h3><table><tr><th>Posting</th><th>Language</th><th>Validation</th></tr>",
    );
    for (id, title, url, lang) in &f.postings {
        let findings: Vec<String> = f
            .report
            .as_ref()
            .map(|r| {
                r.diagnostics
                    .iter()
                    .filter(|d| d.posting.as_deref() == Some(id.as_str()))
                    .map(|d| {
                        format!(
                            "<div class=\"{}\">{}: {}</div>",
                            d.severity,
                            esc(&d.rule),
                            esc(&d.message)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let state = if findings.is_empty() {
            "<span class=\"ok\">valid</span>".to_string()
        } else {
            findings.join("")
        };
        let _ = write!(
            h,
            "<tr id=\"posting-{id}\"><td><a href=\"{url}\">{title}</a><br><small>{id}</small></td><td>{lang}</td><td>{state}</td></tr>",
            id = esc(id),
            url = esc(url),
            title = esc(title),
            lang = esc(lang),
        );
    }
    h.push_str("</table>");

    if let Some(r) = &f.report {
        let rejected: Vec<_> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
        if !rejected.is_empty() {
            h.push_str("<h3>Errors (left out of every output)</h3><ul>");
            for d in rejected {
                let _ = write!(h, "<li class=\"error\">{}</li>", esc(&d.human()));
            }
            h.push_str("</ul>");
        }
    }

    h.push_str("<h3>Recent runs</h3>");
    chart(h, &f.history);
    h.push_str("<table><tr><th>When</th><th>Outcome</th><th>Published</th><th>Invalid</th><th>Seconds</th></tr>");
    for r in f.history.iter().rev().take(10) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{:.3}</td></tr>",
            r.at.format("%Y-%m-%d %H:%M:%S"),
            if r.ok { "ok" } else { "error" },
            if r.ok { "ok" } else { "failed" },
            r.published,
            r.invalid,
            r.seconds
        );
    }
    h.push_str("</table></section>");
}

/// Postings (bars) and run durations (line) of the last 50 runs as inline SVG.
fn chart(h: &mut String, history: &std::collections::VecDeque<RunRecord>) {
    let runs: Vec<&RunRecord> = history
        .iter()
        .rev()
        .take(50)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if runs.is_empty() {
        return;
    }
    let (w, ht) = (300.0_f64, 80.0_f64);
    let max_p = runs.iter().map(|r| r.published).max().unwrap_or(1).max(1) as f64;
    let max_s = runs
        .iter()
        .map(|r| r.seconds)
        .fold(0.0_f64, f64::max)
        .max(1e-6);
    let step = w / runs.len() as f64;
    let _ = write!(
        h,
        "<svg role=\"img\" aria-label=\"postings and run durations\" viewBox=\"0 0 {w} {ht}\" width=\"100%\" height=\"80\" preserveAspectRatio=\"none\">"
    );
    for (i, r) in runs.iter().enumerate() {
        let bh = r.published as f64 / max_p * (ht - 10.0);
        let _ = write!(
            h,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} postings</title></rect>",
            i as f64 * step,
            ht - bh,
            (step - 1.0).max(0.5),
            bh,
            if r.ok { "#9cc" } else { "#e99" },
            r.published
        );
    }
    let points: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step + step / 2.0,
                ht - r.seconds / max_s * (ht - 10.0)
            )
        })
        .collect();
    let _ = write!(
        h,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#335\" stroke-width=\"1.5\"/></svg>",
        points.join(" ")
    );
}
