//! Property tests of the scoring invariants, on random rubrics, rosters and records, with a
//! naive per-record re-computation of the month score as an independent check.

use std::collections::BTreeMap;

use civscore::engine::{self, Scores};
use civscore::input::parse_delimited;
use civscore::read::{Record, Status};
use civscore::rubric::{self, Rubric};
use civscore::units::{self, Units};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
struct Params {
    deduct: &'static str,
    repeat: Option<&'static str>,
    on_spot: Option<&'static str>,
    overdue: Option<&'static str>,
    target: &'static str,
    below: &'static str,
    at_most: bool,
    at_least: u8,
    cap: &'static str,
    quarter_level: bool,
    average: bool,
    na_unit: Option<usize>,
}

fn params() -> impl Strategy<Value = Params> {
    (
        prop::sample::select(vec!["0.1", "0.25", "0.5", "1", "2"]),
        prop::option::of(prop::sample::select(vec!["1.5", "2"])),
        prop::option::of(Just("0.5")),
        prop::option::of(prop::sample::select(vec!["0.5", "1"])),
        prop::sample::select(vec!["10", "20", "30"]),
        prop::sample::select(vec!["zero", "proportional", "per_point"]),
        any::<bool>(),
        1u8..3,
        prop::sample::select(vec!["1", "1.5", "3"]),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0usize..4),
    )
        .prop_map(
            |(
                deduct,
                repeat,
                on_spot,
                overdue,
                target,
                below,
                at_most,
                at_least,
                cap,
                quarter_level,
                average,
                na_unit,
            )| {
                Params {
                    deduct,
                    repeat,
                    on_spot,
                    overdue,
                    target,
                    below,
                    at_most,
                    at_least,
                    cap,
                    quarter_level,
                    average,
                    na_unit,
                }
            },
        )
}

