//! Adversarial text through remote sources (issue #9, part 2): the markdown test's hostile
//! text (script tags, `]]>`, every C0/C1 control, RTL override, zero-width joiner, emoji),
//! plus lone UTF-16 surrogates in JSON string escapes, `javascript:` and `data:` links and
//! `&`/`<` in URLs, in every field of Greenhouse, Lever, Ashby, a jobfeed `json` source and
//! Personio XML, published through the real CLI from a loopback server.
//!
//! Each source serves a "Hostile" posting whose free-text fields carry the text and which
//! must be published, and a "Broken" one with hostile ids, dates and link targets, which
//! may be dropped but must not break or poison any output; the json source also a "Scheme"
//! one, valid but for its `javascript:` page link.

use axum::Router;
use axum::routing::get;

use crate::adversarial::{assert_links_safe, assert_outputs_inert, hostile};
use crate::support::{bin, feed_toml, serve_router};

/// Stands for lone surrogates in JSON bodies: a high one, a low one, and a high one that
/// ends its string. Put into the serialised text, since serde_json cannot produce them.
const SURROGATES: &str = "@SURROGATES@";

fn with_surrogates(json: serde_json::Value) -> String {
    serde_json::to_string(&json)
        .unwrap()
        .replace(SURROGATES, r"\ud800|\udfff|\ud83d")
}

/// Active HTML around the hostile text, for every description field.
fn hostile_html(h: &str) -> String {
    format!(
        "<p>{h}</p><a href=\"javascript:alert(1)\">js</a>\
         <a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">data</a>\
         <a href=\"https://example.com/?a=1&amp;b=&lt;2&gt;\">ok</a>\
         <a href=\" JaVaScRiPt:alert(2)\" onclick=\"alert(3)\">raw</a>\
         <script>alert(4)</script><iframe src=\"https://evil.example/\"></iframe>\
         <img src=x onerror=alert(5)><svg onload=alert(6)></svg>"
    )
}

fn greenhouse(h: &str) -> String {
    let t = format!("{h}{SURROGATES}");
    with_surrogates(serde_json::json!({"jobs": [
        {
            "id": 9001, "title": format!("Hostile greenhouse {t}"),
            "absolute_url": "https://job-boards.greenhouse.io/nordvik/jobs/9001?a=1&b=<x>",
            "location": {"name": format!("Solna {t}, Sweden")},
            "first_published": "2026-11-01T09:00:00Z", "updated_at": "2026-11-01T09:00:00Z",
            "language": "en", "company_name": t,
            "content": html_escape::encode_double_quoted_attribute(&hostile_html(&t)),
            "departments": [{"name": t}], "offices": [{"name": t, "location": t}],
            "metadata": [{"name": "Employment Type", "value": "Full time"}]
        },
        {
            "id": format!("../b{t}"), "title": format!("Broken greenhouse {t}"),
            "absolute_url": "javascript:alert(1)", "location": {"name": t},
            "first_published": t, "updated_at": t, "language": t, "application_deadline": t,
            "content": "&lt;a href=&quot;data:text/html,&amp;lt;script&amp;gt;alert(1)&quot;&gt;x&lt;/a&gt;",
            "metadata": [{"name": "Employment Type", "value": t}],
            "pay_input_ranges": [{"currency_type": t, "min_cents": 1, "max_cents": 2}]
        }
    ]}))
}

