//! [`normalize_into`]: validation and canonical formatting of one scope string straight from the
//! borrowed input, without building a [`Scope`] or an error message. It decides exactly like
//! [`Scope::parse`] and writes exactly [`Scope::write_canonical`]; the tests below and the
//! conformance run check that.

use std::borrow::Cow;
use std::fmt;

use smallvec::SmallVec;

use super::canonical::{self, Values, REPO_ACTIONS};
use super::params::{self, ResourceSpec};
use super::tokenize::{form_decode, query_start, try_decode_uri_component};
use super::{Resource, Scope, ScopeError, ScopeErrorKind, StaticScope};

/// A scope string that [`normalize_into`] rejected. Creating one costs nothing: the full
/// [`ScopeError`] (message, hint, location) is built only by [`ScopeRejection::error`] or
/// `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRejection<'a> {
    input: &'a str,
}

impl<'a> ScopeRejection<'a> {
    /// The rejected scope string.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The error [`Scope::parse`] reports for the input.
    pub fn error(&self) -> ScopeError {
        match Scope::parse(self.input) {
            Err(e) => e,
            // The two paths are tested to agree; if they ever do not, say so instead of
            // panicking.
            Ok(_) => ScopeError::new(
                ScopeErrorKind::InvalidValue,
                0..self.input.len(),
                "rejected by the fast normalizer but accepted by `Scope::parse` (a lexperm bug)",
            ),
        }
    }
}

impl fmt::Display for ScopeRejection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error(), f)
    }
}

impl std::error::Error for ScopeRejection<'_> {}

/// Appends the canonical form of the scope value `input` to `out` (what
/// `Scope::parse(input)?.to_string()` gives), or rejects it and leaves `out` as it was.
///
/// This is the fast path for normalizing many strings: reuse one buffer, and nothing is
/// allocated for inputs without `%`, `+` or upper-case accept types and with up to eight values
/// per parameter.
///
/// ```
/// use lexperm_parser::scope::normalize_into;
///
/// let mut out = String::new();
/// normalize_into("rpc?lxm=com.example.b&lxm=com.example.a&aud=*", &mut out).unwrap();
/// assert_eq!(out, "rpc?lxm=com.example.a&lxm=com.example.b&aud=*");
/// let err = normalize_into("repo:com.example.*", &mut out).unwrap_err();
/// assert_eq!(err.error().kind.name(), "partial-wildcard");
/// ```
pub fn normalize_into<'a>(input: &'a str, out: &mut String) -> Result<(), ScopeRejection<'a>> {
    let mark = out.len();
    if write_if_valid(input, out) {
        Ok(())
    } else {
        out.truncate(mark);
        Err(ScopeRejection { input })
    }
}

/// Bytes the query scan stops at: `&`, `=`, `%` and `+`.
static QUERY_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'=' as usize] = true;
    table[b'%' as usize] = true;
    table[b'+' as usize] = true;
    table
};

type Params<'a> = SmallVec<[(Cow<'a, str>, Cow<'a, str>); 6]>;

