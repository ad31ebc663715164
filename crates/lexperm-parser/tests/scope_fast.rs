//! `normalize_into` against its definition, `Scope::parse` + `Display`, in both directions:
//! it accepts exactly what `Scope::parse` accepts, and then writes exactly its canonical form,
//! under both references.

use lexperm_parser::scope::{normalize_into, normalize_into_with, Reference, Scope};
use proptest::prelude::*;

/// Both answers for `input`; the buffer must be left as it was on a rejection.
fn check(input: &str) -> Result<(), TestCaseError> {
    let slow = Scope::parse(input).ok().map(|s| s.to_string());
    let mut out = String::from("kept ");
    let fast = match normalize_into(input, &mut out) {
        Ok(()) => Some(out["kept ".len()..].to_owned()),
        Err(rejection) => {
            prop_assert_eq!(&out, "kept ", "{:?}: buffer restored", input);
            prop_assert_eq!(rejection.input(), input);
            None
        }
    };
    prop_assert_eq!(
        fast.is_some(),
        slow.is_some(),
        "{:?}: normalize_into {:?}, parse {:?}",
        input,
        fast,
        slow
    );
    prop_assert_eq!(fast, slow, "{:?}", input);
    check_stable(input)
}

/// [`check`] under the 0.5.12 reference, through the `_with` entry points.
fn check_stable(input: &str) -> Result<(), TestCaseError> {
    let reference = Reference::Stable0512;
    let slow = Scope::parse_with(input, reference)
        .ok()
        .map(|s| s.to_string());
    let mut out = String::from("kept ");
    let fast = match normalize_into_with(input, &mut out, reference) {
        Ok(()) => Some(out["kept ".len()..].to_owned()),
        Err(rejection) => {
            prop_assert_eq!(&out, "kept ", "{:?}: buffer restored", input);
            prop_assert_eq!(
                rejection.error(),
                Scope::parse_with(input, reference).unwrap_err()
            );
            None
        }
    };
    prop_assert_eq!(fast, slow, "{:?} under 0.5.12", input);
    Ok(())
}

/// Each resource with its parameters: (name, good values, bad values).
type Param = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const NSIDS: &[&str] = &[
    "com.example.foo",
    "com.example.bar",
    "app.bsky.feed.post",
    "a.b.c",
    "*",
];
const BAD_NSIDS: &[&str] = &["com.example.*", "com", "-a.b.c", "a..b.c", "", "A.b.c!"];
const AUDS: &[&str] = &[
    "did:web:api.example.com#svc",
    "did:plc:abcdefghijklmnopqrstuvwx#atproto_labeler",
    "did:web:x.com:8080#s",
    "*",
];
const BAD_AUDS: &[&str] = &[
    "did:web:api.example.com",
    "did:key:zabc#s",
    "did:web:#s",
    "x#s",
];

const SPACE_AUTHORITIES: &[&str] = &[
    "did:plc:abcdefghijklmnopqrstuvwx",
    "did:web:example.com",
    "self",
    "*",
    "did:key:zQ3sh",
];
const BAD_SPACE_AUTHORITIES: &[&str] = &["Self", "did:plc:", "x", "", "did:web:a#s"];
const SPACE_KEYS: &[&str] = &["*", "self", "3jzfcijpj2z2a", "a.b-c_d~e:f", "..."];
const BAD_SPACE_KEYS: &[&str] = &[".", "..", "", "a b", "a/b"];

const RESOURCES: &[(&str, &[Param])] = &[
    (
        "repo",
        &[
            ("collection", NSIDS, BAD_NSIDS),
            (
                "action",
                &["create", "update", "delete"],
                &["Create", "read", ""],
            ),
        ],
    ),
    ("rpc", &[("lxm", NSIDS, BAD_NSIDS), ("aud", AUDS, BAD_AUDS)]),
    (
        "blob",
        &[(
            "accept",
            &[
                "image/png",
                "image/*",
                "*/*",
                "video/MP4",
                "application/ld+json",
            ],
            &["image", "*/png", "image/png/x", ""],
        )],
    ),
    (
        "account",
        &[
            (
                "attr",
                &["email", "repo", "status"],
                &["Email", "handle", "*"],
            ),
            ("action", &["read", "manage"], &["write", "Read"]),
        ],
    ),
    (
        "identity",
        &[("attr", &["handle", "*"], &["email", "Handle"])],
    ),
    (
        "include",
        &[
            (
                "nsid",
                &["com.example.authFull", "a.b.c"],
                &["*", "com.example.*"],
            ),
            (
                "aud",
                &["did:web:api.example.com#svc"],
                &["*", "did:web:x.com"],
            ),
        ],
    ),
    (
        "space",
        &[
            ("type", NSIDS, BAD_NSIDS),
            ("authority", SPACE_AUTHORITIES, BAD_SPACE_AUTHORITIES),
            ("skey", SPACE_KEYS, BAD_SPACE_KEYS),
            ("collection", NSIDS, BAD_NSIDS),
            (
                "action",
                &["read_self", "read", "create", "update", "delete"],
                &["manage", "Read", ""],
            ),
            ("manage", &["create", "update", "delete"], &["read", ""]),
        ],
    ),
];

