//! The quick path: the usual row (plain forms, exact codes) checked as bytes without
//! allocation, and plain lines whose fields go straight to their cells; any other row goes to
//! the full check.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::fxhash::ByteKeys;
use crate::input;
use crate::period::{Month, parse_date};
use crate::rubric::{Deduct, Rubric, Rule};

use super::Stop;
use super::check::{Checked, MAX_COUNT};
use super::columns::{ALL_COLS, Col};
use super::record::Status;
use super::split::{each_separator, split_plain};
use super::worker::{Ctx, Resolved, Worker};

/// The common forms of a row's cells read as bytes, for the streaming reader: a date written
/// `2026-11-03`, a count of plain digits, codes, severities and sources written exactly as the
/// rubric spells them, no measured value. For a row in those forms it answers what
/// [`check`](super::check::check) answers for the same (trimmed) cells, without UTF-8 checks,
/// trimming or allocation; for any other row it answers `None`, and the row goes to
/// [`check`](super::check::check), which reads every form and names every problem. Exact matching
/// is enough to skip trimming and UTF-8 checks: only keys that are valid, trimmed text are matched,
/// so a cell equal to one is too.
pub(super) struct Quick {
    indicators: Codes,
    /// Per indicator: it needs a measured value (the quick path leaves those to `check`).
    needs_value: Vec<bool>,
    /// Per indicator: its severity keys, when it deducts by severity (`None` for a key that is
    /// not trimmed text, which no trimmed cell can equal).
    severities: Vec<Option<ByteKeys>>,
    sources: Option<ByteKeys>,
    dates: Dates,
}

/// The indicators by code: by a perfect hash when there are few, else by a hash table.
enum Codes {
    Few(ByteKeys),
    Many(crate::fxhash::ByteMap),
}

fn trimmed_key(k: &str) -> Option<Vec<u8>> {
    (!k.is_empty() && input::trim_cell(k) == k).then(|| k.as_bytes().to_vec())
}

fn keys<'k>(keys: impl Iterator<Item = &'k String>) -> ByteKeys {
    let trimmed: Vec<Option<Vec<u8>>> = keys.map(|k| trimmed_key(k)).collect();
    ByteKeys::new(trimmed.iter().map(Option::as_deref))
}

impl Quick {
    pub(super) fn new(rubric: &Rubric) -> Quick {
        // Each code once, as the rubric finds it (a code that is not trimmed text, none).
        let codes: Vec<Option<Vec<u8>>> = rubric
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                trimmed_key(&ind.code).filter(|_| rubric.indicator_index(&ind.code) == Some(i))
            })
            .collect();
        let indicators = if codes.len() <= 64 {
            Codes::Few(ByteKeys::new(codes.iter().map(Option::as_deref)))
        } else {
            let mut map = crate::fxhash::ByteMap::default();
            for (i, k) in codes.iter().enumerate() {
                if let Some(k) = k {
                    map.insert(k, i as u32);
                }
            }
            Codes::Many(map)
        };
        Quick {
            indicators,
            needs_value: rubric
                .indicators
                .iter()
                .map(|i| i.rule.needs_value())
                .collect(),
            severities: rubric
                .indicators
                .iter()
                .map(|i| match &i.rule {
                    Rule::PerFinding {
                        deduct: Deduct::BySeverity(map),
                        ..
                    } => Some(keys(map.iter().map(|(k, _)| k))),
                    _ => None,
                })
                .collect(),
            sources: rubric
                .sources
                .as_ref()
                .map(|list| keys(list.iter().map(|(k, _)| k))),
            dates: Dates::default(),
        }
    }

    pub(super) fn check<'c>(
        &mut self,
        rubric: &Rubric,
        cell: impl Fn(Col) -> &'c [u8],
    ) -> Option<Checked> {
        let date = self.dates.get(cell(Col::Date))?;
        let code = cell(Col::Indicator);
        let indicator = match &self.indicators {
            Codes::Few(keys) => keys.position(code)?,
            Codes::Many(map) => map.get(code)? as usize,
        };
        let count = match cell(Col::Count) {
            [] => 1,
            c => small_whole(c)?,
        };
        if self.needs_value[indicator] || !cell(Col::Value).is_empty() {
            return None;
        }
        let sev = cell(Col::Severity);
        let severity = match &self.severities[indicator] {
            Some(keys) => keys.position(sev)?,
            None if sev.is_empty() => 0,
            // Not read, but `check` sees it as text.
            None => std::str::from_utf8(sev).map(|_| 0).ok()?,
        };
        let src = cell(Col::Source);
        let declared = rubric.sources.as_ref().map_or(0, Vec::len);
        let (source, weight) = match (&self.sources, &rubric.sources) {
            _ if src.is_empty() => (declared, Decimal::ONE),
            (Some(keys), Some(list)) => {
                let k = keys.position(src)?;
                (k, list[k].1)
            }
            _ => std::str::from_utf8(src)
                .map(|_| (declared, Decimal::ONE))
                .ok()?,
        };
        let deadline = self.dates.optional(cell(Col::Deadline))?;
        let rectified = self.dates.optional(cell(Col::Rectified))?;
        let status = match cell(Col::Status) {
            [] => Status::Valid,
            s => {
                let s = input::trim_cell(std::str::from_utf8(s).ok()?);
                // 已整改 needs its date: `check` says so when it is missing.
                if Status::says_rectified(s) {
                    return None;
                }
                Status::parse(s)?
            }
        };
        Some(Checked {
            date,
            month: Month::of(date),
            indicator,
            count,
            value: None,
            severity,
            source,
            weight,
            deadline,
            rectified,
            status,
        })
    }
}

