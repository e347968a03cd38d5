//! Double entry across inputs (issue 13): a row equal to a row of another input in unit, date,
//! indicator, count, value and note is most likely one finding entered twice — the same problem
//! reported by two offices, or a file sent again under another name without ids. Each counts
//! (SPEC: a record is a finding) unless `--dedupe` keeps the first input's rows; either way the
//! rows are named, never silently counted twice nor silently dropped.
//!
//! The first reading takes a keyed 64-bit print of each valid row's fields; prints found in
//! more than one input make the rows that have them held back in the second reading (as rows
//! whose id repeats are), where their fields are compared exactly and settled in file order.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::error::Error;
use crate::fxhash::{FxBuild, FxMap};
use crate::i18n::{msg, ui};
use crate::input;
use crate::units::Units;

use super::assemble::Meta;
use super::check::Checked;
use super::columns::Col;
use super::ids::{Held, differences_in};
use super::record::Counts;

/// The columns a double entry is not compared by, whose differences are said.
const OTHER: [Col; 5] = [
    Col::Severity,
    Col::Source,
    Col::Deadline,
    Col::Rectified,
    Col::Status,
];

/// The rows kept, and the note on double entries.
type Settled = (Vec<(u32, Held)>, Option<String>);

/// What the reader does about double entry.
#[derive(Clone, Copy)]
pub(super) enum Twins<'a> {
    /// One input: nothing to compare with.
    Off,
    /// The first reading: every valid row's print is taken.
    Collect(&'a FxBuild),
    /// The second reading: rows with one of these prints are held back.
    Hold(&'a FxBuild, &'a Prints),
}

/// The prints found in more than one input.
pub(super) type Prints = std::collections::HashSet<u64, FxBuild>;

/// A valid row's unit, as the print takes it: its roster number, or (without a roster) its
/// cell as written, trimmed.
pub(super) enum UnitKey<'u> {
    Roster(u32),
    Text(&'u [u8]),
}

/// The print of a valid row: its unit, date, indicator, count, value and note (trimmed).
pub(super) fn print(seed: &FxBuild, c: &Checked, unit: UnitKey, note: &[u8]) -> u64 {
    let mut h = seed.build_hasher();
    match unit {
        UnitKey::Roster(u) => (0u8, u).hash(&mut h),
        UnitKey::Text(t) => (1u8, t).hash(&mut h),
    }
    (c.date, c.indicator, c.count, c.value.map(|v| v.normalize())).hash(&mut h);
    trimmed(note).hash(&mut h);
    h.finish()
}

/// A note's bytes without the blanks around it (as [`input::trim_cell`] trims text).
pub(super) fn trimmed(b: &[u8]) -> &[u8] {
    match std::str::from_utf8(b) {
        Ok(s) => input::trim_cell(s).as_bytes(),
        Err(_) => b.trim_ascii(),
    }
}

/// The prints that rows of more than one input have, from each input's prints (`None`: none).
pub(super) fn shared(seed: &FxBuild, inputs: Vec<Vec<u64>>) -> Option<Prints> {
    let mut first: FxMap<u64, usize> = FxMap::with_hasher(seed.clone());
    let mut shared = Prints::with_hasher(seed.clone());
    for (k, mut prints) in inputs.into_iter().enumerate() {
        prints.sort_unstable();
        prints.dedup();
        for p in prints {
            if *first.entry(p).or_insert(k) != k {
                shared.insert(p);
            }
        }
    }
    (!shared.is_empty()).then_some(shared)
}

/// A held row's fields as compared: unit, date, indicator, count, value, note.
#[derive(PartialEq, Eq, Hash)]
struct Fields<'h> {
    unit: Result<usize, &'h str>,
    date: Date,
    indicator: usize,
    count: u64,
    value: Option<Decimal>,
    note: &'h str,
}

