//! Generated permission sets, `include:` scopes and client scope strings for the permission-set
//! part of `cargo xtask conformance`.
//!
//! Every set is a lexicon document whose `main` is a `permission-set` with a random mix of valid
//! and invalid entries. The text is written by hand (not through `serde_json::Value`) so that an
//! entry can hold a duplicated key, as a hand-written file can.

use serde_json::{json, Value};

use crate::prng::Prng;

/// One generated lexicon document.
pub struct GeneratedDoc {
    /// The document's `id`.
    pub nsid: String,
    /// File name inside the lexicons folder.
    pub file: String,
    /// The JSON text.
    pub text: String,
    /// Whether `main` is a permission set (a few record lexicons are mixed in).
    pub is_set: bool,
}

/// What the include scopes of one set look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IncludeForm {
    /// `include:<nsid>`.
    Plain,
    /// `include:<nsid>?aud=<did ref>`.
    WithAud,
    /// An include naming a missing document, a record lexicon, or an invalid include string.
    Edge,
}

impl IncludeForm {
    /// Label for the summary.
    pub fn label(self) -> &'static str {
        match self {
            IncludeForm::Plain => "include:<nsid>",
            IncludeForm::WithAud => "include:<nsid>?aud=…",
            IncludeForm::Edge => "edge (missing/record/invalid)",
        }
    }
}

/// One include scope to expand, with the index of the document it was made for.
pub struct IncludeCase {
    /// The include scope string.
    pub input: String,
    /// Index into [`SetCorpus::docs`], when it names a generated document.
    pub doc: Option<usize>,
    /// Which form it is.
    pub form: IncludeForm,
}

/// The generated corpus.
pub struct SetCorpus {
    /// Lexicon documents (permission sets and a few records).
    pub docs: Vec<GeneratedDoc>,
    /// Include scopes: two per set (plain and with `?aud=`) plus edge cases.
    pub includes: Vec<IncludeCase>,
    /// Whole client scope strings for token-scope building.
    pub clients: Vec<String>,
}

/// Audiences used in `include:…?aud=` (percent-encoded as a client writes them).
const INCLUDE_AUDS: &[&str] = &[
    "did:web:api.example.com%23svc",
    "did:web:api.bsky.app%23bsky_appview",
    "did:web:api.bsky.chat%23bsky_chat",
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz%23atproto_labeler",
    "did:plc:z72i7hdynmk6r22z27h6tvur%23bsky_appview",
    "did:web:localhost%253A2583%23dev",
    "did:web:my-service.example.org%23a_b-c",
    "did:web:api.example.com%23a+b",
];

/// Audiences written into `aud` fields of set entries (raw JSON strings).
const ENTRY_AUDS: &[&str] = &[
    "did:web:api.example.com#svc",
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_labeler",
    "did:web:api.example.com",
    "",
    "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#x",
    "*",
];

const TLDS: &[&str] = &["com", "io", "org", "dev", "app", "social"];
const GROUP_WORDS: &[&str] = &["feed", "graph", "actor", "chat", "labeler", "notif", "repo"];
const NAMES: &[&str] = &[
    "post",
    "like",
    "profile",
    "getThing",
    "putRecord",
    "listItems",
    "sendMessage",
    "defs",
];
const SET_WORDS: &[&str] = &["Full", "Read", "Write", "Manage", "View", "Basic", "Admin"];
const REPO_ACTIONS: &[&str] = &["create", "update", "delete"];
const BAD_ACTIONS: &[&str] = &["Create", "read", "", "*", "DELETE", "write"];

/// Generates `count` permission sets (plus a few record lexicons) and their include scopes, and
/// `clients` client scope strings over them.
pub fn set_corpus(seed: u64, count: usize, clients: usize) -> SetCorpus {
    corpus(Prng::new(seed ^ 0x5E7C_0FF5), count, clients, false)
}

/// Like [`set_corpus`] (without client scopes), with `resource: "space"` entries mixed into the
/// sets: half of the generated entries are space entries (see [`space_entry`]).
pub fn space_set_corpus(seed: u64, count: usize) -> SetCorpus {
    corpus(Prng::new(seed ^ 0x5BAC_E5E7), count, 0, true)
}