/// Dates written `2026-11-03`, remembered: a year of records holds a few hundred distinct dates.
struct Dates {
    /// The cell's first eight bytes and last two, and its date (8 KB: small enough to stay in
    /// the processor's nearest cache).
    slots: Box<[(u64, u16, Date); 512]>,
}

impl Default for Dates {
    fn default() -> Self {
        // A key of zero bytes matches no cell of the form (it needs its dashes).
        Dates {
            slots: Box::new([(0, 0, Date::default()); 512]),
        }
    }
}

impl Dates {
    #[inline]
    fn get(&mut self, b: &[u8]) -> Option<Date> {
        let (Some(h), Some(t)) = (b.first_chunk::<8>(), b.get(8..)) else {
            return None;
        };
        let head = u64::from_le_bytes(*h);
        let tail = u16::from_le_bytes(t.try_into().ok()?);
        // Dashes at bytes 4 and 7.
        const DASHES: u64 = 0xff00_00ff_0000_0000;
        if head & DASHES != u64::from_le_bytes(*b"\0\0\0\0-\0\0-") {
            return None;
        }
        let slot = Dates::slot(head, tail);
        let (h, t, d) = self.slots[slot];
        if h == head && t == tail {
            return Some(d);
        }
        self.parse(b, slot, head, tail)
    }

    /// Where a date's key goes: by month (counted from year 0) and day, so that the dates of
    /// any sixteen months in a row never share a slot. Two digits `ab` (a in the low byte)
    /// make 10a + b by one multiplication.
    #[inline]
    fn slot(head: u64, tail: u16) -> usize {
        let two = |x: u64| (((x & 0x0f0f) * 0x0a01) >> 8) as usize & 0xff;
        let months = two(head >> 16) * 12 + two(head >> 40);
        (months * 32 + two(u64::from(tail))) & 511
    }

    /// A date not in the cache: checked and parsed, then remembered.
    #[cold]
    #[inline(never)]
    fn parse(&mut self, b: &[u8], slot: usize, head: u64, tail: u16) -> Option<Date> {
        let form = b
            .iter()
            .enumerate()
            .all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit());
        let date = form
            .then(|| std::str::from_utf8(b).ok())
            .flatten()
            .and_then(|s| parse_date(s).ok())?;
        self.slots[slot] = (head, tail, date);
        Some(date)
    }

    /// An empty cell is no date; `None` when the cell is not of the quick form.
    fn optional(&mut self, b: &[u8]) -> Option<Option<Date>> {
        if b.is_empty() {
            Some(None)
        } else {
            self.get(b).map(Some)
        }
    }
}

