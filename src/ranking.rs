//! Ranked tables (SPEC §3.7): grades, competition ranking on the rounded score with vetoed units
//! last, group ranks, rank and score changes against the previous period, and the average row.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};

use crate::engine::{RollScore, Scores};
use crate::period::{Half, Month, Quarter};
use crate::rubric::Rubric;
use crate::units::Units;

/// Rounds half away from zero (四舍五入) to `dp` decimals: for display, grades and ranking only.
pub fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Month,
    Quarter,
    Half,
    Year,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Month => "month",
            Kind::Quarter => "quarter",
            Kind::Half => "half",
            Kind::Year => "year",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub unit: usize,
    pub rank: u32,
    pub group_rank: Option<u32>,
    /// Previous rank − this rank (positive = moved up); None when there is no previous period.
    pub rank_change: Option<i64>,
    /// Rounded score − the previous period's rounded score.
    pub score_change: Option<Decimal>,
    /// The exact score.
    pub score: Decimal,
    pub deducted: Decimal,
    /// Month tables only.
    pub bonus: Option<Decimal>,
    /// Quarter and year tables: the months' or quarters' scores, aligned with `Table::parts`.
    pub parts: Vec<Option<Decimal>>,
    /// The final assessment's score when it took part (SPEC §7.3; see `Table::has_final`).
    pub last: Option<Decimal>,
    pub grade: Option<String>,
    pub vetoed: bool,
    /// Records under appeal in the period (SPEC §7.6).
    pub appealed: u64,
    /// Each category's deduction (SPEC §7.7), by category number.
    pub categories: Vec<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub kind: Kind,
    pub period: String,
    pub provisional: bool,
    /// The mean of the units' exact scores.
    pub average: Decimal,
    /// Column labels of the parts: months of a quarter, quarters of a year.
    pub parts: Vec<String>,
    /// The rubric gives this level a final assessment (SPEC §7.3): rows carry `final`.
    pub has_final: bool,
    /// In rank order.
    pub rows: Vec<Row>,
}

/// Every table the data supports, by period.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub months: BTreeMap<Month, Table>,
    pub quarters: BTreeMap<Quarter, Table>,
    pub halves: BTreeMap<Half, Table>,
    pub years: BTreeMap<i32, Table>,
}

/// The red list (红榜) and the black list (黑榜) of a table (SPEC §7.10): red, the first `n`
/// units not vetoed; black, every vetoed unit, then the last `n` units whose grade is below the
/// rubric's first grade (without grades, the last `n`), never a unit of the red list. Both in
/// rank order.
pub fn red_black<'t>(t: &'t Table, rubric: &Rubric, n: usize) -> (Vec<&'t Row>, Vec<&'t Row>) {
    let live: Vec<&Row> = t.rows.iter().filter(|r| !r.vetoed).collect();
    let red: Vec<&Row> = live.iter().take(n).copied().collect();
    let top = rubric.grades.first().map(|g| g.name.as_str());
    let below_top = |r: &&Row| top.is_none() || r.grade.as_deref() != top;
    let candidates: Vec<&Row> = live[red.len()..]
        .iter()
        .copied()
        .filter(below_top)
        .collect();
    let mut black: Vec<&Row> = t.rows.iter().filter(|r| r.vetoed).collect();
    black.extend(&candidates[candidates.len().saturating_sub(n)..]);
    (red, black)
}

/// The first grade whose `min` ≤ the rounded score; a vetoed unit gets the last grade.
pub fn grade(rubric: &Rubric, rounded: Decimal, vetoed: bool) -> Option<String> {
    if vetoed {
        return rubric.grades.last().map(|g| g.name.clone());
    }
    rubric
        .grades
        .iter()
        .find(|g| g.min <= rounded)
        .map(|g| g.name.clone())
}

/// Each unit's place in the order of unit codes: ties in a ranking are listed by code, and
/// comparing two numbers is cheaper than comparing two codes.
pub fn code_order(units: &Units) -> Vec<u32> {
    let mut by_code: Vec<usize> = (0..units.list.len()).collect();
    by_code.sort_unstable_by(|a, b| units.list[*a].code.cmp(&units.list[*b].code).then(a.cmp(b)));
    let mut order = vec![0u32; by_code.len()];
    for (k, u) in by_code.into_iter().enumerate() {
        order[u] = k as u32;
    }
    order
}

