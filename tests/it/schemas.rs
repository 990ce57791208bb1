//! The checked-in `schemas/` must equal what the code generates: the gate embeds them,
//! and users validate against them, so a stale copy would check the wrong contract.

use std::path::Path;

const REGENERATE: &str = "cargo run -- schema --out schemas";

#[test]
fn checked_in_generated_schemas_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut stale = Vec::new();
    for (name, generated) in jobfeed::schema::generated() {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if on_disk == generated => {}
            Ok(_) => stale.push(format!("schemas/{name} differs from the generated schema")),
            Err(e) => stale.push(format!("schemas/{name} cannot be read: {e}")),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nRegenerate with `{REGENERATE}` and commit the result.",
        stale.join("\n")
    );
}