fn write_if_valid(input: &str, out: &mut String) -> bool {
    if let Some(s) = StaticScope::from_name(input) {
        out.push_str(s.as_str());
        return true;
    }
    let bytes = input.as_bytes();
    // Without `:` or `?` there is no value, and every resource needs one.
    let Some(prefix_end) = bytes.iter().position(|&b| b == b':' || b == b'?') else {
        return false;
    };
    let resource = match &input[..prefix_end] {
        "repo" => Resource::Repo,
        "rpc" => Resource::Rpc,
        "blob" => Resource::Blob,
        "account" => Resource::Account,
        "identity" => Resource::Identity,
        "include" => Resource::Include,
        _ => return false,
    };
    // One pass over the rest: the positional part runs to the first `?`; the query is split on
    // `&` and each segment at its first `=`. Only text holding `%` or `+` is decoded.
    let len = bytes.len();
    let mut i = prefix_end;
    let positional = if bytes[i] == b':' {
        let start = i + 1;
        let mut escaped = false;
        i = start;
        while i < len && bytes[i] != b'?' {
            escaped |= bytes[i] == b'%';
            i += 1;
        }
        let raw = &input[start..i];
        if escaped {
            match try_decode_uri_component(raw) {
                Some(v) => Some(v),
                None => return false,
            }
        } else {
            Some(Cow::Borrowed(raw))
        }
    } else {
        None
    };
    let mut params: Params<'_> = SmallVec::new();
    if i < len.saturating_sub(1) {
        // `i` is the first `?`; `new URLSearchParams` drops one more leading `?`.
        let mut start = query_start(input, i);
        let mut eq = usize::MAX;
        let mut name_special = false;
        let mut value_special = false;
        let mut j = start;
        while j <= len {
            // Skip the bytes that need no attention.
            while j < len && !QUERY_SPECIAL[bytes[j] as usize] {
                j += 1;
            }
            let b = if j < len { bytes[j] } else { b'&' };
            match b {
                b'&' => {
                    if j > start {
                        let (name, value) = if eq == usize::MAX {
                            (&input[start..j], "")
                        } else {
                            (&input[start..eq], &input[eq + 1..j])
                        };
                        let name = if name_special {
                            form_decode(name)
                        } else {
                            Cow::Borrowed(name)
                        };
                        let value = if value_special {
                            form_decode(value)
                        } else {
                            Cow::Borrowed(value)
                        };
                        params.push((name, value));
                    }
                    start = j + 1;
                    eq = usize::MAX;
                    name_special = false;
                    value_special = false;
                }
                b'=' if eq == usize::MAX => eq = j,
                b'%' | b'+' => {
                    if eq == usize::MAX {
                        name_special = true;
                    } else {
                        value_special = true;
                    }
                }
                _ => {}
            }
            j += 1;
        }
    }
    let Some(spec) = params::spec_for(resource) else {
        return false;
    };
    let positional = positional.as_deref();
    let Some(slots) = validate(spec, positional, &params) else {
        return false;
    };
    let [first, second] = slots;
    match resource {
        Resource::Repo => {
            let mut collections = first;
            let mut actions = 0u8;
            for a in &second {
                if let Some(bit) = REPO_ACTIONS.iter().position(|x| x == a) {
                    actions |= 1 << bit;
                }
            }
            if second.is_empty() {
                actions = 7;
            }
            canonical::write_repo(out, &mut collections, actions);
        }
        Resource::Rpc => {
            let mut lxms = first;
            let Some(&aud) = second.first() else {
                return false;
            };
            if aud == "*" && lxms.contains(&"*") {
                return false;
            }
            canonical::write_rpc(out, &mut lxms, aud);
        }
        Resource::Blob => canonical::write_blob(out, &first, false),
        Resource::Account => {
            let Some(&attr) = first.first() else {
                return false;
            };
            canonical::write_account(out, attr, &second);
        }
        Resource::Identity => {
            let Some(&attr) = first.first() else {
                return false;
            };
            canonical::write_identity(out, attr);
        }
        Resource::Include => {
            let Some(&nsid) = first.first() else {
                return false;
            };
            canonical::write_include(out, nsid, second.first().copied());
        }
    }
    true
}

