//! `civscore explain`: the audit trail behind one unit's scores.

use serde_json::{Map, Value, json};

use crate::cmd::{self, Inputs, Output, Selection};
use crate::doc::{self, Cell, Column, Document};
use crate::error::Error;
use crate::explain::{Entry, Explainer, Explanation};
use crate::i18n::{self, W};
use crate::pipeline;
use crate::ranking::{Kind, Table};
use crate::render::{Format, fixed, json::number};
use crate::rubric::Lang;

pub fn run(
    inputs: &Inputs,
    unit: &str,
    selection: Selection,
    output: &Output,
) -> Result<(), Error> {
    // Keep the records of the unit asked for (by code or name); all are tallied.
    let mut read = pipeline::read(
        inputs,
        Some(&|_, code, name| code == unit || name == Some(unit)),
    )?;
    let u = read.units.find(unit).ok_or_else(|| {
        let hint = i18n::msg::hint(i18n::ui(), read.units.suggestion(unit));
        Error::Usage(i18n::msg::no_such_unit(i18n::ui(), unit, &hint))
    })?;
    let store = read.take_store();
    let (rubric, units, loaded) = (&read.rubric, &read.units, &mut read.loaded);
    let scored = pipeline::score(rubric, units, store, selection, inputs.clock())?;
    let until = scored.until;
    let mut records = std::mem::take(&mut loaded.records)
        .into_sorted()
        .map_err(|e| Error::io("<temporary file>", e))?;
    records.retain(|r| r.unit == u && r.month <= until);
    let (engine, scores) = (&scored.engine, &scored.scores);
    let ex = Explainer {
        rubric,
        engine,
        scores,
        records: &records,
        files: &loaded.files,
        as_of: inputs.as_of,
    };
    let code = units.list[u].code.as_str();
    let name = units.list[u].name.as_deref();
    // A unit outside its span (SPEC §7.12) has no row in a period: said, not left silent.
    for t in scored.chosen(selection) {
        if !t.rows.iter().any(|r| r.unit == u) {
            let m = crate::i18n::msg::no_row_in_period(crate::i18n::ui(), code, &t.period);
            cmd::note(inputs, &m);
        }
    }
    let list = explanations(&ex, scored.chosen(selection), u, code, name);
    let lang = output.lang.unwrap_or(rubric.lang);
    let p = rubric.precision;
    let buf = bytes(&list, output, p, lang)?;
    cmd::emit(output, &buf, &inputs.files())
}

/// The trail of each chosen period of the unit, in the order of the tables.
fn explanations(
    ex: &Explainer,
    tables: Vec<&Table>,
    u: usize,
    code: &str,
    name: Option<&str>,
) -> Vec<Explanation> {
    let mut list = Vec::new();
    for t in tables {
        let e = match t.kind {
            Kind::Month => t.period.parse().ok().and_then(|p| match p {
                crate::period::Period::Month(m) => ex.month(u, m, code, name),
                _ => None,
            }),
            Kind::Quarter => t.period.parse().ok().and_then(|p| match p {
                crate::period::Period::Quarter(q) => ex.quarter(u, q, code, name),
                _ => None,
            }),
            Kind::Half => t.period.parse().ok().and_then(|p| match p {
                crate::period::Period::Half(h) => ex.half(u, h, code, name),
                _ => None,
            }),
            Kind::Year => t
                .period
                .parse()
                .ok()
                .and_then(|y: i32| ex.year(u, y, code, name)),
        };
        list.extend(e);
    }
    list
}

/// The trails written in the output's format: JSON (one object, or an array of them), or a
/// document for the other writers.
fn bytes(list: &[Explanation], output: &Output, p: u32, lang: Lang) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    match output.format {
        Format::Json => {
            let docs: Vec<Value> = list.iter().map(|e| to_json(e, p, lang)).collect();
            let doc = if docs.len() == 1 {
                docs.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(docs)
            };
            // Internal (writing JSON to memory does not fail): English only.
            serde_json::to_writer_pretty(&mut buf, &doc)
                .map_err(|e| Error::Internal(e.to_string()))?;
            buf.push(b'\n');
        }
        format => {
            let doc = document(list, p, lang, output.bom);
            let terminal = crate::write::Terminal {
                color: output.color,
            };
            // Internal (writing to memory does not fail): English only.
            crate::write::write(format, &doc, terminal, &mut buf)
                .map_err(|e| Error::Internal(e.to_string()))?;
        }
    }
    Ok(buf)
}