/// Competition ranks (1, 2, 2, 4) of the given units: non-vetoed first, then rounded score
/// descending; ties share a rank and are listed by unit code (`order`, from [`code_order`]).
/// Returns (unit, rank) in order.
pub fn rank(entries: &[(usize, Decimal, bool)], order: &[u32]) -> Vec<(usize, u32)> {
    let mut sorted: Vec<&(usize, Decimal, bool)> = entries.iter().collect();
    // Every pair differs in its code, so an unstable sort gives one order.
    sorted.sort_unstable_by(|a, b| {
        a.2.cmp(&b.2)
            .then(b.1.cmp(&a.1))
            .then(order[a.0].cmp(&order[b.0]))
    });
    let mut out = Vec::with_capacity(sorted.len());
    let mut prev: Option<(bool, Decimal, u32)> = None;
    for (i, e) in sorted.iter().enumerate() {
        let r = match prev {
            Some((v, s, r)) if v == e.2 && s == e.1 => r,
            _ => i as u32 + 1,
        };
        prev = Some((e.2, e.1, r));
        out.push((e.0, r));
    }
    out
}

struct Line {
    score: Decimal,
    deducted: Decimal,
    bonus: Option<Decimal>,
    parts: Vec<(String, Decimal)>,
    last: Option<Decimal>,
    vetoed: bool,
    appealed: u64,
    categories: Vec<Decimal>,
}

/// What a table is about, before its rows are ranked.
#[derive(Clone)]
struct Head {
    kind: Kind,
    period: String,
    provisional: bool,
    parts: Vec<String>,
    has_final: bool,
}

/// What every table is ranked by: the rubric, the units, and the units' order by code.
struct By<'a> {
    rubric: &'a Rubric,
    units: &'a Units,
    order: Vec<u32>,
}

/// A table ranked, without the changes against the previous period (see [`link`]). A unit
/// without a line has no row (outside its span, SPEC §7.12): no rank, not in the average, not
/// in its group's ranks.
fn build(by: &By, head: &Head, lines: &[Option<Line>]) -> Table {
    let (rubric, units, order) = (by.rubric, by.units, by.order.as_slice());
    let Head {
        kind,
        period,
        provisional,
        parts,
        has_final,
    } = head.clone();
    let p = rubric.precision;
    let entries: Vec<(usize, Decimal, bool)> = lines
        .iter()
        .enumerate()
        .filter_map(|(u, l)| l.as_ref().map(|l| (u, round(l.score, p), l.vetoed)))
        .collect();
    let ranks = rank(&entries, order);
    let mut group_ranks: HashMap<usize, u32> = HashMap::new();
    let mut groups: BTreeMap<&str, Vec<(usize, Decimal, bool)>> = BTreeMap::new();
    for e in &entries {
        if let Some(g) = units.list[e.0].group.as_deref() {
            groups.entry(g).or_default().push(*e);
        }
    }
    for members in groups.values() {
        group_ranks.extend(rank(members, order));
    }
    let rows: Vec<Row> = ranks
        .into_iter()
        .filter_map(|(u, r)| {
            let l = lines[u].as_ref()?;
            let rounded = round(l.score, p);
            Some(Row {
                unit: u,
                rank: r,
                group_rank: group_ranks.get(&u).copied(),
                rank_change: None,
                score_change: None,
                score: l.score,
                deducted: l.deducted,
                bonus: l.bonus,
                parts: parts
                    .iter()
                    .map(|label| l.parts.iter().find(|(k, _)| k == label).map(|(_, s)| *s))
                    .collect(),
                last: l.last,
                grade: grade(rubric, rounded, l.vetoed),
                vetoed: l.vetoed,
                appealed: l.appealed,
                categories: l.categories.clone(),
            })
        })
        .collect();
    Table {
        kind,
        period,
        provisional,
        // Summed in rank order (then code): the same whatever order the units were met in.
        average: crate::engine::mean(rows.iter().map(|r| r.score)),
        parts,
        has_final,
        rows,
    }
}

fn roll_lines(rows: &[Option<RollScore>]) -> Vec<Option<Line>> {
    rows.iter()
        .map(|r| r.as_ref())
        .map(|r| {
            r.map(|r| Line {
                score: r.score,
                deducted: r.deducted,
                bonus: None,
                parts: r.parts.clone(),
                last: r.last,
                vetoed: r.vetoed,
                appealed: r.appealed,
                categories: r.categories.clone(),
            })
        })
        .collect()
}

