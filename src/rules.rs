//! Each rule of SPEC §1.1 applied to what one unit's records add up to in one period.

use rust_decimal::Decimal;

use crate::rubric::{Below, Deduct, Direction, Indicator, Measure, Missing, Rule};

/// What a unit's non-void records of one indicator add up to over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Agg {
    /// Number of non-void records.
    pub records: u64,
    /// Σ count.
    pub count: u64,
    /// Σ base deductions (count × deduct × source weight × on-spot factor), with the repeat
    /// factor of each record's month applied.
    pub base: Decimal,
    /// Σ overdue extras (overdue × count for every late record).
    pub overdue: Decimal,
    /// Σ value and the number of values, for the mean.
    pub value_sum: Decimal,
    pub values: u64,
}

impl Agg {
    pub fn merge(&mut self, o: &Agg) {
        self.records += o.records;
        self.count += o.count;
        // Zeros (most overdue sums and value sums) not added: the same sums, exactly.
        for (a, b) in [
            (&mut self.base, o.base),
            (&mut self.overdue, o.overdue),
            (&mut self.value_sum, o.value_sum),
        ] {
            if !b.is_zero() {
                *a += b;
            }
        }
        self.values += o.values;
    }

    /// The mean value, or None when no record carried one.
    pub fn mean(&self) -> Option<Decimal> {
        (self.values > 0).then(|| self.value_sum / Decimal::from(self.values))
    }
}

/// The points an indicator loses for a unit in a period, after its cap (0 ≤ result ≤ points).
pub fn deduction(ind: &Indicator, agg: &Agg) -> Decimal {
    let points = ind.points;
    let lost = match &ind.rule {
        Rule::PerFinding { .. } => agg.base + agg.overdue,
        Rule::Threshold {
            target,
            direction,
            below,
            deduct,
            missing,
        } => match agg.mean() {
            None => missed(*missing, points),
            Some(v) => points - threshold_score(points, v, *target, *direction, *below, *deduct),
        },
        Rule::Bands {
            measure,
            from,
            bands,
            missing,
        } => {
            let m = match measure {
                Measure::Count => Some(Decimal::from(agg.count)),
                Measure::Value => agg.mean(),
            };
            match m {
                None => missed(*missing, points),
                Some(m) => points - band_score(bands, *from, m),
            }
        }
        Rule::Required { at_least, deduct } => {
            let missing = at_least.saturating_sub(agg.count);
            Decimal::from(missing) * deduct.unwrap_or(points)
        }
        Rule::Bonus { .. } | Rule::Veto => Decimal::ZERO,
    };
    lost.clamp(Decimal::ZERO, points)
}

/// Whether an indicator's judgement rests on what has not happened yet, so that it deducts
/// nothing before it is due (SPEC §7.2): an activity still to be held (`required`), and a
/// measurement not yet taken (`threshold`, `bands` with `measure: value`, without a value).
/// Findings, counts, bonuses and vetoes are judged on the records so far. A `required`
/// indicator already held often enough is not pending: nothing is missing.
pub fn pending(ind: &Indicator, agg: &Agg) -> bool {
    match &ind.rule {
        Rule::Required { at_least, .. } => agg.count < *at_least,
        Rule::Threshold { .. }
        | Rule::Bands {
            measure: Measure::Value,
            ..
        } => agg.values == 0,
        _ => false,
    }
}

fn missed(missing: Missing, points: Decimal) -> Decimal {
    match missing {
        Missing::Full => Decimal::ZERO,
        Missing::Zero => points,
    }
}

/// The score (0..=points) of a threshold indicator whose measure is `v`.
pub fn threshold_score(
    points: Decimal,
    v: Decimal,
    target: Decimal,
    direction: Direction,
    below: Below,
    deduct: Option<Decimal>,
) -> Decimal {
    let met = match direction {
        Direction::AtLeast => v >= target,
        Direction::AtMost => v <= target,
    };
    if met {
        return points;
    }
    let score = match below {
        Below::Zero => Decimal::ZERO,
        Below::Proportional => {
            let (num, den) = match direction {
                Direction::AtLeast => (v, target),
                Direction::AtMost => (target, v),
            };
            if den.is_zero() {
                Decimal::ZERO
            } else {
                points * num / den
            }
        }
        Below::PerPoint => points - deduct.unwrap_or(Decimal::ZERO) * (v - target).abs(),
    };
    score.clamp(Decimal::ZERO, points)
}

/// The score of the first band that takes measure `m`: `upto` ≥ m, or `from` ≤ m.
pub fn band_score(bands: &[crate::rubric::Band], from: bool, m: Decimal) -> Decimal {
    bands
        .iter()
        .find(|b| match b.bound {
            None => true,
            Some(x) if from => x <= m,
            Some(x) => m <= x,
        })
        .map(|b| b.score)
        .unwrap_or(Decimal::ZERO)
}

