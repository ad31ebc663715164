//! `lexperm schema`: the printed schema is the checked-in one, every corpus lexicon validates
//! against it, and broken documents do not.

mod common;

use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../src/lexicon.schema.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

#[test]
fn prints_the_checked_in_schema() {
    let output = common::lexperm(&common::workspace_root(), &["schema"]);
    assert!(output.status.success());
    assert_eq!(common::stdout(&output), SCHEMA);
}

#[test]
fn every_corpus_lexicon_validates() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let validator = validator();
    let files = common::corpus_files(&corpus, common::CORPUS_SETS);
    assert_eq!(files.len(), 456, "corpus lexicon count changed");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("corpus file reads");
        let doc: Value = serde_json::from_str(&text).expect("corpus file is JSON");
        let first = validator
            .iter_errors(&doc)
            .next()
            .map(|error| format!("{error} at {}", error.instance_path()));
        if let Some(error) = first {
            failures.push(format!("{}: {error}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_rejected(name: &str, doc: Value) {
    let validator = validator();
    assert!(
        !validator.is_valid(&doc),
        "{name}: broken document validated: {doc}"
    );
}

#[test]
fn broken_documents_do_not_validate() {
    let base = || {
        json!({
            "lexicon": 1,
            "id": "com.example.calendar.event",
            "defs": { "main": {
                "type": "record",
                "key": "tid",
                "record": { "type": "object", "properties": { "name": { "type": "string" } } }
            }}
        })
    };
    assert!(validator().is_valid(&base()), "the base document is valid");

    let mut doc = base();
    doc["$schema"] = json!("https://lexperm.dev/schema/lexicon.schema.json");
    assert!(
        validator().is_valid(&doc),
        "the editor's `$schema` hint is allowed"
    );

    let mut doc = base();
    doc["$schema"] = json!(1);
    check_rejected("non-string $schema", doc);

    let mut doc = base();
    doc["lexicon"] = json!(2);
    check_rejected("lexicon version 2", doc);

    let mut doc = base();
    doc["id"] = json!("not-an-nsid");
    check_rejected("bad NSID", doc);

    let mut doc = base();
    doc["defs"]["main"]["key"] = json!("uuid");
    check_rejected("bad record key", doc);

    let mut doc = base();
    doc["defs"]["main"]["record"]["properties"]["name"]["type"] = json!("strng");
    check_rejected("unknown field type", doc);

    let mut doc = base();
    doc["defs"]["main"]["record"]["properties"]["name"]["format"] = json!("email");
    check_rejected("unknown string format", doc);

    let mut doc = base();
    doc["defs"]["other"] = json!({ "type": "query" });
    check_rejected("primary type not named main", doc);

    let mut doc = base();
    doc["defs"]["main"] = json!({ "type": "ref", "ref": "#x" });
    check_rejected("ref as a def", doc);

    let mut doc = base();
    doc["defs"] = json!({});
    check_rejected("zero defs", doc);

    check_rejected(
        "query with input",
        json!({ "lexicon": 1, "id": "com.example.getThing", "defs": { "main": {
            "type": "query", "input": { "encoding": "application/json" } } } }),
    );
    check_rejected(
        "subscription message not a union",
        json!({ "lexicon": 1, "id": "com.example.subscribeThings", "defs": { "main": {
            "type": "subscription",
            "message": { "schema": { "type": "object", "properties": {} } } } } }),
    );
    check_rejected(
        "encoding with parameters",
        json!({ "lexicon": 1, "id": "com.example.getThing", "defs": { "main": {
            "type": "query", "output": { "encoding": "application/json; charset=utf-8" } } } }),
    );
}

/// Every schema reachable in the document schema, with its JSON pointer; `if` conditions are
/// skipped (they only select a branch).
fn schemas<'a>(node: &'a Value, pointer: String, out: &mut Vec<(String, &'a Value)>) {
    let Some(object) = node.as_object() else {
        return;
    };
    out.push((pointer.clone(), node));
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        for (name, schema) in properties {
            schemas(schema, format!("{pointer}/properties/{name}"), out);
        }
    }
    if let Some(defs) = object.get("$defs").and_then(Value::as_object) {
        for (name, schema) in defs {
            schemas(schema, format!("{pointer}/$defs/{name}"), out);
        }
    }
    for key in ["items", "additionalProperties", "then"] {
        if let Some(schema) = object.get(key) {
            schemas(schema, format!("{pointer}/{key}"), out);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (index, schema) in object
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            schemas(schema, format!("{pointer}/{key}/{index}"), out);
        }
    }
}

#[test]
fn every_def_and_field_is_described() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let mut all = Vec::new();
    schemas(&schema, String::new(), &mut all);
    let mut undescribed = Vec::new();
    for (pointer, node) in &all {
        let is_def = pointer.starts_with("/$defs/") && pointer.matches('/').count() == 2;
        let is_field = pointer.rsplit('/').nth(1) == Some("properties");
        if (is_def || is_field) && node.get("description").and_then(Value::as_str).is_none() {
            undescribed.push(pointer.clone());
        }
    }
    assert!(undescribed.is_empty(), "no description: {undescribed:#?}");
    // One def per Lexicon type of lexicon.md §1.2.
    for def in [
        "boolean",
        "integer",
        "string",
        "bytes",
        "cid-link",
        "blob",
        "array",
        "object",
        "params",
        "permission",
        "token",
        "ref",
        "union",
        "unknown",
        "record",
        "query",
        "procedure",
        "subscription",
        "permission-set",
    ] {
        assert!(schema["$defs"].get(def).is_some(), "no $defs/{def}");
    }
}
