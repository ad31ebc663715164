//! Generated `space:` scope strings and space permission checks (permissioned data) for
//! `cargo xtask conformance --pd-reference`. The strings come from the same structured builder
//! and text mutations as the other resources ([`crate::generate`]), with the `space` parameter
//! table, space-specific defects (old key names, fragments, `+` and `~` in keys, long keys) and
//! whole scope strings mixing space values with the other resources.

use crate::generate::{
    self, break_one, build_well_formed, corpus_with, junk_with, AllowsCase, Built, Category,
    Makers, ParamSpec, Request, ResourceSpec, ScopeCase, SpaceOp, SpaceRequest, NSID_BAD,
    REPO_ACTION_OK, WILDCARD_OR_NSID,
};
use crate::prng::Prng;

const SPACE_TYPE_OK: &[&str] = &[
    "com.atmoboards.forum",
    "my.bulletin.board",
    "com.example.space",
    "app.bsky.group.chat",
    "*",
    "a.b.c",
    "Com.Example.Space",
];

/// Concrete authorities: the DIDs requests name and grants hold.
const AUTHORITY_DIDS: &[&str] = &[
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "did:plc:l3rouwludahu3ui3bt66mfvj",
    "did:web:example.com",
    "did:web:localhost%3A3000",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
];

const AUTHORITY_OK: &[&str] = &[
    "self",
    "*",
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "did:plc:l3rouwludahu3ui3bt66mfvj",
    "did:web:example.com",
    "did:web:localhost%3A3000",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:plc:abc",
    "did:web:EXAMPLE.com",
];

const AUTHORITY_BAD: &[&str] = &[
    "",
    "Self",
    "SELF",
    "me",
    "**",
    "did:",
    "did:plc",
    "DID:plc:abc",
    "did:plc:abc#frag",
    "did:web:example.com/path",
    "did:plc:abc:",
    "self,*",
    "did:plc:a b",
];

const SKEY_OK: &[&str] = &[
    "*",
    "self",
    "abc",
    "3jzfcijpj2z2a",
    "a.b-c_d~e:f",
    "x",
    "literal:self",
    "...",
    "a..b",
    "~",
    "_",
];

const SKEY_BAD: &[&str] = &[
    ".", "..", "", "a b", "a/b", "a#b", "\u{e9}", "a?b", "a%b", "a+b", "**", "a*", "a,b", "a@b",
];

/// Space actions and manage operations as the reference enumerates them.
pub const SPACE_ACTIONS: &[&str] = &["read_self", "read", "create", "update", "delete"];
const SPACE_ACTION_BAD: &[&str] = &[
    "Read",
    "write",
    "readself",
    "read-self",
    "manage",
    "*",
    "",
    "READ_SELF",
    "read,create",
];
/// Manage operations: the same three verbs as repo actions.
const MANAGE_OPS: &[&str] = REPO_ACTION_OK;
const MANAGE_BAD: &[&str] = &["read", "Create", "*", "", "read_self", "update,delete"];

/// The `space` resource: positional `type`, then the query keys.
pub(crate) const SPACE: ResourceSpec = ResourceSpec {
    name: "space",
    positional: 0,
    params: &[
        ParamSpec {
            name: "type",
            multi: false,
            required: true,
            ok: SPACE_TYPE_OK,
            bad: NSID_BAD,
        },
        ParamSpec {
            name: "authority",
            multi: false,
            required: false,
            ok: AUTHORITY_OK,
            bad: AUTHORITY_BAD,
        },
        ParamSpec {
            name: "skey",
            multi: false,
            required: false,
            ok: SKEY_OK,
            bad: SKEY_BAD,
        },
        ParamSpec {
            name: "collection",
            multi: true,
            required: false,
            ok: WILDCARD_OR_NSID,
            bad: NSID_BAD,
        },
        ParamSpec {
            name: "action",
            multi: true,
            required: false,
            ok: SPACE_ACTIONS,
            bad: SPACE_ACTION_BAD,
        },
        ParamSpec {
            name: "manage",
            multi: true,
            required: false,
            ok: MANAGE_OPS,
            bad: MANAGE_BAD,
        },
    ],
};