/// The per-finding deduction of one finding of `severity` (before count and factors).
pub fn unit_deduct(deduct: &Deduct, severity: Option<&str>) -> Decimal {
    match deduct {
        Deduct::Flat(d) => *d,
        Deduct::BySeverity(map) => map
            .iter()
            .find(|(k, _)| Some(k.as_str()) == severity)
            .map(|(_, d)| *d)
            .unwrap_or(Decimal::ZERO),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::{Band, Per};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ind(points: &str, rule: Rule) -> Indicator {
        Indicator {
            basis: None,
            due: None,
            code: "X1".into(),
            name: "x".into(),
            points: d(points),
            rule,
            per: Per::Month,
            note: None,
            category: 0,
        }
    }

    fn values(vals: &[&str]) -> Agg {
        Agg {
            records: vals.len() as u64,
            count: vals.len() as u64,
            value_sum: vals.iter().map(|v| d(v)).sum(),
            values: vals.len() as u64,
            ..Agg::default()
        }
    }

    #[test]
    fn per_finding_is_capped_at_its_points() {
        let i = ind(
            "4",
            Rule::PerFinding {
                deduct: Deduct::Flat(d("1")),
                overdue: None,
                overdue_each_month: None,
                repeat: None,
                on_spot: None,
            },
        );
        // base 3 + overdue 0.5 = 3.5 < 4
        let a = Agg {
            base: d("3"),
            overdue: d("0.5"),
            ..Agg::default()
        };
        assert_eq!(deduction(&i, &a), d("3.5"));
        // base 5 + overdue 1 = 6, capped at 4 (扣完为止，不倒扣)
        let a = Agg {
            base: d("5"),
            overdue: d("1"),
            ..Agg::default()
        };
        assert_eq!(deduction(&i, &a), d("4"));
    }

    fn threshold(
        direction: Direction,
        below: Below,
        deduct: Option<&str>,
        missing: Missing,
    ) -> Indicator {
        ind(
            "5",
            Rule::Threshold {
                target: d("20"),
                direction,
                below,
                deduct: deduct.map(d),
                missing,
            },
        )
    }

    #[test]
    fn threshold_cases() {
        use Below::*;
        use Direction::*;
        // (direction, below, deduct, values, expected deduction, arithmetic)
        type Case<'a> = (Direction, Below, Option<&'a str>, &'a [&'a str], &'a str);
        let cases: &[Case] = &[
            (AtLeast, Zero, None, &["20"], "0"),            // 20 ≥ 20: met
            (AtLeast, Zero, None, &["19.9"], "5"),          // not met: all 5 lost
            (AtLeast, Proportional, None, &["15"], "1.25"), // 5 − 5 × 15/20 = 1.25
            (AtLeast, Proportional, None, &["10", "20"], "1.25"), // mean 15
            (AtLeast, PerPoint, Some("0.5"), &["16"], "2"), // 0.5 × |16 − 20| = 2
            (AtLeast, PerPoint, Some("2"), &["10"], "5"),   // 2 × 10 = 20, at most 5
            (AtMost, Zero, None, &["25"], "5"),
            (AtMost, Zero, None, &["20"], "0"),
            (AtMost, Proportional, None, &["25"], "1"), // 5 − 5 × 20/25 = 1
            (AtMost, PerPoint, Some("0.25"), &["24"], "1"), // 0.25 × 4
        ];
        for (dir, below, ded, vals, want) in cases {
            let i = threshold(*dir, *below, *ded, Missing::Full);
            assert_eq!(
                deduction(&i, &values(vals)),
                d(want),
                "{dir:?} {below:?} {vals:?}"
            );
        }
    }

    #[test]
    fn threshold_missing() {
        let full = threshold(Direction::AtLeast, Below::Zero, None, Missing::Full);
        let zero = threshold(Direction::AtLeast, Below::Zero, None, Missing::Zero);
        assert_eq!(deduction(&full, &Agg::default()), d("0"));
        assert_eq!(deduction(&zero, &Agg::default()), d("5"));
    }

    fn bands(from: bool, measure: Measure, list: &[(Option<&str>, &str)]) -> Indicator {
        ind(
            "3",
            Rule::Bands {
                measure,
                from,
                bands: list
                    .iter()
                    .map(|(b, s)| Band {
                        bound: b.map(d),
                        score: d(s),
                        written: s.to_string(),
                    })
                    .collect(),
                missing: Missing::Full,
            },
        )
    }

    #[test]
    fn bands_upto_and_from() {
        // 0 findings: 3 points; 1–2: 2; 3 or more: 0
        let up = bands(
            false,
            Measure::Count,
            &[(Some("0"), "3"), (Some("2"), "2"), (None, "0")],
        );
        let count = |n: u64| Agg {
            count: n,
            records: n,
            ..Agg::default()
        };
        assert_eq!(deduction(&up, &count(0)), d("0"));
        assert_eq!(deduction(&up, &count(2)), d("1")); // upto is inclusive: 3 − 2
        assert_eq!(deduction(&up, &count(3)), d("3"));
        // rate ≥ 90: 3; ≥ 80: 1.98 (66%); else 0
        let down = bands(
            true,
            Measure::Value,
            &[(Some("90"), "3"), (Some("80"), "1.98"), (None, "0")],
        );
        assert_eq!(deduction(&down, &values(&["95"])), d("0"));
        assert_eq!(deduction(&down, &values(&["80"])), d("1.02"));
        assert_eq!(deduction(&down, &values(&["79.9"])), d("3"));
    }

    #[test]
    fn required_activities() {
        let r = ind(
            "2",
            Rule::Required {
                at_least: 2,
                deduct: Some(d("0.5")),
            },
        );
        let count = |n: u64| Agg {
            count: n,
            records: n,
            ..Agg::default()
        };
        assert_eq!(deduction(&r, &count(0)), d("1")); // 2 missing × 0.5
        assert_eq!(deduction(&r, &count(1)), d("0.5"));
        assert_eq!(deduction(&r, &count(3)), d("0"));
        let all = ind(
            "2",
            Rule::Required {
                at_least: 1,
                deduct: None,
            },
        );
        assert_eq!(deduction(&all, &count(0)), d("2")); // default: all the points
    }

    #[test]
    fn severity_lookup() {
        let m = Deduct::BySeverity(vec![("轻微".into(), d("0.5")), ("严重".into(), d("2"))]);
        assert_eq!(unit_deduct(&m, Some("严重")), d("2"));
        assert_eq!(unit_deduct(&Deduct::Flat(d("1")), Some("严重")), d("1"));
    }
}
