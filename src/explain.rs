//! The audit trail of one unit's score (SPEC §4 `explain`): every record with the rule and
//! factors applied, each indicator's cap, the not-applicable adjustment, subtotals by category,
//! bonus, veto and roll-ups, ending in the same score that `score` prints.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::engine::{self, Engine, Scores};
use crate::period::{Half, Month, Quarter};
use crate::ranking::Kind;
use crate::read::{Record, Status};
use crate::rubric::{Deduct, Measure, Missing, NaMode, Per, Rubric, Rule};
use crate::rules::Agg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Record,
    Indicator,
    Category,
    Adjustment,
    Bonus,
    Veto,
    Part,
    Mean,
    Penalty,
    Total,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Record => "record",
            Step::Indicator => "indicator",
            Step::Category => "category",
            Step::Adjustment => "adjustment",
            Step::Bonus => "bonus",
            Step::Veto => "veto",
            Step::Part => "part",
            Step::Mean => "mean",
            Step::Penalty => "penalty",
            Step::Total => "total",
        }
    }
}

/// One line of the trail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub step: Option<Step>,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub date: Option<Date>,
    pub indicator: Option<String>,
    pub category: Option<String>,
    /// What was applied, as data: [`crate::i18n::entry`] puts it in words.
    pub detail: Detail,
    /// The record's note (free text from the input).
    pub note: String,
    /// The level a quarter- or year-level indicator's record is judged at.
    pub per: Option<Per>,
    /// Points lost (records, indicators, categories, penalties).
    pub deduction: Option<Decimal>,
    /// A score or a bonus (parts, bonus, totals).
    pub value: Option<Decimal>,
    pub record: Option<RecordFactors>,
}

/// What one step of the trail applied: rule, factors and numbers, without words.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Detail {
    #[default]
    None,
    /// A record withdrawn on appeal.
    Void,
    /// A record of an indicator that does not apply to the unit.
    NotJudged,
    /// A record of count 0: an inspection that found nothing.
    NothingFound,
    Finding(Finding),
    /// A late record's overdue extra, booked in the month it became late (or the first scored
    /// period after), or, with `overdue_each_month`, in a month at whose end it was still open
    /// (SPEC §7.13). The entry's date is the record's own.
    Overdue {
        /// The day it became late (deadline + 1).
        from: Date,
        /// The month at whose end it was still open (`overdue_each_month`), if that is why.
        open_at: Option<Month>,
        extra: Decimal,
    },
    Value(Option<Decimal>),
    Count(u64),
    BonusRecord {
        add: Decimal,
        count: u64,
    },
    VetoRecord {
        month: Month,
    },
    Indicator {
        code: String,
        name: String,
        rule: Rule,
        how: How,
        /// The clause of the work plan it implements.
        basis: Option<String>,
    },
    Subtotal {
        code: String,
        name: String,
    },
    Rescale {
        full: Decimal,
        applicable: Decimal,
        before: Decimal,
        after: Decimal,
    },
    BonusCategory {
        code: String,
        name: String,
        sum: Decimal,
        cap: Option<Decimal>,
    },
    MonthTotal {
        full: Decimal,
        deducted: Decimal,
        bonus: Decimal,
        score: Decimal,
        vetoed: bool,
    },
    MonthPart {
        month: String,
    },
    QuarterPart {
        quarter: String,
        weight: Decimal,
    },
    Mean {
        months: usize,
        value: Decimal,
    },
    WeightedMean {
        quarters: usize,
        value: Decimal,
    },
    Penalty {
        name: String,
        count: u64,
        indicator: String,
        year: i32,
        at_least: u64,
    },
    /// The final assessment of a quarter or year (季度综合考核 / 年终考评, SPEC §7.3): full − the
    /// level's deductions, or pending (None) while the period is provisional.
    Final {
        year: bool,
        weight: Decimal,
        full: Decimal,
        deducted: Decimal,
        score: Option<Decimal>,
    },
    /// The parts and the final, weighed together.
    FinalMean {
        year: bool,
        /// The weight of the months' mean (a quarter's; a year's quarters carry their own).
        months: Option<Decimal>,
        value: Decimal,
    },
    RollTotal {
        base: Decimal,
        deducted: Decimal,
        score: Decimal,
        vetoed: bool,
    },
}

