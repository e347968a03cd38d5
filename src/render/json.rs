//! The stable machine interface of SPEC §5, serialised straight from the tables (no tree of
//! values in between: a year of 3,000 units is 50,000 rows).

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

use super::View;
use crate::ranking::{self, Kind};

/// A decimal rounded to the rubric's precision, as a JSON number.
pub fn number(d: Decimal, dp: u32) -> Value {
    // Through the decimal text: parsing is correctly rounded, so 97.35 prints as 97.35.
    ranking::round(d, dp)
        .to_string()
        .parse::<f64>()
        .map_or(Value::Null, |f| json!(f))
}

/// A rounded decimal that serialises as a JSON number.
#[derive(Clone, Copy)]
struct Num(Decimal, u32);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f: f64 = ranking::round(self.0, self.1)
            .to_string()
            .parse()
            .unwrap_or(0.0);
        s.serialize_f64(f)
    }
}

/// `{"2026-10": 99.5, …}`: parts in order, as a map.
struct Parts<'a>(&'a [String], &'a [Option<Decimal>], u32);

impl Serialize for Parts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (label, v) in self.0.iter().zip(self.1) {
            if let Some(v) = v {
                m.serialize_entry(label, &Num(*v, self.2))?;
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
struct RowOut<'a> {
    rank: u32,
    group_rank: Option<u32>,
    rank_change: Option<i64>,
    unit: &'a str,
    name: Option<&'a str>,
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<Parts<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quarters: Option<Parts<'a>>,
    score: Num,
    deducted: Num,
    #[serde(skip_serializing_if = "Option::is_none")]
    bonus: Option<Num>,
    score_change: Option<Num>,
    grade: Option<&'a str>,
    vetoed: bool,
}

#[derive(Serialize)]
struct TableOut<'a> {
    kind: &'static str,
    period: &'a str,
    provisional: bool,
    average: Num,
    rows: Vec<RowOut<'a>>,
}

#[derive(Serialize)]
struct RubricOut<'a> {
    name: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct CountsOut {
    read: u64,
    scored: u64,
    void: u64,
    rejected: u64,
}

#[derive(Serialize)]
struct Doc<'a> {
    civscore: u32,
    rubric: RubricOut<'a>,
    records: CountsOut,
    tables: Vec<TableOut<'a>>,
}

fn document<'a>(view: &'a View) -> Doc<'a> {
    let p = view.rubric.precision;
    let tables = view
        .tables
        .iter()
        .map(|t| TableOut {
            kind: t.kind.as_str(),
            period: &t.period,
            provisional: t.provisional,
            average: Num(t.average, p),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    let parts = Some(Parts(&t.parts, &r.parts, p));
                    RowOut {
                        rank: r.rank,
                        group_rank: r.group_rank,
                        rank_change: r.rank_change,
                        unit: view.code(r),
                        name: view.name(r),
                        group: view.group(r),
                        months: if t.kind == Kind::Quarter { parts } else { None },
                        quarters: if t.kind == Kind::Year {
                            Some(Parts(&t.parts, &r.parts, p))
                        } else {
                            None
                        },
                        score: Num(r.score, p),
                        deducted: Num(r.deducted, p),
                        bonus: r.bonus.map(|b| Num(b, p)),
                        score_change: r.score_change.map(|d| Num(d, p)),
                        grade: r.grade.as_deref(),
                        vetoed: r.vetoed,
                    }
                })
                .collect(),
        })
        .collect();
    Doc {
        civscore: 1,
        rubric: RubricOut {
            name: &view.rubric.name,
            sha256: &view.rubric.sha256,
        },
        records: CountsOut {
            read: view.counts.read,
            scored: view.counts.scored,
            void: view.counts.void,
            rejected: view.counts.rejected,
        },
        tables,
    }
}

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(view))?;
    writeln!(w)
}
