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
    let validator = validator();
    let files = common::corpus_files();
    assert_eq!(files.len(), 551, "corpus lexicon count changed");
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
