//! Ids: which repeat (kept as runs, so that sequential ids cost almost nothing), and the rows
//! that share one settled in file order.

use crate::i18n::{msg, ui};

use super::assemble::Meta;
use super::check::Checked;
use super::columns::Col;
use super::record::{Counts, Rejected, RowError};

/// Ids seen, kept as runs of consecutive numbers per prefix and width (`R000000001` …
/// `R010000000` is one run), so that the usual sequential ids cost almost nothing; ids without a
/// number at the end are kept whole. Exact: a repeat shows as a number inside a run, or as two
/// runs that overlap.
#[derive(Default)]
pub(super) struct Ids {
    runs: Vec<(Vec<u8>, usize, u64, u64)>,
    open: Option<(Vec<u8>, usize, u64, u64)>,
    other: Vec<Vec<u8>>,
    /// The id that continues the open run (R…07 after R…06, R…20 after R…19), as
    /// [`words`](crate::fxhash::words), with its length and last digit; ids of up to 16 bytes.
    next: Option<((u64, u64), usize, u8)>,
    /// The same id as written (its first bytes, as many as its length).
    next_id: [u8; 16],
}

impl Ids {
    /// False when the id repeats one of the open run.
    #[inline]
    pub(super) fn insert(&mut self, id: &[u8]) -> bool {
        // The usual case first: the id expected next, compared as two words.
        if let Some((words, n, _)) = self.next
            && id.len() == n
            && crate::fxhash::words(id) == words
            && let Some((_, _, _, hi)) = &mut self.open
        {
            *hi += 1;
            self.advance();
            return true;
        }
        self.insert_other(id)
    }

    #[inline(never)]
    fn insert_other(&mut self, id: &[u8]) -> bool {
        let others = self.other.len();
        let inserted = self.insert_slowly(id);
        self.next = None;
        // Into the open run (as its last id): what comes next is known.
        if inserted
            && self.other.len() == others
            && let Some(&digit) = id.last()
            && id.len() <= 16
        {
            self.next = Some((crate::fxhash::words(id), id.len(), digit));
            self.next_id[..id.len()].copy_from_slice(id);
            self.advance();
        }
        inserted
    }

    /// The id expected next, from the one just taken (in `next`): its number one up in the
    /// same width (none after R…99, whose successor has another digit).
    #[inline]
    fn advance(&mut self) {
        let Some(((a, b), n, d)) = self.next else {
            return;
        };
        if d < b'9' {
            // The last digit one up: a change to one byte of the words.
            let (da, db) = crate::fxhash::last_byte_up(n);
            self.next = Some(((a + da, b + db), n, d + 1));
            self.next_id[n - 1] = d + 1;
        } else {
            self.carry(n);
        }
    }

    /// After a 9: nines become zeros and the digit before them goes one up.
    #[inline(never)]
    fn carry(&mut self, n: usize) {
        let id = &mut self.next_id[..n];
        for i in (0..n).rev() {
            match id[i] {
                b'9' if i > 0 && id[i - 1].is_ascii_digit() => id[i] = b'0',
                d @ b'0'..=b'8' => {
                    id[i] = d + 1;
                    self.next = Some((crate::fxhash::words(id), n, id[n - 1]));
                    return;
                }
                _ => break,
            }
        }
        self.next = None;
    }

    fn insert_slowly(&mut self, id: &[u8]) -> bool {
        let Some((prefix, digits, n)) = crate::fxhash::split_number(id, 18) else {
            self.other.push(id.to_vec());
            return true;
        };
        if let Some((p, w, lo, hi)) = &mut self.open
            && *w == digits
            && p.len() == prefix.len()
            && same(p, prefix)
        {
            if n == *hi + 1 {
                *hi = n;
                return true;
            }
            if (*lo..=*hi).contains(&n) {
                return false;
            }
        }
        if let Some(run) = self.open.take() {
            self.runs.push(run);
        }
        self.open = Some((prefix.to_vec(), digits, n, n));
        true
    }

    /// True when no id is in two sets, nor twice in one.
    #[cfg(test)]
    fn all_distinct(sets: Vec<Ids>) -> bool {
        Ids::repeats(sets, Vec::new(), &[]).is_none()
    }

