//! `civscore explain`: the audit trail behind one unit's scores.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};
use serde_json::{Map, Value, json};

use crate::cmd::{self, Inputs, Output, Selection};
use crate::engine::Engine;
use crate::error::Error;
use crate::explain::{Entry, Explainer, Explanation};
use crate::ranking::Kind;
use crate::render::{Format, csv::defuse, fixed, json::number};
use crate::rubric::Lang;
use crate::suggest;

pub fn run(
    inputs: &Inputs,
    unit: &str,
    selection: Selection,
    output: &Output,
) -> Result<(), Error> {
    let cmd::Loaded3 {
        rubric,
        units,
        mut loaded,
    } = cmd::load_all(
        inputs,
        // Keep the records of the unit asked for (by code or name); all are tallied.
        Some(&|_, code, name| code == unit || name == Some(unit)),
    )?;
    let u = units.find(unit).ok_or_else(|| {
        let hint = suggest::hint(units.suggestion(unit));
        Error::Usage(format!("--unit: no unit \"{unit}\"{hint}"))
    })?;
    let mut store = std::mem::take(&mut loaded.store);
    let until = cmd::score::until(&store.assessed(), selection)?;
    store.truncate_after(until);
    loaded.records.retain(|r| r.unit == u && r.month <= until);
    let engine = Engine::from_store(&rubric, &units, crate::tally::Layout::new(&rubric), store);
    let scores = engine.score_need(&cmd::score::need(selection, until));
    let tables = crate::ranking::tables(&rubric, &units, &scores);
    let ex = Explainer {
        rubric: &rubric,
        engine: &engine,
        scores: &scores,
        records: &loaded.records,
        files: &loaded.files,
        as_of: inputs.as_of,
    };
    let code = units.list[u].code.as_str();
    let name = units.list[u].name.as_deref();
    let mut list = Vec::new();
    for t in cmd::score::select(&tables, selection, until) {
        let e = match t.kind {
            Kind::Month => t.period.parse().ok().and_then(|p| match p {
                crate::period::Period::Month(m) => ex.month(u, m, code, name),
                _ => None,
            }),
            Kind::Quarter => t.period.parse().ok().and_then(|p| match p {
                crate::period::Period::Quarter(q) => ex.quarter(u, q, code, name),
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
    let lang = output.lang.unwrap_or(rubric.lang);
    let p = rubric.precision;
    let mut buf = Vec::new();
    let io = |e: std::io::Error| Error::Internal(e.to_string());
    match output.format {
        Format::Json => {
            let docs: Vec<Value> = list.iter().map(|e| to_json(e, p)).collect();
            let doc = if docs.len() == 1 {
                docs.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(docs)
            };
            serde_json::to_writer_pretty(&mut buf, &doc)
                .map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(buf).map_err(io)?;
        }
        Format::Csv => write_csv(&list, p, output.bom, &mut buf).map_err(io)?,
        Format::Md => write_md(&list, p, lang, &mut buf).map_err(io)?,
        Format::Table => write_table(&list, p, lang, &mut buf).map_err(io)?,
        Format::Xlsx => buf = workbook(&list, p, lang).map_err(crate::render::xlsx::err)?,
    }
    cmd::emit(output, &buf, &inputs.files())
}

fn heading(e: &Explanation, p: u32) -> String {
    let who = match &e.name {
        Some(n) => format!("{n} ({})", e.unit),
        None => e.unit.clone(),
    };
    let vetoed = if e.vetoed {
        ", vetoed (一票否决)"
    } else {
        ""
    };
    format!(
        "{who} — {} {}: {}{vetoed}",
        e.kind.as_str(),
        e.period,
        fixed(e.score, p)
    )
}

fn where_(e: &Entry) -> String {
    match (&e.file, e.line) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        _ => String::new(),
    }
}

fn headers(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::En => ["Step", "Where", "Date", "Indicator", "Detail", "Points"],
        Lang::Zh => ["步骤", "出处", "日期", "指标", "说明", "分值"],
    }
}

fn points(e: &Entry, p: u32) -> String {
    match (e.deduction, e.value) {
        (Some(d), _) if fixed(d, p) == fixed(rust_decimal::Decimal::ZERO, p) => fixed(d, p),
        (Some(d), _) => format!("−{}", fixed(d, p)),
        (None, Some(v)) => fixed(v, p),
        _ => String::new(),
    }
}

fn cells(e: &Entry, p: u32) -> [String; 6] {
    [
        e.step.map(|s| s.as_str()).unwrap_or_default().to_owned(),
        where_(e),
        e.date.map(|d| d.to_string()).unwrap_or_default(),
        e.indicator.clone().unwrap_or_default(),
        e.detail.clone(),
        points(e, p),
    ]
}

fn write_table(list: &[Explanation], p: u32, lang: Lang, w: &mut dyn Write) -> std::io::Result<()> {
    for (i, e) in list.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "{}", heading(e, p))?;
        let mut t = Comfy::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(headers(lang).to_vec());
        for entry in &e.entries {
            t.add_row(cells(entry, p).to_vec());
        }
        if let Some(col) = t.column_mut(5) {
            col.set_cell_alignment(CellAlignment::Right);
        }
        writeln!(w, "{t}")?;
    }
    Ok(())
}