/// Each unit's rank and rounded score in a table, by unit number.
fn standings(t: &Table, p: u32) -> Vec<Option<(u32, Decimal)>> {
    let mut out = vec![None; t.rows.iter().map(|r| r.unit + 1).max().unwrap_or(0)];
    for r in &t.rows {
        out[r.unit] = Some((r.rank, round(r.score, p)));
    }
    out
}

/// Fills in each row's rank and score change against the previous period's standings.
fn link(t: &mut Table, previous: &[Option<(u32, Decimal)>], p: u32) {
    for r in &mut t.rows {
        if let Some(Some((rank, score))) = previous.get(r.unit) {
            r.rank_change = Some(i64::from(*rank) - i64::from(r.rank));
            r.score_change = Some(round(r.score, p) - score);
        }
    }
}

/// Links each table of a kind to the one of the period before (`prev` of its key), when there.
fn link_all<K: Ord + Copy>(tables: &mut BTreeMap<K, Table>, prev: impl Fn(K) -> K, p: u32) {
    let keys: Vec<K> = tables.keys().copied().collect();
    for k in keys {
        let before = tables.get(&prev(k)).map(|t| standings(t, p));
        if let (Some(before), Some(t)) = (before, tables.get_mut(&k)) {
            link(t, &before, p);
        }
    }
}

/// The periods a table can be of.
#[derive(Clone, Copy)]
enum Key {
    Month(Month),
    Quarter(Quarter),
    Half(Half),
    Year(i32),
}

