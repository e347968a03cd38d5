//! One renderer per output format, all fed the same ranked tables.

pub mod json;
pub mod xlsx;

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::doc::{self, Cell, Column, Document, Show, Standing};
use crate::i18n::{self, W as L, ui, usage};
use crate::ranking::{Kind, Row, Table};
use crate::read::Counts;
use crate::rubric::{Lang, Rubric};
use crate::units::Units;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
    Xlsx,
    Html,
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
            "html" | "htm" => Ok(Format::Html),
            other => Err(usage::unknown_format(ui(), other)),
        }
    }
}

/// Extensions of files civscore does not write: an output named so is a usage error.
const FOREIGN: [&str; 12] = [
    "pdf", "xls", "xlsm", "xlsb", "ods", "odt", "doc", "docx", "tsv", "yaml", "yml", "toml",
];

impl Format {
    /// The format an extension names (`txt` names none: any text format may use it).
    fn of_extension(ext: &str) -> Option<Format> {
        match ext {
            "txt" | "text" => None,
            other => other.parse().ok(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }

    /// The extension of a file in this format.
    fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            other => other.name(),
        }
    }

    /// The format of output file `path`: `--format` when given, else the one its extension
    /// names (a table when it names none). An extension naming another format or one civscore
    /// does not write (`.pdf`, `.xls`) is refused, and a workbook's name ends in `.xlsx` (or has
    /// no extension).
    pub fn for_output(given: Option<Format>, path: &str) -> Result<Format, String> {
        let ext = std::path::Path::new(path)
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase());
        let Some(ext) = ext else {
            return Ok(given.unwrap_or(Format::Table));
        };
        if FOREIGN.contains(&ext.as_str()) {
            return Err(usage::foreign_extension(ui(), path, &ext));
        }
        match (given, Format::of_extension(&ext)) {
            (Some(f), Some(named)) if f != named => Err(usage::extension_contradicts(
                ui(),
                path,
                &ext,
                f.name(),
                f.extension(),
            )),
            (Some(Format::Xlsx), None) => Err(usage::workbook_extension(ui(), path, &ext)),
            (Some(f), _) => Ok(f),
            (None, named) => Ok(named.unwrap_or(Format::Table)),
        }
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
    /// Terminal tables only: colour (rank changes, vetoes, grades, provisional titles).
    pub color: bool,
    /// Terminal tables only: sparklines of each unit's monthly scores, by table period.
    pub sparks: std::collections::HashMap<String, Vec<String>>,
    /// Each category's score as a column (`score --by category`, SPEC §7.7).
    pub by_category: bool,
}