fn corpus(mut rng: Prng, count: usize, clients: usize, space: bool) -> SetCorpus {
    let mut docs = Vec::with_capacity(count + count / 50 + 1);
    for i in 0..count {
        docs.push(permission_set(&mut rng, i, space));
    }
    for i in 0..count / 50 + 1 {
        docs.push(record_doc(&mut rng, i));
    }
    let mut includes = Vec::with_capacity(count * 2 + count / 10);
    for (index, doc) in docs.iter().enumerate().filter(|(_, d)| d.is_set) {
        includes.push(IncludeCase {
            input: format!("include:{}", doc.nsid),
            doc: Some(index),
            form: IncludeForm::Plain,
        });
        includes.push(IncludeCase {
            input: format!("include:{}?aud={}", doc.nsid, rng.pick(INCLUDE_AUDS)),
            doc: Some(index),
            form: IncludeForm::WithAud,
        });
        if rng.chance(5) {
            includes.push(edge_include(&mut rng, &docs, index));
        }
    }
    let clients = (0..clients)
        .map(|_| client_scope(&mut rng, &docs))
        .collect();
    SetCorpus {
        docs,
        includes,
        clients,
    }
}

/// An NSID authority for set `i`: two or three domain segments, sometimes in upper case.
fn set_nsid(rng: &mut Prng, i: usize) -> String {
    let mut segments = vec![rng.pick(TLDS).to_string(), format!("gen{}", rng.below(40))];
    for _ in 0..rng.below(3) {
        segments.push(rng.pick(GROUP_WORDS).to_string());
    }
    if rng.chance(5) {
        segments[0] = segments[0].to_uppercase();
    } else if rng.chance(5) {
        segments[1] = segments[1].to_uppercase();
    }
    segments.push(format!("auth{}{i}", rng.pick(SET_WORDS)));
    segments.join(".")
}

/// The set's group: its NSID without the last segment.
fn group_of(nsid: &str) -> &str {
    nsid.rsplit_once('.').map_or(nsid, |(g, _)| g)
}

/// One NSID-like value relative to `group`: inside, child group, sibling, parent, other domain,
/// case changes, prefix tricks, wildcards and invalid NSIDs.
fn nsid_value(rng: &mut Prng, group: &str) -> String {
    let name = rng.pick(NAMES);
    let parent = group_of(group);
    match rng.below(20) {
        0..=5 => format!("{group}.{name}"),
        6 | 7 => format!("{group}.{}.{name}", rng.pick(GROUP_WORDS)),
        8 => format!("{parent}.{}.{name}", rng.pick(GROUP_WORDS)),
        9 => format!("{parent}.{name}"),
        10 => format!("{}.other{}.{name}", rng.pick(TLDS), rng.below(3)),
        11 => "app.bsky.feed.post".to_string(),
        12 => {
            // One character of the group in the other case.
            let mut chars: Vec<char> = group.chars().collect();
            let at = rng.below(chars.len());
            chars[at] = if chars[at].is_ascii_lowercase() {
                chars[at].to_ascii_uppercase()
            } else {
                chars[at].to_ascii_lowercase()
            };
            format!("{}.{name}", chars.into_iter().collect::<String>())
        }
        13 => format!("{group}x.{name}"),
        14 => group.to_string(),
        15 => "*".to_string(),
        16 => format!("{group}.*"),
        17 => format!("{group}.{name}*"),
        18 => match rng.below(5) {
            0 => format!("{group}..{name}"),
            1 => format!("{group}."),
            2 => format!("{group}.9{name}"),
            3 => String::new(),
            _ => format!("{group}.{}", "a".repeat(64)),
        },
        _ => format!("{group}.{name}{}", rng.below(100)),
    }
}

/// A value of the wrong JSON type for a string slot.
fn wrong_scalar(rng: &mut Prng) -> Value {
    match rng.below(6) {
        0 => json!(5),
        1 => json!(true),
        2 => Value::Null,
        3 => json!(1.5),
        4 => json!({}),
        _ => json!(["nested"]),
    }
}