/// The trails as a document: one table per period explained.
fn document(list: &[Explanation], p: u32, lang: Lang, bom: bool) -> Document {
    let columns = vec![
        Column::machine("kind"),
        Column::machine("period"),
        Column::machine("unit"),
        Column::machine("step"),
        Column::new(lang, W::StepCol, "").people(),
        Column::new(lang, W::Where, "").people(),
        Column::machine("file"),
        Column::machine("line"),
        Column::new(lang, W::Date, "date"),
        Column::new(lang, W::Indicator, "indicator"),
        Column::machine("category"),
        Column::new(lang, W::Detail, "detail"),
        Column::machine("deduction"),
        Column::machine("value"),
        Column::new(lang, W::Points, "").people(),
    ];
    let tables = list
        .iter()
        .map(|e| {
            let who = match &e.name {
                Some(n) => format!("{n} ({})", e.unit),
                None => e.unit.clone(),
            };
            let title =
                i18n::explain_heading(lang, &who, e.kind, &e.period, &fixed(e.score, p), e.vetoed);
            let rows = e.entries.iter().map(|x| row(e, x, p, lang)).collect();
            let sheet = format!("{} {}", e.unit, e.period);
            doc::Table::new(title, sheet, columns.clone(), rows)
        })
        .collect();
    Document {
        tables,
        precision: p,
        bom,
        lang,
    }
}

fn row(e: &Explanation, x: &Entry, p: u32, lang: Lang) -> Vec<Cell> {
    let num = |d: Option<rust_decimal::Decimal>| d.map_or(Cell::Empty, |d| Cell::Number(d, p));
    let place = match (&x.file, x.line) {
        (Some(f), Some(l)) => Cell::text(format!("{f}:{l}")),
        _ => Cell::Empty,
    };
    let points = match (x.deduction, x.value) {
        (Some(d), _) => Cell::Lost(d, p),
        (None, Some(v)) => Cell::Number(v, p),
        _ => Cell::Empty,
    };
    vec![
        Cell::Words(e.kind.as_str().into()),
        Cell::Words(e.period.clone()),
        Cell::text(e.unit.clone()),
        x.step
            .map_or(Cell::Empty, |s| Cell::Words(s.as_str().into())),
        x.step
            .map_or(Cell::Empty, |s| Cell::Words(i18n::step(lang, s).into())),
        place,
        Cell::opt_text(x.file.as_deref()),
        x.line.map_or(Cell::Empty, |l| Cell::Int(l as i64)),
        x.date.map_or(Cell::Empty, |d| Cell::Words(d.to_string())),
        Cell::opt_text(x.indicator.as_deref()),
        Cell::opt_text(x.category.as_deref()),
        Cell::text(i18n::entry(lang, x)),
        num(x.deduction),
        num(x.value),
        points,
    ]
}

pub fn to_json(e: &Explanation, p: u32, lang: Lang) -> Value {
    let entries: Vec<Value> = e
        .entries
        .iter()
        .map(|x| {
            let mut o = Map::new();
            o.insert("type".into(), json!(x.step.map(|s| s.as_str())));
            if let Some(f) = &x.file {
                o.insert("file".into(), json!(f));
            }
            if let Some(l) = x.line {
                o.insert("line".into(), json!(l));
            }
            if let Some(d) = x.date {
                o.insert("date".into(), json!(d.to_string()));
            }
            if let Some(i) = &x.indicator {
                o.insert("indicator".into(), json!(i));
            }
            if let Some(c) = &x.category {
                o.insert("category".into(), json!(c));
            }
            if let Some(r) = &x.record {
                o.insert("count".into(), json!(r.count));
                o.insert("source".into(), json!(r.source));
                o.insert("weight".into(), number(r.weight, 10));
                o.insert("deduct".into(), number(r.deduct, 10));
                o.insert(
                    "on_spot".into(),
                    r.on_spot.map_or(Value::Null, |v| number(v, 10)),
                );
                o.insert("repeat".into(), number(r.repeat, 10));
                o.insert("base".into(), number(r.base, 10));
                o.insert("overdue_days".into(), json!(r.overdue_days));
                o.insert("overdue_extra".into(), number(r.overdue_extra, 10));
                o.insert("status".into(), json!(r.status));
            }
            if let crate::explain::Detail::Overdue {
                from,
                open_at,
                extra,
            } = &x.detail
            {
                o.insert("overdue_extra".into(), number(*extra, 10));
                o.insert("late_from".into(), json!(from.to_string()));
                o.insert("open_at".into(), json!(open_at.map(|m| m.to_string())));
            }
            o.insert("detail".into(), json!(i18n::entry(lang, x)));
            if x.step == Some(crate::explain::Step::Record) || x.deduction.is_some() {
                o.insert(
                    "deduction".into(),
                    number(x.deduction.unwrap_or_default(), p),
                );
            }
            if let Some(v) = x.value {
                o.insert("value".into(), number(v, p));
            }
            Value::Object(o)
        })
        .collect();
    json!({
        "kind": e.kind.as_str(),
        "period": e.period,
        "unit": e.unit,
        "name": e.name,
        "score": number(e.score, p),
        "deducted": number(e.deducted, p),
        "bonus": number(e.bonus, p),
        "vetoed": e.vetoed,
        "entries": entries,
    })
}
