//! The scoring engine (SPEC §3): tallies the records per unit, indicator and month, judges every
//! indicator at its level, and rolls months up into quarters and years. Pure: no I/O, no clock.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::period::{Half, Month, Quarter};
use crate::read::{Checked, Record, Status};
use crate::rubric::{FinalWeights, NaMode, Per, Rubric, Rule};
use crate::rules::{self, Agg};
use crate::tally::{Late, Layout, Slim, Store};
use crate::units::Units;

/// One record's own part in a per-finding deduction, before its month's repeat factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// `deduct`, or `deduct[severity]`.
    pub deduct: Decimal,
    pub weight: Decimal,
    /// The on-spot factor when the record was rectified on the spot.
    pub on_spot: Option<Decimal>,
    /// count × deduct × weight × on-spot factor.
    pub base: Decimal,
    /// Days late, when the rectification is overdue.
    pub overdue_days: Option<i64>,
    /// overdue × count when late (never multiplied by a factor).
    pub overdue_extra: Decimal,
}

/// Days a record's rectification is late (SPEC §3.4), or None when it is not overdue. The as-of
/// date defaults to the last day of the record's month.
pub fn overdue_days(r: &Record, as_of: Option<Date>) -> Option<i64> {
    overdue_at(r.deadline, r.rectified, r.month, as_of)
}

/// (deadline, the date it is judged at) when a record's rectification is late: the date it was
/// rectified, or the as-of date (the month's last day by default) while it is open.
#[inline]
fn late(
    deadline: Option<Date>,
    rectified: Option<Date>,
    month: Month,
    as_of: Option<Date>,
) -> Option<(Date, Date)> {
    let deadline = deadline?;
    let reference = match rectified {
        Some(done) => done,
        None => as_of.unwrap_or_else(|| month.last_day()),
    };
    (reference > deadline).then_some((deadline, reference))
}

/// Whether a record's rectification is late (without counting the days: the hot path).
pub fn is_overdue(
    deadline: Option<Date>,
    rectified: Option<Date>,
    month: Month,
    as_of: Option<Date>,
) -> bool {
    late(deadline, rectified, month, as_of).is_some()
}

/// Days late, from a record's dates and month.
pub fn overdue_at(
    deadline: Option<Date>,
    rectified: Option<Date>,
    month: Month,
    as_of: Option<Date>,
) -> Option<i64> {
    late(deadline, rectified, month, as_of).map(|(d, r)| days_between(d, r))
}

pub fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

/// What a record contributes under a per-finding rule (zero for other rules).
pub fn finding(rubric: &Rubric, r: &Record, as_of: Option<Date>) -> Finding {
    let count = Decimal::from(r.count);
    match &rubric.indicators[r.indicator].rule {
        Rule::PerFinding {
            deduct,
            overdue,
            on_spot,
            ..
        } => {
            let unit = rules::unit_deduct(deduct, r.severity.as_deref());
            let spot = on_spot.filter(|_| r.status == Status::OnSpot);
            let base = count * unit * r.weight * spot.unwrap_or(Decimal::ONE);
            let days = overdue.and(overdue_days(r, as_of));
            let extra = match (overdue, days) {
                (Some(x), Some(_)) => *x * count,
                _ => Decimal::ZERO,
            };
            Finding {
                deduct: unit,
                weight: r.weight,
                on_spot: spot,
                base,
                overdue_days: days,
                overdue_extra: extra,
            }
        }
        _ => Finding {
            deduct: Decimal::ZERO,
            weight: r.weight,
            on_spot: None,
            base: Decimal::ZERO,
            overdue_days: None,
            overdue_extra: Decimal::ZERO,
        },
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonthScore {
    pub score: Decimal,
    /// Σ month-level indicator deductions.
    pub deducted: Decimal,
    pub bonus: Decimal,
    pub vetoed: bool,
    /// Records under appeal (SPEC §7.6).
    pub appealed: u64,
    /// Each category's deduction (SPEC §7.7), by category number.
    pub categories: Vec<Decimal>,
}

/// A quarter's or year's result: the parts it rolls up (months or quarters), what was deducted
/// at its own level, and the score.
#[derive(Debug, Clone, PartialEq)]
pub struct RollScore {
    pub parts: Vec<(String, Decimal)>,
    /// Each part's weight in the mean (1 for a quarter's months; the rubric's for a year).
    pub weights: Vec<Decimal>,
    pub deducted: Decimal,
    /// The final assessment's score (F or Fq, SPEC §7.3) when it took part; None while it is
    /// pending or when the rubric has none at this level.
    pub last: Option<Decimal>,
    pub score: Decimal,
    pub vetoed: bool,
    /// Records under appeal in the period's months (SPEC §7.6).
    pub appealed: u64,
    /// Each category's deduction, weighed as the row's deductions are (SPEC §7.7).
    pub categories: Vec<Decimal>,
}

/// Every unit's results in every period of the data, indexed by unit: `None` for a unit that
/// has no row in the period (no month of it within the unit's span, SPEC §7.12).
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// The run's as-of date (SPEC §7.1): a period is complete when it has reached its last day.
    pub as_of: Date,
    pub assessed: BTreeSet<Month>,
    pub months: BTreeMap<Month, Vec<Option<MonthScore>>>,
    pub quarters: BTreeMap<Quarter, Vec<Option<RollScore>>>,
    /// Half-years (SPEC §7.4): their assessed quarters, weighed.
    pub halves: BTreeMap<Half, Vec<Option<RollScore>>>,
    pub years: BTreeMap<i32, Vec<Option<RollScore>>>,
}

impl Scores {
    /// A period is provisional until the as-of date reaches its last day (SPEC §7.1).
    pub fn month_provisional(&self, m: Month) -> bool {
        self.as_of < m.last_day()
    }

    pub fn quarter_provisional(&self, q: Quarter) -> bool {
        self.as_of < q.months()[2].last_day()
    }

    pub fn half_provisional(&self, h: Half) -> bool {
        self.as_of < h.last_month().last_day()
    }

    pub fn year_provisional(&self, y: i32) -> bool {
        self.as_of < Month::new(y, 12).last_day()
    }
}

/// The tallies and flags the engine works from.
pub struct Engine<'a> {
    rubric: &'a Rubric,
    units: &'a Units,
    layout: Layout,
    store: Store,
    pub assessed: BTreeSet<Month>,
    /// The run's as-of date (SPEC §7.1), which decides what is complete and what is due:
    /// given by the caller ([`Engine::at`]); by default the last day of the latest assessed
    /// month. The engine reads no clock.
    pub as_of: Date,
    applicable: Vec<Vec<bool>>,
    veto_indicators: Vec<usize>,
    /// Unit numbers in the order of their codes.
    by_code: Vec<usize>,
    /// Overdue extras booked as of `as_of` (SPEC §7.13): (unit, indicator, month) → Σ extra.
    /// For a quarter- or year-level indicator the month is one of the period's assessed months.
    booked: HashMap<(usize, usize, Month), Decimal>,
}

/// One booking of a late record's extra (SPEC §7.13).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Booking {
    /// The month it is booked in (for a quarter- or year-level indicator, a month of the
    /// period it is booked in).
    pub month: Month,
    pub extra: Decimal,
    /// `overdue_each_month` (still open at the month's end), not the first lateness.
    pub each_month: bool,
}

/// `f` of each item, in order, the second half on another thread (a panic there is passed on).
pub fn on_two_cores<I: Sync, T: Send>(items: &[I], f: impl Fn(&I) -> T + Sync) -> Vec<T> {
    if items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| second.iter().map(&f).collect::<Vec<T>>());
        let mut out: Vec<T> = first.iter().map(&f).collect();
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    })
}

