//! Property tests: DAG-CBOR encoding is deterministic and independent of JSON key order.

use lexperm_datamodel::cbor;
use lexperm_datamodel::cid::Cid;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn data_model_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z0-9_]{0,8}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// The same value with every object's keys in reverse insertion order.
fn reversed(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map.iter().rev() {
                out.insert(key.clone(), reversed(item));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn encoding_is_deterministic(value in data_model_value()) {
        let first = cbor::encode(&value).unwrap();
        let second = cbor::encode(&value.clone()).unwrap();
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(Cid::for_dag_cbor(&first), Cid::for_dag_cbor(&second));
    }

    #[test]
    fn key_order_does_not_change_the_bytes(value in data_model_value()) {
        let reordered = reversed(&value);
        prop_assert_eq!(cbor::encode(&value).unwrap(), cbor::encode(&reordered).unwrap());
    }

    #[test]
    fn json_text_round_trip_keeps_the_cid(value in data_model_value()) {
        let text = serde_json::to_string_pretty(&value).unwrap();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(cbor::encode(&value).unwrap(), cbor::encode(&reparsed).unwrap());
    }
}

/// Any JSON at all, including floats and malformed `$link` / `$bytes` / `$type` objects.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("$link".to_owned()),
                        Just("$bytes".to_owned()),
                        Just("$type".to_owned()),
                        Just("ref".to_owned()),
                        "[a-z~/]{0,4}",
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn encoding_never_panics_and_errors_point_into_the_value(value in any_json()) {
        if let Err(err) = cbor::encode(&value) {
            prop_assert!(value.pointer(err.pointer()).is_some(), "{} not in {}", err.pointer(), value);
        }
    }
}
