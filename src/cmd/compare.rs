//! `civscore compare`: how every unit's score, rank and grade would change if the office adopted
//! a revised rubric, on the same records and roster.

use std::io::Write;

use rust_decimal::Decimal;
use serde_json::json;

use crate::builtin;
use crate::cmd::{self, Inputs, Output, Selection};
use crate::doc::{self, Cell, Column, Document};
use crate::error::Error;
use crate::i18n::{self, W};
use crate::pipeline;
use crate::ranking::{self, Kind, Table};
use crate::read::Counts;
use crate::render::{Format, json::number};
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

    /// The change of the rounded score.
    pub fn score_change(&self, precision: u32) -> Decimal {
        ranking::round(self.new.1, precision) - ranking::round(self.old.1, precision)
    }
}

/// The units, every table, and the (kind, period) of the tables the selection shows.
type Scored = (Units, ranking::Tables, Vec<(Kind, String)>);

/// The records read and scored under a rubric (only the tallies: no record is kept). The first
/// reading reports as every command does (notes, rejected rows); the second says what the
/// revised rubric rejects besides, so that no row drops out of either side unseen.
fn tables_for(
    inputs: &Inputs,
    rubric: Rubric,
    selection: Selection,
    first: Option<&Counts>,
) -> Result<(Rubric, Counts, Scored), Error> {
    let mut read = match first {
        None => pipeline::read_reported(inputs, rubric, None)?,
        Some(first) => {
            let read = pipeline::read_under(inputs, rubric, None)?;
            if read.loaded.counts != *first {
                let name = &read.rubric.name;
                cmd::note(inputs, &i18n::msg::under_revised(i18n::ui(), name));
                cmd::print_rejects(&read.loaded);
                cmd::print_rows_read(&read.loaded);
            }
            read
        }
    };
    let counts = read.loaded.counts;
    let store = read.take_store();
    let scored = pipeline::score(&read.rubric, &read.units, store, selection, inputs.clock())?;
    let chosen = scored
        .chosen(selection)
        .iter()
        .map(|t| (t.kind, t.period.clone()))
        .collect();
    let tables = scored.tables;
    Ok((read.rubric, counts, (read.units, tables, chosen)))
}

fn find<'t>(tables: &'t ranking::Tables, kind: Kind, period: &str) -> Option<&'t Table> {
    let all = tables
        .months
        .values()
        .chain(tables.quarters.values())
        .chain(tables.halves.values())
        .chain(tables.years.values());
    all.into_iter()
        .find(|t| t.kind == kind && t.period == period)
}