/// A checked record as the tallies count it: its combination of severity, source and
/// on-the-spot, and whether it is or may become late (SPEC §7.13: the engine books that once it
/// knows the as-of date, so the reader needs none).
#[inline]
pub(crate) fn slim(layout: &Layout, unit: u32, c: &Checked) -> Slim {
    // The layout answers from a few bytes per indicator, not from the rubric's rules.
    let combo = layout.combo(
        c.indicator,
        c.severity,
        c.source,
        c.status == Status::OnSpot,
    );
    let late = if layout.overdue_rule(c.indicator) {
        let late = late_of(c.deadline, c.rectified, layout.each_month_rule(c.indicator));
        layout.lateness(c.indicator, c.month, late)
    } else {
        crate::tally::Lateness::No
    };
    Slim {
        unit,
        indicator: c.indicator as u32,
        month: c.month,
        combo: combo as u32,
        count: u32::try_from(c.count).unwrap_or(u32::MAX),
        late,
        void: c.status == Status::Void,
        appealed: c.status == Status::Appealed,
        value: c.value,
    }
}

/// A record's lateness (SPEC §7.13): with a deadline D, rectified after D or not at all, it is
/// late from D + 1. `each_month` keeps the month it was closed (for `overdue_each_month`).
#[inline]
pub fn late_of(deadline: Option<Date>, rectified: Option<Date>, each_month: bool) -> Option<Late> {
    let d = deadline?;
    if rectified.is_some_and(|r| r <= d) {
        return None;
    }
    Some(Late {
        day: d.tomorrow().ok()?,
        closed: if each_month {
            rectified.map(Month::of)
        } else {
            None
        },
    })
}

impl<'a> Engine<'a> {
    pub fn new(
        rubric: &'a Rubric,
        units: &'a Units,
        records: &[Record],
        as_of: Option<Date>,
    ) -> Self {
        let layout = Layout::new(rubric).pinned(as_of);
        let mut store = Store::new(&layout);
        for r in records {
            store.add(&layout, &slim(&layout, r.unit as u32, &r.checked()));
        }
        let engine = Engine::from_store(rubric, units, layout, store);
        match as_of {
            Some(date) => engine.at(date),
            None => engine,
        }
    }

