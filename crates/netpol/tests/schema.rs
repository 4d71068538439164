//! `www/lessons/schema.json` is generated from the engine's `format` types (the ones the
//! lesson reader decodes), so the editor's schema and the reader agree. This test fails
//! when the committed file is stale; `NETPOL_BLESS=1` rewrites it:
//!
//! ```sh
//! NETPOL_BLESS=1 cargo test -p netpol --features schema --test schema
//! ```

use std::path::PathBuf;

fn committed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/lessons/schema.json")
}

#[test]
fn the_committed_lesson_schema_is_the_generated_one() {
    let generated = netpol::format::lesson_schema();
    if std::env::var_os("NETPOL_BLESS").is_some() {
        std::fs::write(committed(), &generated).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    let have = std::fs::read_to_string(committed()).unwrap_or_default();
    assert!(
        have == generated,
        "www/lessons/schema.json is not the schema of netpol::format's types; regenerate it with\n  \
         NETPOL_BLESS=1 cargo test -p netpol --features schema --test schema\nand review the diff"
    );
}

#[test]
fn the_schema_describes_every_lesson_field_and_form() {
    let schema: serde_json::Value =
        serde_json::from_str(&netpol::format::lesson_schema()).unwrap_or_default();
    let top = &schema["properties"];
    for field in [
        "id",
        "title",
        "text",
        "start",
        "goal",
        "constraints",
        "hints",
        "solution",
        "wrong_answers",
        "right_answers",
        "accept",
        "flows",
    ] {
        assert!(top.get(field).is_some(), "no `{field}` in {top:#}");
    }
    assert_eq!(schema["additionalProperties"], false);
    let defs = &schema["definitions"];
    // A goal line is one of three forms, a constraint a name or a one-key mapping.
    assert_eq!(
        defs["Expectation"]["oneOf"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        defs["Constraint"]["oneOf"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        defs["SolutionFile"]["not"]["required"],
        serde_json::json!(["manifests", "add_manifests"])
    );
    // The doc comments are the descriptions an editor shows.
    assert!(top["id"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("saved progress")));
}
