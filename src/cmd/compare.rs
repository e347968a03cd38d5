//! `civscore compare`: how every unit's score, rank and grade would change if the office adopted
//! a revised rubric, on the same records and roster.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::builtin;
use crate::cmd::{self, Inputs, Output, Selection};
use crate::engine;
use crate::error::Error;
use crate::ranking::{self, Table};

use crate::render::{Format, csv::defuse, fixed, json::number};
use crate::rubric::{Lang, Rubric};
use crate::units::Units;

/// One unit under both rubrics.
#[derive(Debug, Clone)]
pub struct Change {
    pub unit: String,
    pub name: Option<String>,
    pub old: (u32, Decimal, Option<String>, bool),
    pub new: (u32, Decimal, Option<String>, bool),
}

impl Change {
    /// Old rank − new rank: positive moves up under the new rubric.
    pub fn rank_change(&self) -> i64 {
        i64::from(self.old.0) - i64::from(self.new.0)
    }
}

/// The units, every table, and the (kind, period) of the tables the selection shows.
type Scored = (Units, ranking::Tables, Vec<(String, String)>);

fn tables_for(inputs: &Inputs, rubric: &Rubric, selection: Selection) -> Result<Scored, Error> {
    // Only the tallies are needed: no record is kept.
    let (units, mut loaded) = cmd::read(inputs, rubric, None)?;
    let until = cmd::score::until(&loaded.store.assessed(), selection)?;
    loaded.store.truncate_after(until);
    let scores = engine::Engine::from_store(
        rubric,
        &units,
        crate::tally::Layout::new(rubric),
        loaded.store,
    )
    .score_need(&cmd::score::need(selection, until));
    let tables = ranking::tables(rubric, &units, &scores);
    let chosen = cmd::score::select(&tables, selection, until)
        .iter()
        .map(|t| (t.kind.as_str().to_owned(), t.period.clone()))
        .collect();
    Ok((units, tables, chosen))
}

fn find<'t>(tables: &'t ranking::Tables, kind: &str, period: &str) -> Option<&'t Table> {
    let all = tables
        .months
        .values()
        .chain(tables.quarters.values())
        .chain(tables.years.values());
    all.into_iter()
        .find(|t| t.kind.as_str() == kind && t.period == period)
}

pub fn run(
    inputs: &Inputs,
    against: &str,
    selection: Selection,
    output: &Output,
) -> Result<(), Error> {
    let old = builtin::load_rubric(inputs.rubric.as_deref())?;
    let new = builtin::load_rubric(Some(against))?;
    let (old_units, old_tables, chosen) = tables_for(inputs, &old, selection)?;
    let (new_units, new_tables, _) = tables_for(inputs, &new, selection)?;
    if inputs.units.is_none() {
        cmd::note(
            inputs,
            "no roster (--units): the units are those named in the records",
        );
    }
    let mut sections = Vec::new();
    for (kind, period) in &chosen {
        let (Some(a), Some(b)) = (
            find(&old_tables, kind, period),
            find(&new_tables, kind, period),
        ) else {
            continue;
        };
        let mut changes: Vec<Change> = a
            .rows
            .iter()
            .filter_map(|ra| {
                let u = &old_units.list[ra.unit];
                let nu = new_units.find(&u.code)?;
                let rb = b.rows.iter().find(|r| r.unit == nu)?;
                Some(Change {
                    unit: u.code.clone(),
                    name: u.name.clone(),
                    old: (ra.rank, ra.score, ra.grade.clone(), ra.vetoed),
                    new: (rb.rank, rb.score, rb.grade.clone(), rb.vetoed),
                })
            })
            .collect();
        changes.sort_by(|x, y| {
            y.rank_change()
                .cmp(&x.rank_change())
                .then(x.new.0.cmp(&y.new.0))
                .then(x.unit.cmp(&y.unit))
        });
        sections.push((kind.clone(), period.clone(), changes));
    }
    let p = old.precision.max(new.precision);
    let lang = output.lang.unwrap_or(new.lang);
    let mut buf = Vec::new();
    let io = |e: std::io::Error| Error::Internal(e.to_string());
    match output.format {
        Format::Json => {
            let doc = json!({
                "old": {"name": old.name, "sha256": old.sha256},
                "new": {"name": new.name, "sha256": new.sha256},
                "tables": sections.iter().map(|(k, per, ch)| json!({
                    "kind": k, "period": per,
                    "rows": ch.iter().map(|c| json!({
                        "unit": c.unit, "name": c.name,
                        "old": {"rank": c.old.0, "score": number(c.old.1, p), "grade": c.old.2, "vetoed": c.old.3},
                        "new": {"rank": c.new.0, "score": number(c.new.1, p), "grade": c.new.2, "vetoed": c.new.3},
                        "rank_change": c.rank_change(),
                        "score_change": number(ranking::round(c.new.1, p) - ranking::round(c.old.1, p), p),
                    })).collect::<Vec<Value>>(),
                })).collect::<Vec<Value>>(),
            });
            serde_json::to_writer_pretty(&mut buf, &doc)
                .map_err(|e| Error::Internal(e.to_string()))?;
            writeln!(buf).map_err(io)?;
        }
        Format::Xlsx => buf = workbook(&sections, p, lang).map_err(crate::render::xlsx::err)?,
        Format::Csv => {
            if output.bom {
                buf.extend_from_slice("\u{feff}".as_bytes());
            }
            let mut w = csv::Writer::from_writer(&mut buf);
            w.write_record([
                "kind",
                "period",
                "unit",
                "name",
                "old_rank",
                "old_score",
                "old_grade",
                "new_rank",
                "new_score",
                "new_grade",
                "rank_change",
                "score_change",
            ])
            .map_err(|e| Error::Internal(e.to_string()))?;
            for (k, per, ch) in &sections {
                for c in ch {
                    w.write_record(row_cells(k, per, c, p, true))
                        .map_err(|e| Error::Internal(e.to_string()))?;
                }
            }
            w.flush().map_err(io)?;
        }
        Format::Md | Format::Table => {
            for (i, (k, per, ch)) in sections.iter().enumerate() {
                if i > 0 {
                    writeln!(buf).map_err(io)?;
                }
                let title = match lang {
                    Lang::Zh => format!("{per} 细则修订对比：{} → {}", old.name, new.name),
                    Lang::En => format!("{k} {per}: {} → {}", old.name, new.name),
                };
                let head: Vec<String> = headers(lang).iter().map(|s| s.to_string()).collect();
                let rows: Vec<Vec<String>> = ch
                    .iter()
                    .map(|c| row_cells(k, per, c, p, false)[2..].to_vec())
                    .collect();
                if output.format == Format::Md {
                    writeln!(
                        buf,
                        "### {title}\n\n| {} |\n|{}",
                        head.join(" | "),
                        "---|".repeat(head.len())
                    )
                    .map_err(io)?;
                    for r in rows {
                        let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
                        writeln!(buf, "| {} |", cells.join(" | ")).map_err(io)?;
                    }
                } else {
                    writeln!(buf, "{title}").map_err(io)?;
                    let mut t = Comfy::new();
                    t.load_style(presets::UTF8_FULL_CONDENSED)
                        .set_content_arrangement(ContentArrangement::Disabled)
                        .set_header(head);
                    for r in rows {
                        t.add_row(r);
                    }
                    for k in [2usize, 3, 5, 6, 8, 9] {
                        if let Some(col) = t.column_mut(k) {
                            col.set_cell_alignment(CellAlignment::Right);
                        }
                    }
                    writeln!(buf, "{t}").map_err(io)?;
                }
            }
        }
    }
    let mut files = inputs.files();
    files.push(against);
    cmd::emit(output, &buf, &files)
}