    /// An engine over tallies already made (by the streaming reader).
    pub fn from_store(rubric: &'a Rubric, units: &'a Units, layout: Layout, store: Store) -> Self {
        let applicable: Vec<Vec<bool>> = units
            .list
            .iter()
            .map(|u| {
                let mut v = vec![true; rubric.indicators.len()];
                for &i in &u.not_applicable {
                    v[i] = false;
                }
                v
            })
            .collect();
        let veto_indicators = rubric
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i.rule, Rule::Veto))
            .map(|(k, _)| k)
            .collect();
        let mut by_code: Vec<usize> = (0..units.list.len()).collect();
        by_code.sort_by(|a, b| units.list[*a].code.cmp(&units.list[*b].code));
        let assessed = store.assessed();
        Engine {
            rubric,
            units,
            by_code,
            as_of: assessed.last().map_or(Date::MAX, |m| m.last_day()),
            assessed,
            layout,
            store,
            applicable,
            veto_indicators,
            booked: HashMap::new(),
        }
        .booking()
    }

    /// The engine judging as of `date` (SPEC §7.1): complete periods, due indicators and the
    /// lateness it has reached.
    pub fn at(mut self, date: Date) -> Self {
        // The reader tallies lateness by the day only around the pinned date.
        debug_assert!(
            self.store.judges_at(date),
            "lateness tallied for another as-of date than {date}"
        );
        self.as_of = date;
        self.booking()
    }

    /// Books every late record's extras as of the as-of date (SPEC §7.13).
    fn booking(mut self) -> Self {
        let mut booked: HashMap<(usize, usize, Month), Decimal> = HashMap::new();
        for ((unit, indicator, _, late), count) in self.store.lates(&self.layout) {
            for b in self.bookings(unit as usize, indicator as usize, late, count) {
                *booked
                    .entry((unit as usize, indicator as usize, b.month))
                    .or_default() += b.extra;
            }
        }
        self.booked = booked;
        self
    }

    /// Where a late record's extras go (SPEC §7.13, §7.15), as of the as-of date: `overdue` ×
    /// count in the first period at the indicator's level, from the one containing the day it
    /// became late on, in which the unit is scored; `overdue_each_month` × count in every
    /// complete assessed month after the month it became late at whose end it was still open.
    /// Nothing before the as-of date reaches the day it became late. Only months within the
    /// unit's span (SPEC §7.12) take a booking: one whose span has ended books nothing more.
    pub fn bookings(&self, unit: usize, indicator: usize, late: Late, count: u64) -> Vec<Booking> {
        let mut out = Vec::new();
        let Rule::PerFinding {
            overdue,
            overdue_each_month,
            ..
        } = self.rubric.indicators[indicator].rule
        else {
            return out;
        };
        if self.as_of < late.day || count == 0 {
            return out;
        }
        let count = Decimal::from(count);
        let became = Month::of(late.day);
        if let Some(x) = overdue {
            let from = match self.rubric.indicators[indicator].per {
                Per::Month => became,
                Per::Quarter => became.quarter().months()[0],
                Per::Year => Month::new(became.year(), 1),
            };
            if let Some(m) = self.scored_months(unit, from).next() {
                out.push(Booking {
                    month: m,
                    extra: x * count,
                    each_month: false,
                });
            }
        }
        if let Some(x) = overdue_each_month {
            let after = Month(became.0 + 1);
            for m in self.scored_months(unit, after) {
                if self.as_of < m.last_day() || late.closed.is_some_and(|c| c <= m) {
                    break;
                }
                out.push(Booking {
                    month: m,
                    extra: x * count,
                    each_month: true,
                });
            }
        }
        out
    }

    /// The assessed months from `from` on in which a unit is scored (within its span).
    fn scored_months(&self, unit: usize, from: Month) -> impl Iterator<Item = Month> + '_ {
        let unit = &self.units.list[unit];
        self.assessed
            .range(from..)
            .copied()
            .skip_while(move |m| unit.from.is_some_and(|f| *m < f))
            .take_while(move |m| unit.until.is_none_or(|u| *m <= u))
    }

    /// Whether a unit has a row in the period that `months` cover: an assessed month of them
    /// lies within its span (SPEC §7.12).
    pub fn scored_in(&self, unit: usize, months: &[Month]) -> bool {
        months
            .iter()
            .any(|m| self.assessed.contains(m) && self.units.active(unit, *m))
    }

    pub fn rubric(&self) -> &'a Rubric {
        self.rubric
    }

    /// SPEC §7.8: the categories with an `assessor` that hold an indicator due in a period
    /// (`required`, `threshold`, or `bands` with `measure: value`) and have no record at all
    /// there (of any unit, void included), for the periods at the indicators' levels that
    /// contain `months`: (period, category), in order, each once. A period is looked at up to
    /// the last assessed month.
    pub fn missing_categories(&self, months: &[Month]) -> Vec<(String, usize)> {
        let last = self.assessed.last().copied();
        let n = self.units.list.len();
        let mut out: BTreeSet<(Month, String, usize)> = BTreeSet::new();
        for (k, c) in self.rubric.categories.iter().enumerate() {
            if c.assessor.is_none() {
                continue;
            }
            let any = |period: &[Month]| {
                period.iter().any(|&m| {
                    c.indicators
                        .iter()
                        .any(|&i| self.store.any_record(&self.layout, n, i, m))
                })
            };
            for &m in months {
                for &i in &c.indicators {
                    let ind = &self.rubric.indicators[i];
                    let watched =
                        matches!(ind.rule, Rule::Required { .. }) || ind.rule.needs_value();
                    if !watched {
                        continue;
                    }
                    let (first, len, label) = match ind.per {
                        Per::Month => (m, 1, m.to_string()),
                        Per::Quarter => (m.quarter().months()[0], 3, m.quarter().to_string()),
                        Per::Year => (Month::new(m.year(), 1), 12, format!("{:04}", m.year())),
                    };
                    let period: Vec<Month> = (0..len)
                        .map(|d| Month(first.0 + d))
                        .filter(|p| last.is_some_and(|l| *p <= l))
                        .collect();
                    if self.is_due(i, &period) && !any(&period) {
                        out.insert((first, label, k));
                    }
                }
            }
        }
        out.into_iter().map(|(_, label, k)| (label, k)).collect()
    }

    /// The date an indicator falls due in the period of its level that contains `month`
    /// (SPEC §7.2, §7.11): its `due:` date when that lies in the period, else the period's
    /// last day.
    pub fn due_date(&self, indicator: usize, month: Month) -> Date {
        let ind = &self.rubric.indicators[indicator];
        let (first, len) = match ind.per {
            Per::Month => (month, 1),
            Per::Quarter => (month.quarter().months()[0], 3),
            Per::Year => (Month::new(month.year(), 1), 12),
        };
        let last = Month(first.0 + len - 1).last_day();
        ind.due
            .and_then(|d| d.date_in(first, len))
            .map_or(last, |d| d.min(last))
    }

    /// Whether an indicator is due in the period of its level that `months` cover (the as-of
    /// date has reached its due date); before that it is pending (SPEC §7.2).
    pub fn is_due(&self, indicator: usize, months: &[Month]) -> bool {
        months
            .first()
            .is_none_or(|&m| self.as_of >= self.due_date(indicator, m))
    }

    /// Why the tallies cannot be scored (a counter overflowed, too many counters, a value out of
    /// bounds), if they cannot.
    pub fn problem(&self) -> Option<crate::tally::Problem> {
        self.store.problem()
    }

    pub fn applicable(&self, unit: usize, indicator: usize) -> bool {
        self.applicable[unit][indicator]
    }

    /// The repeat factor of a unit's indicator in a month: F when the previous calendar month had
    /// a non-void record of it (反弹), else 1.
    pub fn repeat_factor(&self, unit: usize, indicator: usize, month: Month) -> Decimal {
        match self.rubric.indicators[indicator].rule {
            Rule::PerFinding {
                repeat: Some(f), ..
            } if self
                .store
                .records(&self.layout, unit, indicator, month.prev())
                > 0 =>
            {
                f
            }
            _ => Decimal::ONE,
        }
    }

    /// The overdue extras of a unit's records of an indicator booked in a month (SPEC §7.13).
    pub fn booked_in(&self, unit: usize, indicator: usize, month: Month) -> Decimal {
        self.booked
            .get(&(unit, indicator, month))
            .copied()
            .unwrap_or_default()
    }

    /// What a unit's records of an indicator add up to over some months.
    pub fn agg(&self, unit: usize, indicator: usize, months: &[Month]) -> Agg {
        let mut total = Agg::default();
        for &m in months {
            if !self.booked.is_empty()
                && let Some(x) = self.booked.get(&(unit, indicator, m))
            {
                total.overdue += x;
            }
            if let Some(t) = self.store.month(&self.layout, unit, indicator, m) {
                // Multiplications by one and by zero skipped: the same sums, exactly.
                let factor = self.repeat_factor(unit, indicator, m);
                total.merge(&Agg {
                    records: t.records,
                    count: t.count,
                    base: if factor == Decimal::ONE {
                        t.base
                    } else {
                        t.base * factor
                    },
                    overdue: Decimal::ZERO,
                    value_sum: t.value_sum,
                    values: t.values,
                });
            }
        }
        total
    }

    /// The rescale factor of SPEC §3.6 as (full, applicable points), or None when all apply.
    pub fn rescale(&self, unit: usize) -> Option<(Decimal, Decimal)> {
        if self.rubric.not_applicable != NaMode::Rescale
            || self.units.list[unit].not_applicable.is_empty()
        {
            return None;
        }
        let app: Decimal = self
            .rubric
            .indicators
            .iter()
            .enumerate()
            .filter(|(i, ind)| ind.rule.has_points() && self.applicable[unit][*i])
            .map(|(_, ind)| ind.points)
            .sum();
        (!app.is_zero() && app != self.rubric.full).then_some((self.rubric.full, app))
    }

    /// The indicators judged at a level (those with points).
    pub fn level(&self, per: Per) -> Vec<usize> {
        self.rubric
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, ind)| ind.per == per && ind.rule.has_points())
            .map(|(i, _)| i)
            .collect()
    }

    /// Every unit's deduction of every indicator of `inds` over `months`, after the cap, with the
    /// mean of the applicable units standing in for a not-applicable indicator under
    /// `not_applicable: average`: `[unit][k]` for `inds[k]`. Rescaling is applied to the total
    /// (see `total`), so that it is one exact multiplication and one division.
    ///
    /// `months` are the period of the indicators' level (a month, a quarter's months, a year's
    /// months): an indicator not yet due there whose judgement rests on what has not happened
    /// (SPEC §7.2) deducts nothing. Only the units with a row in the period (SPEC §7.12, §7.15)
    /// count in the mean; the others deduct nothing there (reports list no deduction for them).
    pub fn deductions(&self, inds: &[usize], months: &[Month]) -> Vec<Vec<Decimal>> {
        let n = self.units.list.len();
        let spans = self.units.has_spans();
        let scored: Vec<bool> = (0..n)
            .map(|u| !spans || self.scored_in(u, months))
            .collect();
        let due: Vec<bool> = inds.iter().map(|&i| self.is_due(i, months)).collect();
        let mut out: Vec<Vec<Decimal>> = (0..n)
            .map(|u| {
                inds.iter()
                    .zip(&due)
                    .map(|(&i, &due)| {
                        // A unit without a row in the period deducts nothing there.
                        if !self.applicable[u][i] || !scored[u] {
                            return Decimal::ZERO;
                        }
                        let ind = &self.rubric.indicators[i];
                        let agg = self.agg(u, i, months);
                        if !due && rules::pending(ind, &agg) {
                            Decimal::ZERO
                        } else {
                            rules::deduction(ind, &agg)
                        }
                    })
                    .collect()
            })
            .collect();
        if self.rubric.not_applicable == NaMode::Average {
            for (k, &i) in inds.iter().enumerate() {
                // Summed in unit-code order: the same whatever order the units were met in.
                let (sum, n) = self
                    .by_code
                    .iter()
                    .copied()
                    .filter(|&u| self.applicable[u][i] && scored[u])
                    .fold((Decimal::ZERO, 0u64), |(s, c), u| (s + out[u][k], c + 1));
                let mean = if n == 0 {
                    Decimal::ZERO
                } else {
                    sum / Decimal::from(n)
                };
                for (u, row) in out.iter_mut().enumerate() {
                    if !self.applicable[u][i] && scored[u] {
                        row[k] = mean;
                    }
                }
            }
        }
        out
    }

    /// A unit's total deduction at a level: the sum of its indicators' deductions, rescaled by
    /// full / applicable points when some indicators do not apply to it (SPEC §3.6).
    pub fn total(&self, unit: usize, row: &[Decimal]) -> Decimal {
        let sum: Decimal = row.iter().sum();
        match self.rescale(unit) {
            Some((full, app)) => sum * full / app,
            None => sum,
        }
    }

    /// A unit's deductions at a level summed by category, rescaled as [`Engine::total`] does
    /// (SPEC §7.7): `inds` are the level's indicators, `row` their deductions.
    pub fn by_category(&self, unit: usize, inds: &[usize], row: &[Decimal]) -> Vec<Decimal> {
        let mut out = vec![Decimal::ZERO; self.rubric.categories.len()];
        for (&i, d) in inds.iter().zip(row) {
            out[self.rubric.indicators[i].category] += *d;
        }
        if let Some((full, app)) = self.rescale(unit) {
            for d in &mut out {
                *d = *d * full / app;
            }
        }
        out
    }

    /// A unit's bonus in a month: Σ over bonus categories of min(cap, Σ add × count).
    pub fn bonus(&self, unit: usize, month: Month) -> Decimal {
        self.bonus_parts(unit, month)
            .map(|(_, _, bonus)| bonus)
            .sum()
    }

    /// Each bonus category's figures for a unit in a month: (category, Σ add × count, the
    /// bonus after its cap).
    pub fn bonus_parts(
        &self,
        unit: usize,
        month: Month,
    ) -> impl Iterator<Item = (usize, Decimal, Decimal)> + '_ {
        let categories = self.rubric.categories.iter().enumerate();
        categories.filter(|(_, c)| c.bonus).map(move |(k, c)| {
            let sum: Decimal = c
                .indicators
                .iter()
                .filter(|&&i| self.applicable[unit][i])
                .map(|&i| match self.rubric.indicators[i].rule {
                    Rule::Bonus { add } => add * Decimal::from(self.agg(unit, i, &[month]).count),
                    _ => Decimal::ZERO,
                })
                .sum();
            (k, sum, c.cap.map_or(sum, |cap| sum.min(cap)))
        })
    }

    pub fn vetoed(&self, unit: usize, month: Month) -> bool {
        self.veto_indicators.iter().any(|&i| {
            self.applicable[unit][i] && self.store.records(&self.layout, unit, i, month) > 0
        })
    }

    /// The penalties of SPEC §1 that apply to a unit in a year, with their names.
    /// The year penalties that apply to a unit, with the findings counted for each.
    pub fn penalties(&self, unit: usize, year: i32) -> Vec<(usize, u64)> {
        self.rubric
            .penalties
            .iter()
            .enumerate()
            .filter_map(|(k, p)| {
                // Findings, not rows: one record of count 2 is two criticisms (SPEC §7.5).
                let months: Vec<Month> = (1..=12).map(|m| Month::new(year, m)).collect();
                let n = self.agg(unit, p.indicator, &months).count;
                (n >= p.at_least).then_some((k, n))
            })
            .collect()
    }

    /// Scores every unit in every assessed month, quarter and year.
    pub fn score(&self) -> Scores {
        self.score_need(&Need::default())
    }

    /// Scores only the periods `need` names (and what they roll up from).
    pub fn score_need(&self, need: &Need) -> Scores {
        let mut scores = Scores {
            as_of: self.as_of,
            assessed: self.assessed.clone(),
            ..Scores::default()
        };
        self.score_months(need, &mut scores);
        self.score_quarters(need, &mut scores);
        self.score_halves(need, &mut scores);
        self.score_years(need, &mut scores);
        scores
    }

    /// S(u, m) for the assessed months `need` asks for.
    fn score_months(&self, need: &Need, scores: &mut Scores) {
        let n = self.units.list.len();
        let full = self.rubric.full;
        let month_inds = self.level(Per::Month);
        let months: Vec<Month> = self
            .assessed
            .iter()
            .copied()
            .filter(|m| need.months.as_ref().is_none_or(|s| s.contains(m)))
            .collect();
        // Months are independent: half of them on a second core.
        let rows = on_two_cores(&months, |&m| {
            let deds = self.deductions(&month_inds, &[m]);
            (0..n)
                .map(|u| {
                    // No row outside the unit's span (SPEC §7.12).
                    if !self.units.active(u, m) {
                        return None;
                    }
                    let deducted = self.total(u, &deds[u]);
                    let bonus = self.bonus(u, m);
                    Some(MonthScore {
                        categories: self.by_category(u, &month_inds, &deds[u]),
                        score: (full - deducted + bonus).max(Decimal::ZERO),
                        deducted,
                        bonus,
                        vetoed: self.vetoed(u, m),
                        appealed: self.store.appealed(u as u32, m),
                    })
                })
                .collect()
        });
        scores.months.extend(months.into_iter().zip(rows));
    }

    /// Q(u, q): the mean of the assessed months less the quarter-level deductions.
    fn score_quarters(&self, need: &Need, scores: &mut Scores) {
        let n = self.units.list.len();
        let quarter_inds = self.level(Per::Quarter);
        let quarters: BTreeSet<Quarter> = self.assessed.iter().map(|m| m.quarter()).collect();
        for q in quarters {
            if need.quarters.as_ref().is_some_and(|s| !s.contains(&q)) {
                continue;
            }
            let months: Vec<Month> = q
                .months()
                .into_iter()
                .filter(|m| self.assessed.contains(m))
                .collect();
            let deds = self.deductions(&quarter_inds, &q.months());
            let complete = !scores.quarter_provisional(q);
            let row = (0..n)
                .map(|u| {
                    // The unit's assessed months within its span; none, no row (SPEC §7.12).
                    let own: Vec<&MonthScore> = months
                        .iter()
                        .filter_map(|m| scores.months[m][u].as_ref())
                        .collect();
                    if own.is_empty() {
                        return None;
                    }
                    let parts: Vec<(String, Decimal)> = months
                        .iter()
                        .filter(|m| scores.months[m][u].is_some())
                        .map(|m| m.to_string())
                        .zip(own.iter().map(|s| s.score))
                        .collect();
                    let mean = mean(parts.iter().map(|(_, s)| *s));
                    let level = self.total(u, &deds[u]);
                    let (score, deducted, last) = quarter_score(
                        self.rubric.quarter_weights,
                        complete,
                        self.rubric.full,
                        mean,
                        level,
                    );
                    // Each category as the total: the mean of its monthly figures and its
                    // quarter-level deductions, weighed with the final when there is one.
                    let level_cats = self.by_category(u, &quarter_inds, &deds[u]);
                    let categories = (0..level_cats.len())
                        .map(|c| {
                            let m = self::mean(own.iter().map(|s| s.categories[c]));
                            match self.rubric.quarter_weights {
                                None => m + level_cats[c],
                                Some(w) if complete => {
                                    let sum = w.months + w.last;
                                    if sum.is_zero() {
                                        (m + level_cats[c]) / Decimal::TWO
                                    } else {
                                        (w.months * m + w.last * level_cats[c]) / sum
                                    }
                                }
                                Some(_) => m,
                            }
                        })
                        .collect();
                    Some(RollScore {
                        categories,
                        weights: vec![Decimal::ONE; parts.len()],
                        parts,
                        deducted,
                        last,
                        score,
                        vetoed: own.iter().any(|s| s.vetoed),
                        appealed: own.iter().map(|s| s.appealed).sum(),
                    })
                })
                .collect();
            scores.quarters.insert(q, row);
        }
    }

    /// Y(u, y): the weighted mean of the assessed quarters less the year-level deductions and
    /// the penalties.
    fn score_years(&self, need: &Need, scores: &mut Scores) {
        let n = self.units.list.len();
        let year_inds = self.level(Per::Year);
        let years: BTreeSet<i32> = self.assessed.iter().map(|m| m.year()).collect();
        for y in years {
            if need.years.as_ref().is_some_and(|s| !s.contains(&y)) {
                continue;
            }
            let all_months: Vec<Month> = (1..=12).map(|m| Month::new(y, m)).collect();
            let quarters: Vec<Quarter> = (0..4)
                .map(|k| Quarter(y * 4 + k))
                .filter(|q| scores.quarters.contains_key(q))
                .collect();
            let deds = self.deductions(&year_inds, &all_months);
            let complete = !scores.year_provisional(y);
            let row = (0..n)
                .map(|u| {
                    let own = own_quarters(scores, &quarters, u)?;
                    let (parts, weights) = self.quarter_parts(&own);
                    let penalty: Decimal = self
                        .penalties(u, y)
                        .iter()
                        .map(|(k, _)| self.rubric.penalties[*k].deduct)
                        .sum();
                    let level = self.total(u, &deds[u]);
                    let (score, deducted, last) = match self.rubric.year_final {
                        // §3.5: the weighted quarters less the year-level deductions.
                        None => {
                            let base = weighted_mean(&parts, &weights);
                            let deducted = level + penalty;
                            ((base - deducted).max(Decimal::ZERO), deducted, None)
                        }
                        // §7.3: the year-end assessment F = full − the year-level
                        // deductions takes part beside the quarters once the year is complete.
                        Some(wf) if complete => {
                            let f = (self.rubric.full - level).max(Decimal::ZERO);
                            let base = with_final(&parts, &weights, wf, f);
                            (
                                (base - penalty).max(Decimal::ZERO),
                                level + penalty,
                                Some(f),
                            )
                        }
                        // Pending: the quarters alone, and the penalties.
                        Some(_) => {
                            let base = weighted_mean(&parts, &weights);
                            ((base - penalty).max(Decimal::ZERO), penalty, None)
                        }
                    };
                    // Each category as the total (SPEC §7.7, §7.11): its quarters weighed, its
                    // year-level deductions (in the final once it takes part, none while it
                    // is pending), and the penalties counting its indicators.
                    let level_cats = self.by_category(u, &year_inds, &deds[u]);
                    let mut categories: Vec<Decimal> = (0..level_cats.len())
                        .map(|c| {
                            let cat = category_parts(&own, c);
                            match self.rubric.year_final {
                                None => weighted_mean(&cat, &weights) + level_cats[c],
                                Some(wf) if complete => {
                                    with_final(&cat, &weights, wf, level_cats[c])
                                }
                                Some(_) => weighted_mean(&cat, &weights),
                            }
                        })
                        .collect();
                    for (k, _) in self.penalties(u, y) {
                        let p = &self.rubric.penalties[k];
                        categories[self.rubric.indicators[p.indicator].category] += p.deduct;
                    }
                    Some(RollScore {
                        categories,
                        parts,
                        weights,
                        deducted,
                        last,
                        score,
                        vetoed: own.iter().any(|(_, s)| s.vetoed),
                        appealed: own.iter().map(|(_, s)| s.appealed).sum(),
                    })
                })
                .collect();
            scores.years.insert(y, row);
        }
    }
}

