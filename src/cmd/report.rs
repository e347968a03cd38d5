//! `civscore report`: the monthly publication workbook — rankings of the month, the quarter and
//! the year to date, the deduction ledger, the overdue list (督办单) with escalation levels,
//! deductions by category and indicator, the red and black lists, native charts, and the rubric
//! with its SHA-256.

use std::cmp::Reverse;
use std::io::Seek;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use crate::cmd::{self, Inputs, Selection};
use crate::doc::{self, Cell, Column, Show, Standing};
use crate::engine::{self, Engine, Scores};
use crate::error::Error;
use crate::explain::{Detail, Entry, Explainer, How, Step};
use crate::i18n::{self, W};
use crate::period::{Half, Month, Period};
use crate::pipeline;
use crate::ranking::{self, Table};
use crate::read::{Record, Status};
use crate::render::View;
use crate::render::xlsx::{self, Sheet, err, score_chart, sheet_name};
use crate::rubric::{Lang, Per, Rule};
use crate::spill::{self, Kept, Sorted, Sorter};
use crate::units::Units;
use crate::write::{self, xlsx::Placed, xlsx::Rows};
use std::sync::atomic::{AtomicI32, Ordering};

mod bulletin;

/// Report settings: list sizes and escalation thresholds.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Units on the red list and on the black list.
    pub top: usize,
    /// Days overdue after which a rectification is escalated yellow, then red.
    pub yellow: i64,
    pub red: i64,
    pub lang: Option<Lang>,
    /// The workbook (xlsx) or the HTML bulletin (html).
    pub format: crate::render::Format,
    /// `-o`; without it, `MONTH.xlsx` (or `.html`) in `output_dir` (or here).
    pub output: Option<String>,
    pub output_dir: Option<String>,
}

/// Whether a record is still to be rectified (it may belong on the overdue list).
fn open(r: &Record) -> bool {
    r.status != Status::Void && r.deadline.is_some() && r.rectified.is_none()
}

/// Whether a record was rectified (销号) in a month the test `month` accepts.
fn closed_in(r: &Record, month: impl Fn(Month) -> bool) -> bool {
    r.status != Status::Void && r.rectified.is_some_and(|d| month(Month::of(d)))
}

pub fn run(inputs: &Inputs, period: Option<Period>, settings: &Settings) -> Result<(), Error> {
    let selection = selection(period)?;
    // Keep what the workbook lists record by record: the month's records (without --period,
    // those of the latest month seen so far) and the open rectifications. Every record is
    // tallied. Readers may ask in any order: what is kept is narrowed once the month is known.
    let latest = AtomicI32::new(i32::MIN);
    let mut read = pipeline::read(
        inputs,
        Some(&|r, _, _| {
            let in_month = match period {
                Some(Period::Month(m)) => r.month == m,
                _ => r.month.0 >= latest.fetch_max(r.month.0, Ordering::Relaxed),
            };
            // Closed in the month: the 督办单 lists them as 销号 (the month's or a later one,
            // until the month is known).
            let closed = closed_in(r, |c| match period {
                Some(Period::Month(m)) => c == m,
                _ => c.0 >= latest.load(Ordering::Relaxed),
            });
            in_month || open(r) || closed
        }),
    )?;
    let store = read.take_store();
    let (rubric, units, loaded) = (&read.rubric, &read.units, &mut read.loaded);
    // The year of the month (the trend sheet) with the previous year: every table and rank
    // change the workbook shows.
    let scored = pipeline::score_with(rubric, units, store, selection, inputs.clock(), |m| {
        // The year's tables, and the half-years the month's half is ranked against.
        let mut need = crate::engine::Need::year(m.year());
        let half = Half::of(m.quarter());
        need.halves = Some([half.prev(), half].into_iter().collect());
        need
    })?;
    let (month, engine, tables) = (scored.until, &scored.engine, &scored.tables);
    // --as-of, else the month's last day, never after today (SPEC §7.1).
    let as_of = scored.as_of;
    let records = std::mem::take(&mut loaded.records);
    let lists = Lists::gather(records, units, rubric.indicators.len(), month, as_of)
        .map_err(|e| Error::io("<temporary file>", e))?;
    let lang = settings.lang.unwrap_or(rubric.lang);
    let month_t = tables.months.get(&month);
    let quarter_t = tables.quarters.get(&month.quarter());
    let half_t = tables.halves.get(&Half::of(month.quarter()));
    let year_t = tables.years.get(&month.year());
    let (Some(month_t), Some(quarter_t), Some(year_t)) = (month_t, quarter_t, year_t) else {
        return Err(Error::Internal(format!("no tables for {month}")));
    };
    let view = View {
        rubric,
        units,
        // The half-year to date (SPEC §7.4) between the quarter and the year.
        tables: [Some(month_t), Some(quarter_t), half_t, Some(year_t)]
            .into_iter()
            .flatten()
            .collect(),
        counts: loaded.counts,
        lang,
        bom: false,
        color: false,
        by_category: false,
        sparks: Default::default(),
    };
    // SPEC §7.8: a category whose office's file seems left out, on stderr and in the workbook.
    for note in scored.completeness(&[month_t], i18n::ui()) {
        cmd::note(inputs, &note);
    }
    let completeness = scored.completeness(&[month_t], lang);
    let ctx = Ctx {
        completeness,
        view: &view,
        engine,
        scores: &scored.scores,
        files: &loaded.files,
        month,
        as_of,
        settings,
        lang,
    };
    let path = output_path(settings, month)?;
    if settings.format == crate::render::Format::Html {
        let b = ctx
            .bulletin(tables, lists)
            .map_err(|e| Error::io("<temporary file>", e))?;
        crate::write::file::stage(&path, &inputs.files(), &mut |w| {
            write::bulletin::write(&b, w)
        })?;
    } else {
        let book = ctx.workbook(tables, lists).map_err(err)?;
        save(book, &path, inputs)?;
    }
    let (month, as_of) = (month.to_string(), as_of.to_string());
    cmd::note(
        inputs,
        &i18n::usage::wrote(i18n::ui(), &path, &month, &as_of),
    );
    Ok(())
}

/// The month a report is made for: the latest assessed, or the one `--period` names (a
/// quarter or a year is a usage error).
fn selection(period: Option<Period>) -> Result<Selection, Error> {
    match period {
        None => Ok(Selection::Latest),
        Some(Period::Month(m)) => Ok(Selection::Period(Period::Month(m))),
        Some(other) => {
            let period = other.to_string();
            Err(Error::Usage(i18n::usage::report_for_a_month(
                i18n::ui(),
                &period,
            )))
        }
    }
}

/// `-o`, else `MONTH.xlsx` (`MONTH.html` for the bulletin) in the settings' `output_dir` (made
/// if missing), else here.
fn output_path(settings: &Settings, month: Month) -> Result<String, Error> {
    let ext = match settings.format {
        crate::render::Format::Html => "html",
        _ => "xlsx",
    };
    Ok(match (&settings.output, &settings.output_dir) {
        (Some(o), _) => o.clone(),
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            std::path::Path::new(dir)
                .join(format!("{month}.{ext}"))
                .display()
                .to_string()
        }
        (None, None) => format!("{month}.{ext}"),
    })
}

/// Saves the workbook to an unnamed temporary file as it is built (a large month's is itself
/// large), then stages it as the run's output.
fn save(mut book: Workbook, path: &str, inputs: &Inputs) -> Result<(), Error> {
    let temp = |e| Error::io("<temporary file>", e);
    let mut file = tempfile::tempfile().map_err(temp)?;
    book.save_to_writer(std::io::BufWriter::new(&mut file))
        .map_err(err)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(temp)?;
    crate::write::file::stage(path, &inputs.files(), &mut |w| {
        std::io::copy(&mut file, w).map(|_| ())
    })
}