/// A count written as plain digits (the common case: up to seven of them), without the decimal
/// parser.
pub(super) fn small_whole(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 7 {
        return None;
    }
    let n = b.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })?;
    (0..=MAX_COUNT).contains(&n).then_some(n)
}

/// Where the quick path puts each field of a plain line.
pub(super) struct Plan {
    /// Per file column, the column of [`ALL_COLS`] it holds ([`SINK`] for those not read).
    cells: Vec<u8>,
    /// How many fields a line needs for all of them.
    need: usize,
}

impl Ctx<'_> {
    /// The columns scoring reads ([`Ctx::used`]) and the quick path's plan ([`Ctx::plan`]).
    pub(super) fn plan(
        idx: &[Option<usize>; 13],
        keep: bool,
        note: bool,
    ) -> (Vec<(usize, usize)>, Option<Plan>) {
        let used: Vec<(usize, usize)> = idx
            .iter()
            .enumerate()
            .filter(|(k, _)| !matches!(ALL_COLS[*k], Col::Note | Col::Inspector))
            .filter_map(|(k, i)| i.map(|i| (k, i)))
            .collect();
        // The note too when rows are compared across inputs (double entry).
        let extra = idx[Col::Note as usize]
            .filter(|_| note)
            .map(|i| (Col::Note as usize, i));
        let need = used
            .iter()
            .chain(&extra)
            .map(|&(_, i)| i + 1)
            .max()
            .unwrap_or(0);
        let mut plan = vec![SINK; need];
        for &(k, i) in used.iter().chain(&extra) {
            plan[i] = k as u8;
        }
        // Two columns in one file column (not made by `Columns`) would need two cells.
        let placed = used.len() + usize::from(extra.is_some());
        let plan = (!keep && plan.iter().filter(|&&k| k != SINK).count() == placed)
            .then_some(Plan { cells: plan, need });
        (used, plan)
    }
}

/// Where the quick path puts the fields it does not read.
const SINK: u8 = 13;

/// An id cell that needs no trimming and no UTF-8 check: empty, or ASCII starting and ending
/// with a visible character.
fn plain_id(b: &[u8]) -> Option<&[u8]> {
    match (b.first(), b.last()) {
        (None, _) => Some(b),
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() && b.is_ascii() => {
            Some(b)
        }
        _ => None,
    }
}