/// A `collection` or `lxm` field: usually an array of one to three values.
fn nsid_list(rng: &mut Prng, group: &str) -> Option<Value> {
    Some(match rng.below(20) {
        0 => return None,
        1 => json!([]),
        2 => json!(nsid_value(rng, group)),
        3 => wrong_scalar(rng),
        4 => {
            let mut items = vec![json!(nsid_value(rng, group))];
            items.push(wrong_scalar(rng));
            rng.shuffle(&mut items);
            Value::Array(items)
        }
        5 => {
            let v = nsid_value(rng, group);
            json!([v, v])
        }
        _ => {
            let n = rng.range(1, 3);
            Value::Array((0..n).map(|_| json!(nsid_value(rng, group))).collect())
        }
    })
}

/// A repo `action` field: usually missing.
fn actions(rng: &mut Prng) -> Option<Value> {
    Some(match rng.below(12) {
        0..=4 => return None,
        5 | 6 => {
            let n = rng.range(1, 3);
            let mut items: Vec<Value> = (0..n).map(|_| json!(rng.pick(REPO_ACTIONS))).collect();
            rng.shuffle(&mut items);
            Value::Array(items)
        }
        7 => json!(REPO_ACTIONS),
        8 => json!([rng.pick(BAD_ACTIONS)]),
        9 => json!([]),
        10 => json!(rng.pick(REPO_ACTIONS)),
        _ => json!([rng.pick(REPO_ACTIONS), wrong_scalar(rng)]),
    })
}

/// An rpc `aud` field: missing, `*`, a DID ref, or something wrong.
fn entry_aud(rng: &mut Prng) -> Option<Value> {
    Some(match rng.below(12) {
        0..=3 => return None,
        4..=6 => json!("*"),
        7 | 8 => json!(rng.pick(ENTRY_AUDS)),
        9 => json!(["*"]),
        _ => wrong_scalar(rng),
    })
}

fn inherit_aud(rng: &mut Prng) -> Option<Value> {
    Some(match rng.below(10) {
        0..=3 => return None,
        4..=6 => json!(true),
        7 => json!(false),
        8 => json!("true"),
        _ => wrong_scalar(rng),
    })
}

/// The `resource` of an entry.
fn resource(rng: &mut Prng) -> Option<Value> {
    Some(match rng.below(40) {
        0..=13 => json!("repo"),
        14..=25 => json!("rpc"),
        26..=28 => json!("blob"),
        29 | 30 => json!("account"),
        31 => json!("identity"),
        32 => json!("include"),
        33 => json!("Repo"),
        34 => json!("record"),
        35 => json!(""),
        36 => return None,
        37 => json!(["repo"]),
        _ => json!(rng.pick(&["repo", "rpc"])),
    })
}

/// An entry that is valid or has at most one defect: repo or rpc, values mostly inside the group.
fn clean_entry(rng: &mut Prng, group: &str) -> Vec<(String, Value)> {
    let mut fields: Vec<(String, Value)> = vec![("type".into(), json!("permission"))];
    let values = |rng: &mut Prng| -> Value {
        let n = rng.range(1, 3);
        Value::Array(
            (0..n)
                .map(|_| {
                    if rng.chance(85) {
                        json!(format!("{group}.{}", rng.pick(NAMES)))
                    } else {
                        json!(nsid_value(rng, group))
                    }
                })
                .collect(),
        )
    };
    if rng.chance(55) {
        fields.push(("resource".into(), json!("repo")));
        fields.push(("collection".into(), values(rng)));
        if rng.chance(40) {
            let action = actions(rng).unwrap_or(json!(["create"]));
            fields.push(("action".into(), action));
        }
    } else {
        fields.push(("resource".into(), json!("rpc")));
        fields.push(("lxm".into(), values(rng)));
        match rng.below(10) {
            0..=4 => fields.push(("aud".into(), json!("*"))),
            5..=8 => fields.push(("inheritAud".into(), json!(true))),
            _ => {
                fields.push(("aud".into(), json!("*")));
                fields.push(("inheritAud".into(), json!(true)));
            }
        }
    }
    if rng.chance(10) {
        rng.shuffle(&mut fields);
    }
    fields
}