/// A random record key (the syntax of `skey`): with `good`, 1–512 characters of
/// `A-Za-z0-9._:~-` (sometimes exactly 512); otherwise 513 characters or one bad character.
pub(crate) fn random_skey(rng: &mut Prng, good: bool) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:~-";
    let len = match rng.below(6) {
        0 if good => 512,
        0 => 513,
        1 => rng.range(100, 511),
        _ => rng.range(1, 16),
    };
    let mut s: String = (0..len).map(|_| *rng.pick(CHARS) as char).collect();
    if s == "." || s == ".." {
        s.push('a');
    }
    if !good && len < 513 {
        let at = rng.below(s.len() + 1);
        s.insert(
            at,
            *rng.pick(&[' ', '/', '#', '?', '\u{e9}', '*', '@', '!']),
        );
    }
    s
}

/// The seed vectors shipped with the xtask (`xtask/data/space-seeds.txt`).
pub fn space_vectors() -> Vec<String> {
    include_str!("../data/space-seeds.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn space_well_formed(rng: &mut Prng) -> String {
    build_well_formed(rng, &SPACE).assemble(rng)
}

/// One defect: half of the time a space-specific one, otherwise one of the builder's defects.
fn break_space(rng: &mut Prng, built: &mut Built) {
    let long = |rng: &mut Prng| "a".repeat(rng.range(513, 600));
    match rng.below(16) {
        0 => {
            let value = built.params.iter().position(|(n, _)| n == "authority");
            let did = rng.pick(AUTHORITY_DIDS).to_string();
            match value {
                Some(i) => built.params[i].0 = "did".to_string(),
                None => built.params.push(("did".to_string(), did)),
            }
        }
        1 => {
            let t = built.positional.take().unwrap_or_else(|| "a.b.c".into());
            built.params.retain(|(n, _)| n != "type");
            built.params.insert(0, ("spaceType".to_string(), t));
        }
        2 => built.params.push(("skey".into(), "a+b".into())),
        3 => built.params.push(("skey".into(), long(rng))),
        4 => {
            // Repeated single-valued key with equal values.
            let key = *rng.pick(&["authority", "skey", "type"]);
            let v = if key == "skey" { "x" } else { "*" };
            built.params.push((key.into(), v.into()));
            built.params.push((key.into(), v.into()));
        }
        5 => {
            let key = *rng.pick(&["collection", "action", "manage", "authority", "skey"]);
            built.params.push((key.into(), String::new()));
        }
        6 => {
            // An unknown key the set entries know about.
            let key = *rng.pick(&["description", "lxm", "aud", "Type", "spacetype", "did"]);
            built.params.push((key.into(), "x".into()));
        }
        7 => {
            built.resource = rng
                .pick(&["Space", "spaces", "SPACE", "space-"])
                .to_string()
        }
        _ => break_one(rng, &SPACE, built),
    }
}

fn space_near_valid(rng: &mut Prng) -> String {
    let mut built = build_well_formed(rng, &SPACE);
    break_space(rng, &mut built);
    let mut s = built.assemble(rng);
    if rng.chance(8) {
        // A fragment after an otherwise good string.
        let fragment = rng.pick(&["#", "#frag", "#x=1"]).to_string();
        s.push_str(&fragment);
    }
    s
}

/// A whole scope string: two to five values separated by single spaces, at least one of them a
/// space value, the others from every resource; now and then one of them near-valid. (An empty
/// value, from a doubled space, is left to the 0.5.12 run: `oracle.mjs` drops empty values while
/// the `lexperm scope normalize` line contract rejects them.)
fn mixed_whole(rng: &mut Prng) -> String {
    let n = rng.range(2, 5);
    let mut values: Vec<String> = (0..n)
        .map(|_| match rng.below(10) {
            0..=3 => space_well_formed(rng),
            4..=8 => generate::well_formed_string(rng),
            _ if rng.chance(50) => space_near_valid(rng),
            _ => generate::near_valid_string(rng),
        })
        .collect();
    values.retain(|v| !v.is_empty() && !v.contains(' '));
    while values.len() < 2 || !values.iter().any(|v| v.starts_with("space")) {
        values.push(space_well_formed(rng));
    }
    rng.shuffle(&mut values);
    values.join(" ")
}

/// Generates `total` distinct `space:` scope strings and whole strings mixing them with other
/// resources (at least every vector once).
pub fn space_scope_corpus(seed: u64, total: usize) -> Vec<ScopeCase> {
    let shares = [
        (Category::WellFormed, 30),
        (Category::NearValid, 25),
        (Category::VectorMutation, 10),
        (Category::Hostile, 20),
        (Category::Mixed, 10),
    ];
    let makers = Makers {
        well_formed: space_well_formed,
        near_valid: space_near_valid,
        junk: |rng| junk_with(rng, &[SPACE]),
        mixed: Some(mixed_whole),
    };
    let rng = Prng::new(seed ^ 0x5BAC_E000);
    corpus_with(rng, &space_vectors(), total, &shares, &makers)
}

// ---------------------------------------------------------------------------------------------
// Space permission checks

/// A granted space value built for matching: type, authority and skey from the pools the
/// requests use, so that many requests hit it.
fn space_grant(rng: &mut Prng) -> Built {
    let mut built = build_well_formed(rng, &SPACE);
    let set = |built: &mut Built, key: &str, value: String| {
        built.params.retain(|(n, _)| n != key);
        built.params.push((key.to_string(), value));
    };
    if rng.chance(85) {
        let t = rng
            .pick(&["com.atmoboards.forum", "my.bulletin.board", "*"])
            .to_string();
        if built.positional.is_some() {
            built.positional = Some(t);
        } else {
            set(&mut built, "type", t);
        }
    }
    if rng.chance(95) {
        // `self` (also the default) matches nothing until a server resolves it.
        let a = match rng.below(20) {
            0..=13 => rng.pick(AUTHORITY_DIDS).to_string(),
            14..=17 => "*".to_string(),
            _ => "self".to_string(),
        };
        set(&mut built, "authority", a);
    }
    if rng.chance(75) {
        let k = rng.pick(&["self", "*", "abc", "3jzfcijpj2z2a"]).to_string();
        set(&mut built, "skey", k);
    }
    if rng.chance(60) {
        for _ in 0..rng.range(1, 3) {
            let c = rng
                .pick(&["my.bulletin.post", "com.example.reply", "*"])
                .to_string();
            built.params.push(("collection".into(), c));
        }
    }
    if rng.chance(15) {
        rng.shuffle(&mut built.params);
    }
    built
}

/// The values `built` gives `key` (the positional one for `type`).
fn values_of(built: &Built, key: &str) -> Vec<String> {
    let mut v: Vec<String> = built
        .params
        .iter()
        .filter(|(n, _)| n == key)
        .map(|(_, v)| v.clone())
        .collect();
    if key == "type" {
        v.extend(built.positional.clone());
    }
    v
}

/// A concrete value for `key`: mostly one the grant holds (when concrete), otherwise from `pool`.
fn concrete(rng: &mut Prng, built: Option<&Built>, key: &str, pool: &[&str]) -> String {
    let held: Vec<String> = built
        .map(|b| values_of(b, key))
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v != "*" && v != "self" && pool.contains(&v.as_str()))
        .collect();
    if !held.is_empty() && rng.chance(92) {
        rng.pick(&held).clone()
    } else {
        rng.pick(pool).to_string()
    }
}