fn lever(h: &str) -> String {
    let t = format!("{h}{SURROGATES}");
    with_surrogates(serde_json::json!([
        {
            "id": "hostile-lever", "text": format!("Hostile lever {t}"),
            "hostedUrl": "https://jobs.lever.co/nordvik/hostile?a=1&b=<x>",
            "applyUrl": "mailto:jobs@nordvik.example?subject=<x>&body=</script>",
            "createdAt": 1764000000000_i64, "description": hostile_html(&t),
            "lists": [{"text": t, "content": format!("<li>{t}</li><li><a href=\"javascript:alert(1)\">x</a></li>")}],
            "additional": hostile_html(&t),
            "categories": {"commitment": "Full-time", "team": t, "department": t,
                           "allLocations": [format!("Oslo {t}, Norway")]},
            "country": "NO", "workplaceType": "hybrid",
            "salaryRange": {"currency": "NOK", "interval": "per-year-salary", "min": 1, "max": 2},
            "salaryDescriptionPlain": t
        },
        {
            "id": t, "text": format!("Broken lever {t}"), "hostedUrl": "javascript:alert(1)",
            "applyUrl": "data:text/html,<script>alert(1)</script>", "createdAt": t,
            "description": t, "categories": {"commitment": t, "location": t}, "country": t,
            "workplaceType": t, "salaryRange": {"currency": t, "interval": t, "min": t, "max": t}
        }
    ]))
}

fn ashby(h: &str) -> String {
    let t = format!("{h}{SURROGATES}");
    with_surrogates(serde_json::json!({"jobs": [
        {
            "id": "hostile-ashby", "title": format!("Hostile ashby {t}"), "isListed": true,
            "jobUrl": "https://jobs.ashbyhq.com/Nordvik/hostile?a=1&b=<x>",
            "applyUrl": "https://jobs.ashbyhq.com/Nordvik/hostile/application?a=1&b=<x>",
            "publishedAt": "2026-11-01T09:00:00Z", "descriptionHtml": hostile_html(&t),
            "team": t, "department": t, "employmentType": "FullTime", "workplaceType": "OnSite",
            "address": {"postalAddress": {"addressLocality": t, "addressRegion": t,
                        "streetAddress": t, "postalCode": t, "addressCountry": "Sweden"}},
            "secondaryLocations": [{"location": t}]
        },
        {
            "id": t, "title": format!("Broken ashby {t}"), "jobUrl": "javascript:alert(1)",
            "applyUrl": "data:text/html,<script>alert(1)</script>", "publishedAt": t,
            "employmentType": t, "workplaceType": t,
            "address": {"postalAddress": {"addressCountry": t}}
        }
    ]}))
}

/// jobfeed's own schema, read back by the `json` source.
fn json_source(h: &str) -> String {
    let t = format!("{h}{SURROGATES}");
    with_surrogates(serde_json::json!([
        {
            "id": "hostile-json", "source": t, "language": "en",
            "title": format!("Hostile json {t}"), "summary": t,
            "descriptionHtml": hostile_html(&t),
            "url": "https://jobs.nordvik.example/en/career/hostile/?a=1&b=<x>",
            "apply": {"type": "url", "url": "https://apply.example.net/jobs/9?a=1&b=<x>"},
            "datePosted": "2026-11-01T00:00:00Z", "updated": "2026-11-02T00:00:00Z",
            "employmentTypes": ["FULL_TIME"],
            "hiringOrganization": {"name": t, "url": "javascript:alert(1)",
                "logo": "data:image/svg+xml,<svg onload=alert(1)>",
                "sameAs": ["javascript:alert(2)", "https://www.nordvik.example/?a=1&b=<x>"]},
            "locations": [{"locality": t, "region": t, "street": t, "postalCode": t, "country": "SE"}],
            "workplace": {"arrangement": "hybrid"}, "team": t, "categories": [t],
            "salary": {"currency": "SEK", "min": 1.0, "max": 2.0, "unit": "MONTH"}
        },
        {
            // Valid but for its page link: only the scheme check keeps it out.
            "id": "scheme-json", "source": "json", "language": "en", "title": "Scheme json",
            "descriptionHtml": "<p>Work.</p>", "url": "javascript:alert(1)//https://x.example/",
            "apply": {"type": "url", "url": "https://apply.example.net/jobs/10"},
            "datePosted": "2026-11-01T00:00:00Z", "updated": "2026-11-02T00:00:00Z",
            "employmentTypes": ["FULL_TIME"], "hiringOrganization": {"name": "Nordvik Cloud AB"},
            "locations": [{"country": "SE"}], "workplace": {"arrangement": "on-site"}
        },
        {
            "id": format!("../../{t}"), "source": "markdown", "language": "en",
            "title": format!("Broken json {t}"), "descriptionHtml": t,
            "url": "javascript:alert(1)",
            "apply": {"type": "url", "url": "data:text/html,<script>alert(1)</script>"},
            "datePosted": "2026-11-01T00:00:00Z", "updated": "2026-11-02T00:00:00Z",
            "employmentTypes": ["FULL_TIME"], "hiringOrganization": {"name": t,
            "url": "javascript:alert(1)", "logo": "data:image/svg+xml,<svg onload=alert(1)>"},
            "locations": [{"country": "SE"}], "workplace": {"arrangement": "on-site"}
        }
    ]))
}