/// The row of each sheet's header: a title above it, then a blank row.
const TOP: u32 = 2;

/// The most units whose monthly scores a trend chart draws (more lines cannot be told apart).
const TREND_CHART_UNITS: usize = 30;

type LedgerKey = (Date, u32, u32, u64);
/// The 督办单's items: by unit (code order), open before closed, most days overdue first,
/// then by date, file and line.
type OverdueKey = (u32, u8, Reverse<i64>, Date, u32, u64);
type Key<K> = Box<dyn Fn(&Record) -> K + Send>;

/// The longest ledger (rows) whose 核对 sheet sums it by formulas: longer, a spreadsheet
/// would sum a million rows once per unit each time it opens the workbook.
const LEDGER_FORMULA_ROWS: u32 = 200_000;

/// Each unit's row in a ranking table (by unit index), if it has one.
type Places = Vec<Option<usize>>;

/// A line of the ledger that is not a record (see [`Ctx::ledger_lines`]).
struct Line {
    kind: W,
    indicator: Option<usize>,
    /// The step of `explain` it shows (its sentence goes in the factors column).
    entry: Entry,
    /// What it adds to the month's deduction (negative for a cap); none for a bonus.
    counted: Option<Decimal>,
}

/// What the ledger's rows add up to: per unit, its records and its other lines as stored, and
/// their exact total; the ledger sheet's name and last row.
struct LedgerSums {
    units: Vec<[Decimal; 3]>,
    sheet: String,
    last: u32,
}

/// The records the workbook lists one by one, each list in its own order (on disk when long),
/// and the month's findings by indicator.
struct Lists {
    /// The month's records by date, unit code, file and line.
    ledger: Sorter<LedgerKey, Key<LedgerKey>>,
    /// The 督办单's items (see [`OverdueKey`]).
    overdue: Sorter<OverdueKey, Key<OverdueKey>>,
    findings: Vec<u64>,
}

impl Lists {
    /// Sorts the records into the lists as they come: those of the month into the ledger, and
    /// those still open (of the month or before) or closed late this month into the overdue list.
    fn gather(
        records: Kept,
        units: &Units,
        indicators: usize,
        month: Month,
        as_of: Date,
    ) -> std::io::Result<Lists> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Lists::gather_within(
            records,
            units,
            indicators,
            (month, as_of),
            (spill::CHUNK_BYTES, threads),
        )
    }

    /// [`Lists::gather`], holding at most about `limit` bytes of each list in memory: the
    /// workers' records in shares gone through on `threads` threads, the lists then joined.
    fn gather_within(
        records: Kept,
        units: &Units,
        indicators: usize,
        (month, as_of): (Month, Date),
        (limit, threads): (usize, usize),
    ) -> std::io::Result<Lists> {
        let mut by_code: Vec<usize> = (0..units.list.len()).collect();
        by_code.sort_by(|a, b| units.list[*a].code.cmp(&units.list[*b].code));
        let mut rank = vec![0u32; by_code.len()];
        for (k, u) in by_code.into_iter().enumerate() {
            rank[u] = k as u32;
        }
        let shares = records.shares(threads);
        // The threads share the memory one would have.
        let share = limit / shares.len().max(1);
        let lists = |kept: Kept| -> std::io::Result<Lists> {
            let mut lists = Lists::new(&rank, indicators, (month, as_of), share);
            kept.each(|r| lists.take(r, month, as_of))?;
            Ok(lists)
        };
        let gathered: Vec<std::io::Result<Lists>> = std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .into_iter()
                .map(|k| scope.spawn(move || lists(k)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut all = Lists::new(&rank, indicators, (month, as_of), limit);
        for l in gathered {
            all.absorb(l?)?;
        }
        Ok(all)
    }

    /// Empty lists, sorting units by their place in code order (`rank`).
    fn new(rank: &[u32], indicators: usize, (month, as_of): (Month, Date), limit: usize) -> Lists {
        let rank = rank.to_vec();
        let by_unit = rank.clone();
        Lists {
            ledger: Sorter::with_limit(
                limit,
                Box::new(move |r: &Record| {
                    let u = rank.get(r.unit).copied().unwrap_or(u32::MAX);
                    (r.date, u, r.file, r.line)
                }),
            ),
            overdue: Sorter::with_limit(
                limit,
                Box::new(move |r: &Record| {
                    let u = by_unit.get(r.unit).copied().unwrap_or(u32::MAX);
                    let (closed, days) = noticed(r, month, as_of).unwrap_or((0, 0));
                    (u, closed, Reverse(days), r.date, r.file, r.line)
                }),
            ),
            findings: vec![0; indicators],
        }
    }

    /// Takes in lists gathered apart.
    fn absorb(&mut self, other: Lists) -> std::io::Result<()> {
        for (a, b) in self.findings.iter_mut().zip(other.findings) {
            *a += b;
        }
        self.ledger.absorb(other.ledger)?;
        self.overdue.absorb(other.overdue)
    }
}

impl Lists {
    /// Takes a record into the lists it belongs on: the ledger when it is of the month, the
    /// 督办单 when it is open (of the month or before) or was closed this month.
    fn take(&mut self, r: Record, month: Month, as_of: Date) -> std::io::Result<()> {
        if r.month > month || (r.month < month && !open(&r) && !closed_in(&r, |c| c == month)) {
            return Ok(());
        }
        let listed = noticed(&r, month, as_of).is_some();
        if r.month != month {
            return match listed {
                true => self.overdue.push(r),
                false => Ok(()),
            };
        }
        if r.status != Status::Void
            && let Some(f) = self.findings.get_mut(r.indicator)
        {
            *f += r.count;
        }
        if listed {
            self.overdue.push(r.clone())?;
        }
        self.ledger.push(r)
    }
}

/// A part of all points lost, in per cent with one decimal (0 when nothing was lost).
fn share(d: Decimal, total: Decimal) -> Cell {
    match total.is_zero() {
        true => Cell::Number(Decimal::ZERO, 1),
        false => Cell::Number(d * Decimal::ONE_HUNDRED / total, 1),
    }
}

/// Where a record stands on the 督办单: open (0) with its days overdue at the as-of date
/// (negative before its deadline), or closed in the month (1) with the days it was late; none
/// for a record not on it.
fn noticed(r: &Record, month: Month, as_of: Date) -> Option<(u8, i64)> {
    if r.status == Status::Void {
        return None;
    }
    match (r.deadline, r.rectified) {
        (_, Some(done)) if Month::of(done) == month => {
            let late = r.deadline.map_or(0, |d| engine::days_between(d, done));
            Some((1, late.max(0)))
        }
        (Some(deadline), None) => Some((0, engine::days_between(deadline, as_of))),
        _ => None,
    }
}

struct Ctx<'a> {
    view: &'a View<'a>,
    engine: &'a Engine<'a>,
    scores: &'a Scores,
    files: &'a [String],
    month: Month,
    as_of: Date,
    settings: &'a Settings,
    lang: Lang,
    /// Completeness notes of the month (SPEC §7.8), in the workbook's language.
    completeness: Vec<String>,
}