fn space_request(rng: &mut Prng, built: Option<&Built>) -> Request {
    const TYPES: &[&str] = &[
        "com.atmoboards.forum",
        "my.bulletin.board",
        "com.example.space",
        "a.b.c",
    ];
    const SKEYS: &[&str] = &["self", "abc", "3jzfcijpj2z2a", "x"];
    const COLLECTIONS: &[&str] = &[
        "my.bulletin.post",
        "com.example.reply",
        "com.example.foo",
        "app.bsky.feed.post",
    ];
    let space_type = concrete(rng, built, "type", TYPES);
    let authority = concrete(rng, built, "authority", AUTHORITY_DIDS);
    let skey = concrete(rng, built, "skey", SKEYS);
    // A write or manage operation the grant lists, half of the time.
    let listed = |rng: &mut Prng, key: &str| -> String {
        let held: Vec<String> = built
            .map(|b| values_of(b, key))
            .unwrap_or_default()
            .into_iter()
            .filter(|v| MANAGE_OPS.contains(&v.as_str()))
            .collect();
        if !held.is_empty() && rng.chance(50) {
            rng.pick(&held).clone()
        } else {
            rng.pick(MANAGE_OPS).to_string()
        }
    };
    let op = match rng.below(10) {
        0 | 1 => SpaceOp::Read,
        2 | 3 => SpaceOp::ReadSelf,
        4..=7 => SpaceOp::Write {
            action: listed(rng, "action"),
            collection: concrete(rng, built, "collection", COLLECTIONS),
        },
        _ => SpaceOp::Manage(listed(rng, "manage")),
    };
    Request::Space(SpaceRequest {
        space_type,
        authority,
        skey,
        op,
    })
}