/// The factors of a per-finding deduction: count × deduct × source weight × repeat × on-spot
/// = base, and the overdue extra (days late, extra).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub count: u64,
    pub deduct: Decimal,
    /// The severity, when the deduction depends on it.
    pub severity: Option<String>,
    /// The source weight, shown when it is not 1 or a source is named.
    pub source: Option<(Decimal, Option<String>)>,
    /// The repeat factor and the month repeated, when it applies.
    pub repeat: Option<(Decimal, Month)>,
    pub on_spot: Option<Decimal>,
    pub base: Decimal,
    pub late: Option<(i64, Decimal)>,
    /// Under appeal (申诉中, SPEC §7.6): it stands until the office decides.
    pub appealed: bool,
}

/// How an indicator's deduction came about.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    Nothing,
    Capped {
        sum: Decimal,
        points: Decimal,
    },
    Within {
        sum: Decimal,
        points: Decimal,
    },
    NoValue(Missing),
    Threshold {
        mean: Decimal,
        values: u64,
        at_most: bool,
        target: Decimal,
        kept: Decimal,
        points: Decimal,
    },
    Bands {
        measured: Measured,
        kept: Decimal,
        points: Decimal,
    },
    BandsNoValue,
    Required {
        held: u64,
        at_least: u64,
        each: Decimal,
    },
    NaAverage,
    NaRescale,
    /// Not due yet (待考核, SPEC §7.2): no deduction until `due`. `held` is (held so far, at
    /// least) for a `required` indicator; None for a measurement not yet taken.
    Pending {
        held: Option<(u64, u64)>,
        due: Date,
    },
}

/// What a bands indicator measured.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    Count(u64),
    Mean(Decimal),
}

/// The factors of one per-finding record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFactors {
    pub count: u64,
    pub source: Option<String>,
    pub weight: Decimal,
    pub deduct: Decimal,
    pub on_spot: Option<Decimal>,
    pub repeat: Decimal,
    pub base: Decimal,
    pub overdue_days: Option<i64>,
    pub overdue_extra: Decimal,
    pub status: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub kind: Kind,
    pub period: String,
    pub unit: String,
    pub name: Option<String>,
    pub score: Decimal,
    pub deducted: Decimal,
    pub bonus: Decimal,
    pub vetoed: bool,
    pub entries: Vec<Entry>,
}

/// One record's step of the trail, as `explain` shows it and the report's ledger lists it.
pub struct RecordTrail<'a> {
    pub rubric: &'a Rubric,
    pub engine: &'a Engine<'a>,
    pub files: &'a [String],
    pub as_of: Option<Date>,
}