fn rubric_yaml(p: &Params) -> String {
    let opt = |k: &str, v: Option<&str>| v.map(|v| format!(", {k}: {v}")).unwrap_or_default();
    let per_point = if p.below == "per_point" {
        ", deduct: 0.5"
    } else {
        ""
    };
    let direction = if p.at_most { "at_most" } else { "at_least" };
    let quarter = if p.quarter_level {
        "      - {code: Q1, name: q, points: 4, rule: per_finding, per: quarter, deduct: 1}"
    } else {
        ""
    };
    let lines = [
        "civscore: 1".to_owned(),
        "name: prop".to_owned(),
        format!("not_applicable: {}", if p.average { "average" } else { "rescale" }),
        "sources: {a: 1, b: 2}".to_owned(),
        "grades: [{name: A, min: 15}, {name: B, min: 0}]".to_owned(),
        "year: {penalties: [{indicator: P2, at_least: 3, deduct: 1}]}".to_owned(),
        "categories:".to_owned(),
        "  - code: C".to_owned(),
        "    indicators:".to_owned(),
        format!(
            "      - {{code: P1, name: p, points: 5, rule: per_finding, deduct: {}{}{}{}}}",
            p.deduct,
            opt("repeat", p.repeat),
            opt("on_spot", p.on_spot),
            opt("overdue", p.overdue)
        ),
        "      - {code: P2, name: p2, points: 3, rule: per_finding, deduct: {x: 0.5, y: 2}}".to_owned(),
        quarter.to_owned(),
        format!(
            "      - {{code: T1, name: t, points: 4, rule: threshold, target: {}, direction: {direction}, below: {}{per_point}}}",
            p.target, p.below
        ),
        "      - {code: B1, name: b, points: 2, rule: bands, bands: [{upto: 0, score: 2}, {upto: 2, score: 50%}, {score: 0}]}".to_owned(),
        format!("      - {{code: R1, name: r, points: 2, rule: required, at_least: {}}}", p.at_least),
        "      - {code: V1, name: v, rule: veto}".to_owned(),
        "  - code: X".to_owned(),
        "    bonus: true".to_owned(),
        format!("    cap: {}", p.cap),
        "    indicators:".to_owned(),
        "      - {code: X1, name: x, rule: bonus, add: 1}".to_owned(),
    ];
    lines
        .iter()
        .filter(|l| !l.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// One random record: (unit, indicator, month, day, count, value, severity, source, status,
/// deadline offset, rectified offset, style). The style's bits write the same record in other
/// forms — unit in spaces, date as 2026/3/7, no value where none is needed, no count for one,
/// no source, the unit by its name — so that the streaming reader's quick path and its text path
/// both run. Names (`N1`) are as long as codes (`U1`), so that a lookup by number that ignored
/// the prefix would confuse them.
type Rec = (
    usize,
    usize,
    u8,
    u8,
    u8,
    u8,
    bool,
    bool,
    u8,
    Option<u8>,
    Option<u8>,
    u8,
);

const CODES: &[&str] = &["P1", "P2", "Q1", "T1", "B1", "R1", "V1", "X1"];

fn rec() -> impl Strategy<Value = Rec> {
    (
        0usize..4,
        0usize..CODES.len(),
        1u8..7,
        1u8..29,
        1u8..4,
        0u8..40,
        any::<bool>(),
        any::<bool>(),
        0u8..10,
        prop::option::of(0u8..10),
        prop::option::of(0u8..20),
        0u8..64,
    )
}

fn csv_text(recs: &[Rec], quarter_level: bool) -> String {
    let mut s =
        String::from("date,unit,indicator,count,value,severity,source,status,deadline,rectified\n");
    for &(u, i, m, d, c, v, sev, src, st, dl, rc, style) in recs {
        let code = if CODES[i] == "Q1" && !quarter_level {
            "P1"
        } else {
            CODES[i]
        };
        let status = match st {
            0 => "撤销",
            1 | 2 => "当场整改",
            _ => "",
        };
        let day = |off: u8| {
            let base = jiff::civil::date(2026, m as i8, d as i8);
            base.checked_add(jiff::Span::new().days(i64::from(off)))
                .unwrap()
                .to_string()
        };
        let bit = |b: u8| style & b != 0;
        let unit = match (bit(1), bit(32)) {
            (true, false) => format!(" U{u} "),
            (false, false) => format!("U{u}"),
            (true, true) => format!(" N{u} "),
            (false, true) => format!("N{u}"),
        };
        let date = if bit(2) {
            format!("2026/{m}/{d}")
        } else {
            format!("2026-{m:02}-{d:02}")
        };
        let value = if bit(4) && code != "T1" {
            String::new()
        } else {
            v.to_string()
        };
        let count = if bit(8) && c == 1 {
            String::new()
        } else {
            c.to_string()
        };
        let source = match (bit(16), src) {
            (true, _) => "",
            (false, true) => "a",
            (false, false) => "b",
        };
        s.push_str(&format!(
            "{date},{unit},{code},{count},{value},{},{source},{status},{},{}\n",
            if sev { "x" } else { "y" },
            dl.map(day).unwrap_or_default(),
            rc.map(day).unwrap_or_default(),
        ));
    }
    s
}

fn setup(p: &Params, recs: &[Rec]) -> (Rubric, Units, Vec<Record>) {
    let rubric = rubric::load(&rubric_yaml(p), "prop.yaml").unwrap_or_else(|e| panic!("{e}"));
    let mut roster = String::from("code,name,group,not_applicable\n");
    for u in 0..4 {
        let na = if p.na_unit == Some(u) { "T1;B1" } else { "" };
        roster.push_str(&format!(
            "U{u},N{u},{},{na}\n",
            if u < 2 { "g" } else { "h" }
        ));
    }
    let sheet = parse_delimited("units.csv", &roster, b',').unwrap();
    let units = units::from_sheet(&sheet, &rubric).unwrap();
    let records = {
        let sheet = parse_delimited("r.csv", &csv_text(recs, p.quarter_level), b',').unwrap();
        let read = civscore::read::read_sheet(&sheet, &rubric, Some(&units)).unwrap();
        assert!(read.rejected.is_empty(), "{:?}", read.rejected);
        read.records.into_sorted().unwrap()
    };
    (rubric, units, records)
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Month scores recomputed naively, record by record (no tallies), for rescale rubrics.
fn naive_month(
    rubric: &Rubric,
    units: &Units,
    records: &[Record],
    unit: usize,
    month: civscore::period::Month,
) -> Decimal {
    let live = |r: &&Record| r.status != Status::Void && r.unit == unit;
    let na = &units.list[unit].not_applicable;
    let mut total = Decimal::ZERO;
    for (i, ind) in rubric.indicators.iter().enumerate() {
        if na.contains(&i) || ind.per != civscore::rubric::Per::Month || !ind.rule.has_points() {
            continue;
        }
        let mine: Vec<&Record> = records
            .iter()
            .filter(live)
            .filter(|r| r.indicator == i && r.month == month)
            .collect();
        let ded = match &ind.rule {
            civscore::rubric::Rule::PerFinding {
                repeat, overdue, ..
            } => {
                // SPEC §7.13, naively: a record late from D + 1 (rectified after its deadline D,
                // or open) books overdue × count in the first assessed month from D + 1's on,
                // once the as-of date (here the last day of the latest assessed month) has
                // reached D + 1.
                let assessed: std::collections::BTreeSet<_> =
                    records.iter().map(|r| r.month).collect();
                let as_of = assessed.last().map(|m| m.last_day());
                let mut extras = Decimal::ZERO;
                for r in records.iter().filter(live).filter(|r| r.indicator == i) {
                    let (Some(x), Some(dl)) = (overdue, r.deadline) else {
                        continue;
                    };
                    if r.rectified.is_some_and(|done| done <= dl) || r.count == 0 {
                        continue;
                    }
                    let from = dl.tomorrow().unwrap();
                    if as_of.is_none_or(|a| a < from) {
                        continue;
                    }
                    let booked = assessed
                        .iter()
                        .find(|m| **m >= civscore::period::Month::of(from));
                    if booked == Some(&month) {
                        extras += *x * Decimal::from(r.count);
                    }
                }
                let had_prev = records
                    .iter()
                    .filter(live)
                    .any(|r| r.indicator == i && r.month == month.prev());
                let mut sum = Decimal::ZERO;
                for r in &mine {
                    let f = engine::finding(rubric, r, None);
                    let rf = if had_prev {
                        repeat.unwrap_or(Decimal::ONE)
                    } else {
                        Decimal::ONE
                    };
                    sum += f.base * rf;
                }
                (sum + extras).min(ind.points)
            }
            _ => {
                let mut agg = civscore::rules::Agg::default();
                for r in &mine {
                    agg.records += 1;
                    agg.count += r.count;
                    if let Some(v) = r.value {
                        agg.value_sum += v;
                        agg.values += 1;
                    }
                }
                civscore::rules::deduction(ind, &agg)
            }
        };
        total += ded;
    }
    if !na.is_empty() {
        let app: Decimal = rubric
            .indicators
            .iter()
            .enumerate()
            .filter(|(i, ind)| ind.rule.has_points() && !na.contains(i))
            .map(|(_, ind)| ind.points)
            .sum();
        total = total * rubric.full / app;
    }
    let bonus: Decimal = records
        .iter()
        .filter(live)
        .filter(|r| r.month == month && rubric.indicators[r.indicator].code == "X1")
        .map(|r| Decimal::from(r.count))
        .sum();
    let cap = rubric.categories[1].cap.unwrap();
    (rubric.full - total + bonus.min(cap)).max(Decimal::ZERO)
}

fn all_scores(s: &Scores) -> BTreeMap<String, Option<Decimal>> {
    let mut m = BTreeMap::new();
    for (k, rows) in &s.months {
        for (u, r) in rows.iter().enumerate() {
            m.insert(format!("{k}/{u}"), r.as_ref().map(|r| r.score));
        }
    }
    for (k, rows) in &s.quarters {
        for (u, r) in rows.iter().enumerate() {
            m.insert(format!("{k}/{u}"), r.as_ref().map(|r| r.score));
        }
    }
    for (k, rows) in &s.halves {
        for (u, r) in rows.iter().enumerate() {
            m.insert(format!("{k}/{u}"), r.as_ref().map(|r| r.score));
        }
    }
    for (k, rows) in &s.years {
        for (u, r) in rows.iter().enumerate() {
            m.insert(format!("{k}/{u}"), r.as_ref().map(|r| r.score));
        }
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn month_scores_are_bounded(p in params(), recs in prop::collection::vec(rec(), 1..60)) {
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, None);
        let ceiling = rubric.full + d(p.cap);
        for rows in s.months.values() {
            for r in rows.iter().flatten() {
                prop_assert!(r.score >= Decimal::ZERO && r.score <= ceiling, "{}", r.score);
            }
        }
        for rows in s.quarters.values().chain(s.years.values()) {
            for r in rows.iter().flatten() {
                prop_assert!(r.score >= Decimal::ZERO && r.score <= ceiling, "{}", r.score);
            }
        }
    }

    #[test]
    fn record_order_changes_nothing(p in params(), recs in prop::collection::vec(rec(), 1..60), seed in any::<u64>()) {
        let (rubric, units, records) = setup(&p, &recs);
        let mut shuffled = records.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let a = civscore::ranking::tables(&rubric, &units, &engine::score(&rubric, &units, &records, None));
        let b = civscore::ranking::tables(&rubric, &units, &engine::score(&rubric, &units, &shuffled, None));
        prop_assert_eq!(a.months, b.months);
        prop_assert_eq!(a.quarters, b.quarters);
        prop_assert_eq!(a.years, b.years);
    }

    #[test]
    fn adding_a_finding_never_raises_a_score(
        p in params(),
        recs in prop::collection::vec(rec(), 1..60),
        extra in (0usize..4, 0usize..60, 1u8..4, any::<bool>(), 0u8..2),
    ) {
        let (rubric, units, records) = setup(&p, &recs);
        let before = all_scores(&engine::score(&rubric, &units, &records, None));
        // A new non-void finding of P1 or P2 for some unit, in a month already assessed.
        let (unit, pick, count, severity, which) = extra;
        let mut more = records.clone();
        let base = records[pick % records.len()].clone();
        let mut r = base;
        r.unit = unit;
        r.indicator = rubric.indicator_index(if which == 0 { "P1" } else { "P2" }).unwrap();
        r.count = u64::from(count);
        r.status = Status::Valid;
        r.severity = Some(if severity { "x" } else { "y" }.to_owned());
        more.push(r);
        let after = all_scores(&engine::score(&rubric, &units, &more, None));
        for (k, b) in &before {
            prop_assert!(after[k] <= *b, "{k}: {b:?} -> {:?}", after[k]);
        }
    }

    #[test]
    fn a_span_that_covers_every_month_changes_nothing(
        p in params(),
        recs in prop::collection::vec(rec(), 1..60),
        open_from in any::<bool>(),
    ) {
        // SPEC §7.12: a unit whose from/until cover every month of the records scores as
        // without them (the spans go from the first month to the last, or stay open on one
        // side).
        let (rubric, units, records) = setup(&p, &recs);
        let first = records.iter().map(|r| r.month).min().unwrap();
        let last = records.iter().map(|r| r.month).max().unwrap();
        let mut spanned = units.clone();
        for u in &mut spanned.list {
            u.from = (!open_from).then_some(first);
            u.until = Some(last);
        }
        prop_assert!(spanned.has_spans());
        let a = engine::score(&rubric, &units, &records, None);
        let b = engine::score(&rubric, &spanned, &records, None);
        prop_assert_eq!(all_scores(&a), all_scores(&b));
        let (ta, tb) = (
            civscore::ranking::tables(&rubric, &units, &a),
            civscore::ranking::tables(&rubric, &spanned, &b),
        );
        prop_assert_eq!(format!("{:?}", ta.months), format!("{:?}", tb.months));
        prop_assert_eq!(format!("{:?}", ta.years), format!("{:?}", tb.years));
    }

    #[test]
    fn splitting_a_record_of_count_n_into_n_records_changes_nothing(
        p in params(),
        recs in prop::collection::vec(rec(), 1..60),
    ) {
        // SPEC §7.5: findings are counted, not rows. (A measurement of a threshold is one value
        // whatever its count, so T1 records stay as they are.)
        let (rubric, units, records) = setup(&p, &recs);
        let t1 = rubric.indicator_index("T1");
        let split: Vec<Record> = records
            .iter()
            .flat_map(|r| {
                let n = if Some(r.indicator) == t1 { 1 } else { r.count.max(1) };
                let mut one = r.clone();
                if n > 1 {
                    one.count = 1;
                }
                std::iter::repeat_n(one, n as usize)
            })
            .collect();
        let a = all_scores(&engine::score(&rubric, &units, &records, None));
        let b = all_scores(&engine::score(&rubric, &units, &split, None));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_period_never_changes_when_later_records_are_added(
        p in params(),
        recs in prop::collection::vec(rec(), 1..60),
        pick in any::<prop::sample::Index>(),
    ) {
        // SPEC §7.1, §7.13: `--period P` is scored as it stood at P's end — records dated after
        // it (and the lateness they or earlier records reach later) change neither P's month
        // nor its quarter to date.
        use civscore::cmd::Selection;
        use civscore::period::{Month, Period};
        use civscore::pipeline::{self, Clock};
        let (rubric, units, _) = setup(&p, &recs);
        let months: std::collections::BTreeSet<u8> = recs.iter().map(|r| r.2).collect();
        let months: Vec<u8> = months.into_iter().collect();
        let m = months[pick.index(months.len())];
        let upto: Vec<Rec> = recs.iter().copied().filter(|r| r.2 <= m).collect();
        let scored = |recs: &[Rec]| {
            let sheet = parse_delimited("r.csv", &csv_text(recs, p.quarter_level), b',').unwrap();
            let read = civscore::read::read_sheet(&sheet, &rubric, Some(&units)).unwrap();
            let selection = Selection::Period(Period::Month(Month::new(2026, i32::from(m))));
            let s = pipeline::score(&rubric, &units, read.store, selection, Clock::default())
                .unwrap();
            let chosen = s.chosen(selection);
            format!("{:?} {}", chosen, s.as_of)
        };
        prop_assert_eq!(scored(&upto), scored(&recs));
    }

    #[test]
    fn a_complete_year_without_a_final_is_v1s_formula(
        p in params(), recs in prop::collection::vec(rec(), 1..60),
    ) {
        // SPEC §3.5 (unchanged by §7.3 without `final`): Y = max(0, mean of the assessed
        // quarters − the year-level deductions − the penalties); no `final` figure.
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, Some(jiff::civil::date(2027, 1, 31)));
        for (y, rows) in &s.years {
            for (u, row) in rows.iter().enumerate() {
                let row = row.as_ref().unwrap();
                let quarters: Vec<Decimal> = s
                    .quarters
                    .iter()
                    .filter(|(q, _)| q.year() == *y)
                    .map(|(_, rows)| rows[u].as_ref().unwrap().score)
                    .collect();
                let mean = quarters.iter().sum::<Decimal>() / Decimal::from(quarters.len());
                prop_assert_eq!(row.last, None);
                prop_assert_eq!(row.score, (mean - row.deducted).max(Decimal::ZERO));
            }
        }
    }

    #[test]
    fn without_quarter_indicators_a_quarter_is_the_mean_of_its_months(
        p in params(), recs in prop::collection::vec(rec(), 1..60),
    ) {
        let mut p = p;
        p.quarter_level = false;
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, None);
        for (q, rows) in &s.quarters {
            for (u, row) in rows.iter().enumerate() {
                let row = row.as_ref().unwrap();
                let months: Vec<Decimal> = q
                    .months()
                    .iter()
                    .filter_map(|m| s.months.get(m).and_then(|rows| rows[u].as_ref()))
                    .map(|r| r.score)
                    .collect();
                let mean = months.iter().sum::<Decimal>() / Decimal::from(months.len());
                prop_assert_eq!(row.score, mean);
                prop_assert_eq!(row.deducted, Decimal::ZERO);
            }
        }
    }

    #[test]
    fn a_half_year_without_year_weights_is_the_mean_of_its_quarters(
        p in params(), recs in prop::collection::vec(rec(), 1..60),
    ) {
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, None);
        for (h, rows) in &s.halves {
            for (u, row) in rows.iter().enumerate() {
                // Without spans every unit has a row in every assessed period.
                let row = row.as_ref().unwrap();
                let quarters: Vec<Decimal> = h
                    .quarters()
                    .iter()
                    .filter_map(|q| s.quarters.get(q).map(|rows| rows[u].as_ref().unwrap().score))
                    .collect();
                let mean = quarters.iter().sum::<Decimal>() / Decimal::from(quarters.len());
                prop_assert_eq!(row.score, mean);
                prop_assert_eq!(row.deducted, Decimal::ZERO);
            }
        }
    }

    #[test]
    fn a_months_category_figures_add_up_to_its_deductions(
        p in params(), recs in prop::collection::vec(rec(), 1..60),
    ) {
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, None);
        for rows in s.months.values() {
            for row in rows.iter().flatten() {
                let sum: Decimal = row.categories.iter().sum();
                // Rescaled per category or as a whole: equal but for the last of 28 digits.
                prop_assert!((sum - row.deducted).abs() < Decimal::new(1, 20), "{} {}", sum, row.deducted);
            }
        }
    }

    #[test]
    fn month_scores_match_a_naive_recomputation(p in params(), recs in prop::collection::vec(rec(), 1..60)) {
        let mut p = p;
        p.average = false;
        let (rubric, units, records) = setup(&p, &recs);
        let s = engine::score(&rubric, &units, &records, None);
        for (m, rows) in &s.months {
            for (u, row) in rows.iter().enumerate() {
                prop_assert_eq!(row.as_ref().unwrap().score, naive_month(&rubric, &units, &records, u, *m), "unit {} month {}", u, m);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// The reader in blocks (two workers, integer tallies merged) and the rows of the whole
    /// text give the same tables; a repeated id rejects the later row (both, if they differ).
    #[test]
    fn streaming_and_in_memory_readers_agree(
        p in params(),
        recs in prop::collection::vec(rec(), 1..80),
        dup in prop::option::of(0usize..80),
        roster in any::<bool>(),
    ) {
        let (rubric, units, records) = setup(&p, &recs);
        // With a note after the columns scoring reads (which the reader may skip over), and
        // some lines shorter than the header.
        let mut text = String::from("id,");
        let body = csv_text(&recs, p.quarter_level);
        let mut lines = body.lines();
        text.push_str(lines.next().unwrap());
        text.push_str(",note\n");
        for (k, l) in lines.enumerate() {
            let id = match dup {
                Some(d) if recs.len() > 1 && k == 1 + d % (recs.len() - 1) => "R0".to_owned(),
                _ => format!("R{k}"),
            };
            // Every third line whose last cell is empty ends before it (and the note): a
            // missing cell reads as empty, not as the line before's.
            match l.strip_suffix(',') {
                Some(short) if k % 3 == 0 => text.push_str(&format!("{id},{short}\n")),
                _ => text.push_str(&format!("{id},{l},note {k}\n")),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, &text).unwrap();
        let paths = vec![path.display().to_string()];
        let s = civscore::read::read(&paths, &rubric, roster.then_some(&units), None, false, None, &Default::default()).unwrap();
        let has_dup = text.lines().skip(1).filter(|l| l.starts_with("R0,")).count() > 1;
        if has_dup {
            // The later row with the id is rejected when the two rows say the same; both are
            // when they differ (a missing cell reads as an empty one).
            let cells = |l: &str| {
                let mut v: Vec<String> = l.split(',').skip(1).map(str::to_owned).collect();
                while v.last().is_some_and(|c| c.is_empty()) {
                    v.pop();
                }
                v
            };
            let both: Vec<Vec<String>> = text.lines().filter(|l| l.starts_with("R0,")).map(cells).collect();
            let want = if both[0] == both[1] { 1 } else { 2 };
            prop_assert_eq!(s.rejected.len(), want);
            prop_assert_eq!(s.counts.rejected, want as u64);
            return Ok(());
        }
        // The rows of the whole file, with the same roster or none.
        let slow_units;
        let slow_records = {
            let sheet = parse_delimited("r.csv", &text, b',').unwrap();
            let read = civscore::read::read_sheet(&sheet, &rubric, roster.then_some(&units)).unwrap();
            prop_assert!(read.rejected.is_empty());
            slow_units = read.units;
            read.records.into_sorted().unwrap()
        };
        prop_assert_eq!(slow_records.len(), records.len());
        let units = slow_units;
        let a = civscore::ranking::tables(&rubric, &units, &engine::score(&rubric, &units, &slow_records, None));
        let e = engine::Engine::from_store(&rubric, &s.units, s.layout, s.store);
        let b = civscore::ranking::tables(&rubric, &s.units, &e.score());
        // Units may be numbered differently without a roster: compare by unit code.
        let key = |t: &civscore::ranking::Table, u: &Units| -> Vec<(String, u32, Decimal, bool)> {
            t.rows.iter().map(|r| (u.list[r.unit].code.clone(), r.rank, r.score, r.vetoed)).collect()
        };
        let flat = |t: &civscore::ranking::Tables, u: &Units| {
            t.months.values().chain(t.quarters.values()).chain(t.years.values())
                .map(|x| (x.period.clone(), x.average, x.provisional, key(x, u)))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(flat(&a, &units), flat(&b, &s.units));
        prop_assert_eq!(s.counts.read as usize, recs.len());
    }
}

/// A table as compared: period, average, provisional, rows (unit code, rank, score, vetoed).
type Ranked = (String, Decimal, bool, Vec<(String, u32, Decimal, bool)>);

/// Reads files with the reader in blocks (two workers, small blocks) and ranks them; rows by
/// unit code, so that units numbered otherwise compare equal.
fn read_tables(
    rubric: &Rubric,
    roster: Option<&Units>,
    files: &[(&str, &str)],
    dedupe: bool,
) -> Result<Vec<Ranked>, String> {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        })
        .collect();
    let opts = civscore::input::ReadOptions {
        dedupe,
        config: civscore::input::ReadConfig {
            workers: 2,
            block: 64,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = civscore::read::read(&paths, rubric, roster, None, false, None, &opts)
        .map_err(|e| e.to_string())?;
    let e = engine::Engine::from_store(rubric, &s.units, s.layout, s.store);
    let t = civscore::ranking::tables(rubric, &s.units, &e.score());
    Ok(t.months
        .values()
        .chain(t.quarters.values())
        .chain(t.years.values())
        .map(|x| {
            let rows = x
                .rows
                .iter()
                .map(|r| (s.units.list[r.unit].code.clone(), r.rank, r.score, r.vetoed))
                .collect();
            (x.period.clone(), x.average, x.provisional, rows)
        })
        .collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// A second office's file that repeats some of the first's findings (written otherwise:
    /// spaces, date style, an empty count of 1) beside findings of its own: with `--dedupe` it
    /// scores as the first file plus its own findings; without, the order of the files
    /// changes nothing.
    #[test]
    fn dedupe_keeps_each_finding_once_and_file_order_changes_nothing_without_it(
        p in params(),
        recs in prop::collection::vec(rec(), 1..40),
        own in prop::collection::vec(rec(), 0..10),
        copies in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        roster in any::<bool>(),
    ) {
        let (rubric, units, _) = setup(&p, &recs);
        let roster = roster.then_some(&units);
        let lines = |recs: &[Rec]| -> Vec<String> {
            csv_text(recs, p.quarter_level).lines().skip(1).map(str::to_owned).collect()
        };
        let header = format!("{},note\n", csv_text(&[], p.quarter_level).trim_end());
        let mut a = header.clone();
        for (k, l) in lines(&recs).iter().enumerate() {
            a.push_str(&format!("{l},a{k}\n"));
        }
        let mut b = header.clone();
        let mut alone = a.clone();
        for (k, l) in lines(&own).iter().enumerate() {
            b.push_str(&format!("{l},n{k}\n"));
            alone.push_str(&format!("{l},n{k}\n"));
        }
        for ix in &copies {
            let k = ix.index(recs.len());
            let mut r = recs[k];
            // Bits 1, 2 and 8 of the style: spaces around the unit, 2026/1/2, count 1 empty.
            r.11 ^= 1 | 2 | 8;
            b.push_str(&format!("{},a{k}\n", lines(&[r])[0]));
        }
        let once = read_tables(&rubric, roster, &[("a.csv", &a), ("b.csv", &b)], true);
        let plain = read_tables(&rubric, roster, &[("all.csv", &alone)], false);
        prop_assert_eq!(once.unwrap(), plain.unwrap());
        let ab = read_tables(&rubric, roster, &[("a.csv", &a), ("b.csv", &b)], false);
        let ba = read_tables(&rubric, roster, &[("b.csv", &b), ("a.csv", &a)], false);
        // A file each of whose records is in the other is refused (a copy), in either order.
        let copied: std::collections::HashSet<usize> =
            copies.iter().map(|ix| ix.index(recs.len())).collect();
        // (An input of fewer than three records is not taken for a copy.)
        let whole = (own.is_empty() && copies.len() >= 3) || (copied.len() == recs.len() && recs.len() >= 3);
        prop_assert_eq!(ab.is_err(), whole, "{:?}", ab.as_ref().err());
        prop_assert_eq!(ba.is_err(), whole, "{:?}", ba.as_ref().err());
        prop_assert_eq!(ab.ok(), ba.ok());
    }
}

/// The hand-computed fixture's rubric, which has every rule.
fn hand_rubric() -> Rubric {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/hand/rubric.yaml");
    rubric::load(&std::fs::read_to_string(path).unwrap(), "hand.yaml").unwrap()
}

/// A file of several blocks, with quoted notes that hold commas, quotes and line breaks (some
/// across block boundaries), read in blocks and as the rows of the whole text.
#[test]
fn streaming_many_blocks_with_quoted_line_breaks() {
    let rubric = hand_rubric();
    let mut text = String::from("id,date,unit,indicator,count,value,severity,source,status,note\n");
    let codes = ["P1", "P2", "T1", "B1", "R1", "R2", "X1", "V1"];
    let mut x: u64 = 0x2545F4914F6CDD1D;
    for i in 0..100_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let code = codes[(x % 8) as usize];
        let month = 1 + (x >> 8) % 12;
        let day = 1 + (x >> 16) % 28;
        let unit = (x >> 24) % 40;
        let value = if code == "T1" {
            format!("{}", (x >> 32) % 40)
        } else {
            String::new()
        };
        let severity = if code == "P2" {
            ["minor", "major"][((x >> 40) % 2) as usize]
        } else {
            ""
        };
        let source = ["", "现场考核", "暗访"][((x >> 44) % 3) as usize];
        let status = ["", "", "", "当场整改", "撤销"][((x >> 48) % 5) as usize];
        let note = match (x >> 52) % 4 {
            0 => "\"a note, with a comma\"".to_owned(),
            1 => format!("\"line one\nline two of {i}, \"\"quoted\"\"\""),
            2 => "背街小巷垃圾堆放未清理".to_owned(),
            _ => String::new(),
        };
        text.push_str(&format!(
            "R{i:07},2026-{month:02}-{day:02},U{unit},{code},{},{value},{severity},{source},{status},{note}\n",
            1 + (x >> 56) % 3
        ));
    }
    assert!(text.len() > 3 * (2 << 20), "several blocks: {}", text.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &text).unwrap();
    let s = civscore::read::read(
        &[path.display().to_string()],
        &rubric,
        None,
        None,
        false,
        None,
        &Default::default(),
    )
    .expect("streams");
    let (units, records) = {
        let sheet = parse_delimited("big.csv", &text, b',').unwrap();
        let read = civscore::read::read_sheet(&sheet, &rubric, None).unwrap();
        assert!(read.rejected.is_empty());
        (read.units, read.records.into_sorted().unwrap())
    };
    assert_eq!(s.counts.read, 100_000);
    assert_eq!(s.counts.read, records.len() as u64);
    let a = civscore::ranking::tables(
        &rubric,
        &units,
        &engine::score(&rubric, &units, &records, None),
    );
    let e = engine::Engine::from_store(&rubric, &s.units, s.layout, s.store);
    let b = civscore::ranking::tables(&rubric, &s.units, &e.score());
    let flat = |t: &civscore::ranking::Tables, u: &Units| {
        t.months
            .values()
            .chain(t.quarters.values())
            .chain(t.years.values())
            .map(|x| {
                let rows: Vec<(String, u32, Decimal, bool)> = x
                    .rows
                    .iter()
                    .map(|r| (u.list[r.unit].code.clone(), r.rank, r.score, r.vetoed))
                    .collect();
                (x.period.clone(), x.average, rows)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(flat(&a, &units), flat(&b, &s.units));
}

/// The records the reader keeps in blocks (for `explain` and `report`) are those of the whole
/// text's rows, field for field and line for line: over several blocks, with a byte-order mark,
/// blank lines, Windows line ends in part of the file, quoted notes with line breaks, cells in
/// spaces and dates in other forms.
#[test]
fn streaming_keeps_the_same_records_with_the_same_lines() {
    keeps_the_same_records();
    a_record_longer_than_a_block();
}

/// Every record kept, read in blocks.
fn keeping_all(
    paths: &[String],
    rubric: &Rubric,
    config: &civscore::input::ReadConfig,
) -> Result<civscore::read::Streamed, civscore::Error> {
    let opts = civscore::input::ReadOptions {
        config: *config,
        ..Default::default()
    };
    civscore::read::read(
        paths,
        rubric,
        None,
        None,
        false,
        Some(&|_, _, _| true),
        &opts,
    )
}

/// A note of three megabytes (longer than a block) between two plain rows.
fn a_record_longer_than_a_block() {
    let config = civscore::input::ReadConfig::default();
    let rubric = hand_rubric();
    let long = "x\n".repeat(3 << 19);
    let text = format!(
        "id,date,unit,indicator,note\nR1,2026-03-02,U1,P1,a\nR2,2026-03-03,U2,P1,\"{long}\"\nR3,2026-03-04,U1,P1,c\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv").display().to_string();
    std::fs::write(&path, &text).unwrap();
    let paths = vec![path];
    let s = keeping_all(&paths, &rubric, &config).expect("streams");
    let lines: Vec<(u64, usize)> = s
        .records
        .into_sorted()
        .unwrap()
        .iter()
        .map(|r| (r.line, r.note.len()))
        .collect();
    // The note is trimmed of its last line break; the third record starts after the header,
    // the first row and the long one's 3 × 2^19 + 1 lines.
    assert_eq!(lines, [(2, 1), (3, long.len() - 1), (3 + (3 << 19) + 1, 1)]);
}

fn keeps_the_same_records() {
    let config = civscore::input::ReadConfig::default();
    let rubric = hand_rubric();
    let mut text = String::from(
        "\u{feff}id,date,unit,indicator,count,severity,source,deadline,rectified,note,inspector\n\n",
    );
    let mut x: u64 = 0x9E3779B97F4A7C15;
    for i in 0..100_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let code = ["P1", "P2", "B1", "R1"][(x % 4) as usize];
        let severity = if code == "P2" { "major" } else { "" };
        let (month, day) = (1 + (x >> 8) % 12, 1 + (x >> 16) % 28);
        let date = if (x >> 20).is_multiple_of(7) {
            format!("2026/{month}/{day}")
        } else {
            format!("2026-{month:02}-{day:02}")
        };
        let unit = match (x >> 24) % 9 {
            0 => format!(" U{} ", (x >> 28) % 30),
            _ => format!("U{}", (x >> 28) % 30),
        };
        let deadline = if (x >> 36).is_multiple_of(2) {
            format!("2026-{month:02}-28")
        } else {
            String::new()
        };
        let rectified = if (x >> 37).is_multiple_of(3) {
            format!("2026-{month:02}-{day:02}")
        } else {
            String::new()
        };
        // Quotes and line breaks, and Windows line ends, in some blocks only: blocks of both kinds.
        let note = match ((x >> 40) % 3, (30_000..34_000).contains(&i)) {
            (0, true) => format!("\"two\nlines {i}\""),
            (1, _) => "背街小巷垃圾堆放未清理".to_owned(),
            _ => String::new(),
        };
        let end = if (60_000..62_000).contains(&i) {
            "\r\n"
        } else {
            "\n"
        };
        text.push_str(&format!(
            "R{i:06},{date},{unit},{code},{},{severity},暗访,{deadline},{rectified},{note},inspector {}{end}",
            1 + (x >> 44) % 3,
            (x >> 50) % 5
        ));
        if i.is_multiple_of(9_999) {
            text.push('\n');
        }
    }
    assert!(text.len() > 2 * (2 << 20), "several blocks: {}", text.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.csv").display().to_string();
    std::fs::write(&path, &text).unwrap();
    let paths = vec![path];

    let shown = civscore::fuzz::shown;
    let sheet = civscore::input::read_table(&paths[0], &Default::default()).unwrap();
    let slow = civscore::read::read_sheet(&sheet, &rubric, None).unwrap();
    let slow_units = slow.units.clone();
    let slow_records = slow.records.into_sorted().unwrap();
    assert_eq!(slow_records.len(), 100_000);
    // Everything kept, then one unit's records (by its code).
    let all = keeping_all(&paths, &rubric, &config).expect("streams");
    assert_eq!(
        shown(&all.records.into_sorted().unwrap(), &all.units),
        shown(&slow_records, &slow_units)
    );
    let opts = civscore::input::ReadOptions {
        config,
        ..Default::default()
    };
    let one = civscore::read::read(
        &paths,
        &rubric,
        None,
        None,
        false,
        Some(&|_, code, _| code == "U7"),
        &opts,
    )
    .expect("streams");
    let want: Vec<Record> = slow_records
        .iter()
        .filter(|r| slow_units.list[r.unit].code == "U7")
        .cloned()
        .collect();
    assert!(!want.is_empty());
    assert_eq!(
        shown(&one.records.into_sorted().unwrap(), &one.units),
        shown(&want, &slow_units)
    );
}

/// A line that ends before its last columns reads them as empty, as the whole-text parser
/// does, and not as the line before's: here a stale rectification date would make U2's
/// finding on time (SPEC §7.13: an open finding past its deadline is late, one rectified by then
/// is not).
#[test]
fn a_short_line_reads_its_missing_cells_as_empty() {
    let rubric = rubric::load(
        "civscore: 1\ncategories:\n  - code: C\n    indicators:\n      - {code: A1, name: a, points: 5, rule: per_finding, deduct: 1, overdue: 2}\n",
        "r.yaml",
    )
    .unwrap();
    // U2 comes first in full, so that the short line's unit is known to the quick path.
    let text = "id,date,unit,indicator,count,deadline,rectified\n\
                R0,2026-11-02,U2,A1,1,,\n\
                R1,2026-11-03,U1,A1,1,2026-11-05,2026-11-20\n\
                R2,2026-11-03,U2,A1,1,2026-11-25\n";
    // With and without a line feed after the last line (read by different code).
    for text in [text, text.trim_end()] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.csv");
        std::fs::write(&path, text).unwrap();
        let as_of = jiff::civil::date(2026, 11, 30);
        let s = civscore::read::read(
            &[path.display().to_string()],
            &rubric,
            None,
            Some(as_of),
            false,
            None,
            &Default::default(),
        )
        .expect("streams");
        let e = engine::Engine::from_store(&rubric, &s.units, s.layout, s.store).at(as_of);
        let scores = e.score();
        let by_code = |code: &str| {
            let u = s.units.list.iter().position(|u| u.code == code).unwrap();
            scores.months.values().next().unwrap()[u]
                .as_ref()
                .unwrap()
                .score
        };
        // Full marks 5, as of 11-30. U1: rectified 11-20, after the deadline 11-05, late from
        // 11-06 (booked in November): 5 - (1 + 2 overdue) = 2. U2: a finding without a
        // deadline, and one not rectified whose deadline 11-25 has passed (late from 11-26):
        // 5 - 1 - (1 + 2) = 1. A stale 11-20 from the line before would make it on time: 3.
        assert_eq!(by_code("U1"), Decimal::from(2));
        assert_eq!(by_code("U2"), Decimal::from(1));
    }
}
