//! `civscore check`: validates a rubric and prints its tree.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::builtin;
use crate::error::Error;
use crate::rubric::{Below, Deduct, Direction, Measure, Missing, Per, Rubric, Rule};

pub fn run(spec: Option<&str>) -> Result<(), Error> {
    let r = builtin::load_rubric(spec)?;
    crate::cmd::print(&tree(&r))
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// What a rule does, in one line.
pub fn describe(rule: &Rule) -> String {
    match rule {
        Rule::PerFinding {
            deduct,
            overdue,
            repeat,
            on_spot,
        } => {
            let mut s = match deduct {
                Deduct::Flat(d) => format!("−{} per finding", n(*d)),
                Deduct::BySeverity(m) => format!(
                    "per finding by severity: {}",
                    m.iter()
                        .map(|(k, d)| format!("{k} −{}", n(*d)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            if let Some(x) = overdue {
                let _ = write!(s, "; overdue −{} more", n(*x));
            }
            if let Some(f) = repeat {
                let _ = write!(s, "; repeat ×{}", n(*f));
            }
            if let Some(f) = on_spot {
                let _ = write!(s, "; on the spot ×{}", n(*f));
            }
            s
        }
        Rule::Threshold {
            target,
            direction,
            below,
            deduct,
            missing,
        } => {
            let op = match direction {
                Direction::AtLeast => "≥",
                Direction::AtMost => "≤",
            };
            let b = match below {
                Below::Zero => "else 0".to_owned(),
                Below::Proportional => "else proportional".to_owned(),
                Below::PerPoint => format!("else −{} per point off", n(deduct.unwrap_or_default())),
            };
            let m = match missing {
                Missing::Full => "",
                Missing::Zero => "; no measure: 0",
            };
            format!("mean value {op} {}, {b}{m}", n(*target))
        }
        Rule::Bands {
            measure,
            from,
            bands,
            ..
        } => {
            let what = match measure {
                Measure::Count => "findings",
                Measure::Value => "mean value",
            };
            let parts: Vec<String> = bands
                .iter()
                .map(|b| match b.bound {
                    Some(x) if *from => format!("≥{} → {}", n(x), b.written),
                    Some(x) => format!("≤{} → {}", n(x), b.written),
                    None => format!("else {}", b.written),
                })
                .collect();
            format!("{what}: {}", parts.join(", "))
        }
        Rule::Required { at_least, deduct } => format!(
            "at least {at_least}, {}",
            match deduct {
                Some(d) => format!("−{} per missing", n(*d)),
                None => "else all points".to_owned(),
            }
        ),
        Rule::Bonus { add } => format!("+{} per record", n(*add)),
        Rule::Veto => "any record vetoes the unit (一票否决)".to_owned(),
    }
}

pub fn tree(r: &Rubric) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.name);
    let _ = writeln!(s, "  origin: {}  sha256: {}", r.origin, r.sha256);
    let _ = writeln!(
        s,
        "  full {} · precision {} · not applicable: {}",
        n(r.full),
        r.precision,
        match r.not_applicable {
            crate::rubric::NaMode::Rescale => "rescale",
            crate::rubric::NaMode::Average => "average",
        }
    );
    if let Some(src) = &r.sources {
        let list: Vec<String> = src.iter().map(|(k, w)| format!("{k} ×{}", n(*w))).collect();
        let _ = writeln!(s, "  sources: {}", list.join(", "));
    }
    if !r.grades.is_empty() {
        let list: Vec<String> = r
            .grades
            .iter()
            .map(|g| format!("{} ≥ {}", g.name, n(g.min)))
            .collect();
        let _ = writeln!(s, "  grades: {}", list.join(", "));
    }
    let w: Vec<String> = r
        .year_weights
        .iter()
        .enumerate()
        .map(|(i, w)| format!("Q{} {}", i + 1, n(*w)))
        .collect();
    let _ = writeln!(s, "  year weights: {}", w.join(", "));
    for p in &r.penalties {
        let _ = writeln!(
            s,
            "  year penalty: {} — {} or more records of {}: −{}",
            p.name,
            p.at_least,
            r.indicators[p.indicator].code,
            n(p.deduct)
        );
    }
    for c in &r.categories {
        let pts = if c.bonus {
            match c.cap {
                Some(cap) => format!("bonus, up to +{}", n(cap)),
                None => "bonus".to_owned(),
            }
        } else {
            format!("{} points", n(c.points))
        };
        let assessor = c
            .assessor
            .as_ref()
            .map(|a| format!("  [{a}]"))
            .unwrap_or_default();
        let _ = writeln!(s, "{}  {}  ({pts}){assessor}", c.code, c.name);
        for &i in &c.indicators {
            let ind = &r.indicators[i];
            let per = if ind.per == Per::Month {
                String::new()
            } else {
                format!(" per {}", ind.per.as_str())
            };
            let pts = if ind.rule.has_points() {
                format!("{} pts", n(ind.points))
            } else {
                "—".to_owned()
            };
            let _ = writeln!(
                s,
                "  {}  {}  {pts}  {}{per}: {}",
                ind.code,
                ind.name,
                ind.rule.name(),
                describe(&ind.rule)
            );
        }
    }
    let _ = writeln!(
        s,
        "{} categories, {} indicators, {} points",
        r.categories.len(),
        r.indicators.len(),
        n(r.full)
    );
    s
}