/// What settling the rows held back for their prints needs: the inputs, how many of each
/// one's valid rows were not held, the roster, and whether `--dedupe` was given.
pub(super) struct Settle<'a> {
    pub(super) files: &'a [Meta],
    /// Each input's valid rows that were not held back (they have no equal elsewhere).
    pub(super) free: &'a [u64],
    pub(super) roster: Option<&'a Units>,
    pub(super) dedupe: bool,
}

/// Below this many records an input whose every record is also elsewhere is not taken for a
/// copy (one finding two offices both reported): its rows are named in the note instead.
const COPY_AT_LEAST: u64 = 3;

impl Settle<'_> {
    /// Settles the held rows. An input of three or more records each of which is also in
    /// another input (a copy under another name or format, a sheet copied) is an error unless
    /// `--dedupe` is given: read with the other, it would count every finding twice. With
    /// `--dedupe`, equal rows that differ in what is not compared (a rectified date added, a
    /// source another office judged otherwise) are an error: which is right is for the office to
    /// say, not the order of the inputs.
    pub(super) fn settle(
        &self,
        claims: Vec<(u32, Held)>,
        counts: &mut Counts,
    ) -> Result<Settled, Error> {
        let twins = equal_sets(self.files, &claims, self.roster);
        if twins.is_empty() {
            return Ok((claims, None));
        }
        let other = other_content(self.files, &claims, &twins);
        let name = |f: u32| self.files[f as usize].name.clone();
        if !self.dedupe
            && let Some((copy, partners)) = self.copy(&claims, &twins)
        {
            let differing = claims
                .iter()
                .zip(&other)
                .filter(|((f, _), d)| *f == copy && !d.is_empty())
                .count();
            let partners: Vec<String> = partners.into_iter().map(name).collect();
            return Err(Error::Invalid(msg::input_repeats_rows(
                ui(),
                &name(copy),
                &msg::list(ui(), &partners),
                differing,
            )));
        }
        if self.dedupe {
            let conflicts: Vec<String> = twins
                .iter()
                .filter(|rows| rows.iter().any(|&k| !other[k].is_empty()))
                .map(|rows| describe(self.files, &claims, rows, &other, &[]))
                .collect();
            if !conflicts.is_empty() {
                return Err(Error::Invalid(msg::double_entries_differ(
                    ui(),
                    conflicts.len(),
                    &shown(conflicts),
                )));
            }
        }
        Ok(settle(
            self.files,
            claims,
            &twins,
            &other,
            self.dedupe,
            counts,
        ))
    }

    /// The last input of at least [`COPY_AT_LEAST`] records all of whose valid rows are in
    /// sets of equal rows, with the inputs that share them.
    fn copy(&self, claims: &[(u32, Held)], twins: &[Vec<usize>]) -> Option<(u32, Vec<u32>)> {
        let n = self.files.len();
        let (mut held, mut twinned) = (vec![0u64; n], vec![0u64; n]);
        let mut partners = vec![std::collections::BTreeSet::new(); n];
        for (f, _) in claims {
            held[*f as usize] += 1;
        }
        for rows in twins {
            for &k in rows {
                let f = claims[k].0;
                twinned[f as usize] += 1;
                let others = rows.iter().map(|&j| claims[j].0).filter(|&g| g != f);
                partners[f as usize].extend(others);
            }
        }
        (0..n).rev().find_map(|f| {
            let whole = self.free[f] == 0 && held[f] >= COPY_AT_LEAST && twinned[f] == held[f];
            whole.then(|| (f as u32, partners[f].iter().copied().collect()))
        })
    }
}

