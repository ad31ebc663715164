//! What the permission security diff rules (`B201`–`B205`) share: how a changed grant becomes a
//! finding, the help texts, and [`acknowledge_widening`].
//!
//! A permission set is re-resolved by the authorization server every time a token is refreshed,
//! and a `space:` grant that names no collection is issued with its type's declared
//! `collections`; so what a set (or a declaration) grants after a change reaches every token
//! already issued, at its next refresh, without the user consenting again. The comparison itself
//! (expansions, single requests, [`ScopeSet`](lexperm_parser::scope::ScopeSet) matching) is
//! [`lexperm_resolver::grants`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::limits::MAX_GRANT_COMPARISON_WORK;
use lexperm_resolver::grants::{GrantChange, SpaceChange, SAMPLE_AUD};

use super::support::{list, opening};
use super::{b201_permission_set_widened, b203_space_collections_widened};

/// The rules whose findings [`acknowledge_widening`] turns into information.
pub fn widening_rules() -> [&'static RuleMeta; 2] {
    [
        &b201_permission_set_widened::META,
        &b203_space_collections_widened::META,
    ]
}

/// Marks every widening finding (`B201`, `B203`) of an NSID in `acknowledged` as acknowledged:
/// information instead of its level, the message saying so. Returns how many were.
pub fn acknowledge_widening<S: AsRef<str>>(
    findings: &mut [Diagnostic],
    acknowledged: &[S],
) -> usize {
    let mut count = 0;
    for finding in findings {
        let is_widening = widening_rules()
            .iter()
            .any(|rule| rule.code == finding.code);
        let Some(nsid) = finding.nsid.as_deref() else {
            continue;
        };
        if !is_widening || !acknowledged.iter().any(|a| a.as_ref() == nsid) {
            continue;
        }
        finding.severity = Severity::Info;
        finding.message = format!("acknowledged widening: {}", finding.message);
        finding.help = Some(format!(
            "acknowledged for `{nsid}` (`--acknowledge-widening` or `[breaking] \
             acknowledge-widening` in lexperm.toml): tokens pick this up at their next refresh \
             without asking the user again, so announce what it now grants"
        ));
        count += 1;
    }
    count
}

/// The NSIDs of `acknowledged` that no widening finding of `findings` names: an acknowledgement
/// left in place after its change has merged would let the set's next widening through as
/// information, so the CLI warns about each.
pub fn unused_acknowledgements<'a, S: AsRef<str>>(
    findings: impl IntoIterator<Item = &'a Diagnostic>,
    acknowledged: &'a [S],
) -> Vec<&'a str> {
    let widening = widening_rules();
    let widened: std::collections::HashSet<&str> = findings
        .into_iter()
        .filter(|finding| widening.iter().any(|rule| rule.code == finding.code))
        .filter_map(|finding| finding.nsid.as_deref())
        .collect();
    acknowledged
        .iter()
        .map(AsRef::as_ref)
        .filter(|nsid| !widened.contains(nsid))
        .collect()
}

/// How to acknowledge a widening of `nsid`.
pub fn acknowledge_how(nsid: &str) -> String {
    format!(
        "If it is intended, acknowledge it with `--acknowledge-widening {nsid}` (or \
         `acknowledge-widening = [\"{nsid}\"]` under `[breaking]` in lexperm.toml) and announce it"
    )
}

/// `` `a`, `b` `` of scope strings, `nothing` when empty.
pub fn scopes(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".to_owned()
    } else {
        list(items)
    }
}

/// `` `repo` permission #2 ``: the resource and 1-based position of entry `index` of the set
/// `doc`'s version.
fn permission_name(doc: &lexperm_resolver::CatalogDoc, index: usize) -> String {
    let resource = doc
        .permission_set()
        .and_then(|set| set.permissions.as_ref())
        .and_then(|p| p.value.get(index))
        .and_then(|entry| entry.resource.as_ref())
        .map_or("a", |r| r.value.as_str());
    format!("`{resource}` permission #{}", index + 1)
}

/// What to add to a message about `change`: the audience note.
fn audience_note(change: &GrantChange<'_>) -> String {
    if change.with_audience {
        format!(
            " (counting `inheritAud` permissions, as for `include:{}?aud={SAMPLE_AUD}`)",
            change.nsid()
        )
    } else {
        String::new()
    }
}

/// The help sentence for a comparison cut short, when it was.
fn cut_short_note(change: &GrantChange<'_>) -> String {
    if change.cut_short {
        format!(
            "; the set is too large to compare fully by meaning (more than {MAX_GRANT_COMPARISON_WORK} \
             scope values examined): requests the other version lacks verbatim are listed without \
             checking its wildcards"
        )
    } else {
        String::new()
    }
}