/// One entry of `permissions` as ordered key/value pairs (keys may repeat).
fn entry(rng: &mut Prng, group: &str) -> Vec<(String, Value)> {
    if rng.chance(45) {
        return clean_entry(rng, group);
    }
    let mut fields: Vec<(String, Value)> = Vec::new();
    match rng.below(30) {
        0 => {}
        1 => fields.push(("type".into(), json!("perm"))),
        _ => fields.push(("type".into(), json!("permission"))),
    }
    let res = resource(rng);
    let kind = res
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(r) = res {
        fields.push(("resource".into(), r));
    }
    let push = |fields: &mut Vec<(String, Value)>, key: &str, value: Option<Value>| {
        if let Some(v) = value {
            fields.push((key.to_string(), v));
        }
    };
    match kind.as_str() {
        "rpc" => {
            let lxm = nsid_list(rng, group);
            push(&mut fields, "lxm", lxm);
            let aud = entry_aud(rng);
            push(&mut fields, "aud", aud);
            let inherit = inherit_aud(rng);
            push(&mut fields, "inheritAud", inherit);
            if rng.chance(5) {
                let action = actions(rng);
                push(&mut fields, "action", action);
            }
        }
        "blob" => {
            push(&mut fields, "accept", Some(json!(["image/*", "video/mp4"])));
            if rng.chance(30) {
                push(&mut fields, "maxSize", Some(json!(1_000_000)));
            }
        }
        "account" => {
            push(
                &mut fields,
                "attr",
                Some(json!(rng.pick(&["email", "repo"]))),
            );
            push(&mut fields, "action", Some(json!("manage")));
        }
        "identity" => push(&mut fields, "attr", Some(json!("*"))),
        "include" => push(
            &mut fields,
            "nsid",
            Some(json!(format!("{group}.authOther"))),
        ),
        _ => {
            // repo and the unknown resources get repo-shaped fields.
            let collection = nsid_list(rng, group);
            push(&mut fields, "collection", collection);
            let action = actions(rng);
            push(&mut fields, "action", action);
            if rng.chance(5) {
                let aud = entry_aud(rng);
                push(&mut fields, "aud", aud);
            }
        }
    }
    if rng.chance(6) {
        let key = *rng.pick(&["description", "title", "detail", "title:lang", "note"]);
        fields.push((key.to_string(), json!("some text")));
    }
    if rng.chance(2) {
        fields.push(("description".into(), Value::Null));
    }
    if rng.chance(3) && !fields.is_empty() {
        // A repeated key: JSON.parse keeps the last value.
        let at = rng.below(fields.len());
        let (key, _) = fields[at].clone();
        let value = match key.as_str() {
            "collection" | "lxm" => nsid_list(rng, group).unwrap_or(json!([])),
            "aud" => entry_aud(rng).unwrap_or(json!("*")),
            "resource" => resource(rng).unwrap_or(json!("rpc")),
            _ => json!("other"),
        };
        fields.push((key, value));
    }
    if rng.chance(10) {
        rng.shuffle(&mut fields);
    }
    fields
}

/// A `spaceType` value: mostly inside the set's group or a child group, else foreign, `*`, a
/// wrong case, invalid, or of the wrong JSON type.
fn space_type(rng: &mut Prng, group: &str) -> Value {
    match rng.below(20) {
        0..=9 => json!(format!("{group}.{}", rng.pick(SPACE_NAMES))),
        10 | 11 => json!(format!(
            "{group}.{}.{}",
            rng.pick(GROUP_WORDS),
            rng.pick(SPACE_NAMES)
        )),
        12 => json!("*"),
        13 => json!([format!("{group}.board")]),
        14 => wrong_scalar(rng),
        _ => json!(nsid_value(rng, group)),
    }
}

const SPACE_NAMES: &[&str] = &["board", "forum", "space", "chat", "group"];

