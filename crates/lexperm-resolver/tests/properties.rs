//! Property tests of expansion through the catalog: granted scopes never leave the set's
//! namespace, every entry is accounted for, canonical strings re-parse, and arbitrary entries
//! never panic.

use lexperm_parser::diagnostics::FileId;
use lexperm_parser::scope::{NsidPattern, Scope};
use lexperm_parser::syntax::Nsid;
use lexperm_resolver::Catalog;
use proptest::prelude::*;
use serde_json::{json, Value};

const SET_NSIDS: &[&str] = &[
    "com.example.calendar.auth",
    "com.example.authFull",
    "app.bsky.authFullApp",
    "pub.chive.auth.fullAccess",
];

/// NSID-ish values near and far from the namespaces above (plus junk).
fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("com.example.calendar.event".to_owned()),
        Just("com.example.calendar.sub.deep".to_owned()),
        Just("com.example.post".to_owned()),
        Just("com.example".to_owned()),
        Just("com.examplex.post".to_owned()),
        Just("app.bsky.feed.post".to_owned()),
        Just("app.bsky.actor.getProfile".to_owned()),
        Just("pub.chive.auth.thing".to_owned()),
        Just("pub.chive.review".to_owned()),
        Just("COM.example.calendar.x".to_owned()),
        Just("*".to_owned()),
        Just("".to_owned()),
        "[a-z]{1,4}(\\.[a-zA-Z0-9-]{1,5}){1,4}",
    ]
}

fn string_list() -> impl Strategy<Value = Value> {
    prop::collection::vec(target(), 0..4).prop_map(|v| json!(v))
}

fn action_list() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        prop_oneof![
            Just("create"),
            Just("update"),
            Just("delete"),
            Just("manage"),
            Just("")
        ],
        0..4,
    )
    .prop_map(|v| json!(v))
}

/// A permission entry: mostly well-formed `repo` / `rpc`, with optional damage.
fn entry() -> impl Strategy<Value = Value> {
    let resource = prop_oneof![
        4 => Just(json!("repo")),
        4 => Just(json!("rpc")),
        1 => Just(json!("blob")),
        1 => Just(json!("space")),
        1 => Just(json!(5)),
    ];
    let aud = prop_oneof![
        Just(None),
        Just(Some(json!("*"))),
        Just(Some(json!("did:web:api.example.com#svc"))),
        Just(Some(json!(["*"]))),
    ];
    let inherit = prop_oneof![
        Just(None),
        Just(Some(json!(true))),
        Just(Some(json!(false))),
        Just(Some(json!("true"))),
    ];
    let list_or_scalar = prop_oneof![
        4 => string_list(),
        1 => target().prop_map(|s| json!(s)),
        1 => Just(json!(7)),
    ];
    (
        resource,
        list_or_scalar,
        prop::option::of(action_list()),
        aud,
        inherit,
        prop::option::of(Just(json!("a description"))),
    )
        .prop_map(|(resource, names, action, aud, inherit, description)| {
            let mut entry = serde_json::Map::new();
            entry.insert("type".into(), json!("permission"));
            entry.insert("resource".into(), resource.clone());
            let key = if resource == "rpc" {
                "lxm"
            } else {
                "collection"
            };
            entry.insert(key.into(), names);
            if let Some(action) = action {
                entry.insert("action".into(), action);
            }
            if let Some(aud) = aud {
                entry.insert("aud".into(), aud);
            }
            if let Some(inherit) = inherit {
                entry.insert("inheritAud".into(), inherit);
            }
            if let Some(description) = description {
                entry.insert("description".into(), description);
            }
            Value::Object(entry)
        })
}

fn set_text(nsid: &str, permissions: &Value) -> String {
    json!({
        "lexicon": 1,
        "id": nsid,
        "defs": {"main": {"type": "permission-set", "permissions": permissions}}
    })
    .to_string()
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (-1e9f64..1e9).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        target().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("resource".to_owned()),
                    Just("collection".to_owned()),
                    Just("lxm".to_owned()),
                    Just("aud".to_owned()),
                    Just("inheritAud".to_owned()),
                    Just("action".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn granted_scopes_stay_in_the_set_namespace(
        set in prop::sample::select(SET_NSIDS),
        entries in prop::collection::vec(entry(), 0..6),
        with_aud in any::<bool>(),
    ) {
        let permissions = Value::Array(entries);
        let text = set_text(set, &permissions);
        let (catalog, _) = Catalog::load([(FileId(0), "set.json", text.as_str())]);
        let include = if with_aud {
            format!("include:{set}?aud=did:web:api.example.com%23svc")
        } else {
            format!("include:{set}")
        };
        let expansion = catalog.expand_str(&include).expect("set is in the catalog");
        prop_assert_eq!(
            expansion.granted.len() + expansion.dropped.len(),
            permissions.as_array().unwrap().len()
        );
        let nsid = Nsid::parse(set).unwrap();
        for granted in &expansion.granted {
            let names = match &granted.scope {
                Scope::Repo(r) => &r.collections,
                Scope::Rpc(r) => &r.lxms,
                other => panic!("a set granted {other}"),
            };
            for name in names {
                prop_assert!(matches!(name, NsidPattern::Nsid(_)), "wildcard granted");
                prop_assert!(
                    nsid.is_parent_authority_of(name.as_str()),
                    "{} granted {} outside its namespace", set, name.as_str()
                );
            }
            // Canonical strings re-parse to the same canonical string.
            let canonical = granted.scope.to_string();
            let reparsed = Scope::parse(&canonical).expect("canonical string parses");
            prop_assert_eq!(reparsed.to_string(), canonical);
        }
        // Entry indexes are each used once, in order.
        let mut indexes: Vec<usize> = expansion.granted.iter().map(|g| g.entry_index)
            .chain(expansion.dropped.iter().map(|d| d.entry_index)).collect();
        indexes.sort_unstable();
        prop_assert_eq!(indexes, (0..permissions.as_array().unwrap().len()).collect::<Vec<_>>());
    }

    #[test]
    fn arbitrary_entries_never_panic(
        set in prop::sample::select(SET_NSIDS),
        permissions in prop::collection::vec(any_json(), 0..6),
        with_aud in any::<bool>(),
    ) {
        let text = set_text(set, &Value::Array(permissions));
        let (catalog, _) = Catalog::load([(FileId(0), "set.json", text.as_str())]);
        let include = if with_aud {
            format!("include:{set}?aud=did:web:api.example.com%23svc")
        } else {
            format!("include:{set}")
        };
        let expansion = catalog.expand_str(&include).expect("set is in the catalog");
        for dropped in &expansion.dropped {
            // Spans stay inside the text.
            prop_assert!(dropped.span.end as usize <= text.len());
            prop_assert!(dropped.span.start <= dropped.span.end);
            prop_assert!(!dropped.message.is_empty());
        }
        let token = catalog.token_scope(&format!("atproto {include}"));
        prop_assert!(token.errors.is_empty());
        let _ = catalog.coverage();
        let _ = catalog.preview(&include, Some("pt-BR"));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let (catalog, _) = Catalog::load([(FileId(0), "x.json", text.as_str())]);
        let _ = catalog.coverage();
        let _ = catalog.token_scope(&text);
    }
}
