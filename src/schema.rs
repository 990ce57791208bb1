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
    let config = config.to_value();
    let reference = config_reference(&config);
    vec![
        ("posting.schema.json", pretty(&posting.to_value())),
        ("config.schema.json", pretty(&config)),
        ("config-reference.md", reference),
    ]
}

/// The configuration reference in Markdown, generated from the config schema, so the
/// documentation cannot drift from what the parser accepts (`schemas/config-reference.md`).
pub fn config_reference(schema: &serde_json::Value) -> String {
    use serde_json::Value;
    let mut out = String::from(
        "# Feed configuration reference\n\nGenerated from `schemas/config.schema.json` by `jobfeed schema --out schemas`; do not edit.\n",
    );
    let defs = schema.get("$defs").and_then(Value::as_object);
    let mut sections: Vec<(String, &Value)> = vec![("FeedConfig (top level)".into(), schema)];
    if let Some(defs) = defs {
        for (name, def) in defs {
            sections.push((name.clone(), def));
        }
    }
    for (name, def) in sections {
        let variants: Vec<&Value> = def
            .get("oneOf")
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_else(|| vec![def]);
        let mut wrote_heading = false;
        for v in variants {
            let Some(props) = v.get("properties").and_then(Value::as_object) else {
                continue;
            };
            if !wrote_heading {
                out.push_str(&format!("\n## {name}\n\n"));
                if let Some(d) = def.get("description").and_then(Value::as_str) {
                    out.push_str(&format!("{}\n\n", d.replace('\n', " ")));
                }
                wrote_heading = true;
            }
            if let Some(tag) = props
                .get("type")
                .and_then(|t| t.get("const"))
                .and_then(Value::as_str)
            {
                out.push_str(&format!("`type = \"{tag}\"`"));
                if let Some(d) = v.get("description").and_then(Value::as_str) {
                    out.push_str(&format!(": {}", d.replace('\n', " ")));
                }
                out.push_str("\n\n");
            }
            let required: Vec<&str> = v
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            out.push_str("| Key | Type | Required / default | Description |\n|---|---|---|---|\n");
            for (key, p) in props {
                let req = if required.contains(&key.as_str()) {
                    "required".to_string()
                } else {
                    match p.get("default") {
                        Some(d) if !d.is_null() => format!("default `{d}`"),
                        _ => "optional".to_string(),
                    }
                };
                let desc = p
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .replace('\n', " ")
                    .replace('|', "\\|");
                out.push_str(&format!(
                    "| `{key}` | {} | {req} | {desc} |\n",
                    type_name(p)
                ));
            }
        }
    }
    out
}

fn type_name(p: &serde_json::Value) -> String {
    use serde_json::Value;
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        return format!(
            "[{0}](#{1})",
            r.rsplit('/').next().unwrap_or(r),
            r.rsplit('/').next().unwrap_or(r).to_lowercase()
        );
    }
    if let Some(e) = p.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(c) = p.get("const") {
        return format!("`{c}`");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = p.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = alts.iter().map(type_name).filter(|t| t != "null").collect();
            return parts.join(" or ");
        }
    }
    match p.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!(
                "array of {}",
                p.get("items")
                    .map(type_name)
                    .unwrap_or_else(|| "any".into())
            )
        }
        Some(Value::String(t)) if t == "object" => match p.get("additionalProperties") {
            Some(v) if v.is_object() => format!("table of {}", type_name(v)),
            _ => "table".into(),
        },
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    }
}