impl View<'_> {
    pub fn fmt(&self, d: Decimal) -> String {
        fixed(d, self.rubric.precision)
    }

    pub fn label(&self, l: L) -> &'static str {
        i18n::t(self.lang, l)
    }

    pub fn title(&self, t: &Table) -> String {
        i18n::title(self.lang, t.kind, &t.period, t.provisional)
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

    /// A rubric with a final assessment at some level (SPEC §7.3): CSV carries a `final`
    /// column.
    pub fn has_final(&self) -> bool {
        self.rubric.year_final.is_some() || self.rubric.quarter_weights.is_some()
    }

    /// 年终考评 on a year, 季度综合考核 on a quarter.
    fn final_word(&self, t: &Table) -> &'static str {
        match t.kind {
            Kind::Year => self.label(L::YearFinal),
            _ => self.label(L::QuarterFinal),
        }
    }

    pub fn has_grades(&self) -> bool {
        !self.rubric.grades.is_empty()
    }

    /// The columns a human-facing table shows, in order.
    pub fn layout(&self, t: &Table) -> Vec<Col> {
        let mut cols = vec![Col::Rank];
        let groups = self.has_groups();
        if groups {
            cols.push(Col::GroupRank);
        }
        cols.push(Col::Change);
        cols.push(Col::Unit);
        if self.has_names() {
            cols.push(Col::Name);
        }
        if groups {
            cols.push(Col::Group);
        }
        cols.extend((0..t.parts.len()).map(Col::Part));
        if t.has_final {
            cols.push(Col::Final);
        }
        if self.by_category {
            let with_points = (0..self.rubric.categories.len())
                .filter(|&k| category_points(self.rubric, k).is_some());
            cols.extend(with_points.map(Col::Category));
        }
        if self.sparks.contains_key(&t.period) {
            cols.push(Col::Trend);
        }
        cols.push(Col::Deducted);
        if t.kind == Kind::Month && self.has_bonus() {
            cols.push(Col::Bonus);
        }
        cols.push(Col::Score);
        cols.push(Col::ScoreChange);
        if self.has_grades() {
            cols.push(Col::Grade);
        }
        if t.rows.iter().any(|r| r.vetoed) {
            cols.push(Col::Vetoed);
        }
        if t.rows.iter().any(|r| r.appealed > 0) {
            cols.push(Col::Appealed);
        }
        // By the roster, not the table: every table of a CSV keeps the same columns.
        if self.units.has_merged() {
            cols.push(Col::MergedInto);
        }
        cols
    }

    /// The roster code of the unit a row's unit was merged into (SPEC §7.12).
    pub fn merged_into<'b>(&'b self, r: &Row) -> Option<&'b str> {
        self.units.list[r.unit].merged_into.as_deref()
    }

    pub fn header(&self, t: &Table, c: Col) -> String {
        match c {
            Col::Rank => self.label(L::Rank).into(),
            Col::GroupRank => self.label(L::GroupRank).into(),
            Col::Change => self.label(L::RankChange).into(),
            Col::Unit => self.label(L::Unit).into(),
            Col::Name => self.label(L::Name).into(),
            Col::Group => self.label(L::Group).into(),
            Col::Part(k) => t.parts[k].clone(),
            Col::Final => self.final_word(t).into(),
            Col::Category(k) => {
                let c = &self.rubric.categories[k];
                match c.name.as_str() {
                    "" => c.code.clone(),
                    name if name == c.code => c.code.clone(),
                    name => format!("{} {name}", c.code),
                }
            }
            Col::Trend => self.label(L::Trend).into(),
            Col::Deducted => self.label(L::Deducted).into(),
            Col::Bonus => self.label(L::Bonus).into(),
            Col::Score => self.label(L::Score).into(),
            Col::ScoreChange => self.label(L::ScoreChange).into(),
            Col::Grade => self.label(L::Grade).into(),
            Col::Vetoed => self.label(L::Vetoed).into(),
            Col::Appealed => self.label(L::Appealed).into(),
            Col::MergedInto => self.label(L::MergedInto).into(),
        }
    }

    pub fn cell(&self, t: &Table, r: &Row, c: Col) -> String {
        match c {
            Col::Rank => r.rank.to_string(),
            Col::GroupRank => r.group_rank.map(|g| g.to_string()).unwrap_or_default(),
            Col::Change => rank_change(r.rank_change),
            Col::Unit => self.code(r).to_owned(),
            Col::Name => self.name(r).unwrap_or_default().to_owned(),
            Col::Group => self.group(r).unwrap_or_default().to_owned(),
            Col::Part(k) => r.parts[k].map(|d| self.fmt(d)).unwrap_or_default(),
            Col::Final => match r.last {
                Some(f) => self.fmt(f),
                None => self.label(L::Pending).into(),
            },
            Col::Category(k) => self.fmt(category_score(self.rubric, r, k)),
            Col::Trend => self
                .sparks
                .get(&t.period)
                .and_then(|v| v.get(r.unit))
                .cloned()
                .unwrap_or_default(),
            Col::Deducted => self.fmt(r.deducted),
            Col::Bonus => self.fmt(r.bonus.unwrap_or_default()),
            Col::Score => self.fmt(r.score),
            Col::ScoreChange => r
                .score_change
                .map(|d| signed(self.fmt(d)))
                .unwrap_or_default(),
            Col::Grade => r.grade.clone().unwrap_or_default(),
            Col::Vetoed => {
                if r.vetoed {
                    self.label(L::Yes).into()
                } else {
                    String::new()
                }
            }
            Col::Appealed => match r.appealed {
                0 => String::new(),
                n => n.to_string(),
            },
            Col::MergedInto => self.merged_into(r).unwrap_or_default().to_owned(),
        }
    }

    /// The headers of a human-facing table, as [`View::layout`] picks its columns.
    pub fn headers(&self, t: &Table) -> Vec<String> {
        self.layout(t).iter().map(|c| self.header(t, *c)).collect()
    }
}