/// XML text: markup characters escaped, C0 controls (which XML 1.0 cannot carry raw) as
/// character references; C1 controls, RTL marks and emoji stay raw. NUL is left out: no XML
/// version allows it even as a reference, so such an answer is malformed XML, refused whole
/// like malformed JSON (see ats.rs).
fn xml_text(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars().filter(|&c| c != '\0') {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                o.push_str(&format!("&#x{:x};", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

fn personio(h: &str) -> String {
    let x = xml_text(h);
    // `]]>` inside CDATA must be split across two sections.
    let cdata = hostile_html(&h.replace('\0', "")).replace("]]>", "]]]]><![CDATA[>");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<workzag-jobs>
<position>
<id>700009</id>
<subcompany>{x}</subcompany>
<office>Berlin {x}</office>
<additionalOffices><office>{x}</office></additionalOffices>
<department>{x}</department>
<recruitingCategory>{x}</recruitingCategory>
<name>Hostile personio {x}</name>
<jobDescriptions><jobDescription><name>{x}</name><value><![CDATA[{cdata}]]></value></jobDescription></jobDescriptions>
<employmentType>permanent</employmentType>
<schedule>full-time</schedule>
<keywords>{x}</keywords>
<occupationCategory>{x}</occupationCategory>
<createdAt>2026-10-01T09:00:00+00:00</createdAt>
<salaryInformation><min>{x}</min><currencyCode>{x}</currencyCode><type>{x}</type></salaryInformation>
</position>
<position>
<id>1&amp;x=&lt;y&gt;/../{x}</id>
<name>Broken personio {x}</name>
<employmentType>{x}</employmentType>
<schedule>{x}</schedule>
<createdAt>{x}</createdAt>
</position>
</workzag-jobs>
"#
    )
}

fn serve() -> String {
    let h = hostile();
    let bodies = [
        greenhouse(&h),
        lever(&h),
        ashby(&h),
        json_source(&h),
        personio(&h),
    ];
    let [gh, lv, ab, js, pe] = bodies;
    serve_router(
        Router::new()
            .route("/v1/boards/nordvik/jobs", get(move || async move { gh }))
            .route("/v0/postings/nordvik", get(move || async move { lv }))
            .route(
                "/posting-api/job-board/Nordvik",
                get(move || async move { ab }),
            )
            .route("/postings.json", get(move || async move { js }))
            .route("/xml", get(move || async move { pe })),
    )
}

/// Guards, through every ATS adapter: HTML sanitising of descriptions (no script, iframe,
/// event handler, `javascript:`/`data:` link), control-character stripping, XML escaping of
/// text and URLs, the inert JSON-LD script in pages, the scheme filter on posting, apply and
/// organisation links, and the lone-surrogate repair in `parse_json` (without it the JSON
/// sources' answers are refused whole and their "Hostile" postings go missing).
#[test]
fn hostile_text_in_every_field_of_every_ats_source_leaves_every_output_valid_and_inert() {
    let base = serve();
    let dir = tempfile::tempdir().unwrap();
    let sources = format!(
        r#"[[sources]]
type = "greenhouse"
board = "nordvik"
base_url = "{base}"

[[sources]]
type = "lever"
site = "nordvik"
base_url = "{base}"

[[sources]]
type = "ashby"
board = "Nordvik"
base_url = "{base}"

[[sources]]
type = "json"
url = "{base}/postings.json"

[[sources]]
type = "personio"
company = "nordvik"
country = "DE"
base_url = "{base}"
"#
    );
    std::fs::write(
        dir.path().join("feed.toml"),
        feed_toml("hostile", "Hostile sources", &sources),
    )
    .unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["build", "--config", "feed.toml", "--state-dir", "state"])
        .args(["--out", "public"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        !log.contains("blocked") || log.contains(" 0 blocked"),
        "an output failed the gate: {log}"
    );
    assert!(
        !log.contains("error[source.parse]") && !log.contains("error[source.fetch]"),
        "every source's answer was read: {log}"
    );

    let public = dir.path().join("public/hostile");
    let postings: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(public.join("postings.json")).unwrap()).unwrap();
    for source in ["greenhouse", "lever", "ashby", "json", "personio"] {
        let prefix = format!("Hostile {source} ");
        let p = postings
            .iter()
            .find(|p| p["title"].as_str().is_some_and(|t| t.starts_with(&prefix)))
            .unwrap_or_else(|| panic!("the hostile {source} posting was not published: {log}"));
        let title = p["title"].as_str().unwrap();
        assert!(
            title.contains('\u{202e}') && title.contains('\u{200d}') && title.contains('🎉'),
            "{source}: visible text survives: {title}"
        );
        assert!(
            !title.chars().any(|c| (c as u32) < 0x20 && c != '\t'),
            "{source}: control characters kept: {title:?}"
        );
        if source != "personio" {
            assert!(
                title.contains('\u{fffd}'),
                "{source}: lone surrogates become U+FFFD: {title:?}"
            );
            // Personio builds its page URLs itself; the others' carry `&` and `<`.
            let url = p["url"].as_str().unwrap();
            assert!(url.ends_with("?a=1&b=%3Cx%3E"), "{source}: {url}");
        }
        // Every text field (organisation, locations, team, categories, extras) is clean too.
        let mut texts = Vec::new();
        strings(p, "", &mut texts);
        for (path, text) in texts {
            let allowed = |c: char| path == "/descriptionHtml" && matches!(c, '\t' | '\n' | '\r');
            assert!(
                !text.chars().any(|c| c.is_control() && !allowed(c)),
                "{source}: control characters kept in {path}: {text:?}"
            );
        }
        let html = p["descriptionHtml"].as_str().unwrap();
        assert_links_safe(html);
        assert!(
            html.contains("https://example.com/?a=1&amp;b="),
            "{source}: the harmless link survives, escaped: {html}"
        );
    }
    assert!(
        !postings.iter().any(|p| p["title"] == "Scheme json"),
        "a javascript: page link was published"
    );
    // No link anywhere in the data keeps a script scheme, broken postings included.
    for p in &postings {
        let org = &p["hiringOrganization"];
        let same_as = org["sameAs"].as_array().cloned().unwrap_or_default();
        let links = [&p["url"], &p["apply"]["url"], &org["url"], &org["logo"]];
        for u in links.into_iter().chain(&same_as).filter_map(|v| v.as_str()) {
            assert!(
                u.starts_with("https://") || u.starts_with("http://"),
                "unsafe link in {}: {u}",
                p["id"]
            );
        }
    }
    assert_outputs_inert(&public);
    // Hostile ids (`../`) write nothing outside the output directory.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["feed.toml", "public", "state"]);
    let mut outside = Vec::new();
    crate::adversarial::walk(&dir.path().join("public"), &mut outside);
    assert!(
        outside.iter().all(|f| f.starts_with(&public)),
        "files outside the feed's directory: {outside:?}"
    );
}

/// Every string in `v` with its JSON pointer.
fn strings(v: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((at.to_string(), s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                strings(x, &format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}