impl Worker<'_> {
    /// A block without quotes or carriage returns, when no record is kept: each field goes straight
    /// to its column's cell as it is split, and a line whose cells are all in the usual form is
    /// tallied from them; any other line is split again and read by [`row`](Worker::row). Answers
    /// how many lines the block has.
    pub(super) fn plain_block(
        &mut self,
        block: &[u8],
        plan: &Plan,
        ends: &mut Vec<u32>,
    ) -> Result<u64, Stop> {
        let (delimiter, need) = (self.ctx.delimiter, plan.need);
        let slot = |field: usize| usize::from(plan.cells.get(field).copied().unwrap_or(SINK));
        let mut cells: [&[u8]; SINK as usize + 1] = [&[]; SINK as usize + 1];
        let (mut field, mut start, mut line_start, mut lines) = (0usize, 0usize, 0usize, 0u64);
        let mut line_end = |p: usize, fields: usize, line_start: usize, cells: &[&[u8]], index| {
            // An empty line is no record (as for `csv`).
            if p == line_start {
                return Ok(());
            }
            if fields >= need
                && let Some((c, unit, id)) = self.quick(|col| cells[col as usize])
                && !self.holds(id)
                && !self.twin(
                    &c,
                    Some(unit),
                    cells[Col::Unit as usize],
                    cells[Col::Note as usize],
                )
            {
                self.part.counts.read += 1;
                self.take(c, unit, id);
                return Ok(());
            }
            let line = &block[line_start..p];
            split_plain(line, delimiter, ends, |l| self.row(&l, index)).map(|_| ())
        };
        each_separator(block, delimiter, |p, newline| {
            cells[slot(field)] = &block[start..p];
            field += 1;
            start = p + 1;
            if newline {
                line_end(p, field, line_start, &cells, lines)?;
                (field, line_start) = (0, p + 1);
                lines += 1;
            }
            Ok(())
        })?;
        if line_start < block.len() {
            let p = block.len();
            cells[slot(field)] = &block[start..p];
            line_end(p, field + 1, line_start, &cells, lines)?;
        }
        Ok(lines)
    }

    /// The usual row: every cell in its plain form, compared as bytes; the unit and the id as
    /// written, when resolved before or plain ASCII. `None` for anything else.
    #[inline]
    pub(super) fn quick<'r>(&mut self, raw: impl Fn(Col) -> &'r [u8]) -> Option<Resolved<'r>> {
        let c = self.quick.check(self.ctx.rubric, &raw)?;
        let unit = self.unit(raw(Col::Unit))?;
        // A record outside its unit's span (SPEC §7.12) takes the full check, which rejects it.
        if self.ctx.spans
            && !self
                .ctx
                .roster
                .is_none_or(|r| r.active(unit as usize, c.month))
        {
            return None;
        }
        Some((c, unit, plain_id(raw(Col::Id))?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::check::check;
    use proptest::prelude::*;

    fn rubric() -> Rubric {
        let text = include_str!("../../tests/data/hand/rubric.yaml");
        crate::rubric::load(text, "hand.yaml").unwrap()
    }

    /// The same with keys in white space, which no trimmed cell can equal.
    fn spaced_rubric() -> Rubric {
        let text = include_str!("../../tests/data/hand/rubric.yaml")
            .replace("暗访: 2", "\" 暗访\": 2")
            .replace("major: 2", "\"major \": 2");
        crate::rubric::load(&text, "spaced.yaml").unwrap()
    }

    const DATES: &[&str] = &[
        "2026-11-03",
        "2026-02-28",
        "2026-02-30",
        "2026-1a-03",
        "+026-11-03",
        "2026/11/3",
        " 2026-11-03",
        "2026-11-03\u{3000}",
        "20261103",
        "",
    ];
    const INDICATORS: &[&str] = &[
        "P1",
        "P2",
        "T1",
        "B1",
        "R1",
        "R2",
        "V1",
        "X1",
        "P",
        " P1",
        "p1",
        "P1\u{3000}",
        "",
    ];
    const COUNTS: &[&str] = &[
        "", "1", "3", "0", "007", "1000000", "1000001", "2.0", " 2", "x",
    ];
    const VALUES: &[&str] = &["", "3", "18.5%", "x"];
    const SEVERITIES: &[&str] = &["", "minor", "major", " major", "major ", "Major", "x"];
    const SOURCES: &[&str] = &[
        "",
        "暗访",
        "现场考核",
        " 暗访",
        "\u{3000}暗访",
        "暗访 ",
        "other",
    ];
    const OPT_DATES: &[&str] = &["", "2026-11-10", "2026-13-01", "2026-11-1", "2026/11/10"];
    const STATUSES: &[&str] = &["", "有效", "void", " VOID ", "当场整改", "x"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the quick path accepts, `check` accepts with the same answer (on the cells
        /// trimmed, as the readers hand them to it); the quick path may only decline.
        #[test]
        fn the_quick_path_agrees_with_check(
            picks in prop::collection::vec(0usize..16, 9),
            spaced in any::<bool>(),
        ) {
            let rubric = if spaced { spaced_rubric() } else { rubric() };
            let pick = |list: &[&'static str], k: usize| list[picks[k] % list.len()];
            let cells: Vec<(Col, &str)> = vec![
                (Col::Date, pick(DATES, 0)),
                (Col::Indicator, pick(INDICATORS, 1)),
                (Col::Count, pick(COUNTS, 2)),
                (Col::Value, pick(VALUES, 3)),
                (Col::Severity, pick(SEVERITIES, 4)),
                (Col::Source, pick(SOURCES, 5)),
                (Col::Deadline, pick(OPT_DATES, 6)),
                (Col::Rectified, pick(OPT_DATES, 7)),
                (Col::Status, pick(STATUSES, 8)),
            ];
            let get = |col: Col| cells.iter().find(|(c, _)| *c == col).map_or("", |(_, s)| *s);
            let mut quick = Quick::new(&rubric);
            // Twice: the second answer comes from the date cache.
            for _ in 0..2 {
                let fast = quick.check(&rubric, |c| get(c).as_bytes());
                if let Some(fast) = fast {
                    let trimmed = |c: Col| input::trim_cell(get(c));
                    let mut bad = false;
                    let slow = check(&rubric, &trimmed, &mut |_, _| bad = true);
                    prop_assert!(!bad);
                    prop_assert_eq!(Some(fast), slow);
                }
            }
        }
    }

    #[test]
    fn dates_of_sixteen_months_take_distinct_slots() {
        let mut day = Date::constant(2029, 9, 1);
        let end = Date::constant(2031, 1, 1);
        while day < end {
            // Sixteen months from the first of each month (across a decade).
            let mut taken = std::collections::HashMap::new();
            let last = day.checked_add(jiff::Span::new().months(16)).unwrap();
            let mut d = day;
            while d < last {
                let text = d.to_string();
                let b = text.as_bytes();
                let head = u64::from_le_bytes(b[..8].try_into().unwrap());
                let tail = u16::from_le_bytes(b[8..].try_into().unwrap());
                if let Some(other) = taken.insert(Dates::slot(head, tail), d) {
                    panic!("{d} and {other} share a slot");
                }
                d = d.tomorrow().unwrap();
            }
            day = day.checked_add(jiff::Span::new().months(1)).unwrap();
        }
    }

    #[test]
    fn the_quick_path_takes_the_usual_row() {
        let rubric = rubric();
        let row = |col: Col| -> &[u8] {
            match col {
                Col::Date => b"2026-11-03",
                Col::Indicator => b"P2",
                Col::Severity => b"major",
                Col::Source => "暗访".as_bytes(),
                Col::Deadline => b"2026-11-10",
                _ => b"",
            }
        };
        let c = Quick::new(&rubric).check(&rubric, row).unwrap();
        assert_eq!(c.date, jiff::civil::date(2026, 11, 3));
        assert_eq!((c.indicator, c.count, c.severity, c.source), (1, 1, 1, 1));
        assert_eq!(c.weight, Decimal::from(2));
        assert_eq!(c.deadline, Some(jiff::civil::date(2026, 11, 10)));
        assert_eq!(c.status, Status::Valid);
    }

    #[test]
    fn the_quick_path_finds_codes_of_a_large_rubric() {
        // 70 indicators: more than the perfect hash takes, so codes go through the hash table.
        let mut text = String::from("civscore: 1\ncategories:\n  - code: C\n    indicators:\n");
        for i in 0..70 {
            text.push_str(&format!(
                "      - {{code: K{i}, name: k{i}, points: 1, rule: per_finding, deduct: 0.5}}\n"
            ));
        }
        let rubric = crate::rubric::load(&text, "big.yaml").unwrap();
        let mut quick = Quick::new(&rubric);
        assert!(matches!(quick.indicators, Codes::Many(_)));
        for (code, want) in [
            ("K0", Some(0)),
            ("K69", Some(69)),
            ("K70", None),
            ("k1", None),
        ] {
            let row = |col: Col| -> &[u8] {
                match col {
                    Col::Date => b"2026-11-03",
                    Col::Indicator => code.as_bytes(),
                    _ => b"",
                }
            };
            assert_eq!(
                quick.check(&rubric, row).map(|c| c.indicator),
                want,
                "{code}"
            );
        }
    }
}