impl View<'_> {
    /// The ranked tables as a document: the columns people read (as [`View::layout`] picks
    /// them) and the stable columns of CSV, each cell typed.
    pub fn document(&self) -> Document {
        Document {
            tables: self.tables.iter().map(|t| self.doc_table(t)).collect(),
            precision: self.rubric.precision,
            bom: self.bom,
            lang: self.lang,
        }
    }

    pub(crate) fn doc_table(&self, t: &Table) -> doc::Table {
        let shown = self.layout(t);
        let has = |c: Col| shown.contains(&c);
        let both = |c: Col, key: &'static str| {
            let col = Column {
                header: self.header(t, c),
                key,
                show: Show::Both,
            };
            if has(c) { col } else { Column::machine(key) }
        };
        let people = |c: Col| Column {
            header: self.header(t, c),
            key: "",
            show: Show::People,
        };
        let mut columns = vec![
            Column::machine("kind"),
            Column::machine("period"),
            Column::machine("provisional"),
            both(Col::Rank, "rank"),
            both(Col::GroupRank, "group_rank"),
            both(Col::Change, "rank_change"),
            both(Col::Unit, "unit"),
            both(Col::Name, "name"),
            both(Col::Group, "group"),
            Column::machine("parts"),
        ];
        columns.extend((0..t.parts.len()).map(|k| people(Col::Part(k))));
        if self.has_final() {
            columns.push(if t.has_final {
                Column {
                    header: self.header(t, Col::Final),
                    key: "final",
                    show: Show::Both,
                }
            } else {
                Column::machine("final")
            });
        }
        let categories: Vec<Col> = shown
            .iter()
            .copied()
            .filter(|c| matches!(c, Col::Category(_)))
            .collect();
        columns.extend(categories.iter().map(|c| people(*c)));
        if self.by_category {
            columns.push(Column::machine("categories"));
        }
        if has(Col::Trend) {
            columns.push(people(Col::Trend));
        }
        columns.extend([
            both(Col::Deducted, "deducted"),
            both(Col::Bonus, "bonus"),
            both(Col::Score, "score"),
            both(Col::ScoreChange, "score_change"),
            both(Col::Grade, "grade"),
            both(Col::Vetoed, "vetoed"),
            both(Col::Appealed, "appealed"),
        ]);
        // Only with a merged unit in the roster (CSV keeps its columns otherwise).
        let merged = has(Col::MergedInto);
        if merged {
            columns.push(both(Col::MergedInto, "merged_into"));
        }
        let rows = t
            .rows
            .iter()
            .map(|r| {
                let mut row = self.doc_row(t, r, has(Col::Trend));
                if merged {
                    row.push(Cell::opt_text(self.merged_into(r)));
                }
                row
            })
            .collect();
        let mut footer = vec![Cell::Empty; columns.len()];
        let mut machine_footer = footer.clone();
        let score = columns.iter().position(|c| c.key == "score").unwrap_or(0);
        footer[6] = Cell::Words(self.label(L::Average).into());
        footer[score] = Cell::Number(t.average, self.rubric.precision);
        machine_footer[0] = Cell::Words(t.kind.as_str().into());
        machine_footer[1] = Cell::Words(t.period.clone());
        machine_footer[2] = Cell::Words(t.provisional.to_string());
        machine_footer[7] = Cell::Words("(average)".into());
        machine_footer[score] = footer[score].clone();
        doc::Table {
            title: self.title(t),
            sheet: self.title(t),
            provisional: t.provisional,
            columns,
            rows,
            footer: Some(footer),
            machine_footer: Some(machine_footer),
        }
    }

    fn doc_row(&self, t: &Table, r: &Row, trend: bool) -> Vec<Cell> {
        let p = self.rubric.precision;
        let num = |d: Decimal| Cell::Number(d, p);
        let who = |s: Option<&str>| match s {
            Some(s) if r.vetoed && !s.is_empty() => Cell::Alert(s.to_owned()),
            other => Cell::opt_text(other),
        };
        let parts = t
            .parts
            .iter()
            .zip(&r.parts)
            .filter_map(|(l, p)| p.map(|d| format!("{l}={}", self.fmt(d))))
            .collect::<Vec<_>>()
            .join(";");
        let mut row = vec![
            Cell::Words(t.kind.as_str().into()),
            Cell::Words(t.period.clone()),
            Cell::Words(t.provisional.to_string()),
            Cell::Int(i64::from(r.rank)),
            r.group_rank
                .map_or(Cell::Empty, |g| Cell::Int(i64::from(g))),
            r.rank_change.map_or(Cell::Empty, Cell::RankChange),
            who(Some(self.code(r))),
            who(self.name(r)),
            Cell::opt_text(self.group(r)),
            Cell::Words(parts),
        ];
        row.extend(r.parts.iter().map(|d| d.map_or(Cell::Empty, num)));
        if self.has_final() {
            row.push(match (t.has_final, r.last) {
                (true, Some(f)) => num(f),
                (true, None) => Cell::Pending(self.label(L::Pending).into()),
                (false, _) => Cell::Empty,
            });
        }
        let with_points: Vec<usize> = (0..self.rubric.categories.len())
            .filter(|&k| self.by_category && category_points(self.rubric, k).is_some())
            .collect();
        row.extend(
            with_points
                .iter()
                .map(|&k| num(category_score(self.rubric, r, k))),
        );
        if self.by_category {
            let list = with_points
                .iter()
                .map(|&k| {
                    let score = self.fmt(category_score(self.rubric, r, k));
                    format!("{}={score}", self.rubric.categories[k].code)
                })
                .collect::<Vec<_>>()
                .join(";");
            row.push(Cell::Words(list));
        }
        if trend {
            row.push(Cell::Words(self.cell(t, r, Col::Trend)));
        }
        row.extend([
            num(r.deducted),
            r.bonus.map_or(Cell::Empty, num),
            num(r.score),
            r.score_change.map_or(Cell::Empty, |d| Cell::Signed(d, p)),
            self.grade_cell(r.grade.as_deref()),
            Cell::Flag(r.vetoed, self.label(L::Yes)),
            Cell::Int(r.appealed as i64),
        ]);
        row
    }

    fn grade_cell(&self, grade: Option<&str>) -> Cell {
        let Some(g) = grade else {
            return Cell::Empty;
        };
        Cell::Grade(g.to_owned(), self.standing(g))
    }

    /// Where a grade stands among the rubric's: the best, the second, the last or between.
    pub fn standing(&self, grade: &str) -> Option<Standing> {
        let grades = &self.rubric.grades;
        grades
            .iter()
            .position(|x| x.name == grade)
            .map(|i| match i {
                0 => Standing::Best,
                i if i + 1 == grades.len() => Standing::Last,
                1 => Standing::Second,
                _ => Standing::Middle,
            })
    }

    /// Every grade of the rubric with its standing.
    pub fn standings(&self) -> Vec<(String, Standing)> {
        let grades = self.rubric.grades.iter();
        grades
            .filter_map(|g| Some((g.name.clone(), self.standing(&g.name)?)))
            .collect()
    }
}