/// A list field of a space entry (`action`, `manage`): usually an array of good values, else a
/// string instead of an array, an empty array, or bad values.
fn space_list(rng: &mut Prng, good: &[&str], bad: &[&str]) -> Value {
    match rng.below(12) {
        0 => json!(rng.pick(good)),
        1 => json!([]),
        2 => json!([rng.pick(bad)]),
        3 => json!([rng.pick(good), wrong_scalar(rng)]),
        _ => {
            let n = rng.range(1, good.len());
            let mut items: Vec<Value> = (0..n).map(|_| json!(rng.pick(good))).collect();
            rng.shuffle(&mut items);
            Value::Array(items)
        }
    }
}

/// One `resource: "space"` entry: valid, or with foreign / `*` / missing `spaceType`, unknown
/// fields, a string where an array belongs, empty arrays, and bad values. Now and then instead a
/// clean `repo`/`rpc` entry with a `spaceType` field (ignored there by the permissioned-data
/// build, an unknown field for 0.5.12).
fn space_entry(rng: &mut Prng, group: &str) -> Vec<(String, Value)> {
    if rng.chance(8) {
        let mut fields = clean_entry(rng, group);
        let t = space_type(rng, group);
        fields.push(("spaceType".into(), t));
        return fields;
    }
    let mut fields: Vec<(String, Value)> = vec![
        ("type".into(), json!("permission")),
        ("resource".into(), json!("space")),
    ];
    if !rng.chance(6) {
        let t = space_type(rng, group);
        fields.push(("spaceType".into(), t));
    }
    if rng.chance(60) {
        let a = match rng.below(12) {
            0..=4 => json!("*"),
            5..=7 => json!("self"),
            8 => json!("did:plc:ewvi7nxzyoun6zhxrhs64oiz"),
            9 => json!(rng.pick(&["", "Self", "did:web", "did:web:example.com#x"])),
            10 => json!(["*"]),
            _ => wrong_scalar(rng),
        };
        fields.push(("authority".into(), a));
    }
    if rng.chance(50) {
        let k = match rng.below(10) {
            0..=4 => json!("self"),
            5 | 6 => json!("*"),
            7 => json!(rng.pick(&["abc", "a~b", "3jzfcijpj2z2a"])),
            8 => json!(rng.pick(&[".", "", "a b", ".."])),
            _ => wrong_scalar(rng),
        };
        fields.push(("skey".into(), k));
    }
    if rng.chance(60) {
        let c = nsid_list(rng, group).unwrap_or(json!(["*"]));
        fields.push(("collection".into(), c));
    }
    if rng.chance(45) {
        let a = space_list(
            rng,
            &["read_self", "read", "create", "update", "delete"],
            &["Read", "write", "manage", "", "*"],
        );
        fields.push(("action".into(), a));
    }
    if rng.chance(40) {
        let m = space_list(
            rng,
            &["create", "update", "delete"],
            &["read", "Create", "", "*"],
        );
        fields.push(("manage".into(), m));
    }
    if rng.chance(12) {
        let key = *rng.pick(&[
            "description",
            "did",
            "title",
            "type:lang",
            "aud",
            "lxm",
            "inheritAud",
            "space",
        ]);
        fields.push((key.to_string(), json!("x")));
    }
    if rng.chance(10) {
        rng.shuffle(&mut fields);
    }
    fields
}

fn write_object(out: &mut String, fields: &[(String, Value)]) {
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&Value::String(k.clone()).to_string());
        out.push_str(": ");
        out.push_str(&v.to_string());
    }
    out.push('}');
}