/// The reference `Parser.parse` as a yes/no question: the values of each parameter of `spec` (in
/// table order, at most two parameters), or `None` when the string is not valid.
fn validate<'v>(
    spec: &ResourceSpec,
    positional: Option<&'v str>,
    params: &'v [(Cow<'_, str>, Cow<'_, str>)],
) -> Option<[Values<'v>; 2]> {
    for (name, _) in params {
        if !spec.params.iter().any(|p| p.name == name) {
            return None;
        }
    }
    let mut slots: [Values<'v>; 2] = Default::default();
    if spec.params.len() > slots.len() {
        return None;
    }
    for (param, slot) in spec.params.iter().zip(slots.iter_mut()) {
        for (name, value) in params {
            if name == param.name {
                if !param.multiple && !slot.is_empty() {
                    return None;
                }
                if !(param.validate)(value) {
                    return None;
                }
                slot.push(value.as_ref());
            }
        }
        let is_positional = param.name == spec.positional;
        if !slot.is_empty() {
            if is_positional && positional.is_some() {
                return None;
            }
        } else if let (true, Some(value)) = (is_positional, positional) {
            if !(param.validate)(value) {
                return None;
            }
            slot.push(value);
        } else if param.required {
            return None;
        }
    }
    Some(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(input: &str) -> (Option<String>, Option<String>) {
        let slow = Scope::parse(input).ok().map(|s| s.to_string());
        let mut out = String::from("prefix ");
        let fast = normalize_into(input, &mut out)
            .ok()
            .map(|()| out["prefix ".len()..].to_owned());
        if fast.is_none() {
            assert_eq!(out, "prefix ", "{input}: buffer restored");
        }
        (slow, fast)
    }

    #[test]
    fn agrees_with_parse_on_the_fixture_inputs() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/scope");
        let mut n = 0;
        for file in ["parse.txt", "normalize.txt", "differential.txt"] {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("fixture");
            for line in text.lines() {
                if line.starts_with('#') {
                    continue;
                }
                // Every tab-separated field is a scope string worth trying.
                for field in line.split('\t') {
                    let (slow, fast) = both(field);
                    assert_eq!(slow, fast, "{field:?}");
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n}");
    }

    #[test]
    fn agrees_with_parse_on_edge_cases() {
        for input in [
            "",
            "repo",
            "repo:",
            "repo?",
            "repo:?",
            "repo:*??action=create&action=update&action=delete",
            "account??attr=email",
            "account:email??",
            "blob?accept=image/png&accept=image/png",
            "blob?accept=IMAGE/PNG&accept=image/*",
            "blob?accept=*/*&accept=x",
            "rpc:*?aud=*",
            "rpc?lxm=*&lxm=a.b.c&aud=did:web:x.com%23s",
            "rpc:a.b.c?aud=did:web:x.com%23s&aud=*",
            "include:a.b.c?aud=*",
            "include:a.b.c?aud=did:plc:abcdefghijklmnopqrstuvwx%23s",
            "identity:*",
            "identity?attr=handle&attr=handle",
            "account:email?action=manage&action=read&action=manage",
            "account:email?action=read&action=read",
            "repo:%zz",
            "repo:%E2%82",
            "repo:a.b.c?collection=a.b.c",
            "repo?collection=a.b.c&collection=a.b.c&action=create&action=create",
            "blob:t%25/x",
            "blob?accept=a/b%2Bc",
            "atproto",
            "atproto:x",
            "transition:foo",
            "REPO:a.b.c",
        ] {
            let (slow, fast) = both(input);
            assert_eq!(slow, fast, "{input:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Random strings over the scope alphabet, behind each resource prefix.
        #[test]
        fn agrees_with_parse_on_random_strings(
            prefix in "(repo|rpc|blob|account|identity|include|atproto|transition)[:?]?",
            body in "([a-zA-Z0-9.*/:?&=%+#@ -]|%2[0-9A-F]|collection=|action=|lxm=|aud=|accept=|attr=|nsid=|com.example.foo|did:web:x.com%23s|did:plc:abcdefghijklmnopqrstuvwx#s|image/png|create|manage|email){0,8}",
        ) {
            let input = format!("{prefix}{body}");
            let (slow, fast) = both(&input);
            proptest::prop_assert_eq!(slow, fast, "{:?}", input);
        }
    }

    #[test]
    fn rejection_reports_the_parse_error() {
        let mut out = String::new();
        let err = normalize_into("repo:com.example.*", &mut out).unwrap_err();
        assert_eq!(err.input(), "repo:com.example.*");
        assert_eq!(err.error(), Scope::parse("repo:com.example.*").unwrap_err());
        assert_eq!(
            err.to_string(),
            Scope::parse("repo:com.example.*").unwrap_err().to_string()
        );
    }
}