/// Generates `total` space permission checks: granted strings of one to four values (mostly
/// space grants with concrete, `*` and `self` authorities, also other resources, statics and
/// near-valid values) against a request of every operation, mostly aimed at a granted value; half
/// in transition mode (where `transition:generic` must grant no space access).
pub fn space_allows_corpus(seed: u64, total: usize) -> Vec<AllowsCase> {
    let rng = Prng::new(seed ^ 0x5BAC_EA11);
    generate::checks(rng, total, |rng| {
        let count = rng.range(1, 4);
        let mut values = Vec::new();
        let mut builts = Vec::new();
        for _ in 0..count {
            match rng.below(20) {
                0..=2 => values.push(
                    rng.pick(&["atproto", "transition:generic", "transition:email"])
                        .to_string(),
                ),
                3 => values.push(space_near_valid(rng)),
                4 | 5 => values.push(generate::well_formed_string(rng)),
                _ => {
                    let built = space_grant(rng);
                    values.push(built.assemble(rng));
                    builts.push(built);
                }
            }
        }
        values.retain(|v| !v.contains(' '));
        let granted = values.join(" ");
        let aimed = if !builts.is_empty() && rng.chance(85) {
            Some(&builts[rng.below(builts.len())])
        } else {
            None
        };
        (granted, space_request(rng, aimed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_corpus_is_deterministic_distinct_and_covers_the_categories() {
        let a = generate::tests::deterministic_distinct(|| space_scope_corpus(7, 3000), 3000);
        for category in Category::ALL {
            assert!(a.iter().any(|c| c.category == category), "{category}");
        }
        let has = |needle: &str| a.iter().any(|c| c.input.contains(needle));
        for needle in [
            "space?type=",
            "did=",
            "spaceType=",
            "#",
            "+",
            "~",
            "manage=",
            "read_self",
        ] {
            assert!(has(needle), "no input contains {needle:?}");
        }
        assert!(a.iter().any(|c| c.input.len() > 520));
        assert!(a
            .iter()
            .filter(|c| c.category == Category::Mixed)
            .all(|c| c.input.contains(' ') && c.input.contains("space")));
    }

    #[test]
    fn skeys_respect_the_length_limit() {
        let mut rng = Prng::new(1);
        for _ in 0..500 {
            let good = random_skey(&mut rng, true);
            assert!((1..=512).contains(&good.len()), "{good}");
            assert!(good != "." && good != "..");
            let bad = random_skey(&mut rng, false);
            assert!(
                bad.len() > 512
                    || !bad.is_ascii()
                    || bad.contains([' ', '/', '#', '?', '*', '@', '!'])
            );
        }
    }

    #[test]
    fn space_checks_cover_every_operation_and_hit_grants() {
        let cases = space_allows_corpus(3, 2000);
        let ops = |f: fn(&SpaceOp) -> bool| {
            cases
                .iter()
                .any(|c| matches!(&c.request, Request::Space(r) if f(&r.op)))
        };
        assert!(ops(|o| matches!(o, SpaceOp::Read)));
        assert!(ops(|o| matches!(o, SpaceOp::ReadSelf)));
        assert!(ops(|o| matches!(o, SpaceOp::Write { .. })));
        assert!(ops(|o| matches!(o, SpaceOp::Manage(_))));
        assert!(cases.iter().any(|c| c.transition));
        // Requests aimed at a grant name its authority.
        let aimed = cases
            .iter()
            .filter(|c| match &c.request {
                Request::Space(r) => c.granted.contains(r.authority.as_str()),
                _ => false,
            })
            .count();
        assert!(aimed > cases.len() / 8, "{aimed}");
        // About a quarter of the checks are granted (by lexperm; the conformance run checks it
        // against the reference).
        let granted = cases
            .iter()
            .filter(|c| crate::scope_lib::allows(c).unwrap().0)
            .count();
        assert!(granted > cases.len() / 5, "{granted}");
    }
}
