//! Did-you-mean suggestions: the one place that decides which known names are close to a
//! mistyped one.
//!
//! Names are compared without case, `-` and `_` (`date-time` and `datetime` are the same name
//! written differently), by Damerau-Levenshtein distance (an adjacent swap is one edit). A
//! candidate is close when at most about a third of the wanted name differs; at most a few
//! candidates are ever returned, best first.
//!
//! ```
//! use lexperm_parser::suggest;
//!
//! let defs = ["main", "status", "view", "viewBasic"];
//! assert_eq!(suggest::closest("statsu", defs, 3), ["status"]);
//! assert_eq!(suggest::closest("date-time", ["datetime", "did"], 3), ["datetime"]);
//! assert!(suggest::closest("zzzzzz", defs, 3).is_empty());
//! assert_eq!(suggest::did_you_mean(&["status"]).unwrap(), "did you mean `status`?");
//! ```

/// `name` lower-cased, without `-` and `_`.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The distance between `a` and `b`: 0 when they differ only in case, `-` and `_`, else the
/// Damerau-Levenshtein distance of the normalized forms.
pub fn distance(a: &str, b: &str) -> usize {
    let (na, nb) = (normalized(a), normalized(b));
    if na == nb {
        return 0;
    }
    strsim::damerau_levenshtein(&na, &nb)
}

/// The largest [`distance`] at which a candidate still counts as close to `wanted`: about a
/// third of its length, at least 1 and at most 4.
pub fn threshold(wanted: &str) -> usize {
    let length = normalized(wanted).chars().count();
    ((length + 1) / 3).clamp(1, 4)
}

/// The candidates close to `wanted` ([`threshold`]), best first (nearest length, then
/// alphabetically, on a tie), at most
/// `limit`, without repeats. `wanted` itself is never suggested.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let limit_distance = threshold(wanted);
    let length = wanted.chars().count();
    // By distance, then by how much the length differs (a swap beats a dropped letter).
    let mut scored: Vec<(usize, usize, &'a str)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .map(|c| (distance(wanted, c), c.chars().count().abs_diff(length), c))
        .filter(|(d, _, _)| *d <= limit_distance)
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.2 == b.2);
    // The same name written differently (`date-time`) leaves no doubt: nothing else is offered.
    if scored.first().is_some_and(|best| best.0 == 0) {
        scored.retain(|s| s.0 == 0);
    }
    scored.into_iter().take(limit).map(|(_, _, c)| c).collect()
}

/// `did you mean `a`?`, `did you mean `a` or `b`?`, `did you mean `a`, `b` or `c`?`; `None`
/// for no names.
pub fn did_you_mean(names: &[&str]) -> Option<String> {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let list = match quoted.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    Some(format!("did you mean {list}?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_case_and_separators_are_cheap() {
        assert_eq!(distance("post", "psot"), 1);
        assert_eq!(distance("getPost", "getPots"), 1);
        assert_eq!(distance("date-time", "datetime"), 0);
        assert_eq!(distance("Record_Key", "record-key"), 0);
        assert_eq!(distance("like", "post"), 4);
    }

    #[test]
    fn only_close_candidates_are_returned_best_first() {
        let names = ["status", "stats", "state", "main", "statusView"];
        assert_eq!(closest("statsu", names, 3), ["status", "stats", "state"]);
        assert_eq!(closest("statsu", names, 1), ["status"]);
        assert!(closest("profile", names, 3).is_empty());
        // Short names allow one edit only.
        assert_eq!(closest("cdi", ["cid", "did", "uri"], 3), ["cid"]);
        assert!(closest("ab", ["xy"], 3).is_empty());
        // A spelling of the same name wins alone.
        assert_eq!(closest("atUri", ["uri", "at-uri"], 3), ["at-uri"]);
        // The name itself and repeats are not suggestions.
        assert_eq!(closest("post", ["post", "posts", "posts"], 3), ["posts"]);
    }

    #[test]
    fn did_you_mean_lists_names() {
        assert_eq!(did_you_mean(&[]), None);
        assert_eq!(
            did_you_mean(&["a", "b"]).unwrap(),
            "did you mean `a` or `b`?"
        );
        assert_eq!(
            did_you_mean(&["a", "b", "c"]).unwrap(),
            "did you mean `a`, `b` or `c`?"
        );
    }
}