impl Engine<'_> {
    /// A unit's quarters as parts (label, score) and their year weights.
    fn quarter_parts(
        &self,
        own: &[(Quarter, &RollScore)],
    ) -> (Vec<(String, Decimal)>, Vec<Decimal>) {
        let parts = own.iter().map(|(q, s)| (q.label(), s.score)).collect();
        let weights = own
            .iter()
            .map(|(q, _)| self.rubric.year_weights[(q.number() - 1) as usize])
            .collect();
        (parts, weights)
    }

    /// H(u, h): the assessed quarters of the half, with the year weights of those quarters, or
    /// equal weights when the year weights give one of them 0 (SPEC §7.4). Nothing is judged
    /// at this level.
    fn score_halves(&self, need: &Need, scores: &mut Scores) {
        let n = self.units.list.len();
        let halves: BTreeSet<Half> = scores.quarters.keys().map(|q| Half::of(*q)).collect();
        for h in halves {
            if need.halves.as_ref().is_some_and(|s| !s.contains(&h)) {
                continue;
            }
            let quarters: Vec<Quarter> = h
                .quarters()
                .into_iter()
                .filter(|q| scores.quarters.contains_key(q))
                .collect();
            let row = (0..n)
                .map(|u| {
                    let own = own_quarters(scores, &quarters, u)?;
                    let (parts, mut weights) = self.quarter_parts(&own);
                    if weights.iter().any(Decimal::is_zero) {
                        weights = vec![Decimal::ONE; own.len()];
                    }
                    let categories = (0..self.rubric.categories.len())
                        .map(|c| {
                            let cat = category_parts(&own, c);
                            weighted_mean(&cat, &weights)
                        })
                        .collect();
                    Some(RollScore {
                        categories,
                        score: weighted_mean(&parts, &weights),
                        parts,
                        weights,
                        deducted: Decimal::ZERO,
                        last: None,
                        vetoed: own.iter().any(|(_, s)| s.vetoed),
                        appealed: own.iter().map(|(_, s)| s.appealed).sum(),
                    })
                })
                .collect();
            scores.halves.insert(h, row);
        }
    }
}

