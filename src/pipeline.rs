//! The one scoring pipeline every command calls: inputs → records (read once) → tallies →
//! scores → ranked tables. Commands differ only in what they keep from the reading and what
//! they assemble from the result; none of them repeats a step.

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::builtin;
use crate::cmd::{self, Inputs, Selection};
use crate::engine::{Engine, Need, Scores};
use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::period::{Half, Month, Period};
use crate::ranking::{self, Table, Tables};
use crate::read::Loaded;
use crate::read::Wanted;
use crate::rubric::Rubric;
use crate::tally::{Layout, Problem, Store};
use crate::units::Units;

/// What was read: the rubric, the units (roster order, or as the records name them), and the
/// records with their tallies.
pub struct Read {
    pub rubric: Rubric,
    pub units: Units,
    pub loaded: Loaded,
}

impl Read {
    /// Takes the tallies out for scoring, leaving the records and counts in place.
    pub fn take_store(&mut self) -> Store {
        std::mem::take(&mut self.loaded.store)
    }
}

/// Reads the inputs under the rubric they name: every record tallied, those `keep` wants kept.
/// Notes (no roster) and rejected rows (with `--skip-invalid`) are reported here, once.
pub fn read(inputs: &Inputs, keep: Option<Wanted<'_>>) -> Result<Read, Error> {
    let rubric = builtin::load_rubric(inputs.rubric.as_deref())?;
    read_reported(inputs, rubric, keep)
}

/// [`read`] under a given rubric: what was read, with its notes and rejected rows reported.
pub fn read_reported(
    inputs: &Inputs,
    rubric: Rubric,
    keep: Option<Wanted<'_>>,
) -> Result<Read, Error> {
    no_input_twice(&inputs.records)?;
    let read = read_under(inputs, rubric, keep)?;
    for note in &read.loaded.notes {
        cmd::note(inputs, note);
    }
    for text in read.loaded.unused_notes() {
        if inputs.strict_columns {
            return Err(Error::Invalid(text));
        }
        cmd::note(inputs, &text);
    }
    let c = read.loaded.counts;
    if c.totals + c.numbered > 0 && !inputs.skip_invalid {
        cmd::note(inputs, &msg::skipped_note(ui(), c.totals, c.numbered));
    }
    if inputs.units.is_none() {
        cmd::note(inputs, &msg::no_roster(ui(), true));
        for (a, b) in read.units.look_alike() {
            cmd::note(inputs, &msg::look_alike_units(ui(), &a, &b));
        }
    }
    if inputs.skip_invalid {
        cmd::report_rejects(inputs, &read.loaded)?;
    }
    Ok(read)
}

/// The same records file given twice (under any name or link), or two files with the same
/// bytes (a copy saved from a chat, `…(1).csv`), would count every finding twice: refused,
/// naming both.
fn no_input_twice(records: &[String]) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let mut seen: Vec<((u64, u64), u64, &str)> = Vec::new();
    for path in records.iter().filter(|p| p.as_str() != "-") {
        let Ok(m) = std::fs::metadata(path) else {
            continue;
        };
        let id = (m.dev(), m.ino());
        for (i, size, first) in &seen {
            if *i == id {
                return Err(Error::Invalid(msg::input_twice(ui(), first, path)));
            }
            if *size == m.len() && m.is_file() && same_bytes(first, path).unwrap_or(false) {
                return Err(Error::Invalid(msg::input_copy(ui(), first, path)));
            }
        }
        seen.push((id, m.len(), path));
    }
    Ok(())
}

/// Whether two files of one size hold the same bytes (read side by side, stopping at the first
/// difference).
fn same_bytes(a: &str, b: &str) -> std::io::Result<bool> {
    use std::io::Read;
    let (mut a, mut b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut x, mut y) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            let mut one = [0u8; 1];
            return Ok(b.read(&mut one)? == 0);
        }
        b.read_exact(&mut y[..n])?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

/// Reads the inputs under a given rubric, without notes (`compare` reads under two). Standard
/// input is read from the process once, whatever the number of readings.
pub fn read_under(
    inputs: &Inputs,
    rubric: Rubric,
    keep: Option<Wanted<'_>>,
) -> Result<Read, Error> {
    let (units, loaded) = cmd::read(inputs, &rubric, keep)?;
    Ok(Read {
        rubric,
        units,
        loaded,
    })
}

/// The tallies scored for a selection: the engine (for audit trails), the scores and the
/// ranked tables, the last month looked at, and the as-of date.
pub struct Scored<'a> {
    pub engine: Engine<'a>,
    pub scores: Scores,
    pub tables: Tables,
    pub until: Month,
    pub as_of: Date,
}