    /// The ids more than one row has: valid rows' ids in two sets or twice in one (`twice`:
    /// those an [`Ids::insert`] refused), and the ids of rejected rows that a valid row has
    /// too. `None` when there are none (the usual case).
    pub(super) fn repeats(
        sets: Vec<Ids>,
        twice: Vec<Vec<u8>>,
        rejected: &[Vec<u8>],
    ) -> Option<IdSet> {
        let mut runs = Vec::new();
        let mut other = Vec::new();
        for mut s in sets {
            runs.append(&mut s.runs);
            runs.extend(s.open);
            other.append(&mut s.other);
        }
        runs.sort_unstable();
        // The union of the runs, and where two of them overlap.
        let mut union: Vec<Run> = Vec::new();
        let mut again = IdSet::default();
        for r in runs {
            match union.last_mut() {
                Some(u) if u.0 == r.0 && u.1 == r.1 && r.2 <= u.3 => {
                    again.runs.push((r.0.clone(), r.1, r.2, r.3.min(u.3)));
                    u.3 = u.3.max(r.3);
                }
                _ => union.push(r),
            }
        }
        other.sort_unstable();
        for w in other.windows(2) {
            if w[0] == w[1] {
                again.other.push(w[0].clone());
            }
        }
        other.dedup();
        let claimed = IdSet { runs: union, other };
        let refused = rejected.iter().filter(|id| claimed.contains(id)).cloned();
        for id in twice.into_iter().chain(refused) {
            again.add(id);
        }
        (!again.runs.is_empty() || !again.other.is_empty()).then(|| again.settled())
    }
}

/// A run of ids: prefix, width of the number, first and last number.
type Run = (Vec<u8>, usize, u64, u64);

/// A set of ids: runs of numbers sorted and apart, the other ids sorted.
#[derive(Default)]
pub(super) struct IdSet {
    runs: Vec<Run>,
    other: Vec<Vec<u8>>,
}

impl IdSet {
    fn add(&mut self, id: Vec<u8>) {
        match crate::fxhash::split_number(&id, 18) {
            Some((prefix, digits, n)) => self.runs.push((prefix.to_vec(), digits, n, n)),
            None => self.other.push(id),
        }
    }

    /// Runs sorted and joined where they meet, others sorted once each.
    fn settled(mut self) -> IdSet {
        self.runs.sort_unstable();
        let mut runs: Vec<Run> = Vec::new();
        for r in self.runs {
            match runs.last_mut() {
                Some(u) if u.0 == r.0 && u.1 == r.1 && r.2 <= u.3.saturating_add(1) => {
                    u.3 = u.3.max(r.3);
                }
                _ => runs.push(r),
            }
        }
        self.other.sort_unstable();
        self.other.dedup();
        IdSet {
            runs,
            other: self.other,
        }
    }

    pub(super) fn contains(&self, id: &[u8]) -> bool {
        let Some((prefix, digits, n)) = crate::fxhash::split_number(id, 18) else {
            return self
                .other
                .binary_search_by(|o| o.as_slice().cmp(id))
                .is_ok();
        };
        // The last run of this prefix and width that starts at or before n.
        let after = self
            .runs
            .partition_point(|(p, w, lo, _)| (p.as_slice(), *w, *lo) <= (prefix, digits, n));
        after > 0 && {
            let (p, w, _, hi) = &self.runs[after - 1];
            p.as_slice() == prefix && *w == digits && n <= *hi
        }
    }
}

/// Equal byte strings of equal length, short ones compared as words (not by a `memcmp` call).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() <= 16 {
        crate::fxhash::words(a) == crate::fxhash::words(b)
    } else {
        a == b
    }
}

/// A valid row whose id more than one row has: tallied if it is the first valid row with that
/// id, rejected if not.
pub(super) struct Held {
    pub(super) line: u64,
    pub(super) cells: Vec<String>,
    pub(super) checked: Checked,
}