/// A unit's rows in the quarters given, those in which it has one; `None` (no row) when it has
/// none (SPEC §7.12).
fn own_quarters<'s>(
    scores: &'s Scores,
    quarters: &[Quarter],
    u: usize,
) -> Option<Vec<(Quarter, &'s RollScore)>> {
    let own: Vec<(Quarter, &RollScore)> = quarters
        .iter()
        .filter_map(|q| Some((*q, scores.quarters[q][u].as_ref()?)))
        .collect();
    (!own.is_empty()).then_some(own)
}

/// One category's figure in each of a unit's quarters, as parts to weigh.
fn category_parts(own: &[(Quarter, &RollScore)], c: usize) -> Vec<(String, Decimal)> {
    own.iter()
        .map(|(_, s)| (String::new(), s.categories[c]))
        .collect()
}

/// Q(u, q) = the months' mean less the quarter-level deductions (§3.5); with
/// `quarter.weights`, (months × mean + final × Fq) / (months + final) once the quarter is
/// complete, Fq = full − those deductions (≥ 0), and the mean alone while it is pending
/// (SPEC §7.3). Returns (score, deducted at the level, Fq when it took part).
pub fn quarter_score(
    weights: Option<FinalWeights>,
    complete: bool,
    full: Decimal,
    mean: Decimal,
    level: Decimal,
) -> (Decimal, Decimal, Option<Decimal>) {
    match weights {
        None => ((mean - level).max(Decimal::ZERO), level, None),
        Some(w) if complete => {
            let fq = (full - level).max(Decimal::ZERO);
            let sum = w.months + w.last;
            let score = if sum.is_zero() {
                (mean + fq) / Decimal::TWO
            } else {
                (w.months * mean + w.last * fq) / sum
            };
            (score, level, Some(fq))
        }
        Some(_) => (mean, Decimal::ZERO, None),
    }
}

/// (Σ w_q × Q + w_final × F) / (Σ w_q + w_final); when these weights add up to 0, the
/// assessed quarters weigh equally (SPEC §7.15).
pub fn with_final(
    parts: &[(String, Decimal)],
    weights: &[Decimal],
    wf: Decimal,
    f: Decimal,
) -> Decimal {
    let wsum: Decimal = weights.iter().sum::<Decimal>() + wf;
    if wsum.is_zero() {
        return mean(parts.iter().map(|(_, s)| *s));
    }
    let total: Decimal = parts.iter().zip(weights).map(|((_, s), w)| *s * *w).sum();
    (total + wf * f) / wsum
}

/// The periods to score: `None` is every period in the data. A quarter needs its months, a year
/// its quarters and months: `Need::for_*` include them, and the previous period of the same kind
/// (for rank changes).
#[derive(Debug, Clone, Default)]
pub struct Need {
    pub months: Option<BTreeSet<Month>>,
    pub quarters: Option<BTreeSet<Quarter>>,
    pub halves: Option<BTreeSet<Half>>,
    pub years: Option<BTreeSet<i32>>,
}

impl Need {
    /// A month and its quarter to date, with the previous month and quarter.
    pub fn month(m: Month) -> Need {
        let mut need = Need::quarter(m.quarter());
        if let Some(months) = need.months.as_mut() {
            months.extend([m, m.prev()]);
        }
        need
    }

    /// A quarter, with the previous quarter.
    pub fn quarter(q: Quarter) -> Need {
        let mut months = BTreeSet::new();
        months.extend(q.months());
        months.extend(q.prev().months());
        Need {
            months: Some(months),
            quarters: Some([q, q.prev()].into_iter().collect()),
            halves: Some(BTreeSet::new()),
            years: Some(BTreeSet::new()),
        }
    }

    /// A half-year, with the previous half-year, and their quarters and months.
    pub fn half(h: Half) -> Need {
        let quarters: BTreeSet<Quarter> = h
            .prev()
            .quarters()
            .into_iter()
            .chain(h.quarters())
            .collect();
        let months = quarters.iter().flat_map(|q| q.months()).collect();
        Need {
            months: Some(months),
            quarters: Some(quarters),
            halves: Some([h.prev(), h].into_iter().collect()),
            years: Some(BTreeSet::new()),
        }
    }

    /// A year and everything in it, with the previous year.
    pub fn year(y: i32) -> Need {
        let quarters: BTreeSet<Quarter> = ((y - 1) * 4..(y + 1) * 4).map(Quarter).collect();
        let months = quarters.iter().flat_map(|q| q.months()).collect();
        Need {
            months: Some(months),
            quarters: Some(quarters),
            halves: Some(BTreeSet::new()),
            years: Some([y - 1, y].into_iter().collect()),
        }
    }
}

pub fn mean(values: impl Iterator<Item = Decimal>) -> Decimal {
    let (sum, n) = values.fold((Decimal::ZERO, 0u64), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        Decimal::ZERO
    } else {
        sum / Decimal::from(n)
    }
}

