//! The stable machine interface of SPEC §5.

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

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

pub fn document(view: &View) -> Value {
    let p = view.rubric.precision;
    let num = |d: Decimal| number(d, p);
    let tables: Vec<Value> = view
        .tables
        .iter()
        .map(|t| {
            let rows: Vec<Value> = t
                .rows
                .iter()
                .map(|r| {
                    let mut o = Map::new();
                    o.insert("rank".into(), json!(r.rank));
                    o.insert("group_rank".into(), json!(r.group_rank));
                    o.insert("rank_change".into(), json!(r.rank_change));
                    o.insert("unit".into(), json!(view.code(r)));
                    o.insert("name".into(), json!(view.name(r)));
                    o.insert("group".into(), json!(view.group(r)));
                    if t.kind != Kind::Month {
                        let key = if t.kind == Kind::Quarter {
                            "months"
                        } else {
                            "quarters"
                        };
                        let parts: Map<String, Value> = t
                            .parts
                            .iter()
                            .zip(&r.parts)
                            .filter_map(|(l, v)| v.map(|d| (l.clone(), num(d))))
                            .collect();
                        o.insert(key.into(), Value::Object(parts));
                    }
                    o.insert("score".into(), num(r.score));
                    o.insert("deducted".into(), num(r.deducted));
                    if let Some(b) = r.bonus {
                        o.insert("bonus".into(), num(b));
                    }
                    o.insert(
                        "score_change".into(),
                        r.score_change.map_or(Value::Null, num),
                    );
                    o.insert("grade".into(), json!(r.grade));
                    o.insert("vetoed".into(), json!(r.vetoed));
                    Value::Object(o)
                })
                .collect();
            json!({
                "kind": t.kind.as_str(),
                "period": t.period,
                "provisional": t.provisional,
                "average": num(t.average),
                "rows": rows,
            })
        })
        .collect();
    json!({
        "civscore": 1,
        "rubric": {"name": view.rubric.name, "sha256": view.rubric.sha256},
        "records": {
            "read": view.counts.read,
            "scored": view.counts.scored,
            "void": view.counts.void,
            "rejected": view.counts.rejected,
        },
        "tables": tables,
    })
}

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &document(view))?;
    writeln!(w)
}
