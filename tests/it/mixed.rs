//! One feed, three kinds of source: the bundled markdown site plus a Greenhouse and a
//! Lever board (played by a local HTTP server) publish into one set of outputs.

use axum::Router;
use axum::routing::get;

use crate::support::{bin, example_copy, repo, serve_router};

fn serve_boards() -> String {
    let gh = std::fs::read(repo().join("tests/fixtures/ats/greenhouse-jobs.json")).unwrap();
    let lever = std::fs::read(repo().join("tests/fixtures/ats/lever-postings.json")).unwrap();
    serve_router(
        Router::new()
            .route("/v1/boards/nordvik/jobs", get(move || async move { gh }))
            .route("/v0/postings/nordvik", get(move || async move { lever })),
    )
}

#[test]
fn markdown_and_two_ats_sources_publish_into_one_set_of_outputs() {
    let base = serve_boards();
    let dir = example_copy();
    let cfg = dir.path().join("feeds/example.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[[sources]]\ntype = \"greenhouse\"\nboard = \"nordvik\"\nbase_url = \"{base}\"\n\
         \n[[sources]]\ntype = \"lever\"\nsite = \"nordvik\"\nbase_url = \"{base}\"\n"
    ));
    std::fs::write(&cfg, text).unwrap();
    let out = bin().current_dir(dir.path()).arg("build").output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");

    let public = dir.path().join("public/example");
    let postings: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(public.join("postings.json")).unwrap()).unwrap();
    let mut sources: Vec<&str> = postings
        .iter()
        .filter_map(|p| p["source"].as_str())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    assert_eq!(sources, ["greenhouse", "lever", "markdown"], "{log}");
    let rss = std::fs::read_to_string(public.join("rss.xml")).unwrap();
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    for p in &postings {
        let id = p["id"].as_str().unwrap();
        assert!(
            rss.contains(&format!(">{id}</guid>")),
            "{id} missing from rss.xml"
        );
        assert!(
            sitemap.contains(p["url"].as_str().unwrap().replace('&', "&amp;").as_str()),
            "{id} missing from sitemap.xml"
        );
        assert!(
            public.join(format!("jobs/{id}.jsonld")).is_file(),
            "{id} has no JSON-LD"
        );
    }
}
