//! L207 `remote-lexicon-unavailable`: with remote resolution on (`lexperm lint --resolve`), a
//! lexicon that a ref or a permission set names could not be fetched.
//!
//! Unlike the other catalog rules this one is not a pure check of the catalog: it reports the
//! failures of [`crate::lint_with_source`], at every place that names the NSID. [`targets`] lists
//! what that function fetches.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::scope::Scope;
use lexperm_parser::syntax::Nsid;

use lexperm_resolver::catalog::{Catalog, Origin};
use crate::catalog_rules::permission_sets::lint_set;
use crate::catalog_rules::{refs, resolve_ref, RefTarget};
use lexperm_resolver::source::ResolveError;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L207",
    name: "remote-lexicon-unavailable",
    severity: Severity::Warning,
    summary: "A lexicon named by a ref or a permission set could not be fetched from its authority",
    doc: r#"## What it does
Only with remote resolution (`lexperm lint --resolve`): every ref into a lexicon that is not
among the linted files, and every collection or method a permission set grants that is not
among them, is fetched from its authority (DNS `_lexicon` TXT → DID → PDS → record). When that
fails, each place naming the NSID gets this warning with the reason: no such record, no
`_lexicon` record, a DID that does not resolve, an invalid record, or no network (`--offline`
without a cached copy).

## Why
A ref or grant that nobody publishes fails for every consumer that resolves it the same way:
validators, code generators and the authorization server building a token scope. When the
failure is the network, the target simply was not checked.

## Example
```json
{"type": "ref", "ref": "com.example.defs#view"}
```
while `_lexicon.example.com` names a DID whose repository has no `com.example.defs` record.
"#,
};

/// One NSID to fetch and the places (in local documents) that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The NSID.
    pub nsid: Nsid,
    /// Every ref or granted collection/method naming it, in document order.
    pub sites: Vec<Span>,
}

/// The NSIDs local documents need but the catalog lacks, in order of first mention: targets of
/// refs (L203 `external-ref`) and collections/methods granted by permission sets (what P117–P120
/// check). Remote documents are not searched (resolution goes one level deep).
pub fn targets(catalog: &Catalog) -> Vec<Target> {
    let mut found: Vec<Target> = Vec::new();
    let mut add = |nsid: &str, span: Span| {
        let Ok(nsid) = Nsid::parse(nsid) else { return };
        if catalog.contains(nsid.as_str()) {
            return;
        }
        match found.iter_mut().find(|t| t.nsid == nsid) {
            Some(target) => target.sites.push(span),
            None => found.push(Target {
                nsid,
                sites: vec![span],
            }),
        }
    };
    for doc in catalog.documents() {
        if doc.origin != Origin::Local {
            continue;
        }
        for (reference, _) in refs(&doc.doc) {
            if let RefTarget::External = resolve_ref(catalog, &doc.doc, &reference.value) {
                let nsid = reference.value.split('#').next().unwrap_or_default();
                add(nsid, reference.span);
            }
        }
        let Some(set) = lint_set(doc) else { continue };
        for granted in set.granted {
            let field = match &granted.scope {
                Scope::Repo(_) => "collection",
                Scope::Rpc(_) => "lxm",
                _ => continue,
            };
            let entry = &set.entries[granted.entry_index];
            let Some(items) = entry.member(field).and_then(|m| m.value.as_array()) else {
                continue;
            };
            for item in items {
                if let Some(nsid) = item.as_str() {
                    add(nsid, item.span);
                }
            }
        }
    }
    found
}

/// The warning for one place naming `error`'s NSID.
pub fn diagnostic(span: Span, error: &ResolveError) -> Diagnostic {
    let help = match error {
        ResolveError::NotFound { .. } => {
            "publish the lexicon under its authority, or fix the NSID if it is a typo"
        }
        ResolveError::IdMismatch { .. } => {
            "the authority's record declares another id; it must be republished correctly"
        }
        _ => "check the network and the authority's `_lexicon` record, or lint the target lexicon in the same run",
    };
    Diagnostic::new(&META, span, format!("not checked: {error}")).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, set};
    use lexperm_parser::diagnostics::FileId;

    #[test]
    fn lists_external_refs_and_ungranted_targets_once_in_order() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "org.other.defs#view"},
                "y": {"type": "union", "refs": ["org.other.defs#other", "#local", "com.example.b"]}}},
              "local": {"type": "object", "properties": {}}"##,
        );
        let b = doc("com.example.b", r#""main": {"type": "token"}"#);
        let auth = set(
            "com.example.authTest",
            &[
                r#""resource": "repo", "collection": ["com.example.post", "com.example.b"]"#,
                r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#,
                r#""resource": "repo", "collection": ["org.elsewhere.post"]"#,
            ],
        );
        let (catalog, _) = Catalog::load([
            (FileId(0), "a.json", a.as_str()),
            (FileId(1), "b.json", b.as_str()),
            (FileId(2), "auth.json", auth.as_str()),
        ]);
        let found = targets(&catalog);
        let nsids: Vec<&str> = found.iter().map(|t| t.nsid.as_str()).collect();
        // The out-of-namespace entry is dropped by the expansion: it grants nothing.
        assert_eq!(
            nsids,
            ["org.other.defs", "com.example.post", "com.example.getPost"]
        );
        assert_eq!(found[0].sites.len(), 2);
        assert!(found.iter().all(|t| t.sites.iter().all(|s| s.file.0 <= 2)));
    }

    #[test]
    fn the_warning_carries_the_reason() {
        let error = ResolveError::Source {
            nsid: "org.other.defs".into(),
            message: "DNS lookup of _lexicon.other.org failed".into(),
        };
        let d = diagnostic(Span::new(FileId(0), 1, 5), &error);
        assert_eq!(d.code, "L207");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("DNS lookup"), "{}", d.message);
    }
}
