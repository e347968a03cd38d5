//! `civscore score`: ranked tables for the chosen periods.

use crate::cmd::{self, Inputs, Output, Selection};
use crate::engine::{Engine, Need};
use crate::error::Error;
use crate::period::{Month, Period};
use crate::ranking::{self, Table, Tables};
use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use crate::ranking::Kind;
use crate::render::{self, Format, View, sparkline};

pub fn run(inputs: &Inputs, selection: Selection, output: &Output) -> Result<(), Error> {
    let cmd::Tallied {
        rubric,
        units,
        counts,
        layout,
        mut store,
    } = cmd::tally_all(inputs)?;
    let until = until(&store.assessed(), selection)?;
    store.truncate_after(until);
    let engine = Engine::from_store(&rubric, &units, layout, store);
    if engine.overflowed() {
        return Err(Error::Invalid(
            "more than 4,294,967,295 findings in one unit, indicator and month: cannot score exactly".into(),
        ));
    }
    let scores = engine.score_need(&need(selection, until));
    let tables = ranking::tables(&rubric, &units, &scores);
    let chosen = select(&tables, selection, until);
    let sparks = if output.terminal && output.format == Format::Table {
        sparks(&tables, &chosen, units.list.len())
    } else {
        Default::default()
    };
    let view = View {
        rubric: &rubric,
        units: &units,
        tables: chosen,
        counts,
        lang: output.lang.unwrap_or(rubric.lang),
        bom: output.bom,
        color: output.color,
        sparks,
    };
    cmd::emit_with(output, &inputs.files(), &mut |w| {
        render::render(output.format, &view, w)
    })
}

/// The last month a selection looks at: a period in the past is scored as it stood then, so
/// records after it are left out. A period without records is a usage error.
pub fn until(assessed: &BTreeSet<Month>, selection: Selection) -> Result<Month, Error> {
    let latest = *assessed
        .last()
        .ok_or_else(|| Error::Invalid("no records: there is nothing to score".into()))?;
    let first = assessed.first().copied().unwrap_or(latest);
    let span = |p: Period| -> Error {
        Error::Usage(format!(
            "no records in {p}: the data covers {first} to {latest}"
        ))
    };
    match selection {
        Selection::Latest | Selection::All => Ok(latest),
        Selection::Period(p @ Period::Month(m)) => {
            assessed.contains(&m).then_some(m).ok_or_else(|| span(p))
        }
        Selection::Period(p @ Period::Quarter(q)) => assessed
            .iter()
            .any(|m| m.quarter() == q)
            .then_some(q.months()[2])
            .ok_or_else(|| span(p)),
        Selection::Period(p @ Period::Year(y)) => assessed
            .iter()
            .any(|m| m.year() == y)
            .then_some(Month::new(y, 12))
            .ok_or_else(|| span(p)),
    }
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

/// The periods a selection needs scored.
pub fn need(selection: Selection, until: Month) -> Need {
    match selection {
        Selection::All => Need::default(),
        Selection::Latest | Selection::Period(Period::Month(_)) => Need::month(until),
        Selection::Period(Period::Quarter(q)) => Need::quarter(q),
        Selection::Period(Period::Year(y)) => Need::year(y),
    }
}

/// The tables a selection shows, in order.
pub fn select(tables: &Tables, selection: Selection, until: Month) -> Vec<&Table> {
    match selection {
        Selection::All => tables
            .months
            .values()
            .chain(tables.quarters.values())
            .chain(tables.years.values())
            .collect(),
        Selection::Latest | Selection::Period(Period::Month(_)) => tables
            .months
            .get(&until)
            .into_iter()
            .chain(tables.quarters.get(&until.quarter()))
            .collect(),
        Selection::Period(Period::Quarter(q)) => tables.quarters.get(&q).into_iter().collect(),
        Selection::Period(Period::Year(y)) => tables.years.get(&y).into_iter().collect(),
    }
}
