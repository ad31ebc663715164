//! `cargo xtask gen-corpus N [--out DIR] [--seed S]`: writes N valid, varied lexicons across many
//! authorities, for linting at scale. The same N and seed always give the same files.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// Lexicons per NSID group: one `defs`, one permission set, the rest records and endpoints.
const GROUP_SIZE: usize = 50;

const NOUNS: &[&str] = &[
    "note", "photo", "review", "recipe", "track", "album", "badge", "poll", "place", "trip",
    "book", "game", "task", "board", "story", "video", "quote", "link", "chart", "garden",
];

const GROUPS: &[&str] = &[
    "feed", "media", "social", "notes", "events", "music", "games", "maps", "tasks", "shop",
];

/// String formats for fields; records store DIDs, not handles (`handle-in-record`), so handles and
/// at-identifiers appear only in parameters.
const FORMATS: &[&str] = &[
    "did",
    "datetime",
    "at-uri",
    "uri",
    "cid",
    "language",
    "tid",
    "record-key",
    "nsid",
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// `n` written with the letters a–z (bijective base 26), so names stay letters only.
fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
        n -= 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Runs the task with its arguments (after `gen-corpus`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut count = None;
    let mut out = PathBuf::from("target/gen-corpus");
    let mut seed = 0x1E_C0DE_u64;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a directory")?),
            "--seed" => {
                seed = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--seed needs an integer")?
            }
            number => {
                count = Some(
                    number
                        .parse::<usize>()
                        .map_err(|_| format!("expected a lexicon count, got `{number}`"))?,
                )
            }
        }
    }
    let count = count.ok_or("usage: cargo xtask gen-corpus N [--out DIR] [--seed S]")?;
    let written = generate(count, seed, &out)?;
    println!("wrote {written} lexicons to {}", out.display());
    Ok(())
}

/// Writes `count` lexicons under `out` and returns how many were written.
pub fn generate(count: usize, seed: u64, out: &Path) -> Result<usize, String> {
    let mut rng = Rng(seed);
    let mut written = 0;
    let mut group_index = 0;
    while written < count {
        let size = GROUP_SIZE.min(count - written);
        let group = Group::new(group_index, &mut rng);
        for (name, doc) in group.documents(size, &mut rng) {
            let nsid = format!("{}.{name}", group.prefix);
            let mut path = out.to_path_buf();
            path.extend(nsid.split('.'));
            path.set_extension("json");
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
            }
            let text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
            fs::write(&path, text + "\n")
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            written += 1;
        }
        group_index += 1;
    }
    Ok(written)
}

/// One NSID group, e.g. `org.synthbc.music`: its defs, records, endpoints and permission set.
struct Group {
    prefix: String,
    objects: Vec<String>,
    tokens: Vec<String>,
}

impl Group {
    fn new(index: usize, rng: &mut Rng) -> Group {
        let tld = ["com", "org", "net", "app", "dev"][index % 5];
        let prefix = format!("{tld}.synth{}.{}", letters(index / 5), rng.pick(GROUPS));
        let objects = (0..2 + rng.below(4))
            .map(|i| {
                format!(
                    "{}View",
                    rng.pick(NOUNS).to_string() + &upper_first(&letters(i))
                )
            })
            .collect();
        let tokens = (0..1 + rng.below(3))
            .map(|i| format!("kind{}", upper_first(&letters(i))))
            .collect();
        Group {
            prefix,
            objects,
            tokens,
        }
    }

    fn defs_ref(&self, name: &str) -> String {
        format!("{}.defs#{name}", self.prefix)
    }

    /// `size` documents: `defs` first, the permission set last (when there is room), and in
    /// between a mix of records, queries, procedures and the odd subscription.
    fn documents(&self, size: usize, rng: &mut Rng) -> Vec<(String, Value)> {
        let mut docs = vec![("defs".to_string(), self.defs(rng))];
        let mut records = Vec::new();
        let mut endpoints = Vec::new();
        let middle = size.saturating_sub(2);
        for i in 0..middle {
            let noun = format!("{}{}", rng.pick(NOUNS), upper_first(&letters(i)));
            let roll = rng.below(100);
            let (name, doc) = if roll < 40 {
                let doc = self.record(&noun, rng);
                records.push(noun.clone());
                (noun, doc)
            } else if roll < 70 {
                let name = format!("get{}", upper_first(&noun));
                endpoints.push(name.clone());
                (name.clone(), self.query(&name, rng))
            } else if roll < 97 {
                let name = format!("update{}", upper_first(&noun));
                endpoints.push(name.clone());
                (name.clone(), self.procedure(&name, rng))
            } else {
                let name = format!("subscribe{}s", upper_first(&noun));
                (name.clone(), self.subscription(&name))
            };
            docs.push((name, doc));
        }
        if size >= 2 {
            docs.push((
                "authFull".to_string(),
                self.permission_set(&records, &endpoints),
            ));
        }
        docs.truncate(size);
        docs
    }

