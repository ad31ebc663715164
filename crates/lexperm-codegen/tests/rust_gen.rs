//! The scope-constant generator (Rust and TypeScript): snapshots, `rustc` / `rustfmt` / `tsc` on the
//! output, equality of every generated scope with the resolver's, the lint gate, template overrides.
//!
//! Inputs: the fixture folder, the repository's `lexicons/`, and the `atproto` set of the
//! real-world corpus (`cargo xtask corpus`; see `tests/support/corpus.rs` for where it is looked
//! for and how a missing corpus skips).
//! TypeScript checks run `npx -y -p typescript@5 tsc` and `node`; set `LEXPERM_SKIP_TSC=1` to skip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lexperm_codegen::{Builder, GenerateError, Target};
use lexperm_parser::diagnostics::FileId;
use lexperm_parser::scope::Scope;
use lexperm_resolver::Catalog;

#[path = "../../../tests/support/corpus.rs"]
mod support;

/// Audiences the generated code is checked with: plain, `did:plc`, percent-encoded port, and a
/// fragment full of characters the query encoding must escape.
const AUDIENCES: [&str; 4] = [
    "did:web:api.bsky.app#bsky_appview",
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_labeler",
    "did:web:localhost%3A3000#svc",
    "did:web:api.example.com#a~!$&'()*+,;=:@/?z",
];

fn fixture_lexicons() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rust-gen/lexicons")
}

/// The fixture's permission set also names a collection and methods no loaded lexicon defines
/// (errors of the cross-file rules); the tests let those through.
fn fixture_builder() -> Builder {
    Builder::new()
        .lexicons(fixture_lexicons())
        .allow_rule("undefined-collection")
        .allow_rule("undefined-lxm")
        .emit_rerun_if_changed(false)
}

fn repo_lexicons() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lexicons")
}

/// The corpus' `atproto` set, or `None` (with the skip note) when the corpus is missing.
fn atproto_corpus() -> Option<PathBuf> {
    support::corpus().map(|root| root.join("atproto"))
}

/// A copy of the atproto corpus' permission sets (the Bluesky ones), keeping their folders.
fn bluesky_sets(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for path in json_files(corpus) {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("\"permission-set\"") {
            let target = dir.path().join(path.strip_prefix(corpus).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, text).unwrap();
        }
    }
    dir
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The corpus' one lint error: `chat.bsky.authFullChatClient` names a method no lexicon defines.
fn corpus_builder(corpus: &Path) -> Builder {
    Builder::new()
        .lexicons(corpus)
        .allow_rule("undefined-lxm")
        .emit_rerun_if_changed(false)
}

fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|err| panic!("{program} runs: {err}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned())
}

/// Every byte but ASCII letters and digits percent-encoded: a valid way to write any audience
/// into a scope string, which the parser must bring to canonical form.
fn encode_all(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn canonical(scope: &str) -> String {
    Scope::parse(scope)
        .unwrap_or_else(|err| panic!("{scope}: {err:?}"))
        .to_string()
}

/// One generated item: its NSID, kind and path (Rust `a::b::c` or TypeScript `a.b.c`).
struct Item {
    nsid: String,
    kind: String,
    path: String,
}

/// The items of generated code, found from the module nesting and each module's first doc line
/// (Rust `//! The <kind> `<nsid>`.`, TypeScript `/** NSID of the <kind> `<nsid>`. */`).
fn items(code: &str, target: Target) -> Vec<Item> {
    let (open, separator, marker, unit) = match target {
        Target::Rust => ("pub mod ", "::", "//! The ", 4),
        _ => ("export const ", ".", "/** NSID of the ", 2),
    };
    let mut stack: Vec<String> = Vec::new();
    let mut found = Vec::new();
    let mut opened = false;
    for line in code.lines() {
        let trimmed = line.trim();
        let first_line = std::mem::replace(&mut opened, false);
        // TypeScript: `export const app = {` at the top, `bsky: {` below it.
        let module = match target {
            Target::Rust => trimmed
                .strip_prefix(open)
                .map(|rest| rest.trim_end_matches(" {")),
            _ => trimmed
                .strip_prefix(open)
                .and_then(|rest| rest.strip_suffix(" = {"))
                .or_else(|| {
                    trimmed
                        .strip_suffix(": {")
                        .filter(|name| !name.contains(' '))
                }),
        };
        let closes = matches!(trimmed, "}" | "}," | "} as const;");
        if let Some(name) = module {
            stack.push(name.to_owned());
            opened = true;
        } else if closes && line.len() - trimmed.len() < stack.len() * unit {
            stack.pop();
        } else if let Some(rest) = trimmed
            .strip_prefix(marker)
            .filter(|_| first_line || target != Target::Rust)
        {
            let (kind, nsid) = rest.split_once(" `").unwrap();
            found.push(Item {
                nsid: nsid.split('`').next().unwrap().to_owned(),
                kind: kind.to_owned(),
                path: stack.join(separator),
            });
        }
    }
    found
}

/// What the generated code must print (see [`rust_runner`]), computed with the parser and the
/// resolver: for every permission set its expansions (`Catalog::expand_str`), `include:` scopes for
/// each audience; for every endpoint its `rpc:` scope for each audience.
fn expected_output(items: &[Item], lexicon_dirs: &[&Path]) -> String {
    let texts: Vec<(String, String)> = lexicon_dirs
        .iter()
        .flat_map(|dir| json_files(dir))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect();
    let (catalog, _) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (path, text))| (FileId(i as u32), path.as_str(), text.as_str())),
    );
    let mut out = String::new();
    for item in items {
        out.push_str(&format!("{} {}\n", item.kind, item.nsid));
        match item.kind.as_str() {
            "permission set" => {
                let without = catalog
                    .expand_str(&format!("include:{}", item.nsid))
                    .unwrap();
                out.push_str(&format!(
                    "  {}\n",
                    canonical(&format!("include:{}", item.nsid))
                ));
                for scope in without.granted_strings() {
                    out.push_str(&format!("  - {scope}\n"));
                }
                for aud in AUDIENCES {
                    let include = format!("include:{}?aud={}", item.nsid, encode_all(aud));
                    out.push_str(&format!("  {}\n", canonical(&include)));
                    for scope in catalog.expand_str(&include).unwrap().granted_strings() {
                        out.push_str(&format!("  + {scope}\n"));
                    }
                }
            }
            "query" | "procedure" => {
                for aud in AUDIENCES {
                    let rpc = format!("rpc:{}?aud={}", item.nsid, encode_all(aud));
                    out.push_str(&format!("  {}\n", canonical(&rpc)));
                }
            }
            "space type" => expected_space_output(&catalog, &item.nsid, &mut out),
            _ => {}
        }
    }
    out
}