/// How each held row differs from the first row of its set in what is not compared (a
/// severity, a source, a deadline, a rectification, a status), as `column "here" / "there"`;
/// empty for a first row, a row in no set, or one that differs in nothing.
fn other_content(files: &[Meta], claims: &[(u32, Held)], twins: &[Vec<usize>]) -> Vec<Vec<String>> {
    let mut other = vec![Vec::new(); claims.len()];
    for rows in twins {
        let (first, one) = &claims[rows[0]];
        let there = &files[*first as usize];
        for &k in &rows[1..] {
            let (f, h) = &claims[k];
            other[k] = differences_in(OTHER, (&files[*f as usize], &h.cells), (there, &one.cells));
        }
    }
    other
}

/// A set of equal rows as said: its unit, date and indicator, where its rows are (each with
/// how it differs from the first), and those left out.
fn describe(
    files: &[Meta],
    claims: &[(u32, Held)],
    rows: &[usize],
    other: &[Vec<String>],
    dropped: &[usize],
) -> String {
    let place = |k: usize| {
        let (f, h) = &claims[k];
        let at = format!("{}:{}", files[*f as usize].name, h.line);
        match other[k].is_empty() {
            true => at,
            false => msg::differing(ui(), &at, &msg::list(ui(), &other[k])),
        }
    };
    let (f, h) = &claims[rows[0]];
    let meta = &files[*f as usize];
    let what = format!(
        "{} {} {}",
        meta.cell(&h.cells, Col::Unit),
        h.checked.date,
        meta.cell(&h.cells, Col::Indicator)
    );
    let kept: Vec<String> = rows
        .iter()
        .filter(|k| !dropped.contains(k))
        .map(|&k| place(k))
        .collect();
    let left: Vec<String> = dropped.iter().map(|&k| place(k)).collect();
    msg::double_entry(ui(), &what, &kept, &left)
}

/// The first twenty items, and how many more, joined.
fn shown(said: Vec<String>) -> String {
    msg::at_most(ui(), said, 20).join(&msg::separator(ui()))
}

fn settle(
    files: &[Meta],
    claims: Vec<(u32, Held)>,
    twins: &[Vec<usize>],
    other: &[Vec<String>],
    dedupe: bool,
    counts: &mut Counts,
) -> Settled {
    let mut left_out = vec![false; claims.len()];
    let mut said = Vec::new();
    for rows in twins {
        let first_file = claims[rows[0]].0;
        let dropped: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&k| dedupe && claims[k].0 != first_file)
            .collect();
        for &k in &dropped {
            left_out[k] = true;
        }
        said.push(describe(files, &claims, rows, other, &dropped));
    }
    counts.doubles += left_out.iter().filter(|&&d| d).count() as u64;
    let kept = claims
        .into_iter()
        .zip(left_out)
        .filter(|(_, d)| !d)
        .map(|(c, _)| c)
        .collect();
    let note = msg::double_entries(ui(), twins.len(), dedupe, &shown(said));
    (kept, Some(note))
}

/// The sets of rows equal in every compared field, each with rows of more than one input, in
/// file order (by their first row).
fn equal_sets<'h>(
    files: &'h [Meta],
    claims: &'h [(u32, Held)],
    roster: Option<&Units>,
) -> Vec<Vec<usize>> {
    let fields = |f: u32, h: &'h Held| -> Fields<'h> {
        let meta = &files[f as usize];
        let unit = meta.cell(&h.cells, Col::Unit);
        Fields {
            unit: roster.and_then(|r| r.find(unit)).ok_or(unit),
            date: h.checked.date,
            indicator: h.checked.indicator,
            count: h.checked.count,
            value: h.checked.value.map(|v| v.normalize()),
            note: meta.cell(&h.cells, Col::Note),
        }
    };
    // Each set of equal rows, in file order (claims are in file order).
    let mut groups: HashMap<Fields, Vec<usize>> = HashMap::new();
    for (k, (f, h)) in claims.iter().enumerate() {
        groups.entry(fields(*f, h)).or_default().push(k);
    }
    let mut twins: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|rows| rows.iter().any(|&k| claims[k].0 != claims[rows[0]].0))
        .collect();
    twins.sort_unstable();
    twins
}