    fn lexicon(&self, name: &str, defs: Value) -> Value {
        json!({ "lexicon": 1, "id": format!("{}.{name}", self.prefix), "defs": defs })
    }

    fn defs(&self, rng: &mut Rng) -> Value {
        let mut defs = Map::new();
        for object in &self.objects {
            let mut properties = Map::new();
            properties.insert(
                "uri".into(),
                json!({ "type": "string", "format": "at-uri", "description": "Where it lives." }),
            );
            for i in 0..1 + rng.below(5) {
                properties.insert(
                    format!("field{}", upper_first(&letters(i))),
                    field(rng, &[]),
                );
            }
            properties.insert(
                "kind".into(),
                json!({
                    "type": "string",
                    "maxLength": 256,
                    "description": "What kind it is.",
                    "knownValues": self.tokens.iter().map(|t| self.defs_ref(t)).collect::<Vec<_>>(),
                }),
            );
            defs.insert(
                object.clone(),
                json!({
                    "type": "object",
                    "description": format!("A {object}."),
                    "required": ["uri"],
                    "properties": properties,
                }),
            );
        }
        for token in &self.tokens {
            defs.insert(
                token.clone(),
                json!({ "type": "token", "description": format!("The {token} kind.") }),
            );
        }
        defs.insert(
            "label".into(),
            json!({ "type": "string", "maxLength": 640, "maxGraphemes": 64, "description": "A short label." }),
        );
        self.lexicon("defs", Value::Object(defs))
    }

    fn object_refs(&self) -> Vec<String> {
        self.objects.iter().map(|o| self.defs_ref(o)).collect()
    }

    fn record(&self, noun: &str, rng: &mut Rng) -> Value {
        let mut properties = Map::new();
        let refs = self.object_refs();
        for i in 0..2 + rng.below(7) {
            properties.insert(
                format!("value{}", upper_first(&letters(i))),
                field(rng, &refs),
            );
        }
        properties.insert(
            "createdAt".into(),
            json!({ "type": "string", "format": "datetime", "description": "When it was created." }),
        );
        let key = ["tid", "tid", "tid", "any", "nsid", "literal:self"][rng.below(6)];
        self.lexicon(
            noun,
            json!({ "main": {
                "type": "record",
                "description": format!("A {noun} record."),
                "key": key,
                "record": { "type": "object", "required": ["createdAt"], "properties": properties },
            }}),
        )
    }

    fn params(&self, rng: &mut Rng) -> Value {
        let mut properties = Map::new();
        properties.insert(
            "actor".into(),
            json!({ "type": "string", "format": "at-identifier", "description": "Whose items." }),
        );
        if rng.chance(70) {
            properties.insert(
                "limit".into(),
                json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 50, "description": "Page size." }),
            );
            properties.insert(
                "cursor".into(),
                json!({ "type": "string", "description": "Where the previous page ended." }),
            );
        }
        if rng.chance(30) {
            properties.insert(
                "tags".into(),
                json!({ "type": "array", "items": { "type": "string", "maxLength": 64 }, "description": "Only these tags." }),
            );
        }
        json!({ "type": "params", "required": ["actor"], "properties": properties })
    }

    fn output(&self, rng: &mut Rng) -> Value {
        let object = &self.objects[rng.below(self.objects.len())];
        if rng.chance(50) {
            json!({ "encoding": "application/json", "schema": { "type": "ref", "ref": self.defs_ref(object) } })
        } else {
            json!({ "encoding": "application/json", "schema": {
                "type": "object",
                "required": ["items"],
                "properties": {
                    "cursor": { "type": "string", "description": "Where this page ended." },
                    "items": { "type": "array", "items": { "type": "ref", "ref": self.defs_ref(object) }, "description": "The items." },
                },
            }})
        }
    }

    fn query(&self, name: &str, rng: &mut Rng) -> Value {
        self.lexicon(
            name,
            json!({ "main": {
                "type": "query",
                "description": format!("{name}: read items."),
                "parameters": self.params(rng),
                "output": self.output(rng),
                "errors": [{ "name": "NotFound", "description": "Nothing matched." }],
            }}),
        )
    }

    fn procedure(&self, name: &str, rng: &mut Rng) -> Value {
        let refs = self.object_refs();
        let mut properties = Map::new();
        properties.insert(
            "uri".into(),
            json!({ "type": "string", "format": "at-uri", "description": "What to update." }),
        );
        for i in 0..1 + rng.below(4) {
            properties.insert(
                format!("change{}", upper_first(&letters(i))),
                field(rng, &refs),
            );
        }
        self.lexicon(
            name,
            json!({ "main": {
                "type": "procedure",
                "description": format!("{name}: change an item."),
                "input": { "encoding": "application/json", "schema": {
                    "type": "object", "required": ["uri"], "properties": properties,
                }},
                "output": self.output(rng),
            }}),
        )
    }

    fn subscription(&self, name: &str) -> Value {
        self.lexicon(
            name,
            json!({
                "main": {
                    "type": "subscription",
                    "description": format!("{name}: a stream of changes."),
                    "parameters": { "type": "params", "properties": {
                        "cursor": { "type": "integer", "description": "Sequence number to resume after." },
                    }},
                    "message": { "schema": { "type": "union", "refs": ["#change"] } },
                },
                "change": {
                    "type": "object",
                    "description": "One change.",
                    "required": ["seq"],
                    "properties": { "seq": { "type": "integer", "description": "Sequence number." } },
                },
            }),
        )
    }

    fn permission_set(&self, records: &[String], endpoints: &[String]) -> Value {
        let mut permissions = Vec::new();
        if !records.is_empty() {
            let collection: Vec<String> = records
                .iter()
                .map(|r| format!("{}.{r}", self.prefix))
                .collect();
            permissions.push(
                json!({ "type": "permission", "resource": "repo", "collection": collection }),
            );
        }
        if !endpoints.is_empty() {
            let lxm: Vec<String> = endpoints
                .iter()
                .map(|e| format!("{}.{e}", self.prefix))
                .collect();
            permissions.push(
                json!({ "type": "permission", "resource": "rpc", "lxm": lxm, "inheritAud": true }),
            );
        }
        self.lexicon(
            "authFull",
            json!({ "main": {
                "type": "permission-set",
                "title": "Full access",
                "title:lang": { "de": "Voller Zugriff" },
                "detail": "Everything this group offers.",
                "permissions": permissions,
            }}),
        )
    }
}