/// Authorities, space keys and DID / key candidates the generated space builders are checked with.
const SPACE_DIDS: [&str; 2] = [
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "did:web:localhost%3A3000",
];
const SPACE_KEYS: [&str; 2] = ["self", "a~b:c.d_e-f"];
const DID_CANDIDATES: [&str; 10] = [
    "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "did:web:x",
    "did:Web:x",
    "did::x",
    "did:web:",
    "did:web:x:",
    "did:web:x%",
    "did:web:a b",
    "dad:web:x",
    "did:web:x#y",
];
const KEY_CANDIDATES: [&str; 9] = [
    "self",
    "3jzfcijpj2z2a",
    ".",
    "..",
    "...",
    "",
    "a/b",
    "a b",
    "*",
];

/// Space actions and management operations in the order the generated enums list them.
const SPACE_ACTIONS: [&str; 5] = ["read_self", "read", "create", "update", "delete"];
const SPACE_MANAGE: [&str; 3] = ["create", "update", "delete"];

/// What a space type's part of [`rust_runner`] prints, from the parser: the constants, then every
/// builder combination as the canonical form of the same scope written out of order and encoded.
fn expected_space_output(catalog: &Catalog, nsid: &str, out: &mut String) {
    let doc = catalog.get(nsid).unwrap();
    let lexperm_parser::lexicon::SchemaKind::Space(space) = &doc.main().unwrap().schema.kind else {
        panic!("{nsid} is not a space");
    };
    let mut collections: Vec<&str> = space
        .collections
        .as_ref()
        .unwrap()
        .value
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    collections.sort_unstable();
    collections.dedup();
    out.push_str(&format!("  {}\n", canonical(&format!("space?type={nsid}"))));
    out.push_str(&format!(
        "  {}\n",
        canonical(&format!("space:{nsid}?authority=%2A"))
    ));
    let authorities: Vec<Option<String>> = [None, Some("*".to_owned())]
        .into_iter()
        .chain(SPACE_DIDS.iter().map(|did| Some(encode_all(did))))
        .collect();
    let skeys: Vec<Option<String>> = [None]
        .into_iter()
        .chain(SPACE_KEYS.iter().map(|k| Some(encode_all(k))))
        .collect();
    for authority in &authorities {
        for skey in &skeys {
            for mask in 0..=(1u32 << collections.len()) {
                let mut params: Vec<String> = Vec::new();
                if mask == 1 << collections.len() {
                    params.push("collection=*".to_owned());
                    params.extend(collections.iter().map(|c| format!("collection={c}")));
                } else {
                    for (bit, c) in collections.iter().enumerate().rev() {
                        if mask & (1 << bit) != 0 {
                            params.push(format!("collection={c}"));
                        }
                    }
                }
                if let Some(skey) = skey {
                    params.push(format!("skey={skey}"));
                }
                if let Some(authority) = authority {
                    params.push(format!("authority={authority}"));
                }
                out.push_str(&format!("  {}\n", canonical(&space_text(nsid, &params))));
            }
        }
    }
    for actions in 0..(1u32 << SPACE_ACTIONS.len()) {
        for manage in 0..(1u32 << SPACE_MANAGE.len()) {
            let mut params: Vec<String> = Vec::new();
            for (bit, name) in SPACE_MANAGE.iter().enumerate().rev() {
                if manage & (1 << bit) != 0 {
                    params.push(format!("manage={name}"));
                }
            }
            for (bit, name) in SPACE_ACTIONS.iter().enumerate().rev() {
                if actions & (1 << bit) != 0 {
                    params.push(format!("action={name}"));
                }
            }
            out.push_str(&format!("  {}\n", canonical(&space_text(nsid, &params))));
        }
    }
    for did in DID_CANDIDATES {
        let valid = lexperm_parser::syntax::Did::is_valid(did);
        out.push_str(&format!("  did {did:?} {valid}\n"));
    }
    for key in KEY_CANDIDATES {
        let valid = lexperm_parser::syntax::RecordKey::is_valid(key);
        out.push_str(&format!("  skey {key:?} {valid}\n"));
    }
}