/// Settles the rows whose id repeats, in file order: the first valid row with an id keeps it
/// (returned, to be tallied) and a later valid row with the same content is rejected; when the
/// later row's content differs (a corrected copy), both are rejected, each saying what differs.
/// A rejected row after the first is told of the repeat too.
pub(super) fn settle(
    files: &[Meta],
    held: Vec<(u32, Held)>,
    rejected: &mut Vec<(u32, Rejected)>,
    counts: &mut Counts,
) -> Vec<(u32, Held)> {
    enum Kind {
        Valid(Held),
        Invalid(usize),
    }
    if held.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<(u32, u64, Kind)> = held
        .into_iter()
        .map(|(f, h)| (f, h.line, Kind::Valid(h)))
        .collect();
    rows.extend(
        rejected
            .iter()
            .enumerate()
            .map(|(k, (f, r))| (*f, r.line, Kind::Invalid(k))),
    );
    rows.sort_by_key(|(f, line, _)| (*f, *line));
    // Each id's first valid row: where it is and its place among the claims.
    let mut first: std::collections::HashMap<String, (u32, u64, usize)> = Default::default();
    let mut claims: Vec<(u32, Held)> = Vec::new();
    // Claims given again with other content: rejected too, with why.
    let mut disowned: Vec<(usize, RowError)> = Vec::new();
    for (f, line, kind) in rows {
        let meta = &files[f as usize];
        let error = |message: String| RowError {
            file: meta.name.clone(),
            line,
            column: meta.columns.name(Col::Id),
            message,
        };
        match kind {
            Kind::Invalid(k) => {
                let r = &mut rejected[k].1;
                let id = meta.cell(&r.cells, Col::Id);
                if let Some(&(ff, fl, _)) = first.get(id).filter(|_| !id.is_empty()) {
                    let e = error(msg::id_repeats(ui(), id, &files[ff as usize].name, fl));
                    r.reasons.push(e);
                }
            }
            Kind::Valid(h) => {
                let id = meta.cell(&h.cells, Col::Id).to_owned();
                // A row without an id held for another reason (double entry) claims nothing.
                if id.is_empty() {
                    claims.push((f, h));
                    continue;
                }
                let Some(&(ff, fl, at)) = first.get(&id) else {
                    first.insert(id, (f, line, claims.len()));
                    claims.push((f, h));
                    continue;
                };
                let there = &files[ff as usize];
                let diffs = differences((meta, &h.cells), (there, &claims[at].1.cells));
                let message = match diffs.is_empty() {
                    true => msg::id_repeats(ui(), &id, &there.name, fl),
                    false => {
                        let theirs = differences((there, &claims[at].1.cells), (meta, &h.cells));
                        let m = msg::id_given_again(ui(), &id, &meta.name, line, &theirs);
                        disowned.push((
                            at,
                            RowError {
                                file: there.name.clone(),
                                line: fl,
                                column: there.columns.name(Col::Id),
                                message: m,
                            },
                        ));
                        msg::id_repeats_otherwise(ui(), &id, &there.name, fl, &diffs)
                    }
                };
                counts.rejected += 1;
                rejected.push((
                    f,
                    Rejected {
                        file: meta.name.clone(),
                        line,
                        cells: h.cells,
                        header: meta.header.clone(),
                        reasons: vec![error(message)],
                    },
                ));
            }
        }
    }
    if disowned.is_empty() {
        return claims;
    }
    // A first row whose id came again with other content is not kept either: which of the two
    // is right is for the office to say, not the order of the files.
    let mut why: Vec<Vec<RowError>> = (0..claims.len()).map(|_| Vec::new()).collect();
    for (at, e) in disowned {
        why[at].push(e);
    }
    let mut kept = Vec::new();
    for ((f, h), reasons) in claims.into_iter().zip(why) {
        if reasons.is_empty() {
            kept.push((f, h));
            continue;
        }
        let meta = &files[f as usize];
        counts.rejected += 1;
        rejected.push((
            f,
            Rejected {
                file: meta.name.clone(),
                line: h.line,
                cells: h.cells,
                header: meta.header.clone(),
                reasons,
            },
        ));
    }
    kept
}

/// The columns in which two rows with one id differ, as `column “here” / “there”`: the
/// record's content, not its id or inspector.
fn differences(here: (&Meta, &[String]), there: (&Meta, &[String])) -> Vec<String> {
    let content = super::columns::ALL_COLS
        .into_iter()
        .filter(|c| !matches!(c, Col::Id | Col::Inspector));
    differences_in(content, here, there)
}

