//! One renderer per output format, all fed the same ranked tables.

pub mod csv;
pub mod json;
pub mod md;
pub mod table;
pub mod xlsx;

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::labels::{self, L};
use crate::ranking::{self, Kind, Row, Table};
use crate::records::Counts;
use crate::rubric::{Lang, Rubric};
use crate::units::Units;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "table" | "txt" | "text" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "md" | "markdown" => Ok(Format::Md),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(format!(
                "unknown format \"{other}\": expected table, json, csv, md or xlsx"
            )),
        }
    }
}

impl Format {
    /// The format an output file's extension implies.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = std::path::Path::new(path).extension()?.to_str()?;
        ext.parse().ok()
    }
}

/// What every renderer is given.
pub struct View<'a> {
    pub rubric: &'a Rubric,
    pub units: &'a Units,
    pub tables: Vec<&'a Table>,
    pub counts: Counts,
    pub lang: Lang,
    /// CSV only: start with a UTF-8 BOM so that Excel reads Chinese text.
    pub bom: bool,
}

impl View<'_> {
    pub fn fmt(&self, d: Decimal) -> String {
        fixed(d, self.rubric.precision)
    }

    pub fn label(&self, l: L) -> &'static str {
        labels::t(self.lang, l)
    }

    pub fn title(&self, t: &Table) -> String {
        labels::title(self.lang, t.kind, &t.period, t.provisional)
    }

    pub fn code<'b>(&'b self, r: &Row) -> &'b str {
        &self.units.list[r.unit].code
    }

    pub fn name<'b>(&'b self, r: &Row) -> Option<&'b str> {
        self.units.list[r.unit].name.as_deref()
    }

    pub fn group<'b>(&'b self, r: &Row) -> Option<&'b str> {
        self.units.list[r.unit].group.as_deref()
    }

    pub fn has_names(&self) -> bool {
        self.units.list.iter().any(|u| u.name.is_some())
    }

    pub fn has_groups(&self) -> bool {
        self.units.has_groups()
    }

    pub fn has_bonus(&self) -> bool {
        self.rubric.categories.iter().any(|c| c.bonus)
    }

    pub fn has_grades(&self) -> bool {
        !self.rubric.grades.is_empty()
    }

    /// The columns a human-facing table shows, in order, with their cells.
    pub fn columns(&self, t: &Table) -> (Vec<String>, Vec<Vec<String>>, Vec<String>) {
        let mut head: Vec<String> = vec![self.label(L::Rank).into()];
        let groups = self.has_groups();
        let names = self.has_names();
        let bonus = t.kind == Kind::Month && self.has_bonus();
        let grades = self.has_grades();
        let vetoed = t.rows.iter().any(|r| r.vetoed);
        if groups {
            head.push(self.label(L::GroupRank).into());
        }
        head.push(self.label(L::RankChange).into());
        head.push(self.label(L::Unit).into());
        if names {
            head.push(self.label(L::Name).into());
        }
        if groups {
            head.push(self.label(L::Group).into());
        }
        head.extend(t.parts.iter().cloned());
        head.push(self.label(L::Deducted).into());
        if bonus {
            head.push(self.label(L::Bonus).into());
        }
        head.push(self.label(L::Score).into());
        head.push(self.label(L::ScoreChange).into());
        if grades {
            head.push(self.label(L::Grade).into());
        }
        if vetoed {
            head.push(self.label(L::Vetoed).into());
        }
        let rows = t
            .rows
            .iter()
            .map(|r| {
                let mut c = vec![r.rank.to_string()];
                if groups {
                    c.push(r.group_rank.map(|g| g.to_string()).unwrap_or_default());
                }
                c.push(rank_change(r.rank_change));
                c.push(self.code(r).to_owned());
                if names {
                    c.push(self.name(r).unwrap_or_default().to_owned());
                }
                if groups {
                    c.push(self.group(r).unwrap_or_default().to_owned());
                }
                c.extend(
                    r.parts
                        .iter()
                        .map(|p| p.map(|d| self.fmt(d)).unwrap_or_default()),
                );
                c.push(self.fmt(r.deducted));
                if bonus {
                    c.push(self.fmt(r.bonus.unwrap_or_default()));
                }
                c.push(self.fmt(r.score));
                c.push(
                    r.score_change
                        .map(|d| signed(self.fmt(d)))
                        .unwrap_or_default(),
                );
                if grades {
                    c.push(r.grade.clone().unwrap_or_default());
                }
                if vetoed {
                    c.push(if r.vetoed {
                        self.label(L::Yes).into()
                    } else {
                        String::new()
                    });
                }
                c
            })
            .collect();
        let score_col = head.len() - 2 - usize::from(grades) - usize::from(vetoed);
        let mut avg = vec![String::new(); head.len()];
        let unit_col = if groups { 3 } else { 2 };
        avg[unit_col] = self.label(L::Average).into();
        avg[score_col] = self.fmt(t.average);
        (head, rows, avg)
    }
}

/// A decimal rounded half away from zero and shown with exactly `dp` decimals.
pub fn fixed(d: Decimal, dp: u32) -> String {
    let mut r = ranking::round(d, dp);
    r.rescale(dp);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r.to_string()
}

fn signed(s: String) -> String {
    if s.starts_with('-') || s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// `↑2`, `↓1`, `–` for no change, blank with no previous period.
pub fn rank_change(c: Option<i64>) -> String {
    match c {
        None => String::new(),
        Some(0) => "–".into(),
        Some(n) if n > 0 => format!("↑{n}"),
        Some(n) => format!("↓{}", -n),
    }
}

/// Writes the view in a format.
pub fn render(format: Format, view: &View, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table::render(view, w),
        Format::Json => json::render(view, w),
        Format::Csv => csv::render(view, w),
        Format::Md => md::render(view, w),
        Format::Xlsx => {
            let bytes = xlsx::score_workbook(view).map_err(io::Error::other)?;
            w.write_all(&bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals() {
        assert_eq!(fixed("99.7".parse().unwrap(), 2), "99.70");
        assert_eq!(fixed("99.675".parse().unwrap(), 2), "99.68");
        assert_eq!(fixed("-0.001".parse().unwrap(), 2), "0.00");
        assert_eq!(fixed("100".parse().unwrap(), 0), "100");
    }

    #[test]
    fn rank_changes() {
        assert_eq!(rank_change(Some(2)), "↑2");
        assert_eq!(rank_change(Some(-1)), "↓1");
        assert_eq!(rank_change(Some(0)), "–");
        assert_eq!(rank_change(None), "");
    }
}
