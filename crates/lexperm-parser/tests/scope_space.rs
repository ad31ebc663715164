//! Permissioned-data (`space:`) vectors (`fixtures/scope/space.txt`): canonical forms under both
//! references, through `Scope::parse`, the fast path and whole-string normalization; permission
//! checks and the scope a missing-scope error names; and the error kinds, ranges and hints of
//! invalid `space:` strings.

use lexperm_parser::scope::{
    normalize_into_with, normalize_scope_string_with, scope_needed_for, Reference, Scope,
    ScopeErrorKind, ScopeRequest, ScopeSet, SpaceOp,
};

fn rows(kind: &str) -> Vec<Vec<String>> {
    let path = format!(
        "{}/../../fixtures/scope/space.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| r[0] == kind)
        .collect()
}

/// What lexperm makes of `input` under `reference`: the canonical form or `INVALID`, the same
/// through every entry point.
fn normalized(input: &str, reference: Reference) -> Result<String, String> {
    if input.contains(' ') {
        let values: Vec<&str> = input.split(' ').filter(|v| !v.is_empty()).collect();
        let all_valid = values
            .iter()
            .all(|v| Scope::parse_with(v, reference).is_ok());
        return Ok(if all_valid {
            normalize_scope_string_with(input, reference)
        } else {
            "INVALID".to_owned()
        });
    }
    let parsed = Scope::parse_with(input, reference).map(|s| s.to_string());
    let mut out = String::new();
    let fast = normalize_into_with(input, &mut out, reference).map(|()| out.clone());
    match (parsed, fast) {
        (Ok(a), Ok(b)) if a == b => Ok(a),
        (Err(_), Err(_)) => Ok("INVALID".to_owned()),
        (a, b) => Err(format!(
            "{input:?} ({reference}): parse {a:?} but fast path {b:?}"
        )),
    }
}

#[test]
fn normalize_vectors_under_both_references() {
    let rows = rows("normalize");
    assert!(rows.len() >= 60, "{}", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [_, input, permissioned, stable] = row.as_slice() else {
            panic!("bad row {row:?}");
        };
        for (reference, expected) in [
            (Reference::PermissionedData, permissioned),
            (Reference::Stable0512, stable),
        ] {
            match normalized(input, reference) {
                Ok(got) if &got == expected => {}
                Ok(got) => failures.push(format!(
                    "{input:?} ({reference}): expected {expected:?}, got {got:?}"
                )),
                Err(e) => failures.push(e),
            }
        }
        // The canonical form is a fixed point.
        if permissioned != "INVALID" {
            let again = normalized(permissioned, Reference::PermissionedData);
            if again.as_ref() != Ok(permissioned) {
                failures.push(format!("{permissioned:?} re-normalizes to {again:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_vectors() {
    let rows = rows("check");
    assert!(rows.len() >= 30, "{}", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [_, mode, granted, request, allowed, needed] = row.as_slice() else {
            panic!("bad row {row:?}");
        };
        let set = ScopeSet::parse(granted).with_transition(mode == "transition");
        let request = ScopeRequest::parse(request).expect("request");
        let matched = set.allows(&request);
        if matched.is_some() != (allowed == "true") {
            failures.push(format!(
                "{granted:?} {request:?}: expected {allowed}, got {matched:?}"
            ));
        }
        if let Some(scope) = matched {
            assert!(set.scopes().contains(scope));
        } else if &scope_needed_for(&request) != needed {
            failures.push(format!(
                "{request:?}: needed {:?}, reference {needed:?}",
                scope_needed_for(&request)
            ));
        }
        // Under 0.5.12 no `space:` value is granted and no space request is read.
        let stable = ScopeSet::parse_with(granted, Reference::Stable0512);
        assert!(stable
            .scopes()
            .iter()
            .all(|s| !s.to_string().starts_with("space")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn space_requests_are_read_and_rejected_with_reasons() {
    let request = ScopeRequest::parse(
        "space:a.b.c?authority=did:plc:abc&skey=k&action=create&collection=a.b.d",
    )
    .expect("request");
    let ScopeRequest::Space { op, .. } = &request else {
        panic!("{request:?}")
    };
    assert!(matches!(op, SpaceOp::Write { collection, .. } if collection == "a.b.d"));
    for (input, says) in [
        (
            "space:a.b.c?skey=k&action=read",
            "`space` needs `authority=`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&action=read",
            "`space` needs `skey=`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k",
            "`action=` or `manage=`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&action=create",
            "`action=create` needs `collection=<nsid>`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&action=read&collection=a.b.d",
            "`action=read` takes no `collection=`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&action=read&manage=create",
            "not both",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&manage=read",
            "unknown space manage operation `read`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&action=write",
            "unknown space action `write`",
        ),
        (
            "space:a.b.c?authority=did:plc:a&skey=k&action=read&did=x",
            "unexpected parameter `did`",
        ),
    ] {
        let e = ScopeRequest::parse(input).expect_err(input);
        assert!(e.message.contains(says), "{input}: {e}");
    }
    let e = ScopeRequest::parse_with(
        "space:a.b.c?authority=did:plc:a&skey=k&action=read",
        Reference::Stable0512,
    )
    .expect_err("0.5.12 has no space");
    assert!(e
        .message
        .contains("the 0.5.12 reference has no `space` resource"));
}

#[test]
fn invalid_space_strings_say_where_and_why() {
    use ScopeErrorKind::*;
    let cases: &[(&str, ScopeErrorKind, &str, Option<&str>)] = &[
        ("space", MissingParam, "space", Some("write `space:<type>`")),
        ("space:", InvalidValue, "", None),
        (
            "space:a.b.c?type=a.b.c",
            PositionalAndNamed,
            "a.b.c",
            Some("write either `space:<value>` or `space?type=<value>`"),
        ),
        (
            "space:a.b.c?authority=*&authority=*",
            RepeatedParam,
            "*",
            Some("keep one value"),
        ),
        (
            "space:a.b.c?did=did:plc:abc",
            UnknownParam,
            "did=did:plc:abc",
            Some("`did` is the old name of `authority`: write `authority=<value>`"),
        ),
        (
            "space:a.b.c?spaceType=a.b.c",
            UnknownParam,
            "spaceType=a.b.c",
            Some("`spaceType` is the old name of `type`: write `type=<value>`"),
        ),
        (
            "space:a.b.c?authority=x",
            InvalidValue,
            "x",
            Some("use `self`, `*` or a DID (`did:plc:…`)"),
        ),
        ("space:a.b.c?skey=..", InvalidValue, "..", None),
        (
            "space:a.b.c?collection=com.example.*",
            PartialWildcard,
            "com.example.*",
            None,
        ),
        (
            "space:a.b.c?manage=read",
            InvalidValue,
            "read",
            Some("use one of `create`, `update`, `delete`"),
        ),
        (
            "space:a.b.c?action=write",
            InvalidValue,
            "write",
            Some("use one of `read_self`, `read`, `create`, `update`, `delete`"),
        ),
        (
            "Space:a.b.c",
            UnknownResource,
            "Space",
            Some("resource names are case-sensitive: write `space`"),
        ),
    ];
    for (input, kind, at, hint) in cases {
        let e = Scope::parse(input).expect_err(input);
        assert_eq!(e.kind, *kind, "{input}: {e}");
        assert_eq!(&input[e.range.clone()], *at, "{input}: {e}");
        if let Some(hint) = hint {
            assert_eq!(e.hint.as_deref(), Some(*hint), "{input}");
        } else {
            assert!(
                e.hint.is_some(),
                "{input}: every value error has a hint: {e}"
            );
        }
    }
    // 0.5.12 does not know the resource and says so as for any unknown resource.
    let e = Scope::parse_with("space:a.b.c", Reference::Stable0512).expect_err("unknown");
    assert_eq!(e.kind, UnknownResource);
    assert_eq!(e.message, "unknown scope resource `space`");
    assert_eq!(e.range, 0..5);
    let e = Scope::parse_with("Space:a.b.c", Reference::Stable0512).expect_err("unknown");
    assert!(!e.hint.unwrap_or_default().contains("`space`"));
}