/// The label on the before side of `change`: what the before entry granted, or that there was
/// none.
fn before_label(change: &GrantChange<'_>) -> (Span, String) {
    match change.before_entry {
        Some(_) => (
            change.before_span,
            format!("granted {}", scopes(&change.before_scopes)),
        ),
        None => (
            opening(change.before_span),
            "no such permission before".to_owned(),
        ),
    }
}

/// The finding of `rule` for a changed permission that gains something (`B201`): at the after
/// entry, labelled with the before entry.
pub fn widened(rule: &RuleMeta, change: &GrantChange<'_>) -> Diagnostic {
    let nsid = change.nsid();
    let name = change.after_entry.map_or_else(
        || "a permission".to_owned(),
        |j| permission_name(change.doc.after, j),
    );
    let (label_span, label) = before_label(change);
    let (message, lost_note) = if change.lost.is_empty() {
        (
            format!(
                "permission set `{nsid}` grants more: {name} gains {}{}",
                scopes(&change.gained),
                audience_note(change)
            ),
            String::new(),
        )
    } else {
        (
            format!(
                "permission set `{nsid}` changed what it grants: {name} gains {} and loses {}{}",
                scopes(&change.gained),
                scopes(&change.lost),
                audience_note(change)
            ),
            "; apps lose what it no longer grants at their users' next token refresh".to_owned(),
        )
    };
    Diagnostic::new(rule, change.after_span, message)
        .with_label(label_span, label)
        .with_nsid(nsid)
        .with_help(format!(
            "every token issued with `include:{nsid}` gets this at its next refresh, without the \
             user consenting again{lost_note}. {}; otherwise keep `{nsid}` as it was and publish \
             the wider set under a new NSID that apps ask users for{}",
            acknowledge_how(nsid),
            cut_short_note(change)
        ))
}

/// The finding of `rule` for a changed permission that only loses something (`B202`): at the
/// after entry when there is one (labelled with the before entry), else at the before entry.
pub fn narrowed(rule: &RuleMeta, change: &GrantChange<'_>) -> Diagnostic {
    let nsid = change.nsid();
    let help = format!(
        "apps that use `include:{nsid}` lose this at their users' next token refresh (no new \
         consent is asked for); check that no app still needs it, or keep granting it{}",
        cut_short_note(change)
    );
    let diagnostic = match (change.after_entry, change.before_entry) {
        (Some(j), _) => {
            let (label_span, label) = before_label(change);
            Diagnostic::new(
                rule,
                change.after_span,
                format!(
                    "permission set `{nsid}` grants less: {} loses {}{}",
                    permission_name(change.doc.after, j),
                    scopes(&change.lost),
                    audience_note(change)
                ),
            )
            .with_label(label_span, label)
        }
        (None, before) => {
            let name = before.map_or_else(
                || "a permission".to_owned(),
                |i| permission_name(change.doc.before, i),
            );
            Diagnostic::new(
                rule,
                change.before_span,
                format!(
                    "permission set `{nsid}` grants less: {name} is gone, and with it {}{}",
                    scopes(&change.lost),
                    audience_note(change)
                ),
            )
            .with_label(opening(change.after_span), "no such permission now")
        }
    };
    diagnostic.with_nsid(nsid).with_help(help)
}

/// Which permission sets of the after version have `space:` grants of the changed type that name
/// no collection, with what each gains (`gained`) or loses: "permission sets here that grant it
/// that way: `` `set` (`grant`: `scope`) ``, …", or that there are none.
pub fn bare_grants(change: &SpaceChange<'_>, gained: bool) -> String {
    let parts: Vec<String> = change
        .bare_grants
        .iter()
        .map(|grant| {
            let what = if gained { &grant.gained } else { &grant.lost };
            format!("`{}` (`{}`: {})", grant.set, grant.scope, scopes(what))
        })
        .collect();
    if parts.is_empty() {
        "no permission set here grants it that way".to_owned()
    } else {
        format!(
            "permission sets here that grant it that way: {}",
            parts.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    #[test]
    fn acknowledged_widenings_become_information() {
        let span = Span::new(FileId(0), 0, 1);
        let mut findings = vec![
            Diagnostic::new(&b201_permission_set_widened::META, span, "grants more")
                .with_nsid("com.example.authFull"),
            Diagnostic::new(&b201_permission_set_widened::META, span, "grants more")
                .with_nsid("com.example.authOther"),
            Diagnostic::new(
                &super::super::b202_permission_set_narrowed::META,
                span,
                "less",
            )
            .with_nsid("com.example.authFull"),
        ];
        assert_eq!(
            acknowledge_widening(&mut findings, &["com.example.authFull"]),
            1
        );
        assert_eq!(findings[0].severity, Severity::Info);
        assert!(findings[0].message.starts_with("acknowledged widening: "));
        assert_eq!(findings[1].severity, Severity::Error);
        assert_eq!(findings[2].severity, Severity::Warning);
    }
}
