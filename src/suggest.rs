//! Did-you-mean suggestions for near-miss codes, names and keys.

/// Edit distance (Levenshtein) over characters, so that Chinese names count per character.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate, if it is close enough to be a plausible typo: case differences are
/// always close; otherwise at most one edit per three characters (and at least one).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            distance(&lower, &c.to_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean "X"?)` or nothing.
pub fn hint(suggestion: Option<&str>) -> String {
    crate::i18n::msg::hint(crate::i18n::ui(), suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("dedcut", "deduct"), 2);
        assert_eq!(distance("迎春社区", "迎春社"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn closest_picks_plausible_typos_only() {
        let keys = ["deduct", "overdue", "repeat", "on_spot"];
        assert_eq!(closest("dedcut", keys), Some("deduct"));
        assert_eq!(closest("onspot", keys), Some("on_spot"));
        assert_eq!(closest("xyz", keys), None);
        assert_eq!(closest("a1", ["A1", "B1"]), Some("A1"));
        assert_eq!(closest("A9", ["A1", "B9"]), Some("A1"));
    }
}