fn permission_set(rng: &mut Prng, i: usize, space: bool) -> GeneratedDoc {
    let nsid = set_nsid(rng, i);
    let group = group_of(&nsid).to_string();
    let n = match rng.below(10) {
        0 => 0,
        1..=6 => rng.range(1, 4),
        _ => rng.range(5, 10),
    };
    let mut entries: Vec<String> = Vec::new();
    for _ in 0..n {
        let mut text = String::new();
        if rng.chance(4) && !entries.is_empty() {
            // A duplicated entry.
            text = rng.pick(&entries).clone();
        } else if rng.chance(2) {
            // A non-object entry (JSON.parse keeps it; the reference skips it).
            text = rng
                .pick(&["7", "\"repo:x.y.z\"", "[]", "false"])
                .to_string();
        } else if space && rng.chance(50) {
            write_object(&mut text, &space_entry(rng, &group));
        } else {
            write_object(&mut text, &entry(rng, &group));
        }
        entries.push(text);
    }
    let mut main = String::from("{\"type\": \"permission-set\"");
    if rng.chance(50) {
        main.push_str(", \"title\": \"Generated set\", \"detail\": \"For testing.\"");
    }
    if rng.chance(10) {
        main.push_str(", \"title:lang\": {\"de\": \"Erzeugt\"}");
    }
    main.push_str(", \"permissions\": [\n    ");
    main.push_str(&entries.join(",\n    "));
    main.push_str("\n  ]}");
    let text = format!(
        "{{\n  \"lexicon\": 1,\n  \"id\": {},\n  \"defs\": {{\"main\": {main}}}\n}}\n",
        Value::String(nsid.clone())
    );
    GeneratedDoc {
        file: format!("set{i:05}.json"),
        nsid,
        text,
        is_set: true,
    }
}

fn record_doc(rng: &mut Prng, i: usize) -> GeneratedDoc {
    let nsid = format!("{}.rec{i}.feed.thing", rng.pick(TLDS));
    let text = format!(
        "{{\"lexicon\": 1, \"id\": {}, \"defs\": {{\"main\": {{\"type\": \"record\", \"key\": \"tid\", \
         \"record\": {{\"type\": \"object\", \"properties\": {{}}}}}}}}}}\n",
        Value::String(nsid.clone())
    );
    GeneratedDoc {
        file: format!("record{i:04}.json"),
        nsid,
        text,
        is_set: false,
    }
}

/// An include that names a missing document or a record lexicon, or is not a valid include.
fn edge_include(rng: &mut Prng, docs: &[GeneratedDoc], index: usize) -> IncludeCase {
    let nsid = &docs[index].nsid;
    let (input, doc) = match rng.below(6) {
        0 => (format!("include:{nsid}Missing"), None),
        1 => {
            let records: Vec<usize> = (0..docs.len()).filter(|&i| !docs[i].is_set).collect();
            match records.first() {
                Some(&r) => (format!("include:{}", docs[r].nsid), Some(r)),
                None => (format!("include:{nsid}Missing"), None),
            }
        }
        2 => (format!("include:{nsid}?aud=did:key:z6Mk%23x"), Some(index)),
        3 => (format!("include:{nsid}?aud=*"), Some(index)),
        4 => (
            format!(
                "include:{nsid}?aud={}",
                rng.pick(&["did:web:api.example.com", "did:web:localhost%3A2583%23dev"])
            ),
            Some(index),
        ),
        _ => (format!("include?nsid={nsid}"), Some(index)),
    };
    IncludeCase {
        input,
        doc,
        form: IncludeForm::Edge,
    }
}

const GRANULAR: &[&str] = &[
    "repo:*",
    "repo:app.bsky.feed.post?action=create",
    "rpc:app.bsky.feed.getFeed?aud=did:web:api.bsky.app%23bsky_appview",
    "rpc:*?aud=did:web:api.example.com%23svc",
    "blob:*/*",
    "blob?accept=image/*&accept=video/*",
    "account:email",
    "account:repo?action=manage",
    "identity:handle",
    "identity:*",
    "transition:generic",
    "transition:chat.bsky",
    "transition:email",
];

const JUNK: &[&str] = &[
    "bogus",
    "include:",
    "repo:",
    "rpc:a.b.c",
    "REPO:*",
    "include:not-an-nsid",
    "openid",
    "profile",
    "email",
];