impl RecordTrail<'_> {
    /// The step of one record: the rule and factors it met, the points it lost.
    pub fn entry(&self, r: &Record, unit: usize) -> Entry {
        let ind = &self.rubric.indicators[r.indicator];
        Entry {
            file: self.files.get(r.file as usize).cloned(),
            line: Some(r.line),
            date: Some(r.date),
            indicator: Some(ind.code.clone()),
            category: Some(self.rubric.categories[ind.category].code.clone()),
            note: r.note.clone(),
            ..self.judged(r, unit)
        }
    }

    /// What the record's rule made of it: the detail, the points and the factors, without the
    /// record's place and note (the report's ledger lists those in columns of their own).
    pub fn judged(&self, r: &Record, unit: usize) -> Entry {
        let ind = &self.rubric.indicators[r.indicator];
        let mut e = Entry {
            step: Some(Step::Record),
            ..Entry::default()
        };
        if r.status == Status::Void {
            e.detail = Detail::Void;
            e.deduction = Some(Decimal::ZERO);
            return e;
        }
        if !self.engine.applicable(unit, r.indicator) {
            e.detail = Detail::NotJudged;
            e.deduction = Some(Decimal::ZERO);
            return e;
        }
        if r.count == 0 {
            // 0处: the inspection found nothing; no finding, activity, measurement or veto.
            e.detail = Detail::NothingFound;
            e.deduction = Some(Decimal::ZERO);
            return e;
        }
        match &ind.rule {
            Rule::PerFinding { deduct, .. } => self.finding_entry(r, unit, deduct, &mut e),
            Rule::Threshold { .. }
            | Rule::Bands {
                measure: Measure::Value,
                ..
            } => e.detail = Detail::Value(r.value),
            Rule::Bands { .. } | Rule::Required { .. } => e.detail = Detail::Count(r.count),
            Rule::Bonus { add } => {
                e.detail = Detail::BonusRecord {
                    add: *add,
                    count: r.count,
                };
                e.value = Some(*add * Decimal::from(r.count));
            }
            Rule::Veto => {
                e.step = Some(Step::Veto);
                e.detail = Detail::VetoRecord { month: r.month };
            }
        }
        if ind.per != Per::Month && ind.rule.has_points() {
            e.per = Some(ind.per);
        }
        e
    }

    /// A per-finding record's factors, deduction and overdue extra.
    fn finding_entry(&self, r: &Record, unit: usize, deduct: &Deduct, e: &mut Entry) {
        // The overdue extra is not this record's month's: it is booked when the lateness
        // happens (SPEC §7.13), in an entry of its own. Days late are judged at the as-of date.
        let f = engine::finding(self.rubric, r, Some(self.engine.as_of));
        let f = engine::Finding {
            overdue_extra: Decimal::ZERO,
            ..f
        };
        let repeat = self.engine.repeat_factor(unit, r.indicator, r.month);
        let base = f.base * repeat;
        e.detail = Detail::Finding(Finding {
            count: r.count,
            deduct: f.deduct,
            severity: match deduct {
                Deduct::BySeverity(_) => r.severity.clone(),
                _ => None,
            },
            source: (f.weight != Decimal::ONE || r.source.is_some())
                .then(|| (f.weight, r.source.clone())),
            repeat: (repeat != Decimal::ONE).then(|| (repeat, r.month.prev())),
            on_spot: f.on_spot,
            base,
            late: f.overdue_days.map(|d| (d, f.overdue_extra)),
            appealed: r.status == Status::Appealed,
        });
        e.deduction = Some(base + f.overdue_extra);
        e.record = Some(RecordFactors {
            count: r.count,
            source: r.source.clone(),
            weight: f.weight,
            deduct: f.deduct,
            on_spot: f.on_spot,
            repeat,
            base,
            overdue_days: f.overdue_days,
            overdue_extra: f.overdue_extra,
            status: r.status.as_str(),
        });
    }
}

/// Explains scores already computed by `engine` from `records`.
pub struct Explainer<'a> {
    pub rubric: &'a Rubric,
    pub engine: &'a Engine<'a>,
    pub scores: &'a Scores,
    pub records: &'a [Record],
    pub files: &'a [String],
    pub as_of: Option<Date>,
}