/// Ranks every period of the scores: the tables on two cores, then their changes against the
/// period before.
pub fn tables(rubric: &Rubric, units: &Units, scores: &Scores) -> Tables {
    let by = By {
        rubric,
        units,
        order: code_order(units),
    };
    let mut jobs: Vec<(Key, Head, Vec<Option<Line>>)> = Vec::new();
    for (m, rows) in &scores.months {
        let lines = rows
            .iter()
            .map(|s| s.as_ref())
            .map(|s| {
                s.map(|s| Line {
                    score: s.score,
                    deducted: s.deducted,
                    bonus: Some(s.bonus),
                    parts: Vec::new(),
                    last: None,
                    vetoed: s.vetoed,
                    appealed: s.appealed,
                    categories: s.categories.clone(),
                })
            })
            .collect();
        let head = Head {
            kind: Kind::Month,
            period: m.to_string(),
            provisional: scores.month_provisional(*m),
            parts: Vec::new(),
            has_final: false,
        };
        jobs.push((Key::Month(*m), head, lines));
    }
    for (q, rows) in &scores.quarters {
        let parts = q
            .months()
            .iter()
            .filter(|m| scores.assessed.contains(m))
            .map(|m| m.to_string())
            .collect();
        let head = Head {
            kind: Kind::Quarter,
            period: q.to_string(),
            provisional: scores.quarter_provisional(*q),
            parts,
            has_final: rubric.quarter_weights.is_some(),
        };
        jobs.push((Key::Quarter(*q), head, roll_lines(rows)));
    }
    for (h, rows) in &scores.halves {
        let parts = h
            .quarters()
            .into_iter()
            .filter(|q| scores.quarters.contains_key(q))
            .map(|q| q.label())
            .collect();
        let head = Head {
            kind: Kind::Half,
            period: h.to_string(),
            provisional: scores.half_provisional(*h),
            parts,
            has_final: false,
        };
        jobs.push((Key::Half(*h), head, roll_lines(rows)));
    }
    for (y, rows) in &scores.years {
        let parts = (0..4)
            .map(|k| Quarter(y * 4 + k))
            .filter(|q| scores.quarters.contains_key(q))
            .map(|q| q.label())
            .collect();
        let head = Head {
            kind: Kind::Year,
            period: format!("{y:04}"),
            provisional: scores.year_provisional(*y),
            parts,
            has_final: rubric.year_final.is_some(),
        };
        jobs.push((Key::Year(*y), head, roll_lines(rows)));
    }
    let built = crate::engine::on_two_cores(&jobs, |(_, head, lines)| build(&by, head, lines));
    let mut t = Tables::default();
    for ((key, _, _), table) in jobs.into_iter().zip(built) {
        match key {
            Key::Month(m) => t.months.insert(m, table),
            Key::Quarter(q) => t.quarters.insert(q, table),
            Key::Half(h) => t.halves.insert(h, table),
            Key::Year(y) => t.years.insert(y, table),
        };
    }
    let p = rubric.precision;
    link_all(&mut t.months, Month::prev, p);
    link_all(&mut t.quarters, Quarter::prev, p);
    link_all(&mut t.halves, Half::prev, p);
    link_all(&mut t.years, |y| y - 1, p);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Units;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A table of units in rank order with these grades ("" none; "V" a vetoed unit).
    fn graded(grades: &[&str]) -> Table {
        let rows = grades
            .iter()
            .enumerate()
            .map(|(k, g)| Row {
                unit: k,
                rank: k as u32 + 1,
                group_rank: None,
                rank_change: None,
                score_change: None,
                score: Decimal::from(100 - k as i64),
                deducted: Decimal::ZERO,
                bonus: None,
                parts: Vec::new(),
                last: None,
                grade: (!g.is_empty() && *g != "V").then(|| g.to_string()),
                vetoed: *g == "V",
                appealed: 0,
                categories: Vec::new(),
            })
            .collect();
        Table {
            kind: Kind::Month,
            period: "2026-11".into(),
            provisional: false,
            average: Decimal::ZERO,
            parts: Vec::new(),
            has_final: false,
            rows,
        }
    }

    #[test]
    fn red_and_black_lists() {
        let with_grades = crate::rubric::load(
            "civscore: 1\ngrades: [{name: A, min: 90}, {name: B, min: 80}, {name: C, min: 0}]\ncategories:\n  - code: X\n    indicators:\n      - {code: X1, points: 100, rule: per_finding, deduct: 1}\n",
            "r.yaml",
        )
        .unwrap();
        let no_grades = crate::rubric::load(
            "civscore: 1\ncategories:\n  - code: X\n    indicators:\n      - {code: X1, points: 100, rule: per_finding, deduct: 1}\n",
            "r.yaml",
        )
        .unwrap();
        let units = |rows: Vec<&Row>| rows.iter().map(|r| r.unit).collect::<Vec<_>>();
        // (grades in rank order, top n, grades?, red, black)
        type Case<'a> = (&'a [&'a str], usize, bool, &'a [usize], &'a [usize]);
        let cases: [Case; 5] = [
            // Two units, both of the top grade: both red, none black (never both lists).
            (&["A", "A"], 3, true, &[0, 1], &[]),
            // The last two below A are black; the top grade is never blacklisted.
            (&["A", "A", "B", "C", "C"], 2, true, &[0, 1], &[3, 4]),
            (&["A", "A", "A", "A", "B"], 2, true, &[0, 1], &[4]),
            // A vetoed unit is black first, whatever its place; it is never red.
            (&["V", "A", "B", "C"], 1, true, &[1], &[0, 3]),
            // Without grades: the last n that are not red.
            (&["", "", "", ""], 3, false, &[0, 1, 2], &[3]),
        ];
        for (grades, n, has, red, black) in cases {
            let t = graded(grades);
            let rubric = if has { &with_grades } else { &no_grades };
            let (r, b) = red_black(&t, rubric, n);
            assert_eq!(units(r), red, "{grades:?} top {n}");
            assert_eq!(units(b), black, "{grades:?} top {n}");
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round(d("99.675"), 2), d("99.68"));
        assert_eq!(round(d("99.665"), 2), d("99.67"));
        assert_eq!(round(d("0.5"), 0), d("1"));
        assert_eq!(round(d("-0.5"), 0), d("-1"));
    }

    #[test]
    fn competition_ranking_with_vetoed_last_and_code_ties() {
        let mut units = Units::default();
        for c in ["U4", "U3", "U2", "U1", "U5"] {
            units.find_or_add(c);
        }
        // U4 99, U3 98, U2 99 (ties with U4, listed first by code), U1 100 but vetoed, U5 98
        let entries = [
            (0, d("99"), false),
            (1, d("98"), false),
            (2, d("99"), false),
            (3, d("100"), true),
            (4, d("98"), false),
        ];
        let got: Vec<(&str, u32)> = rank(&entries, &code_order(&units))
            .into_iter()
            .map(|(u, r)| (units.list[u].code.as_str(), r))
            .collect();
        assert_eq!(got, [("U2", 1), ("U4", 1), ("U3", 3), ("U5", 3), ("U1", 5)]);
    }
}