/// Σ w × Q / Σ w; when the weights of the assessed quarters add up to 0, the plain mean.
pub fn weighted_mean(parts: &[(String, Decimal)], weights: &[Decimal]) -> Decimal {
    let wsum: Decimal = weights.iter().sum();
    if wsum.is_zero() {
        return mean(parts.iter().map(|(_, s)| *s));
    }
    let total: Decimal = parts.iter().zip(weights).map(|((_, s), w)| *s * *w).sum();
    total / wsum
}

/// Scores records in one call.
/// `as_of` is `--as-of`: the date lateness is judged at and the run's as-of date; without it,
/// the last day of the latest assessed month.
pub fn score(rubric: &Rubric, units: &Units, records: &[Record], as_of: Option<Date>) -> Scores {
    Engine::new(rubric, units, records, as_of).score()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A rubric with every kind of `due:` (SPEC §7.2). 2+2+4+4+3+3+2 = 20.
    const CALENDAR: &str = r#"civscore: 1.1
full: 20
categories:
  - code: A
    indicators:
      - {code: M1, points: 2, rule: required, due: 20}
      - {code: M2, points: 2, rule: required}
      - {code: T1, points: 4, rule: threshold, target: 20, missing: zero}
      - {code: Q1, points: 4, rule: required, per: 季度, due: "05-15"}
      - {code: Y1, points: 3, rule: required, per: 年, due: "06-30"}
      - {code: Y2, points: 3, rule: required, per: 年度}
      - {code: F1, points: 2, rule: per_finding, deduct: 1}
"#;

    /// U1's scores in 2026 as of `as_of`: one finding (F1) in May and one in November, nothing
    /// else held or measured.
    fn calendar(as_of: Date) -> Scores {
        let rubric = crate::rubric::load(CALENDAR, "r.yaml").unwrap();
        let csv = "date,unit,indicator\n2026-05-03,U1,F1\n2026-11-03,U1,F1\n";
        let sheet = crate::input::parse_delimited("r.csv", csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, None).unwrap();
        let records = read.records.into_sorted().unwrap();
        Engine::new(&rubric, &read.units, &records, Some(as_of)).score()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn what_is_not_due_is_pending() {
        let (may, nov) = (Month::new(2026, 5), Month::new(2026, 11));
        let (q2, q4) = (may.quarter(), nov.quarter());
        // (as of, May, Q2, Nov, Q4, year)
        let cases = [
            // 20 May: May's M1 is due (the 20th): 20 − F1 1 − M1 2 = 17; M2 (due the 31st)
            // and T1 (no measurement) pending. Q2: Q1 due 15 May is reached: 17 − 4 = 13.
            // November is scored on its records (after the as-of date): 20 − 1 = 19, all
            // pending; Q4 19 (Q1's due date lies in Q2 only: Q4's is its end).
            // Year: Y1 (due 30 June) and Y2 (31 December) pending: (13 + 19) / 2 = 16.
            ("2026-05-20", "17", "13", "19", "19", "16"),
            // 10 November: May and Q2 complete: May 20 − 1 − 2 − 2 − 4 (T1 missing: zero) = 11;
            // Q2 11 − 4 = 7. November: 20 − 1 = 19 (M1 due the 20th). Q4 19.
            // Year: Y1 due: (7 + 19) / 2 − 3 = 10; Y2 pending.
            ("2026-11-10", "11", "7", "19", "19", "10"),
            // 20 November: M1 due: 20 − 1 − 2 = 17. Q4 17. Year (7 + 17) / 2 − 3 = 9.
            ("2026-11-20", "11", "7", "17", "17", "9"),
            // 30 November: November complete: 11. Q4 still provisional, Q1 pending: 11.
            // Year (7 + 11) / 2 − 3 = 6.
            ("2026-11-30", "11", "7", "11", "11", "6"),
            // 31 December: everything complete: Q4 11 − 4 = 7; year (7 + 7) / 2 − 3 − 3 = 1.
            ("2026-12-31", "11", "7", "11", "7", "1"),
        ];
        for (as_of, m5, q_2, m11, q_4, y) in cases {
            let s = calendar(as_of.parse().unwrap());
            let got = [
                s.months[&may][0].as_ref().unwrap().score,
                s.quarters[&q2][0].as_ref().unwrap().score,
                s.months[&nov][0].as_ref().unwrap().score,
                s.quarters[&q4][0].as_ref().unwrap().score,
                s.years[&2026][0].as_ref().unwrap().score,
            ];
            assert_eq!(got, [m5, q_2, m11, q_4, y].map(d), "as of {as_of}");
        }
    }

    /// SPEC §7.13: F1 (10 points, 1 a finding, overdue 2, 0.5 more each month still open) and a
    /// quarter-level F2 (10 points, 1 a finding, overdue 3). U1 has one F1 finding of count 2 on
    /// 06-03 due 06-30, rectified `rectified`; one F2 finding on 01-10 due 02-10, open. U2 only
    /// makes the months assessed (05 to 09, not 08).
    fn late(as_of: Date, rectified: &str) -> Scores {
        let rubric = crate::rubric::load(
            "civscore: 1.1\nfull: 20\ncategories:\n  - code: A\n    indicators:\n      - {code: F1, name: f, points: 10, rule: per_finding, deduct: 1, overdue: 2, overdue_each_month: 0.5}\n      - {code: F2, name: g, points: 10, rule: per_finding, deduct: 1, overdue: 3, per: quarter}\n",
            "r.yaml",
        )
        .unwrap();
        let csv = format!(
            "date,unit,indicator,count,deadline,rectified\n\
             2026-01-10,U1,F2,1,2026-02-10,\n\
             2026-06-03,U1,F1,2,2026-06-30,{rectified}\n\
             2026-05-02,U2,F1,0,,\n2026-07-02,U2,F1,0,,\n2026-09-02,U2,F1,0,,\n"
        );
        let sheet = crate::input::parse_delimited("r.csv", &csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, None).unwrap();
        let records = read.records.into_sorted().unwrap();
        Engine::new(&rubric, &read.units, &records, Some(as_of)).score()
    }

    #[test]
    fn overdue_is_booked_when_it_happens() {
        let m = |k| Month::new(2026, k);
        // (as of, rectified, June, July, September, Q1, Q3)
        let cases = [
            // As of 06-30 nothing is late yet (late from 07-01): June 20 − 2 × 1 = 18.
            // Q1: F2 late from 02-11, Q1 complete: booked in Q1: 20 − (1 + 3) = 16.
            ("2026-06-30", "", "18", "20", "20", "16", "20"),
            // As of 07-01, open: late from 07-01, booked in July: 20 − 2 × 2 = 16. June stays
            // 18 (a complete month never changes). July is not complete: no monthly extra yet.
            ("2026-07-01", "", "18", "16", "20", "16", "18"),
            // As of 09-30, still open: July 16 (the monthly extra counts only in months
            // strictly after the month it became late); August is not assessed (nothing
            // booked); September complete and open at its end: 20 − 0.5 × 2 = 19.
            // Q3 = (16 + 19) / 2 = 17.5.
            ("2026-09-30", "", "18", "16", "19", "16", "17.5"),
            // Rectified 07-15 (late): the extra of 2 × 2 in July, no monthly extra (closed
            // before July's end): July 16, September 20. Q3 (16 + 20) / 2 = 18. June still 18.
            ("2026-09-30", "2026-07-15", "18", "16", "20", "16", "18"),
            // Rectified 06-30 (on time): nothing late. Q3 20.
            ("2026-09-30", "2026-06-30", "18", "20", "20", "16", "20"),
            // Rectified 08-20: closed before September's end: July 16, September 20, Q3 18.
            ("2026-09-30", "2026-08-20", "18", "16", "20", "16", "18"),
            // As of 08-31 (August not assessed, September not complete), open: July 16 only.
            ("2026-08-31", "", "18", "16", "20", "16", "18"),
        ];
        for (as_of, rectified, jun, jul, sep, q1, q3) in cases {
            let s = late(as_of.parse().unwrap(), rectified);
            let got = [
                s.months[&m(6)][0].as_ref().unwrap().score,
                s.months[&m(7)][0].as_ref().unwrap().score,
                s.months[&m(9)][0].as_ref().unwrap().score,
                s.quarters[&m(1).quarter()][0].as_ref().unwrap().score,
                s.quarters[&m(7).quarter()][0].as_ref().unwrap().score,
            ];
            assert_eq!(
                got,
                [jun, jul, sep, q1, q3].map(d),
                "as of {as_of}, rectified {rectified:?}"
            );
        }
    }

    /// A monthly extra for a month without records is not booked (SPEC §7.15).
    #[test]
    fn overdue_with_no_month_to_go_to_is_not_booked() {
        let s = late(date(2026, 12, 31), "2026-10-05");
        // Late from 07-01 (rectified 10-05 after 06-30): July 20 − 2 × 2 = 16; September
        // 20 − 0.5 × 2 (open at its end) = 19; October has no records: not booked there.
        assert_eq!(
            s.months[&Month::new(2026, 7)][0].as_ref().unwrap().score,
            d("16")
        );
        assert_eq!(
            s.months[&Month::new(2026, 9)][0].as_ref().unwrap().score,
            d("19")
        );
        assert!(!s.months.contains_key(&Month::new(2026, 10)));
    }

    /// SPEC §7.15: overdue extras go only to months in which the unit is scored. U1 is assessed
    /// from 2026-07 until 2026-08 (full 10); its F1 finding of 07-03 (count 1) is due 07-10 and
    /// stays open: `overdue` 2 in July, then
    /// `overdue_each_month` 0.5 in August; September (after its span) books nothing. U2 makes
    /// June to September assessed.
    #[test]
    fn overdue_books_only_where_the_unit_is_scored() {
        let rubric = crate::rubric::load(
            "civscore: 1.1\nfull: 10\ncategories:\n  - code: A\n    indicators:\n      - {code: F1, name: f, points: 10, rule: per_finding, deduct: 1, overdue: 2, overdue_each_month: 0.5}\n",
            "r.yaml",
        )
        .unwrap();
        let roster = "code,name,from,until\nU1,一,2026-07,2026-08\nU2,二,,\n";
        let sheet = crate::input::parse_delimited("u.csv", roster, b',').unwrap();
        let units = crate::units::from_sheet(&sheet, &rubric).unwrap();
        let csv = "date,unit,indicator,count,deadline\n2026-07-03,U1,F1,1,2026-07-10\n\
                   2026-06-02,U2,F1,0,\n2026-08-02,U2,F1,0,\n2026-09-02,U2,F1,0,\n";
        let sheet = crate::input::parse_delimited("r.csv", csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, Some(&units)).unwrap();
        let records = read.records.into_sorted().unwrap();
        let s = Engine::new(&rubric, &units, &records, Some(date(2026, 12, 31))).score();
        let u1 = |k| s.months[&Month::new(2026, k)][0].as_ref().map(|r| r.score);
        // June: no row (before its span). July: 10 − 1 − 2 = 7. August: 10 − 0.5 = 9.5.
        // September: no row, nothing booked.
        assert_eq!(u1(6), None);
        assert_eq!(u1(7), Some(d("7")));
        assert_eq!(u1(8), Some(d("9.5")));
        assert_eq!(u1(9), None);
        // Q3 over July and August only: (7 + 9.5) / 2 = 8.25; Q2: no row.
        let q = |k: i32| {
            s.quarters[&Quarter(2026 * 4 + k)][0]
                .as_ref()
                .map(|r| r.score)
        };
        assert_eq!(q(2), Some(d("8.25")));
        assert_eq!(q(1), None);
        let e = Engine::new(&rubric, &units, &records, Some(date(2026, 12, 31)));
        assert_eq!(e.booked_in(0, 0, Month::new(2026, 9)), Decimal::ZERO);
    }

    #[test]
    fn complete_by_the_as_of_date() {
        let s = calendar(date(2026, 11, 30));
        assert!(!s.month_provisional(Month::new(2026, 11)));
        assert!(s.month_provisional(Month::new(2026, 12)));
        // Q4 ends on 31 December; Q2 (only May assessed) is complete all the same.
        assert!(s.quarter_provisional(Quarter(2026 * 4 + 3)));
        assert!(!s.quarter_provisional(Quarter(2026 * 4 + 1)));
        assert!(s.year_provisional(2026));
        let s = calendar(date(2026, 12, 31));
        assert!(!s.quarter_provisional(Quarter(2026 * 4 + 3)));
        assert!(!s.year_provisional(2026));
    }

    #[test]
    fn a_value_measured_is_judged_before_it_is_due() {
        // T1 measured 15 on 3 November, as of 10 November: judged (a measurement taken is a
        // measurement): below 20, `below: zero` → loses its 4 points. 20 − 4 = 16.
        let rubric = crate::rubric::load(CALENDAR, "r.yaml").unwrap();
        let csv = "date,unit,indicator,value\n2026-11-03,U1,T1,15\n";
        let sheet = crate::input::parse_delimited("r.csv", csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, None).unwrap();
        let records = read.records.into_sorted().unwrap();
        let s = Engine::new(&rubric, &read.units, &records, Some(date(2026, 11, 10))).score();
        assert_eq!(
            s.months[&Month::new(2026, 11)][0].as_ref().unwrap().score,
            d("16")
        );
    }

    /// Lateness is tallied by the month it happens in, and by the day only in the pinned date's
    /// month (the reader's `--as-of` or today): the extras booked from those tallies, as of the
    /// pinned date or of any month's end, equal the sum of every record's own bookings from its
    /// exact dates. Records from October to December, deadlines from 1 October to 15 January
    /// (every third day), rectified on time, late in every month, or never; three rules: a
    /// monthly `overdue`, a quarterly `overdue`, and `overdue` with `overdue_each_month`.
    #[test]
    fn lateness_tallied_by_month_books_what_each_record_books() {
        let rubric = crate::rubric::load(
            "civscore: 1.1\ncategories:\n  - code: C\n    indicators:\n\
             \x20     - {code: M, points: 50, rule: per_finding, deduct: 0.5, overdue: 1}\n\
             \x20     - {code: Q, points: 50, rule: per_finding, per: quarter, deduct: 0.5, overdue: 2}\n\
             \x20     - {code: E, points: 50, rule: per_finding, deduct: 0.5, overdue: 1, overdue_each_month: 0.25}\n",
            "r.yaml",
        )
        .unwrap();
        let mut csv = String::from("date,unit,indicator,count,deadline,rectified\n");
        let mut n = 0;
        for month in [10, 11, 12] {
            for deadline in (0..107).step_by(3) {
                let dl = date(2026, 10, 1)
                    .checked_add(jiff::Span::new().days(deadline))
                    .unwrap();
                for fix in [None, Some(-1), Some(2), Some(20), Some(45)] {
                    for ind in ["M", "Q", "E"] {
                        n += 1;
                        let rect = fix.map_or(String::new(), |d: i64| {
                            dl.checked_add(jiff::Span::new().days(d))
                                .unwrap()
                                .to_string()
                        });
                        let unit = format!("U{}", n % 4);
                        let count = 1 + n % 3;
                        csv.push_str(&format!(
                            "2026-{month}-0{},{unit},{ind},{count},{dl},{rect}\n",
                            1 + n % 9
                        ));
                    }
                }
            }
        }
        let sheet = crate::input::parse_delimited("r.csv", &csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, None).unwrap();
        let records = read.records.into_sorted().unwrap();
        let pin = date(2026, 11, 17);
        for as_of in [
            pin,
            date(2026, 10, 31),
            date(2026, 11, 30),
            date(2026, 12, 31),
            date(2027, 1, 31),
        ] {
            let e = Engine::new(&rubric, &read.units, &records, Some(pin)).at(as_of);
            let mut want: HashMap<(usize, usize, Month), Decimal> = HashMap::new();
            for r in &records {
                let c = r.checked();
                let each = matches!(
                    rubric.indicators[c.indicator].rule,
                    Rule::PerFinding {
                        overdue_each_month: Some(_),
                        ..
                    }
                );
                if let Some(late) = late_of(c.deadline, c.rectified, each) {
                    for b in e.bookings(r.unit, c.indicator, late, c.count) {
                        *want.entry((r.unit, c.indicator, b.month)).or_default() += b.extra;
                    }
                }
            }
            assert!(want.values().any(|x| !x.is_zero()) || as_of < date(2026, 11, 1));
            for u in 0..read.units.list.len() {
                for i in 0..3 {
                    for m in [10, 11, 12] {
                        let m = Month::new(2026, m);
                        let w = want.get(&(u, i, m)).copied().unwrap_or_default();
                        assert_eq!(
                            e.booked_in(u, i, m),
                            w,
                            "as of {as_of}, unit {u}, indicator {i}, {m}"
                        );
                    }
                }
            }
        }
    }

    /// A rubric with a year-end assessment and a quarterly one (SPEC §7.3): full 10, A1 6
    /// points (monthly, 1 a finding), Q1 2 points (per quarter), Y1 2 points (per year).
    const FINALS: &str = r#"civscore: 1.1
full: 10
year:
  weights: {Q1: 20, Q2: 20, Q3: 20, final: 40}
  penalties:
    - {name: p, indicator: A1, at_least: 3, deduct: 1}
quarter:
  weights: {months: 60, final: 40}
categories:
  - code: A
    indicators:
      - {code: A1, points: 6, rule: per_finding, deduct: 1}
      - {code: QQ, points: 2, rule: per_finding, deduct: 1, per: quarter}
      - {code: Y1, points: 2, rule: per_finding, deduct: 1, per: year}
"#;

    fn finals(csv: &str, as_of: &str) -> Scores {
        let rubric = crate::rubric::load(FINALS, "r.yaml").unwrap();
        let sheet = crate::input::parse_delimited("r.csv", csv, b',').unwrap();
        let read = crate::read::read_sheet(&sheet, &rubric, None).unwrap();
        let records = read.records.into_sorted().unwrap();
        Engine::new(&rubric, &read.units, &records, Some(as_of.parse().unwrap())).score()
    }

    const FINALS_CSV: &str = "date,unit,indicator,count\n\
        2026-01-05,U1,A1,1\n2026-02-05,U1,QQ,1\n2026-04-05,U1,A1,2\n\
        2026-07-05,U1,A1,0\n2026-10-05,U1,A1,3\n2026-12-05,U1,Y1,1\n";

    #[test]
    fn final_assessments_weigh_in_once_the_period_is_complete() {
        let s = finals(FINALS_CSV, "2027-01-10");
        let q = |n: i32| s.quarters[&Quarter(2026 * 4 + n - 1)][0].as_ref().unwrap();
        // Q1: months Jan 9 (A1 1), Feb 10 → mean 9.5; Fq = 10 − QQ 1 = 9;
        // (60 × 9.5 + 40 × 9) / 100 = (570 + 360) / 100 = 9.3, deducted 1.
        assert_eq!(
            (q(1).score, q(1).deducted, q(1).last),
            (d("9.3"), d("1"), Some(d("9")))
        );
        // Q2: Apr 8; Fq = 10: (60 × 8 + 40 × 10) / 100 = 8.8. Q3: 10. Q4: Oct 7, Dec 10 → 8.5;
        // (60 × 8.5 + 400) / 100 = 9.1.
        assert_eq!(
            [q(2).score, q(3).score, q(4).score],
            [d("8.8"), d("10"), d("9.1")]
        );
        let y = &s.years[&2026][0].as_ref().unwrap();
        // F = 10 − Y1 1 = 9; Y = (20 × 9.3 + 20 × 8.8 + 20 × 10 + 0 × 9.1 + 40 × 9) / 100
        //   = (186 + 176 + 200 + 360) / 100 = 9.22; penalty (6 findings of A1 ≥ 3) 1 → 8.22.
        assert_eq!(
            (y.score, y.deducted, y.last),
            (d("8.22"), d("2"), Some(d("9")))
        );
    }

    #[test]
    fn a_final_is_pending_while_its_period_is_provisional() {
        let s = finals(FINALS_CSV, "2026-12-10");
        // Q4 provisional: Fq pending, the months' mean alone (8.5), deducted 0.
        let q4 = &s.quarters[&Quarter(2026 * 4 + 3)][0].as_ref().unwrap();
        assert_eq!((q4.score, q4.deducted, q4.last), (d("8.5"), d("0"), None));
        // The year: F pending; Q1–Q3 at 20 each, Q4 at 0: (9.3 + 8.8 + 10) / 3 = 9.3666…,
        // less the penalty 1; deducted = the penalty alone.
        let y = &s.years[&2026][0].as_ref().unwrap();
        assert_eq!(y.last, None);
        assert_eq!(y.deducted, d("1"));
        assert_eq!(y.score.round_dp(6), d("8.366667"));
    }

    #[test]
    fn weights_that_add_up_to_zero_weigh_the_quarters_equally() {
        // Only Q4 assessed, and Q4 weighs 0 beside the final: while the year is provisional
        // the weights taking part add up to 0, so Q4 alone counts: 10 − 1 = 9 (its month).
        let s = finals("date,unit,indicator\n2026-11-05,U1,A1\n", "2026-11-30");
        assert_eq!(s.years[&2026][0].as_ref().unwrap().score, d("9"));
        // with_final: 0 × Q + 0 × F → the plain mean of the quarters.
        let parts = [("Q1".to_string(), d("8")), ("Q2".to_string(), d("9"))];
        assert_eq!(
            with_final(&parts, &[d("0"), d("0")], d("0"), d("1")),
            d("8.5")
        );
    }

    #[test]
    fn half_years_weigh_their_quarters() {
        let s = finals(FINALS_CSV, "2027-01-10");
        // H1: Q1 9.3 and Q2 8.8 at 20 each: 9.05. H2: Q4 weighs 0, so equal weights:
        // (10 + 9.1) / 2 = 9.55. Nothing deducted at this level.
        let h1 = &s.halves[&Half(2026 * 2)][0].as_ref().unwrap();
        let h2 = &s.halves[&Half(2026 * 2 + 1)][0].as_ref().unwrap();
        assert_eq!((h1.score, h1.deducted), (d("9.05"), d("0")));
        assert_eq!(
            (h2.score, h2.weights.clone()),
            (d("9.55"), vec![d("1"), d("1")])
        );
        assert!(!s.half_provisional(Half(2026 * 2 + 1)));
        assert!(finals(FINALS_CSV, "2026-12-10").half_provisional(Half(2026 * 2 + 1)));
    }

    #[test]
    fn category_figures_follow_the_rows_formulas() {
        let s = finals(FINALS_CSV, "2027-01-10");
        let q = |n: i32| {
            s.quarters[&Quarter(2026 * 4 + n - 1)][0]
                .as_ref()
                .unwrap()
                .categories[0]
        };
        // January A1 1 → 1; February's QQ is quarter-level → 0. Q1: months' mean 0.5, QQ 1:
        // (60 × 0.5 + 40 × 1) / 100 = 0.7 = 10 − 9.3.
        assert_eq!(
            s.months[&Month::new(2026, 1)][0]
                .as_ref()
                .unwrap()
                .categories,
            vec![d("1")]
        );
        assert_eq!(q(1), d("0.7"));
        // Q2 (60 × 2) / 100 = 1.2; Q3 0; Q4 months 3 and 0 → (60 × 1.5) / 100 = 0.9.
        assert_eq!([q(2), q(3), q(4)], [d("1.2"), d("0"), d("0.9")]);
        // Year: (20 × 0.7 + 20 × 1.2 + 20 × 0 + 0 × 0.9 + 40 × Y1 1) / 100 = 0.78, and the
        // penalty on A1 belongs to A: 1.78 = 10 − 8.22.
        assert_eq!(
            s.years[&2026][0].as_ref().unwrap().categories,
            vec![d("1.78")]
        );
        // H2: (0 + 0.9) / 2 = 0.45 = 10 − 9.55.
        assert_eq!(
            s.halves[&Half(2026 * 2 + 1)][0]
                .as_ref()
                .unwrap()
                .categories,
            vec![d("0.45")]
        );
    }
}