fn headers(lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::En => [
            "Unit",
            "Name",
            "Old rank",
            "Old score",
            "Old grade",
            "New rank",
            "New score",
            "New grade",
            "Rank change",
            "Score Δ",
        ],
        Lang::Zh => [
            "单位",
            "名称",
            "原排名",
            "原得分",
            "原等级",
            "新排名",
            "新得分",
            "新等级",
            "名次变化",
            "分差",
        ],
    }
}

fn row_cells(kind: &str, period: &str, c: &Change, p: u32, for_csv: bool) -> Vec<String> {
    let grade = |g: &Option<String>, v: bool| {
        let g = g.clone().unwrap_or_default();
        if v && !for_csv {
            format!("{g} (否决)")
        } else {
            g
        }
    };
    let change = c.rank_change();
    let rank_change = if for_csv {
        change.to_string()
    } else {
        crate::render::rank_change(Some(change))
    };
    let delta = ranking::round(c.new.1, p) - ranking::round(c.old.1, p);
    vec![
        kind.to_owned(),
        period.to_owned(),
        defuse(&c.unit),
        defuse(c.name.as_deref().unwrap_or_default()),
        c.old.0.to_string(),
        fixed(c.old.1, p),
        grade(&c.old.2, c.old.3),
        c.new.0.to_string(),
        fixed(c.new.1, p),
        grade(&c.new.2, c.new.3),
        rank_change,
        fixed(delta, p),
    ]
}

fn workbook(
    sections: &[(String, String, Vec<Change>)],
    p: u32,
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::render::xlsx::{Sheet, sheet_name};
    let mut book = rust_xlsxwriter::Workbook::new();
    for (kind, period, changes) in sections {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&format!("{kind} {period}")))?;
        let mut s = Sheet::new(ws, p);
        s.head(0, &headers(lang).map(String::from))?;
        let mut r = 1u32;
        for c in changes {
            s.text(r, 0, &c.unit)?;
            s.text(r, 1, c.name.as_deref().unwrap_or_default())?;
            s.int(r, 2, i64::from(c.old.0))?;
            s.number(r, 3, c.old.1, p)?;
            s.text(r, 4, c.old.2.as_deref().unwrap_or_default())?;
            s.int(r, 5, i64::from(c.new.0))?;
            s.number(r, 6, c.new.1, p)?;
            s.text(r, 7, c.new.2.as_deref().unwrap_or_default())?;
            s.int(r, 8, c.rank_change())?;
            s.number(
                r,
                9,
                ranking::round(c.new.1, p) - ranking::round(c.old.1, p),
                p,
            )?;
            r += 1;
        }
        s.finish(r - 1, 9)?;
    }
    book.save_to_buffer()
}