/// One table's units under both rubrics, the largest rise first.
fn changes(old: (&Units, &Table), new: (&Units, &Table)) -> Vec<Change> {
    let mut new_rows: Vec<Option<&ranking::Row>> = vec![None; new.0.list.len()];
    for r in &new.1.rows {
        new_rows[r.unit] = Some(r);
    }
    let mut changes: Vec<Change> = old
        .1
        .rows
        .iter()
        .filter_map(|ra| {
            let u = &old.0.list[ra.unit];
            let rb = new_rows[new.0.find(&u.code)?]?;
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
    changes
}

/// A table compared: kind, period, whether it is provisional, and the changes.
type Section = (Kind, String, bool, Vec<Change>);

pub fn run(
    inputs: &Inputs,
    against: &str,
    selection: Selection,
    output: &Output,
) -> Result<(), Error> {
    let old = builtin::load_rubric(inputs.rubric.as_deref())?;
    let new = builtin::load_rubric(Some(against))?;
    let (old, counts, (old_units, old_tables, chosen)) = tables_for(inputs, old, selection, None)?;
    let (new, _, (new_units, new_tables, _)) = tables_for(inputs, new, selection, Some(&counts))?;
    let sections: Vec<Section> = chosen
        .into_iter()
        .filter_map(|(kind, period)| {
            let a = find(&old_tables, kind, &period)?;
            let b = find(&new_tables, kind, &period)?;
            let ch = changes((&old_units, a), (&new_units, b));
            Some((kind, period, a.provisional, ch))
        })
        .collect();
    let p = old.precision.max(new.precision);
    let lang = output.lang.unwrap_or(new.lang);
    let mut files = inputs.files();
    files.push(against);
    // Written as it is formatted: a comparison of every period of many units is large.
    cmd::emit_with(output, &files, &mut |w| match output.format {
        Format::Json => to_json(&old, &new, &sections, p, w),
        format => {
            let doc = document(&old, &new, &sections, p, lang, output.bom);
            let terminal = crate::write::Terminal {
                color: output.color,
            };
            crate::write::write(format, &doc, terminal, w)
        }
    })
}

/// The comparison as JSON, one row at a time (never the whole document in memory).
fn to_json(
    old: &Rubric,
    new: &Rubric,
    sections: &[Section],
    p: u32,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let rubric = |r: &Rubric| json!({"name": r.name, "sha256": r.sha256});
    writeln!(w, "{{")?;
    writeln!(w, "  \"old\": {},", rubric(old))?;
    writeln!(w, "  \"new\": {},", rubric(new))?;
    write!(w, "  \"tables\": [")?;
    for (i, (k, per, provisional, ch)) in sections.iter().enumerate() {
        let head = json!({"kind": k.as_str(), "period": per, "provisional": provisional});
        let head = head.to_string();
        let sep = if i == 0 { "" } else { "," };
        write!(w, "{sep}\n    {},\"rows\": [", &head[..head.len() - 1])?;
        for (j, c) in ch.iter().enumerate() {
            let row = json!({
                "unit": c.unit, "name": c.name,
                "old": {"rank": c.old.0, "score": number(c.old.1, p), "grade": c.old.2, "vetoed": c.old.3},
                "new": {"rank": c.new.0, "score": number(c.new.1, p), "grade": c.new.2, "vetoed": c.new.3},
                "rank_change": c.rank_change(),
                "score_change": number(c.score_change(p), p),
            });
            let sep = if j == 0 { "" } else { "," };
            write!(w, "{sep}\n      {row}")?;
        }
        write!(w, "\n    ]}}")?;
    }
    writeln!(w, "\n  ]\n}}")
}

/// The comparison as a document: one table per period, the grades of vetoed units marked
/// for people.
fn document(
    old: &Rubric,
    new: &Rubric,
    sections: &[Section],
    p: u32,
    lang: Lang,
    bom: bool,
) -> Document {
    let columns = vec![
        Column::machine("kind"),
        Column::machine("period"),
        Column::machine("provisional"),
        Column::new(lang, W::Unit, "unit"),
        Column::new(lang, W::Name, "name"),
        Column::new(lang, W::OldRank, "old_rank"),
        Column::new(lang, W::OldScore, "old_score"),
        Column::machine("old_grade"),
        Column::new(lang, W::OldGrade, "").people(),
        Column::new(lang, W::NewRank, "new_rank"),
        Column::new(lang, W::NewScore, "new_score"),
        Column::machine("new_grade"),
        Column::new(lang, W::NewGrade, "").people(),
        Column::new(lang, W::RankMove, "rank_change"),
        Column::new(lang, W::ScoreChange, "score_change"),
    ];
    let grade = |g: &Option<String>, vetoed: bool, people: bool| match g {
        Some(g) if vetoed && people => Cell::Alert(i18n::vetoed_grade(lang, g)),
        Some(g) => Cell::text(g.clone()),
        None => Cell::Empty,
    };
    let tables = sections
        .iter()
        .map(|(kind, period, provisional, ch)| {
            let rows = ch
                .iter()
                .map(|c| {
                    vec![
                        Cell::Words(kind.as_str().into()),
                        Cell::Words(period.clone()),
                        Cell::Flag(*provisional, ""),
                        Cell::text(c.unit.clone()),
                        Cell::opt_text(c.name.as_deref()),
                        Cell::Int(i64::from(c.old.0)),
                        Cell::Number(c.old.1, p),
                        grade(&c.old.2, c.old.3, false),
                        grade(&c.old.2, c.old.3, true),
                        Cell::Int(i64::from(c.new.0)),
                        Cell::Number(c.new.1, p),
                        grade(&c.new.2, c.new.3, false),
                        grade(&c.new.2, c.new.3, true),
                        Cell::RankChange(c.rank_change()),
                        Cell::Signed(c.score_change(p), p),
                    ]
                })
                .collect();
            let title = i18n::revision_title(lang, *kind, period, &old.name, &new.name);
            let title = i18n::provisional(lang, title, *provisional);
            let sheet = format!("{} {period}", i18n::kind(lang, *kind));
            let mut table = doc::Table::new(title, sheet, columns.clone(), rows);
            table.provisional = *provisional;
            table
        })
        .collect();
    Document {
        tables,
        precision: p,
        bom,
        lang,
    }
}
