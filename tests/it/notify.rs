//! Change notifications end to end: a removed posting leaves every output at once, keeps a
//! tombstone, and is announced to IndexNow and as Google `URL_DELETED` exactly once, also
//! across restarts. The endpoints are played by a local HTTP server.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::support::{bin, example_copy, openssl, serve_router};

#[derive(Default)]
struct Seen {
    indexnow: Vec<serde_json::Value>,
    hub: Vec<String>,
    google: Vec<serde_json::Value>,
    tokens: usize,
}

type Shared = Arc<(Mutex<Seen>, String)>;

/// Starts the fake endpoints; returns their base URL. `public_pem` verifies the
/// service-account JWT.
fn endpoints(public_pem: String) -> (String, Arc<(Mutex<Seen>, String)>) {
    let shared: Shared = Arc::new((Mutex::new(Seen::default()), public_pem));
    let s = shared.clone();
    let app = Router::new()
        .route(
            "/indexnow",
            post(|State(s): State<Shared>, body: String| async move {
                s.0.lock()
                    .unwrap()
                    .indexnow
                    .push(serde_json::from_str(&body).unwrap());
                StatusCode::OK
            }),
        )
        .route(
            "/hub",
            post(|State(s): State<Shared>, body: String| async move {
                s.0.lock().unwrap().hub.push(body);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/token",
            post(|State(s): State<Shared>, body: String| async move {
                let assertion = url::form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "assertion")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let key = jsonwebtoken::DecodingKey::from_rsa_pem(s.1.as_bytes()).unwrap();
                let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
                v.set_audience(&[format!("{}token", "http://")]);
                v.validate_aud = false;
                match jsonwebtoken::decode::<serde_json::Value>(&assertion, &key, &v) {
                    Ok(t) if t.claims["scope"] == "https://www.googleapis.com/auth/indexing" => {
                        s.0.lock().unwrap().tokens += 1;
                        (
                            StatusCode::OK,
                            r#"{"access_token":"tok-123","expires_in":3600}"#.to_string(),
                        )
                    }
                    _ => (StatusCode::UNAUTHORIZED, "{}".to_string()),
                }
            }),
        )
        .route(
            "/publish",
            post(
                |State(s): State<Shared>, headers: HeaderMap, body: String| async move {
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        != Some("Bearer tok-123")
                    {
                        return StatusCode::UNAUTHORIZED;
                    }
                    s.0.lock()
                        .unwrap()
                        .google
                        .push(serde_json::from_str(&body).unwrap());
                    StatusCode::OK
                },
            ),
        )
        .with_state(s);
    (serve_router(app), shared)
}

fn rsa_pair(dir: &std::path::Path) -> (String, String) {
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "key.pem",
        ],
    );
    let public = openssl(dir, &["pkey", "-pubout", "-in", "key.pem"]);
    (
        std::fs::read_to_string(dir.join("key.pem")).unwrap(),
        String::from_utf8(public.stdout).unwrap(),
    )
}

#[test]
fn removed_posting_leaves_every_output_and_is_announced_exactly_once_across_restarts() {
    let dir = example_copy();
    let (private_pem, public_pem) = rsa_pair(dir.path());
    let (base, seen) = endpoints(public_pem);
    let feeds = dir.path().join("feeds");
    let key_file = serde_json::json!({
        "type": "service_account",
        "client_email": "jobfeed@example-project.iam.gserviceaccount.com",
        "private_key": private_pem,
        "token_uri": format!("{base}/token"),
    });
    std::fs::write(feeds.join("google-key.json"), key_file.to_string()).unwrap();
    let mut cfg = std::fs::read_to_string(feeds.join("example.toml")).unwrap();
    cfg.push_str(&format!(
        "\n[notify.indexnow]\nkey = \"a1b2c3d4e5f6a7b8\"\nendpoint = \"{base}/indexnow\"\n\
         \n[notify.websub]\nhub = \"{base}/hub\"\n\
         \n[notify.google]\nservice_account_key_file = \"google-key.json\"\nendpoint = \"{base}/publish\"\n"
    ));
    std::fs::write(feeds.join("example.toml"), cfg).unwrap();

    let build = || {
        let out = bin().current_dir(dir.path()).arg("build").output().unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{text}");
        assert!(
            !text.contains("BEGIN PRIVATE KEY") && !text.contains("tok-123"),
            "secret in logs: {text}"
        );
        text
    };
    build();
    {
        let s = seen.0.lock().unwrap();
        assert_eq!(s.indexnow.len(), 1);
        assert_eq!(s.indexnow[0]["urlList"].as_array().unwrap().len(), 4);
        assert_eq!(s.indexnow[0]["key"], "a1b2c3d4e5f6a7b8");
        assert_eq!(s.google.len(), 4);
        assert!(s.google.iter().all(|g| g["type"] == "URL_UPDATED"));
        assert_eq!(
            s.hub.len(),
            3,
            "one ping per feed topic (RSS, Atom, JSON Feed)"
        );
    }

    // Subscribers find the hub in the feeds themselves.
    let public = dir.path().join("public/example");
    let hub = format!("{base}/hub");
    let rss = std::fs::read_to_string(public.join("rss.xml")).unwrap();
    assert!(
        rss.contains(&format!("<atom:link href=\"{hub}\" rel=\"hub\"/>")),
        "{rss}"
    );
    let atom = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    assert!(
        atom.contains(&format!("<link rel=\"hub\" href=\"{hub}\"/>")),
        "{atom}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("feed.json")).unwrap()).unwrap();
    assert_eq!(json["hubs"][0]["url"], hub.as_str());

    let removed_url = "https://www.nordvik.example/sv/karriar/datacentertekniker/";
    std::fs::remove_file(feeds.join("example/content/sv/career/datacentertekniker.md")).unwrap();
    build();
    for f in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "postings.json",
        "indeed.xml",
        "linkedin.xml",
        "sv/rss.xml",
    ] {
        let text = std::fs::read_to_string(public.join(f)).unwrap_or_default();
        assert!(
            !text.contains("datacentertekniker"),
            "{f} still lists the removed posting"
        );
    }
    assert!(!public.join("jobs/datacentertekniker-sv.jsonld").exists());
    let state = jobfeed::state::State::open(&dir.path().join("state")).unwrap();
    let tombs = state.tombstones("example").unwrap();
    assert_eq!(tombs.len(), 1);
    assert_eq!(tombs[0].0, "datacentertekniker-sv");
    drop(state);

    // A restart with nothing changed: nothing is announced again.
    build();
    build();
    let s = seen.0.lock().unwrap();
    let deleted: Vec<_> = s
        .google
        .iter()
        .filter(|g| g["type"] == "URL_DELETED")
        .collect();
    assert_eq!(deleted.len(), 1, "{:?}", s.google);
    assert_eq!(deleted[0]["url"], removed_url);
    let indexnow_mentions = s
        .indexnow
        .iter()
        .filter(|b| {
            b["urlList"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u == removed_url)
        })
        .count();
    assert_eq!(indexnow_mentions, 2, "once when added, once when removed");
    assert_eq!(s.indexnow.len(), 2);
    assert_eq!(s.google.len(), 5);
}