/// One sheet per period explained.
fn workbook(
    list: &[Explanation],
    p: u32,
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::render::xlsx::{Sheet, sheet_name};
    let mut book = rust_xlsxwriter::Workbook::new();
    for e in list {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&format!("{} {}", e.unit, e.period)))?;
        let mut s = Sheet::new(ws, p);
        s.head(0, &headers(lang).map(String::from))?;
        let mut r = 1u32;
        for x in &e.entries {
            let c = cells(x, p);
            for (k, text) in c.iter().enumerate().take(5) {
                s.text(r, k as u16, text)?;
            }
            match (x.deduction, x.value) {
                (Some(d), _) => s.number(r, 5, -d, p)?,
                (None, Some(v)) => s.number(r, 5, v, p)?,
                _ => {}
            }
            r += 1;
        }
        s.finish(r - 1, 5)?;
    }
    book.save_to_buffer()
}

fn write_md(list: &[Explanation], p: u32, lang: Lang, w: &mut dyn Write) -> std::io::Result<()> {
    for (i, e) in list.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "### {}\n", heading(e, p))?;
        writeln!(w, "| {} |", headers(lang).join(" | "))?;
        writeln!(w, "|---|---|---|---|---|---:|")?;
        for entry in &e.entries {
            let c = cells(entry, p).map(|c| c.replace('|', "\\|"));
            writeln!(w, "| {} |", c.join(" | "))?;
        }
    }
    Ok(())
}

fn write_csv(list: &[Explanation], p: u32, bom: bool, w: &mut dyn Write) -> std::io::Result<()> {
    if bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "kind",
        "period",
        "unit",
        "step",
        "file",
        "line",
        "date",
        "indicator",
        "category",
        "detail",
        "deduction",
        "value",
    ])?;
    for e in list {
        for x in &e.entries {
            out.write_record([
                e.kind.as_str().to_owned(),
                e.period.clone(),
                defuse(&e.unit),
                x.step.map(|s| s.as_str()).unwrap_or_default().to_owned(),
                x.file.clone().map(|f| defuse(&f)).unwrap_or_default(),
                x.line.map(|l| l.to_string()).unwrap_or_default(),
                x.date.map(|d| d.to_string()).unwrap_or_default(),
                x.indicator.clone().unwrap_or_default(),
                x.category.clone().unwrap_or_default(),
                defuse(&x.detail),
                x.deduction.map(|d| fixed(d, p)).unwrap_or_default(),
                x.value.map(|v| fixed(v, p)).unwrap_or_default(),
            ])?;
        }
    }
    out.flush()
}

pub fn to_json(e: &Explanation, p: u32) -> Value {
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
            o.insert("detail".into(), json!(x.detail));
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