/// `--as-of` and the run's date (SPEC §7.1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    pub as_of: Option<Date>,
    pub today: Option<Date>,
}

impl Clock {
    /// The as-of date of a run whose latest assessed month is `latest`: `--as-of`, else the
    /// earlier of that month's last day and today.
    pub fn as_of(&self, latest: Month) -> Date {
        let end = latest.last_day();
        self.as_of
            .unwrap_or_else(|| self.today.map_or(end, |t| t.min(end)))
    }
}

impl Scored<'_> {
    /// The tables the selection shows, in order.
    pub fn chosen(&self, selection: Selection) -> Vec<&Table> {
        select(&self.tables, selection, self.until)
    }

    /// The completeness notes (SPEC §7.8) for the assessed months of some tables, in `lang`.
    pub fn completeness(&self, tables: &[&Table], lang: crate::rubric::Lang) -> Vec<String> {
        let mut months: BTreeSet<Month> = BTreeSet::new();
        for t in tables {
            let covered: Vec<Month> = match t.period.parse::<Period>() {
                Ok(Period::Month(m)) => vec![m],
                Ok(Period::Quarter(q)) => q.months().to_vec(),
                Ok(Period::Year(y)) => (1..=12).map(|k| Month::new(y, k)).collect(),
                _ => Vec::new(),
            };
            months.extend(
                covered
                    .into_iter()
                    .filter(|m| self.scores.assessed.contains(m)),
            );
        }
        let months: Vec<Month> = months.into_iter().collect();
        let rubric = self.engine.rubric();
        self.engine
            .missing_categories(&months)
            .into_iter()
            .map(|(period, k)| {
                let c = &rubric.categories[k];
                msg::no_records_for_category(
                    lang,
                    &period,
                    &c.code,
                    &c.name,
                    c.assessor.as_deref().unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// Scores the periods a selection needs.
pub fn score<'a>(
    rubric: &'a Rubric,
    units: &'a Units,
    store: Store,
    selection: Selection,
    clock: Clock,
) -> Result<Scored<'a>, Error> {
    score_with(rubric, units, store, selection, clock, |until| {
        need(selection, until)
    })
}

/// Scores the periods `need` asks for, given the last month the selection looks at: records
/// after it are left out, so that a past period is scored as it stood then. The as-of date is
/// `--as-of`, else the earlier of today and the last day of the latest assessed month the
/// selection looks at (so a past period is also judged complete or due as it stood then).
pub fn score_with<'a>(
    rubric: &'a Rubric,
    units: &'a Units,
    mut store: Store,
    selection: Selection,
    clock: Clock,
    need: impl FnOnce(Month) -> Need,
) -> Result<Scored<'a>, Error> {
    let until = until(&store.assessed(), selection)?;
    store.truncate_after(until);
    let latest = store.assessed().last().copied().unwrap_or(until);
    let as_of = clock.as_of(latest);
    // Lateness is tallied by the day only around the reader's pinned date: judged as of another
    // day inside a month, extras could be booked wrongly, so that is an error, never a score.
    if !store.judges_at(as_of) {
        return Err(Error::Internal(format!(
            "the tallies cannot be judged as of {as_of}: lateness was tallied for another date"
        )));
    }
    let engine = Engine::from_store(rubric, units, Layout::new(rubric), store).at(as_of);
    if let Some(problem) = engine.problem() {
        return Err(Error::Invalid(tally_problem(rubric, units, problem)));
    }
    let need = need(until);
    let rows = scored_rows(&engine.assessed, &need, units.list.len());
    if rows > MAX_SCORED_ROWS {
        return Err(Error::Invalid(msg::too_many_scores(
            ui(),
            rows,
            MAX_SCORED_ROWS,
        )));
    }
    let scores = engine.score_need(&need);
    let tables = ranking::tables(rubric, units, &scores);
    Ok(Scored {
        engine,
        scores,
        tables,
        until,
        as_of,
    })
}

/// The most scores (units × periods) one run computes and ranks, about 1.5 GB with their
/// tables (some 2.7 KB a score: 400,000 took 1.1 GB): records spread over thousands of months
/// ask `--all` for more, and 1,000,000 units a month and its quarter do (2,000,000 took 5.4 GB);
/// they are refused rather than exhaust memory.
pub const MAX_SCORED_ROWS: u64 = 500_000;

