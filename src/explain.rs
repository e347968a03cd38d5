//! The audit trail of one unit's score (SPEC §4 `explain`): every record with the rule and
//! factors applied, each indicator's cap, the not-applicable adjustment, subtotals by category,
//! bonus, veto and roll-ups, ending in the same score that `score` prints.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::engine::{self, Engine, Scores};
use crate::period::{Month, Quarter};
use crate::ranking::Kind;
use crate::records::{Record, Status};
use crate::rubric::{Measure, Missing, NaMode, Per, Rubric, Rule};
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
    /// What was applied, in words and numbers.
    pub detail: String,
    /// Points lost (records, indicators, categories, penalties).
    pub deduction: Option<Decimal>,
    /// A score or a bonus (parts, bonus, totals).
    pub value: Option<Decimal>,
    pub record: Option<RecordFactors>,
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

fn n(d: Decimal) -> String {
    d.normalize().to_string()
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

    fn record_entry(&self, r: &Record, unit: usize) -> Entry {
        let ind = &self.rubric.indicators[r.indicator];
        let mut e = Entry {
            step: Some(Step::Record),
            file: self.files.get(r.file as usize).cloned(),
            line: Some(r.line),
            date: Some(r.date),
            indicator: Some(ind.code.clone()),
            category: Some(self.rubric.categories[ind.category].code.clone()),
            ..Entry::default()
        };
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", r.note)
        };
        if r.status == Status::Void {
            e.detail = format!("void (withdrawn): no effect{note}");
            e.deduction = Some(Decimal::ZERO);
            return e;
        }
        if !self.engine.applicable(unit, r.indicator) {
            e.detail = format!("not applicable to this unit: not judged{note}");
            e.deduction = Some(Decimal::ZERO);
            return e;
        }
        match &ind.rule {
            Rule::PerFinding { deduct, .. } => {
                let f = engine::finding(self.rubric, r, self.as_of);
                let repeat = self.engine.repeat_factor(unit, r.indicator, r.month);
                let mut parts = vec![r.count.to_string()];
                let sev = match (deduct, &r.severity) {
                    (crate::rubric::Deduct::BySeverity(_), Some(s)) => format!(" ({s})"),
                    _ => String::new(),
                };
                parts.push(format!("{}{sev}", n(f.deduct)));
                if f.weight != Decimal::ONE || r.source.is_some() {
                    parts.push(format!(
                        "{} ({})",
                        n(f.weight),
                        r.source.as_deref().unwrap_or("source")
                    ));
                }
                if repeat != Decimal::ONE {
                    parts.push(format!("{} (repeat of {})", n(repeat), r.month.prev()));
                }
                if let Some(s) = f.on_spot {
                    parts.push(format!("{} (on the spot)", n(s)));
                }
                let base = f.base * repeat;
                let mut detail = format!("{} = {}", parts.join(" × "), n(base));
                if let Some(days) = f.overdue_days {
                    if f.overdue_extra.is_zero() {
                        detail.push_str(&format!("; rectification {days} days late"));
                    } else {
                        detail.push_str(&format!(
                            "; rectification {days} days late: + {} overdue",
                            n(f.overdue_extra)
                        ));
                    }
                }
                e.detail = format!("{detail}{note}");
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
            Rule::Threshold { .. }
            | Rule::Bands {
                measure: Measure::Value,
                ..
            } => {
                e.detail = format!("value {}{note}", r.value.map(n).unwrap_or_default());
            }
            Rule::Bands { .. } | Rule::Required { .. } => {
                e.detail = format!("count {}{note}", r.count);
            }
            Rule::Bonus { add } => {
                e.detail = format!(
                    "+{} × {} = +{}{note}",
                    n(*add),
                    r.count,
                    n(*add * Decimal::from(r.count))
                );
                e.value = Some(*add * Decimal::from(r.count));
            }
            Rule::Veto => {
                e.step = Some(Step::Veto);
                e.detail = format!("veto (一票否决): the unit is vetoed for {}{note}", r.month);
            }
        }
        if ind.per != Per::Month && ind.rule.has_points() {
            e.detail = format!("{} (judged per {})", e.detail, ind.per.as_str());
        }
        e
    }

    /// How an indicator's deduction came about, in one line.
    fn indicator_detail(&self, i: usize, agg: &Agg, deduction: Decimal) -> String {
        let ind = &self.rubric.indicators[i];
        let p = ind.points;
        match &ind.rule {
            Rule::PerFinding { .. } => {
                let sum = agg.base + agg.overdue;
                if sum > p {
                    format!("Σ {} capped at its {} points (扣完为止)", n(sum), n(p))
                } else {
                    format!("Σ {} of {} points", n(sum), n(p))
                }
            }
            Rule::Threshold {
                target,
                direction,
                missing,
                ..
            } => match agg.mean() {
                None => match missing {
                    Missing::Full => "no measured value: keeps its points (missing: full)".into(),
                    Missing::Zero => "no measured value: loses its points (missing: zero)".into(),
                },
                Some(v) => {
                    let op = match direction {
                        crate::rubric::Direction::AtLeast => "≥",
                        crate::rubric::Direction::AtMost => "≤",
                    };
                    format!(
                        "mean {} of {} value(s) against {op} {}: scores {} of {}",
                        n(v.round_dp(10)),
                        agg.values,
                        n(*target),
                        n((p - deduction).round_dp(10)),
                        n(p)
                    )
                }
            },
            Rule::Bands { measure, .. } => {
                let m = match measure {
                    Measure::Count => Some(format!("count {}", agg.count)),
                    Measure::Value => agg
                        .mean()
                        .map(|v| format!("mean value {}", n(v.round_dp(10)))),
                };
                match m {
                    Some(m) => format!("{m}: band scores {} of {}", n(p - deduction), n(p)),
                    None => "no measured value".into(),
                }
            }
            Rule::Required { at_least, deduct } => {
                let missing = at_least.saturating_sub(agg.count);
                format!(
                    "held {} of at least {at_least}: {missing} missing × {}",
                    agg.count,
                    n(deduct.unwrap_or(p))
                )
            }
            Rule::Bonus { .. } | Rule::Veto => String::new(),
        }
    }

    /// The entries of one level: records, indicators, categories and the adjustment; returns
    /// them with the level's total deduction.
    fn level(&self, unit: usize, per: Per, months: &[Month]) -> (Vec<Entry>, Decimal) {
        let inds = self.engine.level(per);
        let deds = self.engine.deductions(&inds, months);
        let row = &deds[unit];
        let mut out = Vec::new();
        let mut by_category: Vec<Decimal> = vec![Decimal::ZERO; self.rubric.categories.len()];
        for (k, &i) in inds.iter().enumerate() {
            let ind = &self.rubric.indicators[i];
            let agg = self.engine.agg(unit, i, months);
            let d = row[k];
            by_category[ind.category] += d;
            let applicable = self.engine.applicable(unit, i);
            if d.is_zero() && agg.records == 0 && applicable {
                continue;
            }
            let detail = match (applicable, self.rubric.not_applicable) {
                (true, _) => self.indicator_detail(i, &agg, d),
                (false, NaMode::Average) => {
                    "not applicable: the mean deduction of the units it applies to (not_applicable: average)".into()
                }
                (false, NaMode::Rescale) => "not applicable: not judged (the others are rescaled)".into(),
            };
            out.push(Entry {
                step: Some(Step::Indicator),
                indicator: Some(ind.code.clone()),
                category: Some(self.rubric.categories[ind.category].code.clone()),
                detail: format!("{} {} [{}]: {detail}", ind.code, ind.name, ind.rule.name()),
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
                    detail: format!("{} {}: subtotal", cat.code, cat.name),
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
                detail: format!(
                    "not applicable indicators: deductions rescaled × {} / {} (full / applicable points): {} → {}",
                    n(full),
                    n(app),
                    n(sum),
                    n(total.round_dp(10))
                ),
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
        let (level, deducted) = self.level(unit, per, months);
        entries.extend(level);
        (entries, deducted)
    }

    pub fn month(
        &self,
        unit: usize,
        m: Month,
        code: &str,
        name: Option<&str>,
    ) -> Option<Explanation> {
        let s = self.scores.months.get(&m)?.get(unit)?;
        let mut entries: Vec<Entry> = self
            .unit_records(unit, &[m])
            .into_iter()
            .map(|r| self.record_entry(r, unit))
            .collect();
        let (level, deducted) = self.level(unit, Per::Month, &[m]);
        entries.extend(level);
        for c in self.rubric.categories.iter().filter(|c| c.bonus) {
            let sum: Decimal = c
                .indicators
                .iter()
                .filter(|&&i| self.engine.applicable(unit, i))
                .map(|&i| match self.rubric.indicators[i].rule {
                    Rule::Bonus { add } => {
                        add * Decimal::from(self.engine.agg(unit, i, &[m]).count)
                    }
                    _ => Decimal::ZERO,
                })
                .sum();
            if !sum.is_zero() {
                let bonus = c.cap.map_or(sum, |cap| sum.min(cap));
                let cap = c
                    .cap
                    .map(|cap| format!(", capped at {}", n(cap)))
                    .unwrap_or_default();
                entries.push(Entry {
                    step: Some(Step::Bonus),
                    category: Some(c.code.clone()),
                    detail: format!("{} {}: +{}{cap}", c.code, c.name, n(sum)),
                    value: Some(bonus),
                    ..Entry::default()
                });
            }
        }
        let vetoed = if s.vetoed {
            "; vetoed (一票否决)"
        } else {
            ""
        };
        entries.push(Entry {
            step: Some(Step::Total),
            detail: format!(
                "{} − {} + {} = {}{vetoed}",
                n(self.rubric.full),
                n(deducted.round_dp(10)),
                n(s.bonus),
                n(s.score.round_dp(10))
            ),
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
        let s = self.scores.quarters.get(&q)?.get(unit)?;
        let mut entries = Vec::new();
        for (label, score) in &s.parts {
            entries.push(Entry {
                step: Some(Step::Part),
                detail: format!("month {label}"),
                value: Some(*score),
                ..Entry::default()
            });
        }
        let mean = engine::mean(s.parts.iter().map(|(_, v)| *v));
        entries.push(Entry {
            detail: format!(
                "mean of {} assessed month(s) = {}",
                s.parts.len(),
                n(mean.round_dp(10))
            ),
            step: Some(Step::Mean),
            value: Some(mean),
            ..Entry::default()
        });
        let (trail, deducted) = self.level_trail(unit, Per::Quarter, &q.months());
        entries.extend(trail);
        entries.push(self.roll_total(mean, deducted, s.score, s.vetoed));
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
        let s = self.scores.years.get(&y)?.get(unit)?;
        let mut entries = Vec::new();
        let weights = &s.weights;
        for ((label, score), w) in s.parts.iter().zip(weights) {
            entries.push(Entry {
                step: Some(Step::Part),
                detail: format!("{label}, weight {}", n(*w)),
                value: Some(*score),
                ..Entry::default()
            });
        }
        let base = engine::weighted_mean(&s.parts, weights);
        entries.push(Entry {
            detail: format!(
                "weighted mean of {} assessed quarter(s) = {}",
                s.parts.len(),
                n(base.round_dp(10))
            ),
            step: Some(Step::Mean),
            value: Some(base),
            ..Entry::default()
        });
        let months: Vec<Month> = (1..=12).map(|m| Month::new(y, m)).collect();
        let (trail, mut deducted) = self.level_trail(unit, Per::Year, &months);
        entries.extend(trail);
        for (k, count) in self.engine.penalties(unit, y) {
            let p = &self.rubric.penalties[k];
            deducted += p.deduct;
            entries.push(Entry {
                step: Some(Step::Penalty),
                indicator: Some(self.rubric.indicators[p.indicator].code.clone()),
                detail: format!(
                    "{}: {count} records of {} in {y} (at least {})",
                    p.name, self.rubric.indicators[p.indicator].code, p.at_least
                ),
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

    fn roll_total(&self, base: Decimal, deducted: Decimal, score: Decimal, vetoed: bool) -> Entry {
        let vetoed = if vetoed {
            "; vetoed (一票否决)"
        } else {
            ""
        };
        Entry {
            step: Some(Step::Total),
            detail: format!(
                "{} − {} = {}{vetoed}",
                n(base.round_dp(10)),
                n(deducted.round_dp(10)),
                n(score.round_dp(10))
            ),
            value: Some(score),
            ..Entry::default()
        }
    }
}