/// A category's points when it has any (Σ of its indicators' points > 0, SPEC §7.11): the
/// categories that get figures of their own (分项得分).
pub fn category_points(rubric: &Rubric, k: usize) -> Option<Decimal> {
    let c = rubric.categories.get(k)?;
    let points: Decimal = c
        .indicators
        .iter()
        .map(|&i| rubric.indicators[i].points)
        .sum();
    (points > Decimal::ZERO).then_some(points)
}

/// A category's score in a row: its points less its deduction (not clamped, SPEC §7.11).
pub fn category_score(rubric: &Rubric, r: &Row, k: usize) -> Decimal {
    let points = category_points(rubric, k).unwrap_or_default();
    points - r.categories.get(k).copied().unwrap_or_default()
}

/// A column of a ranked table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Rank,
    GroupRank,
    Change,
    Unit,
    Name,
    Group,
    Part(usize),
    /// The final assessment (SPEC §7.3), 待考核 while pending.
    Final,
    /// A category's score (`--by category`), by category number.
    Category(usize),
    Trend,
    Deducted,
    Bonus,
    Score,
    ScoreChange,
    Grade,
    Vetoed,
    /// Records under appeal (申诉中 N, SPEC §7.6): shown when a row has any.
    Appealed,
    /// The unit a unit was merged into (并入, SPEC §7.12): shown when the roster has one.
    MergedInto,
}

