//! `civscore score`: ranked tables for the chosen periods.

use crate::cmd::{self, Inputs, Output, Selection};
use crate::error::Error;
use crate::period::Period;
use crate::pipeline;
use crate::ranking::{Table, Tables};
use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::ranking::Kind;
use crate::render::{self, Format, View, sparkline};

/// `by_category`: the category scores as columns (`--by category`, 分项得分, SPEC §7.7).
pub fn run(
    inputs: &Inputs,
    selection: Selection,
    output: &Output,
    by_category: bool,
) -> Result<(), Error> {
    let mut read = pipeline::read(inputs, None)?;
    let store = read.take_store();
    let (rubric, units) = (&read.rubric, &read.units);
    let scored = pipeline::score(rubric, units, store, selection, inputs.clock())?;
    let chosen = scored.chosen(selection);
    for note in scored.completeness(&chosen, crate::i18n::ui()) {
        cmd::note(inputs, &note);
    }
    let sparks = if output.terminal && output.format == Format::Table {
        sparks(&scored.tables, &chosen, units.list.len())
    } else {
        Default::default()
    };
    let view = View {
        rubric,
        units,
        tables: chosen,
        counts: read.loaded.counts,
        lang: output.lang.unwrap_or(rubric.lang),
        bom: output.bom,
        color: output.color,
        sparks,
        by_category,
    };
    cmd::emit_with(output, &inputs.files(), &mut |w| {
        render::render(output.format, &view, w)
    })
}

/// Sparklines of each unit's monthly scores in the quarter and year tables, on one scale per
/// table (its lowest to its highest monthly score).
pub fn sparks(tables: &Tables, chosen: &[&Table], units: usize) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for t in chosen {
        let months: Vec<&Table> = match t.kind {
            Kind::Month => continue,
            Kind::Quarter => tables
                .months
                .values()
                .filter(|m| {
                    m.period.starts_with(&t.period[..4]) && quarter_of(&m.period) == t.period
                })
                .collect(),
            Kind::Half => tables
                .months
                .values()
                .filter(|m| {
                    let q = quarter_of(&m.period);
                    m.period.starts_with(&t.period[..4])
                        && q.len() == 6
                        && (q.as_bytes()[5] <= b'2') == t.period.ends_with("H1")
                })
                .collect(),
            Kind::Year => tables
                .months
                .values()
                .filter(|m| m.period.starts_with(&t.period))
                .collect(),
        };
        let mut series: Vec<Vec<Decimal>> = vec![Vec::new(); units];
        for m in &months {
            for r in &m.rows {
                series[r.unit].push(r.score);
            }
        }
        let all = series.iter().flatten();
        let lo = all.clone().min().copied().unwrap_or_default();
        let hi = all.max().copied().unwrap_or_default();
        out.insert(
            t.period.clone(),
            series.iter().map(|v| sparkline(v, lo, hi)).collect(),
        );
    }
    out
}

fn quarter_of(month: &str) -> String {
    month
        .parse::<Period>()
        .ok()
        .and_then(|p| match p {
            Period::Month(m) => Some(m.quarter().to_string()),
            _ => None,
        })
        .unwrap_or_default()
}