/// A client's scope string: `atproto` (usually), some includes of generated documents (and,
/// rarely, of a missing one), granular scopes and junk, with duplicates and doubled spaces.
fn client_scope(rng: &mut Prng, docs: &[GeneratedDoc]) -> String {
    let mut values: Vec<String> = Vec::new();
    if !rng.chance(8) {
        values.push("atproto".into());
    }
    for _ in 0..rng.range(1, 5) {
        let doc = rng.pick(docs);
        let value = if !doc.is_set && rng.chance(70) {
            // Records rarely: they make the whole request fail.
            let set = docs.iter().find(|d| d.is_set).unwrap_or(doc);
            format!("include:{}", set.nsid)
        } else if rng.chance(50) {
            format!("include:{}", doc.nsid)
        } else {
            format!("include:{}?aud={}", doc.nsid, rng.pick(INCLUDE_AUDS))
        };
        values.push(value);
    }
    if rng.chance(4) {
        values.push("include:com.example.missing.authNothing".into());
    }
    for _ in 0..rng.below(3) {
        values.push(rng.pick(GRANULAR).to_string());
    }
    for _ in 0..rng.below(2) {
        if rng.chance(60) {
            let junk = *rng.pick(JUNK);
            // `openid` makes the request fail; keep it rare.
            if junk != "openid" || rng.chance(20) {
                values.push(junk.to_string());
            }
        }
    }
    if rng.chance(15) && !values.is_empty() {
        let dup = rng.pick(&values).clone();
        values.push(dup);
    }
    rng.shuffle(&mut values);
    if rng.chance(20) {
        // Keep `atproto` first sometimes, as most clients write it.
        if let Some(at) = values.iter().position(|v| v == "atproto") {
            let v = values.remove(at);
            values.insert(0, v);
        }
    }
    let mut s = values.join(if rng.chance(10) { "  " } else { " " });
    if rng.chance(5) {
        s.push(' ');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_deterministic_and_parses_as_json_documents() {
        let a = set_corpus(1, 200, 20);
        let b = set_corpus(1, 200, 20);
        assert_eq!(a.docs.len(), b.docs.len());
        for (x, y) in a.docs.iter().zip(&b.docs) {
            assert_eq!(x.text, y.text);
        }
        assert_eq!(a.clients, b.clients);
        for doc in &a.docs {
            let v: Value = serde_json::from_str(&doc.text)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", doc.file, doc.text));
            assert_eq!(v["id"].as_str(), Some(doc.nsid.as_str()));
        }
        let sets = a.docs.iter().filter(|d| d.is_set).count();
        assert_eq!(sets, 200);
        let plain = a
            .includes
            .iter()
            .filter(|i| i.form == IncludeForm::Plain)
            .count();
        let aud = a
            .includes
            .iter()
            .filter(|i| i.form == IncludeForm::WithAud)
            .count();
        assert_eq!((plain, aud), (200, 200));
    }

    #[test]
    fn space_corpus_mixes_space_entries_of_every_shape() {
        let a = space_set_corpus(2, 300);
        let text: String = a.docs.iter().map(|d| d.text.as_str()).collect();
        assert!(text.contains("\"resource\": \"space\""));
        assert!(text.contains("\"spaceType\": \"*\""));
        assert!(
            text.contains("\"manage\": \""),
            "a string instead of an array"
        );
        assert!(text.contains("\"action\": []"));
        assert!(text.contains("\"did\": \"x\""));
        let mut space_type_elsewhere = false;
        for doc in &a.docs {
            let v: Value = serde_json::from_str(&doc.text).unwrap();
            let entries = v["defs"]["main"]["permissions"].as_array().cloned();
            space_type_elsewhere |= entries.into_iter().flatten().any(|e| {
                e.get("spaceType").is_some()
                    && matches!(e["resource"].as_str(), Some("repo" | "rpc"))
            });
        }
        assert!(space_type_elsewhere, "a repo/rpc entry with spaceType");
        // Without space entries the generator is unchanged.
        let plain = set_corpus(2, 50, 0);
        assert!(!plain.docs.iter().any(|d| d.text.contains("\"space\"")));
    }

    #[test]
    fn nsid_values_cover_inside_and_outside_the_group() {
        let mut rng = Prng::new(3);
        let group = "com.gen1.feed";
        let values: Vec<String> = (0..500).map(|_| nsid_value(&mut rng, group)).collect();
        assert!(values
            .iter()
            .any(|v| v.starts_with("com.gen1.feed.") && v.matches('.').count() == 3));
        assert!(values
            .iter()
            .any(|v| v.starts_with("com.gen1.") && !v.starts_with("com.gen1.feed")));
        assert!(values.iter().any(|v| v == "*"));
        assert!(values.iter().any(|v| v.starts_with("com.gen1.feedx.")));
    }
}