/// ▁▂▃▄▅▆▇█ for scores between `lo` and `hi`.
pub fn sparkline(values: &[Decimal], lo: Decimal, hi: Decimal) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| {
            if hi <= lo {
                return BARS[4];
            }
            let k = ((*v - lo) * Decimal::from(7) / (hi - lo)).round();
            let k: usize = k.to_string().parse().unwrap_or(0);
            BARS[k.min(7)]
        })
        .collect()
}

pub use crate::doc::fixed;
use crate::doc::signed;

/// `↑2`, `↓1`, `–` for no change, blank with no previous period.
pub fn rank_change(c: Option<i64>) -> String {
    c.map(crate::doc::rank_change).unwrap_or_default()
}

/// Writes the view in a format: JSON in its own shape (SPEC §5), the others as a document.
pub fn render(format: Format, view: &View, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => json::render(view, w),
        other => {
            let terminal = crate::write::Terminal { color: view.color };
            crate::write::write(other, &view.document(), terminal, w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_name_agrees_with_its_format() {
        use Format::*;
        let cases: [(Option<Format>, &str, Option<Format>); 12] = [
            (None, "s.json", Some(Json)),
            (None, "s.CSV", Some(Csv)),
            (None, "s.markdown", Some(Md)),
            (None, "s.xlsx", Some(Xlsx)),
            (None, "s.txt", Some(Table)),
            (None, "scores", Some(Table)),
            (Some(Csv), "s.txt", Some(Csv)),
            (Some(Xlsx), "report", Some(Xlsx)),
            (Some(Json), "s.csv", None),
            (Some(Xlsx), "s.txt", None),
            (None, "s.pdf", None),
            (Some(Xlsx), "dir.v2/report.ods", None),
        ];
        for (given, path, want) in cases {
            assert_eq!(
                Format::for_output(given, path).ok(),
                want,
                "{given:?} {path}"
            );
        }
    }

    #[test]
    fn sparklines_span_the_range() {
        let v: Vec<Decimal> = ["90", "95", "100"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(
            sparkline(&v, "90".parse().unwrap(), "100".parse().unwrap()),
            "▁▅█"
        );
        assert_eq!(sparkline(&v[..1], v[0], v[0]), "▅");
    }

    #[test]
    fn rank_changes() {
        assert_eq!(rank_change(Some(2)), "↑2");
        assert_eq!(rank_change(Some(-1)), "↓1");
        assert_eq!(rank_change(Some(0)), "–");
        assert_eq!(rank_change(None), "");
    }
}