impl Ctx<'_> {
    fn w(&self, w: W) -> &'static str {
        i18n::t(self.lang, w)
    }

    /// A table of the workbook: its sheet's name, its columns in the catalogue's words.
    fn table(&self, sheet: String, columns: &[W]) -> doc::Table {
        let columns = columns
            .iter()
            .map(|&w| Column::new(self.lang, w, "").people())
            .collect();
        doc::Table::new(sheet.clone(), sheet, columns, Vec::new())
    }

    /// A sheet for `t`, named after it, with its table written from the top.
    fn sheet_of<'b>(
        &self,
        book: &'b mut Workbook,
        t: &doc::Table,
        constant_memory: bool,
    ) -> Result<(&'b mut Worksheet, String), XlsxError> {
        let name = sheet_name(&t.sheet);
        let ws = match constant_memory {
            true => book.add_worksheet_with_constant_memory()?,
            false => book.add_worksheet(),
        };
        ws.set_name(&name)?;
        Ok((ws, name))
    }

    /// A sheet holding one table and nothing else.
    fn plain_sheet<'b>(
        &self,
        book: &'b mut Workbook,
        t: &doc::Table,
    ) -> Result<(Sheet<'b>, Placed, String), XlsxError> {
        let p = self.view.rubric.precision;
        let (ws, name) = self.sheet_of(book, t, false)?;
        let mut s = self.titled(ws, p, &t.sheet)?;
        let placed = write::xlsx::put(&mut s, t, TOP)?;
        s.finish(placed.last, placed.last_col)?;
        Ok((s, placed, name))
    }

    /// A sheet with its title line: what it is, the rubric and the as-of date.
    fn titled<'b>(
        &self,
        ws: &'b mut Worksheet,
        p: u32,
        sheet: &str,
    ) -> Result<Sheet<'b>, XlsxError> {
        let mut s = Sheet::new(ws, p, self.lang);
        let date = self.as_of.to_string();
        let title = i18n::sheet_title(self.lang, sheet, &self.view.rubric.name, &date);
        s.title(0, &title)?;
        Ok(s)
    }

    /// Every sheet's printed header and footer: the rubric, the sheet (with its provisional
    /// mark) and the as-of date above; civscore's version, the rubric's SHA-256 and the page
    /// number below.
    fn print_titles(&self, book: &mut Workbook) {
        let rubric = self.view.rubric;
        // In a header, & starts a code: a literal one is doubled; Excel allows 255 characters.
        let text = |s: &str| s.chars().take(60).collect::<String>().replace('&', "&&");
        let as_of = i18n::as_of(self.lang, &self.as_of.to_string());
        let sha = rubric.sha256.get(..16).unwrap_or_default();
        let footer = format!(
            "&Lcivscore {} · SHA-256 {sha}…&C{}",
            env!("CARGO_PKG_VERSION"),
            i18n::page_number(self.lang)
        );
        for ws in book.worksheets_mut() {
            let header = format!("&L{}&C{}&R{as_of}", text(&rubric.name), text(&ws.name()));
            ws.set_header(header);
            ws.set_footer(&footer);
        }
    }

    fn workbook(&self, tables: &ranking::Tables, lists: Lists) -> Result<Workbook, XlsxError> {
        let mut book = xlsx::workbook();
        self.ranking_sheets(&mut book)?;
        self.trend_sheet(&mut book, tables)?;
        let sums = self.long_sheets(&mut book, lists.ledger, lists.overdue)?;
        self.check_sheet(&mut book, &sums)?;
        self.stats_sheet(&mut book, &lists.findings)?;
        self.category_sheet(&mut book)?;
        self.lists_sheet(&mut book)?;
        self.rubric_sheet(&mut book)?;
        self.print_titles(&mut book);
        Ok(book)
    }

    /// 分项得分 (SPEC §7.7): each category's score for every unit in the month, the quarter
    /// and the year to date, as `score --by category` shows them, one table under another.
    fn category_sheet(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let with_points = (0..self.view.rubric.categories.len())
            .any(|k| crate::render::category_points(self.view.rubric, k).is_some());
        if !with_points {
            return Ok(());
        }
        let view = View {
            rubric: self.view.rubric,
            units: self.view.units,
            tables: self.view.tables.clone(),
            counts: self.view.counts,
            lang: self.lang,
            bom: false,
            color: false,
            by_category: true,
            sparks: Default::default(),
        };
        let names = self.view.tables.iter().map(|t| to_date(t.kind));
        let tables: Vec<doc::Table> = view
            .tables
            .iter()
            .zip(names)
            .map(|(t, name)| {
                let mut table = view.doc_table(t);
                let title = format!("{} {}", self.w(name), t.period);
                table.sheet = i18n::provisional(self.lang, title, t.provisional);
                table
            })
            .collect();
        let Some(first) = tables.first() else {
            return Ok(());
        };
        let mut head = first.clone();
        head.sheet = format!("{} {}", self.w(W::CategoryScores), self.month);
        let (ws, _) = self.sheet_of(book, &head, false)?;
        let mut s = self.titled(ws, self.view.rubric.precision, &head.sheet)?;
        let mut at = TOP;
        let (mut last, mut last_col) = (TOP, 0);
        for t in &tables {
            s.title(at, &t.sheet)?;
            let placed = write::xlsx::put(&mut s, t, at + 1)?;
            (last, last_col) = (placed.last, last_col.max(placed.last_col));
            at = placed.next + 1;
        }
        s.finish(last, last_col)?;
        Ok(())
    }

    /// The month, the quarter and the year to date, each as `score` shows it, the month's with
    /// a bar chart of its scores in rank order.
    fn ranking_sheets(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let names = self.view.tables.iter().map(|t| to_date(t.kind));
        for (t, name) in self.view.tables.iter().zip(names) {
            let mut table = self.view.doc_table(t);
            let title = format!("{} {}", self.w(name), t.period);
            table.sheet = i18n::provisional(self.lang, title, t.provisional);
            let (s, placed, sheet) = self.plain_sheet(book, &table)?;
            if t.kind != ranking::Kind::Month || t.rows.is_empty() {
                continue;
            }
            let cols = write::xlsx::people_columns(&table);
            let at = |key: &str| {
                cols.iter()
                    .position(|&k| table.columns[k].key == key)
                    .map(|c| c as u16)
            };
            let label_col = at("name").or(at("unit")).unwrap_or(0);
            let title = format!("{} {}", self.w(W::ScoresChart), t.period);
            let chart = score_chart(&xlsx::ScoreChart {
                sheet: &sheet,
                rows: (TOP + 1, placed.last),
                label_col,
                score_col: at("score").unwrap_or(0),
                title: &title,
                value_title: self.w(W::Score),
                label_title: self.w(W::Unit),
                lowest: t.rows.iter().map(|r| r.score).min().unwrap_or_default(),
            });
            s.ws.insert_chart(TOP + 1, placed.last_col + 2, &chart)?;
        }
        Ok(())
    }

    /// Each unit's monthly scores over the year: a unit per row (any number of units fits), a
    /// month per column, with a line chart when the units are few enough to tell apart.
    fn trend_sheet(&self, book: &mut Workbook, tables: &ranking::Tables) -> Result<(), XlsxError> {
        let p = self.view.rubric.precision;
        let months: Vec<&Table> = tables
            .months
            .iter()
            .filter(|(m, _)| m.year() == self.month.year())
            .map(|(_, t)| t)
            .collect();
        let units = &self.view.units.list;
        let mut table = self.table(self.w(W::TrendSheet).to_owned(), &[W::Unit, W::Name]);
        table.columns.extend(months.iter().map(|t| Column {
            header: t.period.clone(),
            key: "",
            show: Show::People,
        }));
        table.rows = units
            .iter()
            .map(|u| {
                let mut row = vec![
                    Cell::text(u.code.as_str()),
                    Cell::opt_text(u.name.as_deref()),
                ];
                row.resize(2 + months.len(), Cell::Empty);
                row
            })
            .collect();
        for (c, t) in months.iter().enumerate() {
            for r in &t.rows {
                if let Some(row) = table.rows.get_mut(r.unit) {
                    row[2 + c] = Cell::Number(r.score, p);
                }
            }
        }
        let (s, placed, name) = self.plain_sheet(book, &table)?;
        if months.is_empty() || !(1..=TREND_CHART_UNITS).contains(&units.len()) {
            return Ok(());
        }
        let mut chart = Chart::new(ChartType::Line);
        let last_col = months.len() as u16 + 1;
        for r in TOP + 1..=placed.last {
            let named = units[(r - TOP - 1) as usize].name.is_some();
            chart
                .add_series()
                .set_categories((name.as_str(), TOP, 2, TOP, last_col))
                .set_values((name.as_str(), r, 2, r, last_col))
                .set_name((name.as_str(), r, u16::from(named)));
        }
        let title = format!("{} {}", self.w(W::MonthlyScores), self.month.year());
        chart.title().set_name(&title);
        s.ws.insert_chart(placed.last + 2, 1, &chart)?;
        Ok(())
    }

    fn where_(&self, r: &Record) -> String {
        let file = self.files.get(r.file as usize).map_or("", String::as_str);
        format!("{file}:{}", r.line)
    }

    /// The ledger and the overdue list, written at once on two threads. Rows go to a temporary
    /// file as they are written (in order), text inline: each can hold a million rows. Returns
    /// what the ledger's rows add up to for each unit.
    fn long_sheets(
        &self,
        book: &mut Workbook,
        ledger: Sorter<LedgerKey, Key<LedgerKey>>,
        overdue: Sorter<OverdueKey, Key<OverdueKey>>,
    ) -> Result<LedgerSums, XlsxError> {
        let lines = self.ledger_lines();
        let first = book.worksheets_mut().len();
        let ledger_t = self.table(
            format!("{} {}", self.w(W::Ledger), self.month),
            &[
                W::Where,
                W::RecordId,
                W::Date,
                W::Unit,
                W::Name,
                W::Indicator,
                W::IndicatorName,
                W::Count,
                W::Source,
                W::Factors,
                W::Deduction,
                W::OverdueExtra,
                W::Counted,
                W::Status,
                W::Inspector,
                W::Note,
            ],
        );
        let notices_t = self.table(self.w(W::OverdueList).to_owned(), &[]);
        let results_t = self.table(format!("{} {}", self.w(W::ResultSheet), self.month), &[]);
        Sheet::register_formats(book, self.view.rubric.precision);
        self.sheet_of(book, &ledger_t, true)?;
        self.sheet_of(book, &notices_t, true)?;
        self.sheet_of(book, &results_t, true)?;
        let n_ledger = ledger.len();
        let (ledger, overdue) = (ledger.sorted()?, overdue.sorted()?);
        let Some([l, o, c]) = book.worksheets_mut().get_mut(first..first + 3) else {
            return Err(XlsxError::ParameterError("no sheets".into()));
        };
        let p = self.view.rubric.precision;
        let mut l = self.titled(l, p, &ledger_t.sheet)?;
        let mut o = self.titled(o, p, &notices_t.sheet)?;
        let mut c = self.titled(c, p, &results_t.sheet)?;
        std::thread::scope(|scope| {
            let other = scope.spawn(|| self.unit_sheets(&mut o, &mut c, overdue, &lines));
            let done = Rows::new(&mut l, &ledger_t, TOP, n_ledger)
                .and_then(|rows| self.ledger_rows(rows, ledger, &lines));
            let other = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let (units, last) = done?;
            other?;
            Ok(LedgerSums {
                units,
                sheet: sheet_name(&ledger_t.sheet),
                last,
            })
        })
    }

    /// The units in code order (the order of the ledger's lines that are not records).
    fn code_order(&self) -> Vec<usize> {
        let units = &self.view.units.list;
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by(|a, b| units[*a].code.cmp(&units[*b].code));
        order
    }

    /// Each unit's lines of the month's ledger that are not records, from the steps `explain`
    /// shows: where an indicator's deduction is not the sum of its records' (a cap, a rule
    /// judged on the month as a whole, the mean standing in for an indicator that does not
    /// apply), the not-applicable rescale, and the bonus (not a deduction).
    fn ledger_lines(&self) -> Vec<Vec<Line>> {
        let rubric = self.view.rubric;
        let explainer = Explainer {
            rubric,
            engine: self.engine,
            scores: self.scores,
            records: &[],
            files: self.files,
            as_of: Some(self.as_of),
        };
        let index = |code: &Option<String>| {
            let code = code.as_deref()?;
            rubric.indicators.iter().position(|i| i.code == code)
        };
        let inds = self.engine.level(Per::Month);
        let deds = self.engine.deductions(&inds, &[self.month]);
        (0..self.view.units.list.len())
            .map(|u| {
                let (entries, _) = explainer.level_of(u, &[self.month], &inds, &deds[u]);
                // Lateness booked in the month (SPEC §7.13): no record row of the month carries
                // it (the record may be of an earlier month).
                let mut out: Vec<Line> = inds
                    .iter()
                    .filter_map(|&i| {
                        let x = self.engine.booked_in(u, i, self.month);
                        (!x.is_zero()).then(|| Line {
                            kind: W::LineOverdue,
                            indicator: Some(i),
                            entry: Entry::default(),
                            counted: Some(x),
                        })
                    })
                    .collect();
                for e in entries {
                    let d = e.deduction.unwrap_or_default();
                    let (kind, counted) = match (e.step, &e.detail) {
                        (Some(Step::Indicator), Detail::Indicator { how, .. }) => match how {
                            How::Capped { sum, .. } => (W::LineCap, d - *sum),
                            How::Within { .. } | How::Nothing => continue,
                            How::NaAverage => (W::LineNaAverage, d),
                            _ => (W::LineRule, d),
                        },
                        (Some(Step::Adjustment), Detail::Rescale { before, after, .. }) => {
                            (W::LineRescale, *after - *before)
                        }
                        _ => continue,
                    };
                    if !counted.is_zero() {
                        out.push(Line {
                            kind,
                            indicator: index(&e.indicator),
                            entry: e,
                            counted: Some(counted),
                        });
                    }
                }
                out.extend(
                    explainer
                        .bonus_entries(u, self.month)
                        .into_iter()
                        .map(|entry| Line {
                            kind: W::LineBonus,
                            indicator: None,
                            entry,
                            counted: None,
                        }),
                );
                out
            })
            .collect()
    }

    /// The 核对 sheet: each unit's ledger rows added up (records, other lines) beside its
    /// deduction in the month's ranking, their difference and whether they agree. The ledger's
    /// total is a formula over the ledger (its stored result what civscore added up) when the
    /// ledger is short enough to sum at once.
    fn check_sheet(&self, book: &mut Workbook, sums: &LedgerSums) -> Result<(), XlsxError> {
        use rust_xlsxwriter::Formula;
        let p = self.view.rubric.precision;
        let mut table = self.table(
            format!("{} {}", self.w(W::CheckSheet), self.month),
            &[
                W::Unit,
                W::Name,
                W::LedgerRecords,
                W::LedgerLines,
                W::LedgerTotal,
                W::RankingDeducted,
                W::Difference,
                W::CheckResult,
            ],
        );
        let month = self.scores.months.get(&self.month);
        let mut results = Vec::new();
        for row in &self.view.tables[0].rows {
            let u = row.unit;
            let unit = &self.view.units.list[u];
            let [recs, lines, _] = sums.units.get(u).copied().unwrap_or_default();
            let deducted = month
                .and_then(|m| m.get(u)?.as_ref())
                .map_or(Decimal::ZERO, |s| ranking::round(s.deducted, p));
            let total = recs + lines;
            let diff = total - deducted;
            let ok = diff.is_zero();
            results.push((total, diff, ok));
            table.rows.push(vec![
                Cell::text(unit.code.as_str()),
                Cell::opt_text(unit.name.as_deref()),
                Cell::Number(recs, p),
                Cell::Number(lines, p),
                Cell::Number(total, p),
                Cell::Number(deducted, p),
                Cell::Number(diff, p),
                Cell::Words(self.w(if ok { W::CheckOk } else { W::CheckBad }).to_owned()),
            ]);
        }
        let (s, placed, _) = self.plain_sheet(book, &table)?;
        let (ok, bad) = (self.w(W::CheckOk), self.w(W::CheckBad));
        // The ledger's columns of the unit and of what a row counts (D and M), its data rows.
        let ledger = format!("'{}'", sums.sheet.replace('\'', "''"));
        let (first, last) = (TOP + 2, sums.last + 1);
        let summable = sums.last > TOP && sums.last - TOP <= LEDGER_FORMULA_ROWS;
        for (k, (total, diff, is_ok)) in results.iter().enumerate() {
            let r = TOP + 1 + k as u32;
            let x = r + 1;
            if summable {
                let f = format!(
                    "=SUMIF({ledger}!$D${first}:$D${last},A{x},{ledger}!$M${first}:$M${last})"
                );
                let f = Formula::new(f).set_result(doc::fixed(*total, p));
                s.ws.write_formula(r, 4, f)?;
            }
            let f = Formula::new(format!("=E{x}-F{x}")).set_result(doc::fixed(*diff, p));
            s.ws.write_formula(r, 6, f)?;
            let f = Formula::new(format!("=IF(ABS(G{x})<0.0000001,\"{ok}\",\"{bad}\")"))
                .set_result(if *is_ok { ok } else { bad });
            s.ws.write_formula(r, 7, f)?;
        }
        let colors = [
            (ok.to_owned(), Standing::Best),
            (bad.to_owned(), Standing::Last),
        ];
        xlsx::grade_colors(s.ws, (TOP + 1, placed.last), 7, &colors)
    }

    /// The 督办单's levels in column `col` coloured as the grades are, by conditional formats
    /// (so that they follow a sort): red, then yellow, then overdue; closed green.
    fn escalation_colors(&self, ws: &mut Worksheet, col: u16, last: u32) -> Result<(), XlsxError> {
        let last = last.min(xlsx::MAX_ROW - 1);
        let levels = [
            (W::LevelRed, Standing::Last),
            (W::LevelYellow, Standing::Middle),
            (W::LevelOverdue, Standing::Second),
            (W::LevelClosed, Standing::Best),
        ];
        let levels: Vec<(String, Standing)> = levels
            .iter()
            .map(|(w, s)| (self.w(*w).to_owned(), *s))
            .collect();
        xlsx::grade_colors(ws, (TOP + 1, last), col, &levels)
    }

    /// The level of an item on the 督办单: closed (late or not), or open and escalated by its
    /// days overdue.
    fn level(&self, closed: u8, days: i64) -> W {
        match days {
            d if closed == 1 && d > 0 => W::ClosedLate,
            _ if closed == 1 => W::LevelClosed,
            d if d > self.settings.red => W::LevelRed,
            d if d > self.settings.yellow => W::LevelYellow,
            d if d > 0 => W::LevelOverdue,
            _ => W::LevelOpen,
        }
    }

    fn words(&self, ws: &[W]) -> Vec<String> {
        ws.iter().map(|w| self.w(*w).to_owned()).collect()
    }

    /// The 督办单 and the 成绩单, unit by unit in code order, from the items sorted by unit
    /// (each read once and written to both, none held): each unit's result block (its scores
    /// and ranks, its deductions, then its items) and, for a unit with items, its notice (the
    /// items with the indicator's requirement, the items closed this month, a place to sign).
    /// Each block is printed from a page of its own.
    fn unit_sheets(
        &self,
        notices: &mut Sheet,
        results: &mut Sheet,
        items: Sorted<OverdueKey, Key<OverdueKey>>,
        lines: &[Vec<Line>],
    ) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let inds = self.engine.level(Per::Month);
        let deds = self.engine.deductions(&inds, &[self.month]);
        // Each table's row of each unit.
        let at: Vec<Places> = self
            .view
            .tables
            .iter()
            .map(|t| {
                let mut at = vec![None; self.view.units.list.len()];
                for (k, row) in t.rows.iter().enumerate() {
                    if let Some(a) = at.get_mut(row.unit) {
                        *a = Some(k);
                    }
                }
                at
            })
            .collect();
        let notice_head = self.words(&[
            W::RecordId,
            W::Note,
            W::Indicator,
            W::InspectionDate,
            W::Deadline,
            W::DaysOverdue,
            W::Level,
            W::Requirement,
            W::RectifiedOn,
            W::Inspector,
        ]);
        let item_head = self.words(&[
            W::Level,
            W::DaysOverdue,
            W::Indicator,
            W::InspectionDate,
            W::Deadline,
            W::RectifiedOn,
            W::RecordId,
            W::Note,
        ]);
        // Room for a row and the block's closing rows.
        let room = |row: u32| row + 4 < xlsx::MAX_ROW;
        let date = |d: Option<Date>| d.map_or(Cell::Empty, |d| Cell::Words(d.to_string()));
        let put = |s: &mut Sheet, r: u32, cells: &[Cell]| -> Result<(), XlsxError> {
            for (c, cell) in cells.iter().enumerate() {
                write::xlsx::cell(s, r, c as u16, cell)?;
            }
            Ok(())
        };
        let mut items = items;
        let mut pending: Option<Record> = None;
        let (mut n, mut r) = (TOP, TOP);
        let (mut n_breaks, mut r_breaks) = (Vec::new(), Vec::new());
        for u in self.code_order() {
            let unit = &self.view.units.list[u];
            if room(r + 12) {
                r = self.result_block(results, u, r, (&at, &inds, &deds[u]), &lines[u])?;
                results.head(r, &item_head)?;
                r += 1;
            }
            let mut noticed = false;
            loop {
                if pending.is_none() {
                    pending = items.next().transpose()?;
                }
                let rec = match pending.take() {
                    Some(rec) if rec.unit == u => rec,
                    other => {
                        pending = other;
                        break;
                    }
                };
                let (closed, days) = self::noticed(&rec, self.month, self.as_of).unwrap_or((0, 0));
                let level = Cell::Words(self.w(self.level(closed, days)).to_owned());
                let ind = &rubric.indicators[rec.indicator];
                if !noticed && room(n + 3) {
                    let title = i18n::unit_title(
                        self.lang,
                        W::NoticeTitle,
                        &unit.code,
                        unit.name.as_deref(),
                    );
                    notices.title(n, &title)?;
                    let who = unit.name.as_deref().unwrap_or(unit.code.as_str());
                    let intro = i18n::notice_intro(self.lang, who, &self.as_of.to_string());
                    notices.ws.write_string(n + 1, 0, &intro)?;
                    notices.head(n + 2, &notice_head)?;
                    n += 3;
                }
                noticed = true;
                let days = Cell::Int(days.max(0));
                if room(n) {
                    let requirement = ind.note.as_deref().or(ind.basis.as_deref());
                    let row = [
                        Cell::opt_text(rec.id.as_deref()),
                        Cell::text(rec.note.as_str()),
                        Cell::text(ind.code.as_str()),
                        date(Some(rec.date)),
                        date(rec.deadline),
                        days.clone(),
                        level.clone(),
                        Cell::opt_text(requirement),
                        date(rec.rectified),
                        Cell::text(rec.inspector.as_str()),
                    ];
                    put(notices, n, &row)?;
                    n += 1;
                }
                // The 成绩单 lists what is open or was late, not what was closed in time.
                if room(r) && !(closed == 1 && days == Cell::Int(0)) {
                    let row = [
                        level,
                        days,
                        Cell::text(ind.code.as_str()),
                        date(Some(rec.date)),
                        date(rec.deadline),
                        date(rec.rectified),
                        Cell::opt_text(rec.id.as_deref()),
                        Cell::text(rec.note.as_str()),
                    ];
                    put(results, r, &row)?;
                    r += 1;
                }
            }
            if noticed && room(n) {
                // A blank row, then where the unit signs for it.
                n += 1;
                notices.ws.write_string(n, 0, self.w(W::SignedBy))?;
                notices.ws.write_string(n, 5, self.w(W::SignedOn))?;
                n += 2;
                n_breaks.push(n);
            }
            if room(r) {
                r += 1;
                r_breaks.push(r);
            }
        }
        if n == TOP {
            notices.ws.write_string(TOP, 0, self.w(W::NoNotices))?;
        }
        self.escalation_colors(notices.ws, 6, n)?;
        self.escalation_colors(results.ws, 0, r)?;
        notices.finish_blocks(&n_breaks)?;
        results.finish_blocks(&r_breaks)
    }

    /// A unit's result block from row `r`: its score, rank, group rank, grade and deduction in
    /// the month, the quarter and the year to date, then its deductions of the month by
    /// indicator (before any rescale, which has a line of its own) and their total. Returns the
    /// row after it.
    fn result_block(
        &self,
        s: &mut Sheet,
        u: usize,
        mut r: u32,
        (at, inds, deds): (&[Places], &[usize], &[Decimal]),
        lines: &[Line],
    ) -> Result<u32, XlsxError> {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let unit = &self.view.units.list[u];
        let put = |s: &mut Sheet, r: u32, cells: &[Cell]| -> Result<(), XlsxError> {
            for (c, cell) in cells.iter().enumerate() {
                write::xlsx::cell(s, r, c as u16, cell)?;
            }
            Ok(())
        };
        let title = i18n::unit_title(self.lang, W::ResultSheet, &unit.code, unit.name.as_deref());
        s.title(r, &title)?;
        r += 1;
        let head = [
            W::Period,
            W::Score,
            W::Rank,
            W::GroupRank,
            W::Grade,
            W::Deducted,
        ];
        s.head(r, &self.words(&head))?;
        r += 1;
        let names = self.view.tables.iter().map(|t| to_date(t.kind));
        for ((t, name), at) in self.view.tables.iter().zip(names).zip(at) {
            let label = format!("{} {}", self.w(name), t.period);
            let mut row = vec![Cell::Words(i18n::provisional(
                self.lang,
                label,
                t.provisional,
            ))];
            if let Some(x) = at.get(u).copied().flatten().and_then(|k| t.rows.get(k)) {
                row.extend([
                    Cell::Number(x.score, p),
                    Cell::Int(i64::from(x.rank)),
                    x.group_rank
                        .map_or(Cell::Empty, |g| Cell::Int(i64::from(g))),
                    Cell::opt_text(x.grade.as_deref()),
                    Cell::Number(x.deducted, p),
                ]);
            }
            put(s, r, &row)?;
            r += 1;
        }
        r += 1;
        s.head(
            r,
            &self.words(&[W::Indicator, W::IndicatorName, W::Deduction]),
        )?;
        r += 1;
        for (&i, d) in inds.iter().zip(deds) {
            if d.is_zero() {
                continue;
            }
            let ind = &rubric.indicators[i];
            let row = [
                Cell::text(ind.code.as_str()),
                Cell::text(ind.name.as_str()),
                Cell::Number(*d, p),
            ];
            put(s, r, &row)?;
            r += 1;
        }
        for line in lines.iter().filter(|l| l.kind == W::LineRescale) {
            let row = [
                Cell::Words(self.w(line.kind).to_owned()),
                Cell::Empty,
                line.counted.map_or(Cell::Empty, |d| Cell::Number(d, p)),
            ];
            put(s, r, &row)?;
            r += 1;
        }
        let month = self
            .scores
            .months
            .get(&self.month)
            .and_then(|m| m.get(u)?.as_ref());
        let total = [
            Cell::Words(self.w(W::Total).to_owned()),
            Cell::Empty,
            Cell::Number(month.map_or(Decimal::ZERO, |m| m.deducted), p),
        ];
        put(s, r, &total)?;
        Ok(r + 2)
    }

    /// Every record of the month with the factors applied, then each unit's lines that are not
    /// records, and a rounding line where the rows as stored (rounded to the rubric's
    /// precision) would not add up to the ranking's rounded deduction although their exact
    /// values do. Returns each unit's sums as stored (records, other lines, and the exact total),
    /// and the last row written.
    fn ledger_rows(
        &self,
        mut rows: Rows,
        records: Sorted<LedgerKey, Key<LedgerKey>>,
        lines: &[Vec<Line>],
    ) -> Result<(Vec<[Decimal; 3]>, u32), XlsxError> {
        let stored = |d: Decimal| ranking::round(d, self.view.rubric.precision);
        let mut sums = vec![[Decimal::ZERO; 3]; self.view.units.list.len()];
        let mut full = false;
        let rubric = self.view.rubric;
        let p = rubric.precision;
        // The month's own as-of date: --as-of, or its last day (as the scores use).
        let trail = crate::explain::RecordTrail {
            rubric,
            engine: self.engine,
            files: self.files,
            as_of: Some(self.as_of),
        };
        for rec in records {
            let rec = &rec?;
            let ind = &rubric.indicators[rec.indicator];
            let unit = &self.view.units.list[rec.unit];
            // The record's step as `explain` shows it (its place and note have columns of their own).
            let step = trail.judged(rec, rec.unit);
            let (base, extra) = match &step.record {
                Some(f) => (Cell::Number(f.base, p), Cell::Number(f.overdue_extra, p)),
                None => (Cell::Empty, Cell::Empty),
            };
            // What the record adds to the month's deduction: a per-finding record of a
            // month-level indicator (the others are judged on the month, quarter or year as a
            // whole: their lines come after the records).
            let counted = match ind.rule {
                Rule::PerFinding { .. } if ind.per == Per::Month => step.deduction,
                _ => None,
            };
            let status = match (rec.status, self.engine.applicable(rec.unit, rec.indicator)) {
                (Status::Void, _) => W::StatusVoid,
                (_, false) => W::StatusNotApplicable,
                (Status::OnSpot, _) => W::StatusOnSpot,
                (Status::Valid, _) => W::StatusValid,
                (Status::Appealed, _) => W::StatusAppealed,
            };
            let row = [
                Cell::Words(self.where_(rec)),
                Cell::opt_text(rec.id.as_deref()),
                Cell::Words(rec.date.to_string()),
                Cell::text(unit.code.as_str()),
                Cell::opt_text(unit.name.as_deref()),
                Cell::text(ind.code.as_str()),
                Cell::text(ind.name.as_str()),
                Cell::Int(rec.count as i64),
                Cell::opt_text(rec.source.as_deref()),
                Cell::Words(i18n::entry(self.lang, &step)),
                base,
                extra,
                counted.map_or(Cell::Empty, |d| Cell::Number(d, p)),
                Cell::Words(self.w(status).to_owned()),
                Cell::text(rec.inspector.as_str()),
                Cell::text(rec.note.as_str()),
            ];
            if !rows.push(&row)? {
                full = true;
                break;
            }
            if let (Some(d), Some(sum)) = (counted, sums.get_mut(rec.unit)) {
                sum[0] += stored(d);
                sum[2] += d;
            }
        }
        let month = self.scores.months.get(&self.month);
        for u in self.code_order() {
            if full {
                break;
            }
            let unit = &self.view.units.list[u];
            let mut rounding = Line {
                kind: W::LineRounding,
                indicator: None,
                entry: Entry::default(),
                counted: None,
            };
            let deducted = month.and_then(|m| m.get(u)?.as_ref()).map(|s| s.deducted);
            if let Some(d) = deducted {
                let got = lines[u].iter().filter_map(|l| l.counted);
                let exact = sums[u][2] + got.clone().sum::<Decimal>();
                let as_stored = sums[u][0] + got.map(stored).sum::<Decimal>();
                if exact == d && stored(d) != as_stored {
                    rounding.counted = Some(stored(d) - as_stored);
                }
            }
            let rounding = rounding.counted.is_some().then_some(rounding);
            for line in lines[u].iter().chain(rounding.as_ref()) {
                let ind = line.indicator.map(|i| &rubric.indicators[i]);
                let entry = match line.kind {
                    W::LineRounding | W::LineOverdue => String::new(),
                    _ => i18n::entry(self.lang, &line.entry),
                };
                let row = [
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(unit.code.as_str()),
                    Cell::opt_text(unit.name.as_deref()),
                    Cell::opt_text(ind.map(|i| i.code.as_str())),
                    Cell::opt_text(ind.map(|i| i.name.as_str())),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Words(entry),
                    Cell::Empty,
                    Cell::Empty,
                    line.counted.map_or(Cell::Empty, |d| Cell::Number(d, p)),
                    Cell::Words(self.w(line.kind).to_owned()),
                    Cell::Empty,
                    Cell::Empty,
                ];
                if !rows.push(&row)? {
                    full = true;
                    break;
                }
                if let Some(d) = line.counted {
                    sums[u][1] += stored(d);
                    sums[u][2] += d;
                }
            }
        }
        let last = rows.row();
        rows.finish()?;
        Ok((sums, last))
    }

    /// Points lost by category (bonus categories aside), with their share of all lost.
    fn category_table(&self, inds: &[usize], lost: &[Decimal]) -> doc::Table {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let total: Decimal = lost.iter().sum();
        let sheet = format!("{} {}", self.w(W::DeductionStats), self.month);
        let mut cats = self.table(
            sheet,
            &[W::Category, W::CategoryName, W::PointsLost, W::SharePct],
        );
        for (c, cat) in rubric
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.bonus)
        {
            let sum: Decimal = inds
                .iter()
                .zip(lost)
                .filter(|(i, _)| rubric.indicators[**i].category == c)
                .map(|(_, d)| *d)
                .sum();
            cats.rows.push(vec![
                Cell::text(cat.code.as_str()),
                Cell::text(cat.name.as_str()),
                Cell::Number(sum, p),
                share(sum, total),
            ]);
        }
        cats
    }

    /// Points lost by indicator, most first: share, findings, units affected, category.
    fn indicator_table(
        &self,
        inds: &[usize],
        (lost, affected): (&[Decimal], &[u64]),
        by_indicator: &[u64],
    ) -> doc::Table {
        let rubric = self.view.rubric;
        let total: Decimal = lost.iter().sum();
        let mut by_ind = self.table(
            String::new(),
            &[
                W::Indicator,
                W::IndicatorName,
                W::PointsLost,
                W::SharePct,
                W::Findings,
                W::UnitsAffected,
                W::Category,
            ],
        );
        let mut order: Vec<usize> = (0..inds.len()).collect();
        order.sort_by(|a, b| lost[*b].cmp(&lost[*a]).then(a.cmp(b)));
        for k in order {
            let ind = &rubric.indicators[inds[k]];
            // Findings of per-finding indicators only: not activities held or measurements.
            let findings = match ind.rule {
                Rule::PerFinding { .. } => {
                    Cell::Int(by_indicator.get(inds[k]).copied().unwrap_or(0) as i64)
                }
                _ => Cell::Empty,
            };
            by_ind.rows.push(vec![
                Cell::text(ind.code.as_str()),
                Cell::text(ind.name.as_str()),
                Cell::Number(lost[k], rubric.precision),
                share(lost[k], total),
                findings,
                Cell::Int(affected[k] as i64),
                Cell::text(rubric.categories[ind.category].code.as_str()),
            ]);
        }
        by_ind
    }

    /// Points lost in the month by indicator and by category, with a chart by category.
    fn stats_sheet(&self, book: &mut Workbook, by_indicator: &[u64]) -> Result<(), XlsxError> {
        let p = self.view.rubric.precision;
        let inds = self.engine.level(Per::Month);
        let (lost, affected) = self.lost_by_indicator(&inds);
        let cats = self.category_table(&inds, &lost);
        let by_ind = self.indicator_table(&inds, (&lost, &affected), by_indicator);
        let (ws, name) = self.sheet_of(book, &cats, false)?;
        let mut s = self.titled(ws, p, &cats.sheet)?;
        let placed = write::xlsx::put(&mut s, &cats, TOP)?;
        write::xlsx::put(&mut s, &by_ind, placed.next + 1)?;
        s.finish(placed.last, placed.last_col)?;
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_categories((name.as_str(), TOP + 1, 1, placed.last, 1))
            .set_values((name.as_str(), TOP + 1, 2, placed.last, 2))
            .set_name(self.w(W::PointsLost));
        let title = format!("{} {}", self.w(W::LostByCategory), self.month);
        chart.title().set_name(&title);
        chart.legend().set_hidden();
        s.ws.insert_chart(TOP + 1, 8, &chart)?;
        Ok(())
    }

    /// Points lost in the month by indicator (each unit's with its rescale factor applied, so
    /// that they add up to the month's `deducted`), and the units that lost them.
    fn lost_by_indicator(&self, inds: &[usize]) -> (Vec<Decimal>, Vec<u64>) {
        let mut lost = vec![Decimal::ZERO; inds.len()];
        let mut affected = vec![0u64; inds.len()];
        for row in self.lost_by_unit(inds) {
            for (k, d) in row.iter().enumerate() {
                if !d.is_zero() {
                    lost[k] += *d;
                    affected[k] += 1;
                }
            }
        }
        (lost, affected)
    }

    /// Each unit's points lost in the month by indicator of `inds`, its rescale factor applied
    /// (zero where the indicator does not apply to it).
    fn lost_by_unit(&self, inds: &[usize]) -> Vec<Vec<Decimal>> {
        let deds = self.engine.deductions(inds, &[self.month]);
        let scaled = |u: usize, d: Decimal| match self.engine.rescale(u) {
            Some((full, app)) => d * full / app,
            None => d,
        };
        deds.iter()
            .enumerate()
            .take(self.view.units.list.len())
            .map(|(u, row)| {
                row.iter()
                    .enumerate()
                    .map(|(k, d)| match self.engine.applicable(u, inds[k]) {
                        true => scaled(u, *d),
                        false => Decimal::ZERO,
                    })
                    .collect()
            })
            .collect()
    }

    /// 红榜 (the best) and 黑榜 (the worst, and every vetoed unit) of the month.
    fn lists_sheet(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        self.plain_sheet(book, &self.lists_table())?;
        Ok(())
    }

    /// The red and black lists as a table (the workbook's sheet, the bulletin's section).
    fn lists_table(&self) -> doc::Table {
        let t = self.view.tables[0];
        let p = self.view.rubric.precision;
        let mut table = self.table(
            self.w(W::RedBlackLists).to_owned(),
            &[
                W::List,
                W::Rank,
                W::Unit,
                W::Name,
                W::Score,
                W::Grade,
                W::Vetoed,
            ],
        );
        let (red, black) = ranking::red_black(t, self.view.rubric, self.settings.top);
        for (list, rows) in [(W::RedList, red), (W::BlackList, black)] {
            for row in rows {
                let unit = &self.view.units.list[row.unit];
                table.rows.push(vec![
                    Cell::Words(self.w(list).to_owned()),
                    Cell::Int(i64::from(row.rank)),
                    Cell::text(unit.code.as_str()),
                    Cell::opt_text(unit.name.as_deref()),
                    Cell::Number(row.score, p),
                    Cell::opt_text(row.grade.as_deref()),
                    Cell::Flag(row.vetoed, self.w(W::Yes)),
                ]);
            }
        }
        table
    }

    /// The rubric the results were computed with, its SHA-256, and its text.
    fn rubric_sheet(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let mut table = self.table(
            self.w(W::RubricSheet).to_owned(),
            &[
                W::Code,
                W::Name,
                W::Points,
                W::RuleCol,
                W::PerCol,
                W::HowCol,
                W::Assessor,
                W::Due,
                W::Basis,
            ],
        );
        for c in &rubric.categories {
            table.rows.push(vec![
                Cell::text(c.code.as_str()),
                Cell::text(c.name.as_str()),
                if c.bonus {
                    Cell::Empty
                } else {
                    Cell::Number(c.points, p)
                },
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::opt_text(c.assessor.as_deref()),
                Cell::Empty,
                Cell::opt_text(c.basis.as_deref()),
            ]);
            for &i in &c.indicators {
                let ind = &rubric.indicators[i];
                let points = match ind.rule.has_points() {
                    true => Cell::Number(ind.points, p),
                    false => Cell::Empty,
                };
                table.rows.push(vec![
                    Cell::text(ind.code.as_str()),
                    Cell::text(ind.name.as_str()),
                    points,
                    Cell::Words(i18n::rule(self.lang, &ind.rule).to_owned()),
                    Cell::Words(i18n::per(self.lang, ind.per).to_owned()),
                    Cell::Words(i18n::describe(self.lang, &ind.rule)),
                    Cell::Empty,
                    ind.due.map_or(Cell::Empty, |d| Cell::text(d.to_string())),
                    Cell::opt_text(ind.basis.as_deref()),
                ]);
            }
        }
        let mut about = self.table(String::new(), &[W::Item, W::Value]);
        let pair = |w: W, v: &str| vec![Cell::Words(self.w(w).to_owned()), Cell::text(v)];
        about.rows = vec![
            pair(W::RubricName, &rubric.name),
            vec![
                Cell::Words("SHA-256".into()),
                Cell::text(rubric.sha256.as_str()),
            ],
            pair(W::Origin, &rubric.origin),
            pair(W::AsOf, &self.as_of.to_string()),
        ];
        if let Some(notes) = &rubric.notes {
            about.rows.push(pair(W::Notes, notes));
        }
        for note in &self.completeness {
            about.rows.push(pair(W::Completeness, note));
        }
        let mut lines = rubric.text.lines();
        if let Some(first) = lines.next() {
            about.rows.push(pair(W::RubricText, first));
        }
        about
            .rows
            .extend(lines.map(|l| vec![Cell::Empty, Cell::text(l)]));
        let (ws, _) = self.sheet_of(book, &table, false)?;
        let mut s = self.titled(ws, p, &table.sheet)?;
        let placed = write::xlsx::put(&mut s, &table, TOP)?;
        write::xlsx::put(&mut s, &about, placed.next + 1)?;
        s.finish(placed.last, placed.last_col)
    }
}