/// The columns among `cols` in which two rows differ, as `column “here” / “there”`.
pub(super) fn differences_in(
    cols: impl IntoIterator<Item = Col>,
    here: (&Meta, &[String]),
    there: (&Meta, &[String]),
) -> Vec<String> {
    cols.into_iter()
        .filter_map(|c| {
            let (a, b) = (
                here.0.cell(here.1, c).trim(),
                there.0.cell(there.1, c).trim(),
            );
            (a != b).then(|| msg::cell_differs(ui(), &here.0.columns.name(c), a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Ids split between two readers are found distinct exactly when no id repeats: runs
        /// of consecutive numbers (the quick path), numbers passing a 9, ids of every length
        /// up to past sixteen bytes, and jumps back.
        #[test]
        fn ids_are_distinct_exactly_when_none_repeats(
            prefix in prop::sample::select(vec!["", "R", "R-2026-", "a-long-prefix-of-ids-"]),
            width in 1usize..12,
            steps in prop::collection::vec(
                prop_oneof![
                    4 => Just(1i64),
                    1 => Just(2i64),
                    1 => Just(0i64),
                    1 => Just(-1i64),
                    1 => -30i64..30,
                ],
                1..120,
            ),
            split in 0usize..120,
        ) {
            let mut n = 5i64;
            let mut all = Vec::new();
            for step in steps {
                n = (n + step).max(0);
                all.push(format!("{prefix}{n:0width$}"));
            }
            let (mut a, mut b) = (Ids::default(), Ids::default());
            let mut taken = true;
            for (k, id) in all.iter().enumerate() {
                let ids = if k < split { &mut a } else { &mut b };
                taken &= ids.insert(id.as_bytes());
            }
            let distinct = all.iter().collect::<std::collections::HashSet<_>>().len() == all.len();
            prop_assert_eq!(taken && Ids::all_distinct(vec![a, b]), distinct);
        }
    }

    #[test]
    fn ids_find_repeats_in_runs_and_outside_them() {
        let mut ids = Ids::default();
        for id in ["R001", "R002", "R003", "X", "R010", "Y"] {
            assert!(ids.insert(id.as_bytes()), "{id}");
        }
        assert!(!ids.insert(b"R010"), "a repeat within the open run");
        for id in ["R011", "R012", "R013"] {
            assert!(ids.insert(id.as_bytes()), "{id}");
        }
        assert!(!ids.insert(b"R012"), "a repeat after the quick path");
        // Past a 9 the next number is expected too: R…09 is followed by R…10, not R…11.
        let mut carried = Ids::default();
        for id in ["R08", "R09", "R11", "R10"] {
            assert!(carried.insert(id.as_bytes()), "{id}");
        }
        assert!(!carried.insert(b"R10"), "a repeat after a carry");
        let mut jumps = Ids::default();
        for id in ["R19", "R30", "R21", "R20"] {
            assert!(jumps.insert(id.as_bytes()), "{id}");
        }
        let mut wider = Ids::default();
        for id in ["R099", "R100", "R101"] {
            assert!(wider.insert(id.as_bytes()), "{id}");
        }
        assert!(
            !wider.insert(b"R100"),
            "a repeat after a carry over two digits"
        );
        assert!(wider.insert(b"R102"));
        assert!(Ids::all_distinct(vec![carried, wider, jumps]));
        // Nineteen digits are kept whole: their successor is no successor of the open run.
        let mut whole = Ids::default();
        assert!(whole.insert(b"A1"));
        assert!(whole.insert(b"1234567890123456781"));
        assert!(whole.insert(b"1234567890123456782"));
        assert!(whole.insert(b"A2"), "not taken for a repeat of A2");
        whole.insert(b"1234567890123456782");
        assert!(!Ids::all_distinct(vec![whole]), "a repeat kept whole");
        assert!(Ids::all_distinct(vec![ids]));
        let mut a = Ids::default();
        let mut b = Ids::default();
        for id in ["R001", "R002", "R003"] {
            a.insert(id.as_bytes());
        }
        b.insert(b"R003");
        assert!(!Ids::all_distinct(vec![a, b]), "runs that overlap");
        let (mut a, mut b) = (Ids::default(), Ids::default());
        a.insert(b"A-x");
        b.insert(b"A-x");
        assert!(!Ids::all_distinct(vec![a, b]), "ids without a number");
    }
}