/// The scores `need` asks for: units × the periods with records (months, quarters, years) it
/// takes.
fn scored_rows(assessed: &BTreeSet<Month>, need: &Need, units: usize) -> u64 {
    fn taken<T: Ord>(all: BTreeSet<T>, need: Option<&BTreeSet<T>>) -> u64 {
        match need {
            Some(n) => all.intersection(n).count() as u64,
            None => all.len() as u64,
        }
    }
    let periods = taken(assessed.clone(), need.months.as_ref())
        + taken(
            assessed.iter().map(|m| m.quarter()).collect(),
            need.quarters.as_ref(),
        )
        + taken(
            assessed.iter().map(|m| Half::of(m.quarter())).collect(),
            need.halves.as_ref(),
        )
        + taken(
            assessed.iter().map(|m| m.year()).collect(),
            need.years.as_ref(),
        );
    periods.saturating_mul(units as u64)
}

/// What stops tallies from being scored, in words.
fn tally_problem(rubric: &Rubric, units: &Units, problem: Problem) -> String {
    match problem {
        Problem::Overflow => msg::tally_overflow(ui()),
        Problem::TooLarge => msg::tally_too_large(ui(), crate::tally::MAX_CELLS),
        Problem::Value { unit, indicator } => {
            let unit = units
                .list
                .get(unit as usize)
                .map_or("", |u| u.code.as_str());
            let ind = rubric
                .indicators
                .get(indicator as usize)
                .map_or("", |i| i.code.as_str());
            msg::value_out_of_bounds(ui(), unit, ind, crate::tally::MAX_VALUE)
        }
    }
}

/// The last month a selection looks at. A period without records is a usage error.
pub fn until(assessed: &BTreeSet<Month>, selection: Selection) -> Result<Month, Error> {
    let latest = *assessed
        .last()
        .ok_or_else(|| Error::Invalid(msg::no_records(ui(), None)))?;
    let first = assessed.first().copied().unwrap_or(latest);
    let span = |p: Period| -> Error {
        Error::Usage(msg::period_without_records(
            ui(),
            &p.to_string(),
            &first.to_string(),
            &latest.to_string(),
        ))
    };
    match selection {
        Selection::Latest | Selection::All => Ok(latest),
        Selection::Period(p @ Period::Month(m)) => {
            assessed.contains(&m).then_some(m).ok_or_else(|| span(p))
        }
        Selection::Period(p @ Period::Quarter(q)) => assessed
            .iter()
            .any(|m| m.quarter() == q)
            .then_some(q.months()[2])
            .ok_or_else(|| span(p)),
        Selection::Period(p @ Period::Half(h)) => assessed
            .iter()
            .any(|m| Half::of(m.quarter()) == h)
            .then_some(h.last_month())
            .ok_or_else(|| span(p)),
        Selection::Period(p @ Period::Year(y)) => assessed
            .iter()
            .any(|m| m.year() == y)
            .then_some(Month::new(y, 12))
            .ok_or_else(|| span(p)),
    }
}

/// The periods a selection needs scored.
pub fn need(selection: Selection, until: Month) -> Need {
    match selection {
        Selection::All => Need::default(),
        Selection::Latest | Selection::Period(Period::Month(_)) => Need::month(until),
        Selection::Period(Period::Quarter(q)) => Need::quarter(q),
        Selection::Period(Period::Half(h)) => Need::half(h),
        Selection::Period(Period::Year(y)) => Need::year(y),
    }
}

/// The tables a selection shows, in order.
pub fn select(tables: &Tables, selection: Selection, until: Month) -> Vec<&Table> {
    match selection {
        Selection::All => {
            // Each half-year after the quarters of that half (SPEC §7.4).
            let mut rolled: Vec<(Half, u8, &Table)> = tables
                .quarters
                .iter()
                .map(|(q, t)| (Half::of(*q), 0, t))
                .chain(tables.halves.iter().map(|(h, t)| (*h, 1, t)))
                .collect();
            rolled.sort_by_key(|(h, k, _)| (*h, *k));
            tables
                .months
                .values()
                .chain(rolled.into_iter().map(|(_, _, t)| t))
                .chain(tables.years.values())
                .collect()
        }
        Selection::Latest | Selection::Period(Period::Month(_)) => tables
            .months
            .get(&until)
            .into_iter()
            .chain(tables.quarters.get(&until.quarter()))
            .collect(),
        Selection::Period(Period::Quarter(q)) => tables.quarters.get(&q).into_iter().collect(),
        Selection::Period(Period::Half(h)) => tables.halves.get(&h).into_iter().collect(),
        Selection::Period(Period::Year(y)) => tables.years.get(&y).into_iter().collect(),
    }
}