/// The words before a to-date table's period in the report: 月度排名, 季度累计, 半年累计, 年度累计.
fn to_date(kind: ranking::Kind) -> W {
    match kind {
        ranking::Kind::Month => W::MonthToDate,
        ranking::Kind::Quarter => W::QuarterToDate,
        ranking::Kind::Half => W::HalfToDate,
        ranking::Kind::Year => W::YearToDate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Units {
        let mut u = Units::default();
        // Indices unlike code order: the ledger goes by code.
        for code in ["U3", "U1", "U2"] {
            u.find_or_add(code);
        }
        u
    }

    /// Records of three months, in (file, line) order, open and closed, early and late.
    fn records() -> Vec<Record> {
        let day = |m: i8, d: i8| Date::new(2026, m, d).unwrap();
        (0..300u64)
            .map(|i| {
                let m = 9 + (i % 3) as i8;
                let date = day(m, 1 + (i * 7 % 28) as i8);
                let deadline =
                    (!i.is_multiple_of(4)).then(|| date.saturating_add(jiff::Span::new().days(5)));
                let rectified = match i % 5 {
                    0 | 1 => None,
                    2 => deadline.map(|d| d.saturating_add(jiff::Span::new().days(3))),
                    _ => Some(date),
                };
                Record {
                    file: (i / 150) as u32,
                    line: 2 + i % 150,
                    date,
                    month: Month::of(date),
                    unit: (i / 3 % 3) as usize,
                    indicator: (i % 2) as usize,
                    count: 1 + i % 3,
                    value: None,
                    severity: None,
                    severity_index: 0,
                    source: None,
                    source_index: 0,
                    weight: Decimal::ONE,
                    deadline,
                    rectified,
                    status: [Status::Valid, Status::OnSpot, Status::Void][(i % 7 % 3) as usize],
                    id: Some(format!("R{i}")),
                    note: format!("第{i}条"),
                    inspector: String::new(),
                }
            })
            .collect()
    }

    fn lines(it: impl Iterator<Item = std::io::Result<Record>>) -> Vec<(u32, u64)> {
        it.map(|r| r.map(|r| (r.file, r.line)).unwrap()).collect()
    }

    #[test]
    fn the_lists_keep_the_order_of_a_whole_sort_spilled_or_not() {
        let (month, as_of) = (Month::new(2026, 10), Date::new(2026, 11, 3).unwrap());
        let units = units();
        // The orders as a sort of everything in memory gives them.
        let all = records();
        let mut ledger: Vec<&Record> = all.iter().filter(|r| r.month == month).collect();
        ledger.sort_by_key(|r| (r.date, &units.list[r.unit].code, r.file, r.line));
        let mut overdue: Vec<(_, &Record)> = all
            .iter()
            .filter(|r| {
                r.month == month || (r.month < month && (open(r) || closed_in(r, |c| c == month)))
            })
            .filter_map(|r| {
                let (closed, days) = noticed(r, month, as_of)?;
                let code = &units.list[r.unit].code;
                Some(((code, closed, Reverse(days), r.date, r.file, r.line), r))
            })
            .collect();
        overdue.sort_by(|a, b| a.0.cmp(&b.0));
        let want_ledger: Vec<_> = ledger.iter().map(|r| (r.file, r.line)).collect();
        let want_overdue: Vec<_> = overdue.iter().map(|(_, r)| (r.file, r.line)).collect();
        assert!(want_ledger.len() > 50 && want_overdue.len() > 20);
        for limit in [usize::MAX, 2_000, 1] {
            // Kept as the reader keeps them, by three workers: past the limit, on disk too.
            let mut logs: Vec<spill::Log> = (0..3).map(|_| spill::Log::with_limit(limit)).collect();
            for (k, r) in records().into_iter().enumerate() {
                logs[k % 3].push(0, r).unwrap();
            }
            let mut kept = Kept::default();
            for log in logs {
                kept.add(log, vec![0], Vec::new());
            }
            let lists = Lists::gather_within(kept, &units, 2, (month, as_of), (limit, 2)).unwrap();
            assert_eq!(lists.ledger.len(), want_ledger.len());
            assert_eq!(
                lines(lists.ledger.sorted().unwrap()),
                want_ledger,
                "{limit}"
            );
            assert_eq!(
                lines(lists.overdue.sorted().unwrap()),
                want_overdue,
                "{limit}"
            );
            let findings: u64 = ledger
                .iter()
                .filter(|r| r.status != Status::Void)
                .map(|r| r.count)
                .sum();
            assert_eq!(lists.findings.iter().sum::<u64>(), findings);
        }
    }
}
