//! JSON Schema generation for the files in `schemas/`: the posting and the feed config.
//! `jobfeed schema` writes them; a test fails when the checked-in copies are stale.

use schemars::generate::SchemaSettings;

use crate::config::FeedConfig;
use crate::model::Posting;

/// File name and pretty JSON of every generated schema.
pub fn generated() -> Vec<(&'static str, String)> {
    let posting = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Posting>();
    let config = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<FeedConfig>();
    let pretty = |v: &serde_json::Value| {
        let mut s = serde_json::to_string_pretty(v).expect("schemas serialise");
        s.push('\n');
        s
    };
    vec![
        ("posting.schema.json", pretty(&posting.to_value())),
        ("config.schema.json", pretty(&config.to_value())),
    ]
}