/// Percent-encodes `text` for a query or positional value: `how` 0 leaves it, 1 encodes
/// `#`, `:` and `+` (the minimal form), 2 encodes every byte but letters and digits, 3 mixes
/// the hex case.
fn encode(text: &str, how: u8) -> String {
    let mut out = String::new();
    for (i, b) in text.bytes().enumerate() {
        let escape = match how {
            1 => matches!(b, b'#' | b':' | b'+' | b'%' | b'&' | b'=' | b'?'),
            2 | 3 => !b.is_ascii_alphanumeric(),
            _ => false,
        };
        if escape {
            if how == 3 && i % 2 == 0 {
                out.push_str(&format!("%{b:02x}"));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(b as char);
        }
    }
    out
}

/// A scope string of one resource: some of its parameters, each with one to three values that
/// are good (or, with `bad`, sometimes bad), named or positional, in the given order and
/// encoding.
fn scope_string() -> impl Strategy<Value = String> {
    (
        0..RESOURCES.len(),
        proptest::collection::vec((0..6usize, 0..8usize, 0..3usize, any::<bool>()), 0..6),
        any::<bool>(),
        0..4u8,
        any::<bool>(),
    )
        .prop_map(|(r, picks, positional, how, bad)| {
            let (name, params) = RESOURCES[r];
            let mut segments = Vec::new();
            let mut head = String::new();
            for (i, &(p, v, repeat, use_bad)) in picks.iter().enumerate() {
                let (param, good, wrong) = params[p % params.len()];
                for n in 0..=repeat {
                    let pool = if bad && use_bad { wrong } else { good };
                    let value = pool[(v + n) % pool.len()];
                    if positional && i == 0 && n == 0 && p % params.len() == 0 {
                        head = format!(":{}", encode(value, how.min(1) * 2));
                    } else {
                        segments.push(format!("{param}={}", encode(value, how)));
                    }
                }
            }
            let query = if segments.is_empty() {
                String::new()
            } else {
                format!("?{}", segments.join("&"))
            };
            format!("{name}{head}{query}")
        })
}

/// One text-level change: insert, delete or replace a byte with one of the scope alphabet.
fn mutate(input: String, at: usize, op: u8, with: usize) -> String {
    const ALPHABET: &[&str] = &[
        "?", ":", "&", "=", "%", "+", "#", "*", "/", " ", "%2", "%zz", "%25", "%23", "%3A", "%C3",
        "%FF", "A", ".", "-", "é", "\u{0}",
    ];
    let mut chars: Vec<char> = input.chars().collect();
    let at = if chars.is_empty() {
        0
    } else {
        at % chars.len()
    };
    let piece: Vec<char> = ALPHABET[with % ALPHABET.len()].chars().collect();
    match op % 3 {
        0 => {
            chars.splice(at..at, piece);
        }
        1 if !chars.is_empty() => {
            chars.remove(at);
        }
        _ if !chars.is_empty() => {
            chars.splice(at..at + 1, piece);
        }
        _ => chars.extend(piece),
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Valid and invalid strings of every resource, every parameter order and encoding.
    #[test]
    fn agrees_on_generated_scopes(input in scope_string()) {
        check(&input)?;
    }

    /// The same strings with one text-level change (near-valid).
    #[test]
    fn agrees_on_near_valid_scopes(
        input in scope_string(),
        at in any::<usize>(),
        op in any::<u8>(),
        with in any::<usize>(),
    ) {
        check(&mutate(input, at, op, with))?;
    }

    /// Escape-heavy strings: every byte of a generated string percent-encoded (after the
    /// resource name), with mixed hex case.
    #[test]
    fn agrees_on_escape_heavy_scopes(input in scope_string(), how in 2..4u8) {
        let cut = input.find([':', '?']).unwrap_or(input.len());
        let (head, rest) = input.split_at(cut);
        let (sep, rest) = rest.split_at(rest.len().min(1));
        check(&format!("{head}{sep}{}", encode(rest, how)))?;
        check(&format!("{head}{sep}{}", rest.replace('=', "%3D").replace('&', "%26")))?;
    }

    /// Random text, alone and behind each resource prefix.
    #[test]
    fn agrees_on_random_text(
        prefix in "(repo|rpc|blob|account|identity|include|space|atproto|transition|REPO)?[:?]?",
        body in "\\PC{0,40}",
        bytes in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        check(&format!("{prefix}{body}"))?;
        let lossy = String::from_utf8_lossy(&bytes);
        check(&lossy)?;
        check(&format!("{prefix}{lossy}"))?;
    }
}

/// An NSID-like value: valid mostly, sometimes `*`, a partial wildcard or a bad segment.
fn nsid_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z]{1,8}(\\.[a-z][a-z0-9-]{0,10}){1,3}\\.[a-zA-Z][a-zA-Z0-9]{0,20}",
        1 => Just("*".to_owned()),
        1 => "(com\\.example\\.\\*|a\\.b|-a\\.b\\.c|a\\.b\\.c-|A\\.B\\.C|a\\.b\\.c!|a\\.b\\.c/)",
    ]
}