impl Explainer<'_> {
    fn unit_records(&self, unit: usize, months: &[Month]) -> Vec<&Record> {
        let mut v: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| r.unit == unit && months.contains(&r.month))
            .collect();
        v.sort_by_key(|r| (r.date, r.file, r.line));
        v
    }

    /// The overdue extras of a unit's records at one level booked in `months` (SPEC §7.13),
    /// each naming its record and the record's own date.
    fn late_entries(&self, unit: usize, per: Per, months: &[Month]) -> Vec<Entry> {
        let last = self.engine.assessed.last().copied();
        let mut recs: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| {
                let ind = &self.rubric.indicators[r.indicator];
                r.unit == unit
                    && r.status != Status::Void
                    && r.count > 0
                    && ind.per == per
                    && ind.rule.has_points()
                    && self.engine.applicable(unit, r.indicator)
                    && last.is_some_and(|l| r.month <= l)
            })
            .collect();
        recs.sort_by_key(|r| (r.date, r.file, r.line));
        let mut out = Vec::new();
        for r in recs {
            let each = matches!(
                self.rubric.indicators[r.indicator].rule,
                Rule::PerFinding {
                    overdue_each_month: Some(_),
                    ..
                }
            );
            let Some(late) = engine::late_of(r.deadline, r.rectified, each) else {
                continue;
            };
            for b in self.engine.bookings(r.unit, r.indicator, late, r.count) {
                if !months.contains(&b.month) {
                    continue;
                }
                let ind = &self.rubric.indicators[r.indicator];
                out.push(Entry {
                    step: Some(Step::Record),
                    file: self.files.get(r.file as usize).cloned(),
                    line: Some(r.line),
                    date: Some(r.date),
                    indicator: Some(ind.code.clone()),
                    category: Some(self.rubric.categories[ind.category].code.clone()),
                    detail: Detail::Overdue {
                        from: late.day,
                        open_at: b.each_month.then_some(b.month),
                        extra: b.extra,
                    },
                    per: (per != Per::Month).then_some(per),
                    deduction: Some(b.extra),
                    ..Entry::default()
                });
            }
        }
        out
    }

    fn record_entry(&self, r: &Record, unit: usize) -> Entry {
        let trail = RecordTrail {
            rubric: self.rubric,
            engine: self.engine,
            files: self.files,
            as_of: self.as_of,
        };
        trail.entry(r, unit)
    }

    /// How an indicator's deduction came about.
    fn indicator_how(&self, i: usize, agg: &Agg, deduction: Decimal) -> How {
        let ind = &self.rubric.indicators[i];
        let points = ind.points;
        match &ind.rule {
            Rule::PerFinding { .. } => {
                let sum = agg.base + agg.overdue;
                if sum > points {
                    How::Capped { sum, points }
                } else {
                    How::Within { sum, points }
                }
            }
            Rule::Threshold {
                target,
                direction,
                missing,
                ..
            } => match agg.mean() {
                None => How::NoValue(*missing),
                Some(mean) => How::Threshold {
                    mean,
                    values: agg.values,
                    at_most: matches!(direction, crate::rubric::Direction::AtMost),
                    target: *target,
                    kept: points - deduction,
                    points,
                },
            },
            Rule::Bands { measure, .. } => {
                let measured = match measure {
                    Measure::Count => Some(Measured::Count(agg.count)),
                    Measure::Value => agg.mean().map(Measured::Mean),
                };
                match measured {
                    Some(measured) => How::Bands {
                        measured,
                        kept: points - deduction,
                        points,
                    },
                    None => How::BandsNoValue,
                }
            }
            Rule::Required { at_least, deduct } => How::Required {
                held: agg.count,
                at_least: *at_least,
                each: deduct.unwrap_or(points),
            },
            Rule::Bonus { .. } | Rule::Veto => How::Nothing,
        }
    }

    /// The entries of one level: records, indicators, categories and the adjustment; returns
    /// them with the level's total deduction. (The report's ledger takes its caps, rule lines
    /// and rescale from here.)
    pub fn level(&self, unit: usize, per: Per, months: &[Month]) -> (Vec<Entry>, Decimal) {
        let inds = self.engine.level(per);
        let deds = self.engine.deductions(&inds, months);
        self.level_of(unit, months, &inds, &deds[unit])
    }

    /// [`Explainer::level`] from the level's indicators and the unit's row of their
    /// deductions (`Engine::deductions`, computed once for every unit).
    pub fn level_of(
        &self,
        unit: usize,
        months: &[Month],
        inds: &[usize],
        row: &[Decimal],
    ) -> (Vec<Entry>, Decimal) {
        let mut out = Vec::new();
        let mut by_category: Vec<Decimal> = vec![Decimal::ZERO; self.rubric.categories.len()];
        for (k, &i) in inds.iter().enumerate() {
            let ind = &self.rubric.indicators[i];
            let agg = self.engine.agg(unit, i, months);
            let d = row[k];
            by_category[ind.category] += d;
            let applicable = self.engine.applicable(unit, i);
            let pending =
                applicable && !self.engine.is_due(i, months) && crate::rules::pending(ind, &agg);
            if d.is_zero() && agg.records == 0 && applicable && !pending {
                continue;
            }
            let how = match (applicable, self.rubric.not_applicable) {
                (true, _) if pending => How::Pending {
                    held: match ind.rule {
                        Rule::Required { at_least, .. } => Some((agg.count, at_least)),
                        _ => None,
                    },
                    due: months
                        .first()
                        .map_or(self.engine.as_of, |&m| self.engine.due_date(i, m)),
                },
                (true, _) => self.indicator_how(i, &agg, d),
                (false, NaMode::Average) => How::NaAverage,
                (false, NaMode::Rescale) => How::NaRescale,
            };
            out.push(Entry {
                step: Some(Step::Indicator),
                indicator: Some(ind.code.clone()),
                category: Some(self.rubric.categories[ind.category].code.clone()),
                detail: Detail::Indicator {
                    code: ind.code.clone(),
                    name: ind.name.clone(),
                    rule: ind.rule.clone(),
                    how,
                    basis: ind.basis.clone(),
                },
                deduction: Some(d),
                ..Entry::default()
            });
        }
        for (c, sub) in by_category.iter().enumerate() {
            if !sub.is_zero() {
                let cat = &self.rubric.categories[c];
                out.push(Entry {
                    step: Some(Step::Category),
                    category: Some(cat.code.clone()),
                    detail: Detail::Subtotal {
                        code: cat.code.clone(),
                        name: cat.name.clone(),
                    },
                    deduction: Some(*sub),
                    ..Entry::default()
                });
            }
        }
        let sum: Decimal = row.iter().sum();
        let total = self.engine.total(unit, row);
        if let Some((full, app)) = self.engine.rescale(unit)
            && !sum.is_zero()
        {
            out.push(Entry {
                step: Some(Step::Adjustment),
                detail: Detail::Rescale {
                    full,
                    applicable: app,
                    before: sum,
                    after: total,
                },
                deduction: Some(total),
                ..Entry::default()
            });
        }
        (out, total)
    }

    /// The records of a quarter- or year-level indicator and the level's entries.
    fn level_trail(&self, unit: usize, per: Per, months: &[Month]) -> (Vec<Entry>, Decimal) {
        let inds = self.engine.level(per);
        let mut entries: Vec<Entry> = self
            .unit_records(unit, months)
            .into_iter()
            .filter(|r| inds.contains(&r.indicator))
            .map(|r| self.record_entry(r, unit))
            .collect();
        entries.extend(self.late_entries(unit, per, months));
        let (level, deducted) = self.level(unit, per, months);
        entries.extend(level);
        (entries, deducted)
    }

    /// A unit's bonuses of a month, one entry per category that adds any.
    pub fn bonus_entries(&self, unit: usize, m: Month) -> Vec<Entry> {
        self.engine
            .bonus_parts(unit, m)
            .filter(|(_, sum, _)| !sum.is_zero())
            .map(|(k, sum, bonus)| {
                let c = &self.rubric.categories[k];
                Entry {
                    step: Some(Step::Bonus),
                    category: Some(c.code.clone()),
                    detail: Detail::BonusCategory {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        sum,
                        cap: c.cap,
                    },
                    value: Some(bonus),
                    ..Entry::default()
                }
            })
            .collect()
    }

    pub fn month(
        &self,
        unit: usize,
        m: Month,
        code: &str,
        name: Option<&str>,
    ) -> Option<Explanation> {
        let s = self.scores.months.get(&m)?.get(unit)?.as_ref()?;
        let mut entries: Vec<Entry> = self
            .unit_records(unit, &[m])
            .into_iter()
            .map(|r| self.record_entry(r, unit))
            .collect();
        entries.extend(self.late_entries(unit, Per::Month, &[m]));
        let (level, deducted) = self.level(unit, Per::Month, &[m]);
        entries.extend(level);
        entries.extend(self.bonus_entries(unit, m));
        entries.push(Entry {
            step: Some(Step::Total),
            detail: Detail::MonthTotal {
                full: self.rubric.full,
                deducted,
                bonus: s.bonus,
                score: s.score,
                vetoed: s.vetoed,
            },
            value: Some(s.score),
            ..Entry::default()
        });
        Some(Explanation {
            kind: Kind::Month,
            period: m.to_string(),
            unit: code.to_owned(),
            name: name.map(str::to_owned),
            score: s.score,
            deducted: s.deducted,
            bonus: s.bonus,
            vetoed: s.vetoed,
            entries,
        })
    }

    pub fn quarter(
        &self,
        unit: usize,
        q: Quarter,
        code: &str,
        name: Option<&str>,
    ) -> Option<Explanation> {
        let s = self.scores.quarters.get(&q)?.get(unit)?.as_ref()?;
        let mut entries = Vec::new();
        for (label, score) in &s.parts {
            entries.push(Entry {
                step: Some(Step::Part),
                detail: Detail::MonthPart {
                    month: label.clone(),
                },
                value: Some(*score),
                ..Entry::default()
            });
        }
        let mean = engine::mean(s.parts.iter().map(|(_, v)| *v));
        entries.push(Entry {
            detail: Detail::Mean {
                months: s.parts.len(),
                value: mean,
            },
            step: Some(Step::Mean),
            value: Some(mean),
            ..Entry::default()
        });
        match self.rubric.quarter_weights {
            None => {
                let (trail, deducted) = self.level_trail(unit, Per::Quarter, &q.months());
                entries.extend(trail);
                entries.push(self.roll_total(mean, deducted, s.score, s.vetoed));
            }
            Some(w) => {
                // The quarterly comprehensive assessment (SPEC §7.3): pending until the
                // quarter is complete, then weighed with the months' mean.
                if s.last.is_some() {
                    let (trail, _) = self.level_trail(unit, Per::Quarter, &q.months());
                    entries.extend(trail);
                }
                let mut fin = self.final_entries(false, w.last, s.deducted, s.last, s.score);
                if let Some(Detail::FinalMean { months, .. }) =
                    fin.last_mut().map(|e| &mut e.detail)
                {
                    *months = Some(w.months);
                }
                entries.extend(fin);
                entries.push(self.roll_total(s.score, Decimal::ZERO, s.score, s.vetoed));
            }
        }
        Some(Explanation {
            kind: Kind::Quarter,
            period: q.to_string(),
            unit: code.to_owned(),
            name: name.map(str::to_owned),
            score: s.score,
            deducted: s.deducted,
            bonus: Decimal::ZERO,
            vetoed: s.vetoed,
            entries,
        })
    }

    pub fn year(&self, unit: usize, y: i32, code: &str, name: Option<&str>) -> Option<Explanation> {
        let s = self.scores.years.get(&y)?.get(unit)?.as_ref()?;
        let mut entries = Vec::new();
        let weights = &s.weights;
        for ((label, score), w) in s.parts.iter().zip(weights) {
            entries.push(Entry {
                step: Some(Step::Part),
                detail: Detail::QuarterPart {
                    quarter: label.clone(),
                    weight: *w,
                },
                value: Some(*score),
                ..Entry::default()
            });
        }
        let base = engine::weighted_mean(&s.parts, weights);
        entries.push(Entry {
            detail: Detail::WeightedMean {
                quarters: s.parts.len(),
                value: base,
            },
            step: Some(Step::Mean),
            value: Some(base),
            ..Entry::default()
        });
        let months: Vec<Month> = (1..=12).map(|m| Month::new(y, m)).collect();
        let mut base = base;
        let mut deducted = Decimal::ZERO;
        match self.rubric.year_final {
            None => {
                let (trail, level) = self.level_trail(unit, Per::Year, &months);
                entries.extend(trail);
                deducted = level;
            }
            Some(wf) => {
                // The year-end assessment (SPEC §7.3): its indicators make F, which takes
                // part once the year is complete; the penalties come off the weighted mean.
                let mut level = Decimal::ZERO;
                if s.last.is_some() {
                    let (trail, l) = self.level_trail(unit, Per::Year, &months);
                    entries.extend(trail);
                    level = l;
                }
                if let Some(f) = s.last {
                    base = engine::with_final(&s.parts, weights, wf, f);
                }
                entries.extend(self.final_entries(true, wf, level, s.last, base));
            }
        }
        for (k, count) in self.engine.penalties(unit, y) {
            let p = &self.rubric.penalties[k];
            deducted += p.deduct;
            entries.push(Entry {
                step: Some(Step::Penalty),
                indicator: Some(self.rubric.indicators[p.indicator].code.clone()),
                detail: Detail::Penalty {
                    name: p.name.clone(),
                    count,
                    indicator: self.rubric.indicators[p.indicator].code.clone(),
                    year: y,
                    at_least: p.at_least,
                },
                deduction: Some(p.deduct),
                ..Entry::default()
            });
        }
        entries.push(self.roll_total(base, deducted, s.score, s.vetoed));
        Some(Explanation {
            kind: Kind::Year,
            period: format!("{y:04}"),
            unit: code.to_owned(),
            name: name.map(str::to_owned),
            score: s.score,
            deducted: s.deducted,
            bonus: Decimal::ZERO,
            vetoed: s.vetoed,
            entries,
        })
    }

    /// The final assessment's entry, and the weighted mean with it when it took part.
    fn final_entries(
        &self,
        year: bool,
        weight: Decimal,
        deducted: Decimal,
        last: Option<Decimal>,
        mean: Decimal,
    ) -> Vec<Entry> {
        let mut out = vec![Entry {
            step: Some(Step::Part),
            detail: Detail::Final {
                year,
                weight,
                full: self.rubric.full,
                deducted,
                score: last,
            },
            value: last,
            ..Entry::default()
        }];
        if last.is_some() {
            out.push(Entry {
                step: Some(Step::Mean),
                detail: Detail::FinalMean {
                    year,
                    months: None,
                    value: mean,
                },
                value: Some(mean),
                ..Entry::default()
            });
        }
        out
    }

    /// A half-year (SPEC §7.4): its assessed quarters, weighed; nothing judged at its level.
    pub fn half(
        &self,
        unit: usize,
        h: Half,
        code: &str,
        name: Option<&str>,
    ) -> Option<Explanation> {
        let s = self.scores.halves.get(&h)?.get(unit)?.as_ref()?;
        let mut entries = Vec::new();
        for ((label, score), w) in s.parts.iter().zip(&s.weights) {
            entries.push(Entry {
                step: Some(Step::Part),
                detail: Detail::QuarterPart {
                    quarter: label.clone(),
                    weight: *w,
                },
                value: Some(*score),
                ..Entry::default()
            });
        }
        entries.push(Entry {
            detail: Detail::WeightedMean {
                quarters: s.parts.len(),
                value: s.score,
            },
            step: Some(Step::Mean),
            value: Some(s.score),
            ..Entry::default()
        });
        entries.push(self.roll_total(s.score, Decimal::ZERO, s.score, s.vetoed));
        Some(Explanation {
            kind: Kind::Half,
            period: h.to_string(),
            unit: code.to_owned(),
            name: name.map(str::to_owned),
            score: s.score,
            deducted: s.deducted,
            bonus: Decimal::ZERO,
            vetoed: s.vetoed,
            entries,
        })
    }

    fn roll_total(&self, base: Decimal, deducted: Decimal, score: Decimal, vetoed: bool) -> Entry {
        Entry {
            step: Some(Step::Total),
            detail: Detail::RollTotal {
                base,
                deducted,
                score,
                vetoed,
            },
            value: Some(score),
            ..Entry::default()
        }
    }
}