/// A random property schema; `refs` (object defs) allow ref and union fields.
fn field(rng: &mut Rng, refs: &[String]) -> Value {
    let kinds = if refs.is_empty() { 6 } else { 8 };
    match rng.below(kinds) {
        0 => {
            json!({ "type": "string", "maxLength": 3000, "maxGraphemes": 300, "description": "Free text." })
        }
        1 => {
            json!({ "type": "string", "format": rng.pick(FORMATS), "description": "A formatted value." })
        }
        2 => {
            json!({ "type": "integer", "minimum": 0, "maximum": 1_000_000, "description": "A count." })
        }
        3 => json!({ "type": "boolean", "default": false, "description": "A flag." }),
        4 => {
            json!({ "type": "array", "maxLength": 20, "items": { "type": "string", "maxLength": 64 }, "description": "Some tags." })
        }
        5 => {
            json!({ "type": "blob", "accept": ["image/*"], "maxSize": 1_000_000, "description": "An image." })
        }
        6 => {
            json!({ "type": "ref", "ref": refs[rng.below(refs.len())], "description": "A related item." })
        }
        _ => json!({ "type": "union", "refs": refs, "description": "One of the group's views." }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_bijective_base_26() {
        assert_eq!(letters(0), "a");
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert_eq!(letters(27), "ab");
    }

    #[test]
    fn same_seed_same_corpus() {
        let dir = std::env::temp_dir().join(format!("lexperm-gen-{}", std::process::id()));
        let a = dir.join("a");
        let b = dir.join("b");
        assert_eq!(generate(120, 7, &a), Ok(120));
        assert_eq!(generate(120, 7, &b), Ok(120));
        let list = |root: &Path| {
            let mut files: Vec<(PathBuf, String)> = walk(root)
                .into_iter()
                .map(|p| {
                    (
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        fs::read_to_string(&p).unwrap(),
                    )
                })
                .collect();
            files.sort();
            files
        };
        let files = list(&a);
        assert_eq!(files.len(), 120);
        assert_eq!(files, list(&b));
        for (path, text) in &files {
            let doc: Value = serde_json::from_str(text).unwrap();
            assert_eq!(doc["lexicon"], 1);
            let loaded = lexperm_lint::lint_file(lexperm_parser::diagnostics::FileId(0), text);
            assert!(
                loaded.diagnostics.is_empty(),
                "{}: {:#?}",
                path.display(),
                loaded.diagnostics
            );
        }
        let kinds: std::collections::BTreeSet<String> = files
            .iter()
            .map(|(_, text)| {
                let doc: Value = serde_json::from_str(text).unwrap();
                doc["defs"]["main"]["type"]
                    .as_str()
                    .unwrap_or("defs")
                    .to_string()
            })
            .collect();
        for kind in ["defs", "record", "query", "procedure", "permission-set"] {
            assert!(kinds.contains(kind), "no {kind} among {kinds:?}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