/// An `aud` value as written in a query: `did:web`/`did:plc` with each colon `:`, `%3A` or
/// `%3a`, a host or PLC id (sometimes long, to cross 64 bytes, sometimes bad), the fragment
/// separator `#`, `%23` or `%2523`, and a fragment (sometimes empty or with other bytes); or
/// `*`, or other text.
fn aud_value() -> impl Strategy<Value = String> {
    let colon = prop_oneof![Just(":"), Just("%3A"), Just("%3a")];
    let id = prop_oneof![
        4 => ("[a-z0-9-]{1,30}(\\.[a-z0-9-]{1,20}){0,3}\\.[a-z]{2,6}", Just("web")),
        1 => ("[a-z2-7]{24}", Just("plc")),
        1 => ("[a-z0-9.-]{0,12}(%3A8080|:8080|\\.\\.|\\.)?", Just("web")),
        1 => ("[a-z0-9]{20,26}", Just("plc")),
    ];
    let separator = prop_oneof![3 => Just("%23"), 1 => Just("#"), 1 => Just("%2523")];
    let fragment = "[a-zA-Z0-9_.-]{0,24}([~!+ %]|%7E|%2F)?[a-z]{0,3}";
    prop_oneof![
        8 => (colon.clone(), id, colon, separator, fragment).prop_map(
            |(c1, (id, method), c2, sep, frag)| format!("did{c1}{method}{c2}{id}{sep}{frag}")
        ),
        1 => Just("*".to_owned()),
        1 => "(did:key:zabc%23s|did:web:x\\.com|x%23s|DID:web:x\\.com%23s|)",
    ]
}

/// The query of `segments` in the given order, behind `head`.
fn joined(head: &str, segments: &[String]) -> String {
    if segments.is_empty() {
        head.to_owned()
    } else {
        format!("{head}?{}", segments.join("&"))
    }
}

/// `(value, place)` pairs sorted by place: the segments of a query in a generated order.
fn in_order(mut segments: Vec<(String, usize)>) -> Vec<String> {
    segments.sort_by_key(|(_, place)| *place);
    segments.into_iter().map(|(s, _)| s).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `rpc` with one method, positional or named, and one audience, in either order, with
    /// sometimes a repeated or extra segment.
    #[test]
    fn agrees_on_rpc_with_one_method(
        lxm in nsid_value(),
        aud in aud_value(),
        named in any::<bool>(),
        aud_first in any::<bool>(),
        extra in 0..6usize,
    ) {
        let mut segments = vec![(format!("aud={aud}"), usize::from(!aud_first))];
        let head = if named {
            segments.push((format!("lxm={lxm}"), usize::from(aud_first)));
            "rpc".to_owned()
        } else {
            format!("rpc:{lxm}")
        };
        match extra {
            1 => segments.push(("aud=*".to_owned(), 2)),
            2 => segments.push(("lxm=a.b.c".to_owned(), 2)),
            3 => segments.push((String::new(), 2)),
            4 => segments.push(("foo=bar".to_owned(), 2)),
            _ => {}
        }
        check(&joined(&head, &in_order(segments)))?;
    }

    /// `repo` with collections (positional, or one to five named) and up to three actions, in
    /// any order.
    #[test]
    fn agrees_on_repo_with_actions(
        collections in proptest::collection::vec(nsid_value(), 1..6),
        actions in proptest::collection::vec(
            prop_oneof![
                Just("create"), Just("update"), Just("delete"), Just("read"), Just("Create"),
            ],
            0..4,
        ),
        positional in any::<bool>(),
        places in proptest::collection::vec(any::<u8>(), 10),
    ) {
        let mut segments = Vec::new();
        let head = if positional {
            format!("repo:{}", collections[0])
        } else {
            for (c, place) in collections.iter().zip(&places) {
                segments.push((format!("collection={c}"), usize::from(*place)));
            }
            "repo".to_owned()
        };
        for (a, place) in actions.iter().zip(&places[5..]) {
            segments.push((format!("action={a}"), usize::from(*place)));
        }
        check(&joined(&head, &in_order(segments)))?;
    }

    /// `include` with its NSID, positional or named, and an optional audience, in either order.
    #[test]
    fn agrees_on_include_with_audience(
        nsid in nsid_value(),
        aud in proptest::option::of(aud_value()),
        named in any::<bool>(),
        aud_first in any::<bool>(),
    ) {
        let mut segments = Vec::new();
        if let Some(aud) = &aud {
            segments.push((format!("aud={aud}"), usize::from(!aud_first)));
        }
        let head = if named {
            segments.push((format!("nsid={nsid}"), usize::from(aud_first)));
            "include".to_owned()
        } else {
            format!("include:{nsid}")
        };
        check(&joined(&head, &in_order(segments)))?;
    }
}