/// `space:<nsid>` with `params`, or without any.
fn space_text(nsid: &str, params: &[String]) -> String {
    if params.is_empty() {
        format!("space:{nsid}")
    } else {
        format!("space:{nsid}?{}", params.join("&"))
    }
}

/// A Rust program printing, from the generated code, what [`expected_output`] computes.
fn rust_runner(items: &[Item]) -> String {
    let mut main = format!(
        "#![allow(clippy::all)]\nuse gen::scopes::Audience;\nconst AUDIENCES: [&str; {}] = {AUDIENCES:?};\nfn main() {{\n",
        AUDIENCES.len()
    );
    if items.iter().any(|item| item.kind == "space type") {
        main = main.replacen(
            "fn main",
            &format!(
                "use gen::scopes::{{Did, SpaceAction, SpaceAuthority, SpaceKey, SpaceManage}};
const SPACE_DIDS: [&str; {}] = {SPACE_DIDS:?};
const SPACE_KEYS: [&str; {}] = {SPACE_KEYS:?};
const DID_CANDIDATES: [&str; {}] = {DID_CANDIDATES:?};
const KEY_CANDIDATES: [&str; {}] = {KEY_CANDIDATES:?};
fn main",
                SPACE_DIDS.len(),
                SPACE_KEYS.len(),
                DID_CANDIDATES.len(),
                KEY_CANDIDATES.len()
            ),
            1,
        );
    }
    for item in items {
        let path = format!("gen::scopes::{}", item.path);
        main.push_str(&format!("    println!(\"{} {}\");\n", item.kind, item.nsid));
        match item.kind.as_str() {
            "permission set" => main.push_str(&format!(
                "    println!(\"  {{}}\", {path}::INCLUDE);
    for scope in {path}::GRANTED_WITHOUT_AUD {{ println!(\"  - {{scope}}\"); }}
    for aud in AUDIENCES {{
        let aud = Audience::new(aud).unwrap();
        println!(\"  {{}}\", {path}::include_scope(aud));
        for scope in {path}::granted_with_aud(aud) {{ println!(\"  + {{scope}}\"); }}
    }}\n"
            )),
            "query" | "procedure" => main.push_str(&format!(
                "    for aud in AUDIENCES {{ println!(\"  {{}}\", {path}::rpc_scope(Audience::new(aud).unwrap())); }}\n"
            )),
            "space type" => main.push_str(&format!(
                "    println!(\"  {{}}\", {path}::SPACE);
    println!(\"  {{}}\", {path}::SPACE_ANY_AUTHORITY);
    let mut authorities = vec![SpaceAuthority::User, SpaceAuthority::Any];
    authorities.extend(SPACE_DIDS.iter().map(|did| SpaceAuthority::Did(Did::new(did).unwrap())));
    let mut skeys = vec![SpaceKey::ANY];
    skeys.extend(SPACE_KEYS.iter().map(|key| SpaceKey::new(key).unwrap()));
    let all = {path}::Collection::ALL;
    for authority in &authorities {{
        for skey in &skeys {{
            for mask in 0..=(1u32 << all.len()) {{
                let mut scope = {path}::space_scope().authority(*authority).skey(*skey);
                if mask == 1 << all.len() {{
                    scope = scope.any_collection();
                    for c in all {{ scope = scope.collection(*c); }}
                }}
                for (bit, c) in all.iter().enumerate() {{
                    if mask & (1 << bit) != 0 {{ scope = scope.collection(*c); }}
                }}
                println!(\"  {{scope}}\");
            }}
        }}
    }}
    let actions = [SpaceAction::ReadSelf, SpaceAction::Read, SpaceAction::Create, SpaceAction::Update, SpaceAction::Delete];
    let manage = [SpaceManage::Create, SpaceManage::Update, SpaceManage::Delete];
    for a in 0..(1u32 << actions.len()) {{
        for m in 0..(1u32 << manage.len()) {{
            let mut scope = {path}::space_scope();
            for (bit, x) in actions.iter().enumerate() {{ if a & (1 << bit) != 0 {{ scope = scope.action(*x); }} }}
            for (bit, x) in manage.iter().enumerate() {{ if m & (1 << bit) != 0 {{ scope = scope.manage(*x); }} }}
            println!(\"  {{scope}}\");
        }}
    }}
    for did in DID_CANDIDATES {{ println!(\"  did {{did:?}} {{}}\", Did::new(did).is_some()); }}
    for key in KEY_CANDIDATES {{ println!(\"  skey {{key:?}} {{}}\", SpaceKey::new(key).is_some()); }}\n"
            )),
            _ => {}
        }
    }
    main.push_str("}\n");
    main
}

/// Builds `code` as a `#![no_std]` library with `rustc` alone (and documents it with `rustdoc -D
/// warnings`), runs [`rust_runner`] against it and checks its output equals the resolver's.
fn check_rust_against_resolver(code: &str, lexicon_dirs: &[&Path]) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::write(dir.join("scopes.rs"), code).unwrap();
    std::fs::write(
        dir.join("gen.rs"),
        "#![no_std]\n#![deny(warnings, missing_docs)]\n//! Generated constants.\n/// The scopes.\npub mod scopes { include!(\"scopes.rs\"); }\n",
    )
    .unwrap();
    run(
        &rustc(),
        &[
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--crate-name",
            "gen",
            "gen.rs",
        ],
        dir,
    );
    // rustdoc lints too (bare URLs, broken links in descriptions).
    let rustdoc = std::env::var("RUSTDOC").unwrap_or_else(|_| "rustdoc".to_owned());
    run(
        &rustdoc,
        &[
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "-D",
            "warnings",
            "-o",
            "doc",
            "gen.rs",
        ],
        dir,
    );
    let items = items(code, Target::Rust);
    assert!(!items.is_empty());
    std::fs::write(dir.join("main.rs"), rust_runner(&items)).unwrap();
    run(
        &rustc(),
        &[
            "--edition",
            "2021",
            "--extern",
            "gen=libgen.rlib",
            "-L",
            ".",
            "-o",
            "main",
            "main.rs",
        ],
        dir,
    );
    let output = run(dir.join("main").to_str().unwrap(), &[], dir);
    assert_same_lines(&output, &expected_output(&items, lexicon_dirs));
}

/// Compares long outputs line by line, showing the first difference.
fn assert_same_lines(actual: &str, expected: &str) {
    for (index, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "line {} differs", index + 1);
    }
    assert_eq!(actual.lines().count(), expected.lines().count());
}

/// Every scope string literal of the generated code (constants and `GRANTED_WITHOUT_AUD` entries;
/// not comments, not `{aud}` templates) is already in canonical form. Returns how many there are.
fn check_constants_canonical(code: &str) -> usize {
    let mut count = 0;
    for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
        for literal in line.split('"').skip(1).step_by(2) {
            let is_scope = [
                "repo:", "repo?", "rpc:", "rpc?", "include:", "blob", "account", "identity",
                "space:",
            ]
            .iter()
            .any(|prefix| literal.starts_with(prefix));
            if is_scope && literal.contains('.') && !literal.contains("{aud}") {
                assert_eq!(canonical(literal), literal);
                count += 1;
            }
        }
    }
    count
}

fn check_rustfmt_clean(code: &str) {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("scopes.rs"), code).unwrap();
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let output = Command::new(rustfmt)
        .args(["--check", "--edition", "2021", "scopes.rs"])
        .current_dir(temp.path())
        .output()
        .expect("rustfmt runs");
    assert!(
        output.status.success(),
        "rustfmt would change the generated code:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

fn tsc_available() -> bool {
    if std::env::var_os("LEXPERM_SKIP_TSC").is_some() {
        eprintln!("skipping TypeScript checks: LEXPERM_SKIP_TSC is set");
        return false;
    }
    let ok = Command::new("npx")
        .args(["-y", "-p", "typescript@5", "tsc", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !ok {
        eprintln!("skipping TypeScript checks: `npx -y -p typescript@5 tsc` does not run here");
    }
    ok
}

/// `tsc --noEmit --strict` on `file` in `dir`; fails the test on any error.
fn tsc_strict(file: &str, dir: &Path) {
    // `--erasableSyntaxOnly` (TypeScript 5.8): what Node's type stripping runs as it is.
    let args = [
        "-y",
        "-p",
        "typescript@5",
        "tsc",
        "--noEmit",
        "--strict",
        "--erasableSyntaxOnly",
        file,
    ];
    run("npx", &args, dir);
}

/// Whether `node` strips TypeScript types itself (`--experimental-strip-types`, Node 22.6 and
/// later); says why not when it does not.
fn node_strips_types() -> bool {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default();
    let numbers: Vec<u32> = version
        .trim_start_matches('v')
        .split('.')
        .filter_map(|part| part.parse().ok())
        .collect();
    let strips = matches!(numbers[..], [major, minor, ..] if (major, minor) >= (22, 6));
    if !strips {
        eprintln!(
            "skipping the Node type-stripping run: node {version:?} is older than 22.6 (tsc --erasableSyntaxOnly checks the same syntax)"
        );
    }
    strips
}

/// Type-checks `code` with `tsc --strict`, compiles it and runs a script printing what
/// [`expected_output`] computes; with a Node that strips types, also loads the `.ts` file as is.
fn check_typescript_against_resolver(code: &str, lexicon_dirs: &[&Path]) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::write(dir.join("scopes.ts"), code).unwrap();
    tsc_strict("scopes.ts", dir);
    if node_strips_types() {
        std::fs::write(dir.join("scopes.mts"), code).unwrap();
        std::fs::write(
            dir.join("strip.mjs"),
            "import * as s from './scopes.mts';\nconsole.log(typeof s.formatGrants);\n",
        )
        .unwrap();
        let loaded = run("node", &["--experimental-strip-types", "strip.mjs"], dir);
        assert_eq!(loaded.trim(), "function");
    }
    run(
        "npx",
        &[
            "-y",
            "-p",
            "typescript@5",
            "tsc",
            "--strict",
            "--target",
            "es2020",
            "--module",
            "commonjs",
            "--outDir",
            "out",
            "scopes.ts",
        ],
        dir,
    );
    let items = items(code, Target::TypeScript);
    let mut script = format!(
        "const s = require('./out/scopes.js');\nconst AUDIENCES = {};\nconst out = [];\n",
        serde_json::to_string(&AUDIENCES).unwrap()
    );
    for item in &items {
        let path = format!("s.{}", item.path);
        script.push_str(&format!(
            "out.push({:?});\n",
            format!("{} {}", item.kind, item.nsid)
        ));
        match item.kind.as_str() {
            "permission set" => script.push_str(&format!(
                "out.push('  ' + {path}.INCLUDE);
for (const scope of {path}.GRANTED_WITHOUT_AUD) out.push('  - ' + scope);
for (const aud of AUDIENCES) {{
  out.push('  ' + {path}.includeScope(aud));
  for (const scope of {path}.grantedWithAud(aud)) out.push('  + ' + scope);
}}\n"
            )),
            "query" | "procedure" => script.push_str(&format!(
                "for (const aud of AUDIENCES) out.push('  ' + {path}.rpcScope(aud));\n"
            )),
            "space type" => script.push_str(&format!(
                "{{
  out.push('  ' + {path}.SPACE);
  out.push('  ' + {path}.SPACE_ANY_AUTHORITY);
  const all = [...{path}.COLLECTIONS].sort().filter((c, i, a) => a.indexOf(c) === i);
  for (const authority of ['self', '*', ...{dids}]) {{
    for (const skey of ['*', ...{keys}]) {{
      for (let mask = 0; mask <= 1 << all.length; mask++) {{
        let scope = {path}.spaceScope().authority(authority).skey(skey);
        if (mask === 1 << all.length) {{
          scope = scope.collection('*');
          for (const c of all) scope = scope.collection(c);
        }}
        all.forEach((c, bit) => {{ if (mask & (1 << bit)) scope = scope.collection(c); }});
        out.push('  ' + scope);
      }}
    }}
  }}
  const actions = {actions};
  const manage = {manage};
  for (let a = 0; a < 1 << actions.length; a++) {{
    for (let m = 0; m < 1 << manage.length; m++) {{
      let scope = {path}.spaceScope();
      actions.forEach((x, bit) => {{ if (a & (1 << bit)) scope = scope.action(x); }});
      manage.forEach((x, bit) => {{ if (m & (1 << bit)) scope = scope.manage(x); }});
      out.push('  ' + scope);
    }}
  }}
  for (const did of {did_candidates}) out.push('  did ' + JSON.stringify(did) + ' ' + s.isValidDid(did));
  for (const key of {key_candidates}) out.push('  skey ' + JSON.stringify(key) + ' ' + s.isValidSpaceKey(key));
}}\n",
                dids = serde_json::to_string(&SPACE_DIDS).unwrap(),
                keys = serde_json::to_string(&SPACE_KEYS).unwrap(),
                actions = serde_json::to_string(&SPACE_ACTIONS).unwrap(),
                manage = serde_json::to_string(&SPACE_MANAGE).unwrap(),
                did_candidates = serde_json::to_string(&DID_CANDIDATES).unwrap(),
                key_candidates = serde_json::to_string(&KEY_CANDIDATES).unwrap(),
            )),
            _ => {}
        }
    }
    script.push_str("process.stdout.write(out.join('\\n') + '\\n');\n");
    std::fs::write(dir.join("run.js"), script).unwrap();
    let output = run("node", &["run.js"], dir);
    assert_same_lines(&output, &expected_output(&items, lexicon_dirs));
}

#[test]
fn fixture_lexicons_snapshot_and_build() {
    let code = fixture_builder().generate_string().unwrap();
    insta::assert_snapshot!("rust_gen_fixture_lexicons", code);
    check_rustfmt_clean(&code);
    check_rust_against_resolver(&code, &[&fixture_lexicons()]);
    assert_eq!(check_constants_canonical(&code), 15);
}

fn space_lexicons() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/space-gen/lexicons")
}

#[test]
fn space_lexicons_rust() {
    let code = Builder::new()
        .lexicons(space_lexicons())
        .emit_rerun_if_changed(false)
        .generate_string()
        .unwrap();
    insta::assert_snapshot!("rust_gen_space_lexicons", code);
    check_rustfmt_clean(&code);
    check_rust_against_resolver(&code, &[&space_lexicons()]);
    // 5 per record (3), 1 per set plus its 4 grants in both lists (none inherits the audience),
    // 2 per space type (2).
    assert_eq!(check_constants_canonical(&code), 28);
}

/// Under the released reference (no `space:` scope) space types get no constants, in either
/// language; their records and methods still do.
#[test]
fn space_types_get_no_constants_under_the_released_reference() {
    use lexperm_parser::scope::Reference;
    // The set is left out: the released reference drops its space entries, which the gate refuses.
    let temp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(space_lexicons()).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("com.example.forum.authForum.json") {
            std::fs::copy(&path, temp.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let generate = |reference: Reference, target: Target| {
        Builder::new()
            .lexicons(temp.path())
            .reference(reference)
            .target(target)
            .emit_rerun_if_changed(false)
            .generate_string()
            .unwrap()
    };
    for target in [Target::Rust, Target::TypeScript] {
        let released = generate(Reference::Stable0512, target);
        assert!(!released.contains("space:"), "{released}");
        assert!(
            released.contains("repo:com.example.forum.post"),
            "{released}"
        );
        let default = generate(Reference::PermissionedData, target);
        assert!(
            default.contains("space:com.example.forum.board"),
            "{default}"
        );
    }
}

/// TypeScript from `dir`, snapshot as `snapshot`, type-checked and run against the resolver;
/// the code when the TypeScript checks ran.
fn typescript_checked(dir: &Path, snapshot: &str) -> Option<String> {
    let code = Builder::new()
        .lexicons(dir)
        .typescript()
        .generate_string()
        .unwrap();
    insta::assert_snapshot!(snapshot, code);
    if !tsc_available() {
        return None;
    }
    check_typescript_against_resolver(&code, &[dir]);
    Some(code)
}

#[test]
fn space_lexicons_typescript() {
    if let Some(code) = typescript_checked(&space_lexicons(), "ts_gen_space_lexicons") {
        // The builder takes declared collections and `*` only, and authorities of DID shape.
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("scopes.ts"), &code).unwrap();
        std::fs::write(
            temp.path().join("check.ts"),
            r#"import { com } from "./scopes";
const board = com.example.forum.board;
board.spaceScope().collection("com.example.forum.post").collection("*").authority("did:plc:x");
// @ts-expect-error: not a declared collection
board.spaceScope().collection("com.example.forum.nope");
// @ts-expect-error: the inbox declares no collection
com.example.forum.inbox.spaceScope().collection("com.example.forum.post");
// @ts-expect-error: not `self`, `*` or a DID
board.spaceScope().authority("alice.example.com");
"#,
        )
        .unwrap();
        tsc_strict("check.ts", temp.path());
    }
}

#[test]
fn repo_lexicons_rust() {
    let code = Builder::new()
        .lexicons(repo_lexicons())
        .generate_string()
        .unwrap();
    insta::assert_snapshot!("rust_gen_repo_lexicons", code);
    check_rustfmt_clean(&code);
    check_rust_against_resolver(&code, &[&repo_lexicons()]);
    check_constants_canonical(&code);
}

#[test]
fn repo_lexicons_typescript() {
    typescript_checked(&repo_lexicons(), "ts_gen_repo_lexicons");
}

#[test]
fn bluesky_permission_sets_snapshots() {
    let Some(corpus) = atproto_corpus() else {
        return;
    };
    let sets = bluesky_sets(&corpus);
    let rust = Builder::new()
        .lexicons(sets.path())
        .emit_rerun_if_changed(false)
        .generate_string()
        .unwrap();
    insta::assert_snapshot!("rust_gen_bluesky_permission_sets", rust);
    let ts = Builder::new()
        .lexicons(sets.path())
        .typescript()
        .generate_string()
        .unwrap();
    insta::assert_snapshot!("ts_gen_bluesky_permission_sets", ts);
}

#[test]
fn atproto_corpus_rust_builds_alone_and_equals_the_resolver() {
    let Some(corpus) = atproto_corpus() else {
        return;
    };
    let code = corpus_builder(&corpus).generate_string().unwrap();
    check_rustfmt_clean(&code);
    check_rust_against_resolver(&code, &[&corpus]);
    // 5 per record, 1 per endpoint, 1 per set plus its expansion without audience (26 records, 319
    // endpoints and 10 sets in the corpus snapshot).
    let count = check_constants_canonical(&code);
    assert!(count > 400, "{count}");
}

#[test]
fn atproto_corpus_typescript_type_checks_and_equals_the_resolver() {
    let Some(corpus) = atproto_corpus() else {
        return;
    };
    if !tsc_available() {
        return;
    }
    let code = corpus_builder(&corpus)
        .target(Target::TypeScript)
        .generate_string()
        .unwrap();
    check_typescript_against_resolver(&code, &[&corpus]);
}

#[test]
fn audience_checks_the_did_reference_shape() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    fixture_builder()
        .generate_to(dir.join("scopes.rs"))
        .unwrap();
    std::fs::write(
        dir.join("main.rs"),
        r#"mod scopes { #![allow(dead_code)] include!("scopes.rs"); }
use scopes::{Audience, Scope};
const AUD: Option<Audience<'static>> = Audience::new("did:web:api.example.com#svc");
fn main() {
    assert!(AUD.is_some());
    for bad in ["", "did:", "did:web", "did:web:x", "did:web:x#", "did::x#s", "did:Web:x#s",
                "did:web:#s", "did:web:x#a#b", "did:web:x y#s", "web:x#s"] {
        assert!(Audience::new(bad).is_none(), "{bad}");
    }
    let scope: Scope = scopes::net::lexperm::garden::plant::REPO_ALL;
    let as_str: &'static str = scope.into();
    assert_eq!(as_str, "repo:net.lexperm.garden.plant");
    assert_eq!(scope, "repo:net.lexperm.garden.plant");
    assert!(scope.starts_with("repo:"));
    fn takes_str(scope: impl AsRef<str>) -> usize { scope.as_ref().len() }
    assert_eq!(takes_str(scope), 29);
    println!("ok");
}
"#,
    )
    .unwrap();
    run(
        &rustc(),
        &[
            "--edition",
            "2021",
            "-D",
            "warnings",
            "-o",
            "main",
            "main.rs",
        ],
        dir,
    );
    assert_eq!(run(dir.join("main").to_str().unwrap(), &[], dir), "ok\n");
}

#[test]
fn templates_can_be_overridden_by_file_name() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("record.hbs"),
        "pub const COLLECTION: &str = \"{{nsid}}\";\n",
    )
    .unwrap();
    let code = fixture_builder()
        .templates(templates.path())
        .generate_string()
        .unwrap();
    assert!(code.contains("pub mod plant {\n                pub const COLLECTION: &str = \"net.lexperm.garden.plant\";\n            }"));
    assert!(!code.contains("REPO_ALL"));
    // Endpoint modules still use the embedded template.
    assert!(code.contains(
        "pub const RPC_ANY_AUD: Scope = Scope(\"rpc:net.lexperm.plots.getPlot?aud=*\");"
    ));

    // The same folder overrides the TypeScript set.
    let ts = fixture_builder()
        .templates(templates.path())
        .typescript()
        .generate_string()
        .unwrap();
    assert!(ts.contains("plant: {\n        pub const COLLECTION"));
    assert!(ts.contains("\n        rpcScope(aud: Audience): string {"));
}

fn lint_error(dir: &Path) -> GenerateError {
    Builder::new()
        .lexicons(dir)
        .emit_rerun_if_changed(false)
        .generate_string()
        .unwrap_err()
}

#[test]
fn the_full_lint_gates_generation() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::write(dir.join("b.json"), "{").unwrap();
    let err = lint_error(dir);
    assert!(
        matches!(&err, GenerateError::Lint { errors } if errors.len() == 1 && errors[0].code == "L101"),
        "{err}"
    );
    let shown = err.to_string();
    let path = dir.join("b.json").display().to_string();
    assert!(
        shown.starts_with(&format!(
            "1 lint error in the lexicons (L101 invalid-json ×1); no code generated\n{path}:1:2: error[L101/invalid-json]: "
        )),
        "{shown}"
    );
    assert!(shown.ends_with(
        "\nto generate anyway, let the rule through on the Builder: .allow_rule(\"L101\") (`lexperm lint` shows each error in its source)"
    ));

    // A cross-file (permission-set) rule: the set names a method no loaded lexicon defines, while
    // other lexicons of that group are loaded.
    std::fs::remove_file(dir.join("b.json")).unwrap();
    let endpoint = r#"{"lexicon": 1, "id": "com.example.app.getThing", "defs": {"main": {"type": "query", "description": "Get.", "output": {"encoding": "application/json"}}}}"#;
    let set = r#"{"lexicon": 1, "id": "com.example.app.authAll", "defs": {"main": {"type": "permission-set", "title": "All", "permissions": [{"type": "permission", "resource": "rpc", "lxm": ["com.example.app.getThing", "com.example.app.getThings"], "inheritAud": true}]}}}"#;
    let folder = dir.join("com/example/app");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("getThing.json"), endpoint).unwrap();
    std::fs::write(folder.join("authAll.json"), set).unwrap();
    let err = lint_error(dir);
    let GenerateError::Lint { errors } = &err else {
        panic!("{err}");
    };
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!((errors[0].code, errors[0].name), ("P120", "undefined-lxm"));
    assert!(errors[0].path.ends_with("authAll.json"));
    assert!(errors[0].help.is_some());
    assert!(err.to_string().contains("\n  help: "), "{err}");

    // Allowing the rule lets it through; the set's expansion still names both methods.
    let code = Builder::new()
        .lexicons(dir)
        .allow_rule("P120")
        .emit_rerun_if_changed(false)
        .generate_string()
        .unwrap();
    assert!(code
        .contains("\"rpc?lxm=com.example.app.getThing&lxm=com.example.app.getThings&aud={aud}\""));
    let err = Builder::new()
        .lexicons(dir)
        .allow_rule("no-such-rule")
        .generate_string()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown lint rule `no-such-rule` (give a code like `P120` or a name like `undefined-lxm`)"
    );
}

#[test]
fn bad_templates_and_inputs_are_errors() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("recrod.hbs"), "x").unwrap();
    let err = fixture_builder()
        .templates(templates.path())
        .generate_string()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template recrod.hbs: unknown template; known: header.hbs, record.hbs, endpoint.hbs, permission_set.hbs, space.hbs"
    );

    std::fs::remove_file(templates.path().join("recrod.hbs")).unwrap();
    std::fs::write(templates.path().join("endpoint.hbs"), "{{nsdi}}").unwrap();
    let err = fixture_builder()
        .templates(templates.path())
        .generate_string()
        .unwrap_err();
    assert!(
        matches!(&err, GenerateError::Template { name, .. } if name == "endpoint.hbs"),
        "{err}"
    );

    let duplicate = tempfile::tempdir().unwrap();
    let plant = std::fs::read_to_string(fixture_lexicons().join("plant.json")).unwrap();
    std::fs::write(duplicate.path().join("a.json"), &plant).unwrap();
    std::fs::write(duplicate.path().join("b.json"), &plant).unwrap();
    let err = lint_error(duplicate.path());
    assert!(
        matches!(&err, GenerateError::Lint { errors } if errors.iter().any(|e| e.name == "duplicate-nsid")),
        "{err}"
    );

    let err = Builder::new()
        .lexicons(duplicate.path().join("missing"))
        .generate_string()
        .unwrap_err();
    assert!(matches!(err, GenerateError::Io { .. }), "{err}");
}

#[test]
fn generate_to_writes_only_changes() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("scopes.rs");
    let builder = fixture_builder();
    builder.generate_to(&out).unwrap();
    let first = std::fs::metadata(&out).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    builder.generate_to(&out).unwrap();
    assert_eq!(std::fs::metadata(&out).unwrap().modified().unwrap(), first);
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for item in items(&std::fs::read_to_string(&out).unwrap(), Target::Rust) {
        *by_kind.entry(item.kind).or_default() += 1;
    }
    assert_eq!(
        by_kind,
        BTreeMap::from([
            ("permission set".to_owned(), 1),
            ("procedure".to_owned(), 1),
            ("query".to_owned(), 1),
            ("record".to_owned(), 2),
        ])
    );
}
