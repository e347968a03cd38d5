//! `civscore report`: the monthly publication workbook — rankings of the month, the quarter and
//! the year to date, the deduction ledger, the overdue list (督办单) with escalation levels,
//! deductions by category and indicator, the red and black lists, native charts, and the rubric
//! with its SHA-256.

mod spill;

use std::cmp::Reverse;
use std::io::Seek;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use crate::cmd::{self, Inputs, Selection};
use crate::engine::{self, Engine};
use crate::error::Error;
use crate::period::{Month, Period};
use crate::pipeline;
use crate::ranking::{self, Table};
use crate::records::{Record, Status};
use crate::render::View;
use crate::render::xlsx::{self, MAX_ROW, Sheet, err, score_chart, sheet_name, table_sheet};
use crate::rubric::{Lang, Per};
use crate::units::Units;
use spill::{Sorted, Sorter};
use std::sync::atomic::{AtomicI32, Ordering};

/// Report settings: list sizes and escalation thresholds.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Units on the red list and on the black list.
    pub top: usize,
    /// Days overdue after which a rectification is escalated yellow, then red.
    pub yellow: i64,
    pub red: i64,
    pub lang: Option<Lang>,
    /// `-o`; without it, `MONTH.xlsx` in `output_dir` (or here).
    pub output: Option<String>,
    pub output_dir: Option<String>,
}

fn lab(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Whether a record is still to be rectified (it may belong on the overdue list).
fn open(r: &Record) -> bool {
    r.status != Status::Void && r.deadline.is_some() && r.rectified.is_none()
}

pub fn run(inputs: &Inputs, period: Option<Period>, settings: &Settings) -> Result<(), Error> {
    let selection = match period {
        None => Selection::Latest,
        Some(Period::Month(m)) => Selection::Period(Period::Month(m)),
        Some(other) => {
            return Err(Error::Usage(format!(
                "--period {other}: a report is made for a month (such as 2026-11)"
            )));
        }
    };
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
            in_month || open(r)
        }),
    )?;
    let store = read.take_store();
    let (rubric, units, loaded) = (&read.rubric, &read.units, &mut read.loaded);
    // The year of the month (the trend sheet) with the previous year: every table and rank
    // change the workbook shows.
    let scored = pipeline::score_with(rubric, units, store, selection, |m| {
        crate::engine::Need::year(m.year())
    })?;
    let (month, engine, tables) = (scored.until, &scored.engine, &scored.tables);
    let as_of = inputs.as_of.unwrap_or_else(|| month.last_day());
    let records = std::mem::take(&mut loaded.records);
    let lists = Lists::gather(records, units, rubric.indicators.len(), month, as_of)
        .map_err(|e| Error::io("<temporary file>", e))?;
    let lang = settings.lang.unwrap_or(rubric.lang);
    let month_t = tables.months.get(&month);
    let quarter_t = tables.quarters.get(&month.quarter());
    let year_t = tables.years.get(&month.year());
    let (Some(month_t), Some(quarter_t), Some(year_t)) = (month_t, quarter_t, year_t) else {
        return Err(Error::Internal(format!("no tables for {month}")));
    };
    let view = View {
        rubric,
        units,
        tables: vec![month_t, quarter_t, year_t],
        counts: loaded.counts,
        lang,
        bom: false,
        color: false,
        sparks: Default::default(),
    };
    let ctx = Ctx {
        view: &view,
        engine,
        files: &loaded.files,
        month,
        as_of,
        settings,
        lang,
    };
    let mut book = ctx.workbook(tables, lists).map_err(err)?;
    let path = match (&settings.output, &settings.output_dir) {
        (Some(o), _) => o.clone(),
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            std::path::Path::new(dir)
                .join(format!("{month}.xlsx"))
                .display()
                .to_string()
        }
        (None, None) => format!("{month}.xlsx"),
    };
    // The workbook is saved to an unnamed temporary file as it is built (a large month's is
    // itself large), then staged as the run's output.
    let temp = |e| Error::io("<temporary file>", e);
    let mut file = tempfile::tempfile().map_err(temp)?;
    book.save_to_writer(std::io::BufWriter::new(&mut file))
        .map_err(err)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(temp)?;
    crate::write::file::stage(&path, &inputs.files(), &mut |w| {
        std::io::copy(&mut file, w).map(|_| ())
    })?;
    cmd::note(inputs, &format!("wrote {path} ({month}, as of {as_of})"));
    Ok(())
}

/// The most units whose monthly scores a trend chart draws (more lines cannot be told apart).
const TREND_CHART_UNITS: usize = 30;

type LedgerKey = (Date, u32, u32, u64);
type OverdueKey = (Reverse<i64>, Date, u32, u64);
type Key<K> = Box<dyn Fn(&Record) -> K + Send>;

/// The records the workbook lists one by one, each list in its own order (on disk when long),
/// and the month's findings by indicator.
struct Lists {
    /// The month's records by date, unit code, file and line.
    ledger: Sorter<LedgerKey, Key<LedgerKey>>,
    /// The 督办单, most days overdue first, then by date, file and line.
    overdue: Sorter<OverdueKey, Key<OverdueKey>>,
    findings: Vec<u64>,
}

impl Lists {
    /// Sorts the records into the lists as they come: those of the month into the ledger, and
    /// those still open (of the month or before) or closed late this month into the overdue list.
    fn gather(
        records: Vec<Record>,
        units: &Units,
        indicators: usize,
        month: Month,
        as_of: Date,
    ) -> std::io::Result<Lists> {
        Lists::gather_within(
            records,
            units,
            indicators,
            (month, as_of),
            spill::CHUNK_BYTES,
        )
    }

    /// [`Lists::gather`], holding at most about `limit` bytes of each list in memory.
    fn gather_within(
        records: Vec<Record>,
        units: &Units,
        indicators: usize,
        (month, as_of): (Month, Date),
        limit: usize,
    ) -> std::io::Result<Lists> {
        let mut by_code: Vec<usize> = (0..units.list.len()).collect();
        by_code.sort_by(|a, b| units.list[*a].code.cmp(&units.list[*b].code));
        let mut rank = vec![0u32; by_code.len()];
        for (k, u) in by_code.into_iter().enumerate() {
            rank[u] = k as u32;
        }
        let mut lists = Lists {
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
                    let days = overdue_days(r, month, as_of).unwrap_or(0);
                    (Reverse(days), r.date, r.file, r.line)
                }),
            ),
            findings: vec![0; indicators],
        };
        for r in records {
            if r.month > month || (r.month < month && !open(&r)) {
                continue;
            }
            let listed = overdue_days(&r, month, as_of).is_some();
            if r.month != month {
                if listed {
                    lists.overdue.push(r)?;
                }
                continue;
            }
            if r.status != Status::Void
                && let Some(f) = lists.findings.get_mut(r.indicator)
            {
                *f += r.count;
            }
            if listed {
                lists.overdue.push(r.clone())?;
            }
            lists.ledger.push(r)?;
        }
        Ok(lists)
    }
}

/// Days overdue of a record on the 督办单 (open up to the as-of date, or closed late in the
/// month); none for a record not on it.
fn overdue_days(r: &Record, month: Month, as_of: Date) -> Option<i64> {
    if r.status == Status::Void {
        return None;
    }
    let deadline = r.deadline?;
    match r.rectified {
        None => Some(engine::days_between(deadline, as_of)),
        Some(done) if done > deadline && r.month == month => {
            Some(engine::days_between(deadline, done))
        }
        _ => None,
    }
}

struct Ctx<'a> {
    view: &'a View<'a>,
    engine: &'a Engine<'a>,
    files: &'a [String],
    month: Month,
    as_of: Date,
    settings: &'a Settings,
    lang: Lang,
}

impl Ctx<'_> {
    fn l(&self, en: &'static str, zh: &'static str) -> &'static str {
        lab(self.lang, en, zh)
    }

    /// Every sheet's printed header and footer: the rubric, the sheet (with its provisional
    /// mark) and the as-of date above; civscore's version, the rubric's SHA-256 and the page
    /// number below.
    fn print_titles(&self, book: &mut Workbook) {
        let rubric = self.view.rubric;
        // In a header, & starts a code: a literal one is doubled; Excel allows 255 characters.
        let text = |s: &str| s.chars().take(60).collect::<String>().replace('&', "&&");
        let as_of = crate::i18n::as_of(self.lang, &self.as_of.to_string());
        let sha = rubric.sha256.get(..16).unwrap_or_default();
        let footer = format!(
            "&Lcivscore {} · SHA-256 {sha}…&C{}",
            env!("CARGO_PKG_VERSION"),
            crate::i18n::page_number(self.lang)
        );
        for ws in book.worksheets_mut() {
            let header = format!("&L{}&C{}&R{as_of}", text(&rubric.name), text(&ws.name()));
            ws.set_header(header);
            ws.set_footer(&footer);
        }
    }

    fn workbook(&self, tables: &ranking::Tables, lists: Lists) -> Result<Workbook, XlsxError> {
        let mut book = xlsx::workbook();
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let names = [
            self.l("Month", "月度排名"),
            self.l("Quarter to date", "季度累计"),
            self.l("Year to date", "年度累计"),
        ];
        for (t, name) in self.view.tables.iter().zip(names) {
            let ws = book.add_worksheet();
            let title =
                crate::i18n::provisional(self.lang, format!("{name} {}", t.period), t.provisional);
            let sheet = sheet_name(&title);
            ws.set_name(&sheet)?;
            let rows = table_sheet(ws, self.view, t)?;
            if t.kind == ranking::Kind::Month && rows > 1 {
                let unit_col: u16 = if self.view.has_groups() { 3 } else { 2 };
                let label_col = unit_col + u16::from(self.view.has_names());
                let head = self.view.headers(t);
                let score_col = head
                    .iter()
                    .position(|h| h == self.view.label(crate::i18n::W::Score))
                    .unwrap_or(0) as u16;
                let title = format!("{} {}", self.l("Scores", "得分"), t.period);
                let chart = score_chart(&xlsx::ScoreChart {
                    sheet: &sheet,
                    rows: rows - 1,
                    label_col,
                    score_col,
                    title: &title,
                    value_title: self.view.label(crate::i18n::W::Score),
                    label_title: self.view.label(crate::i18n::W::Unit),
                    lowest: t.rows.iter().map(|r| r.score).min().unwrap_or_default(),
                });
                ws.insert_chart(1, head.len() as u16 + 1, &chart)?;
            }
        }
        self.trend_sheet(&mut book, tables)?;
        self.long_sheets(&mut book, lists.ledger, lists.overdue)?;
        self.stats_sheet(&mut book, &lists.findings)?;
        self.lists_sheet(&mut book)?;
        self.rubric_sheet(&mut book, p)?;
        self.print_titles(&mut book);
        Ok(book)
    }

    /// Each unit's monthly score over the year, with a line chart.
    /// Each unit's monthly scores over the year: a unit per row (any number of units fits), a
    /// month per column, with a line chart when the units are few enough to tell apart.
    fn trend_sheet(&self, book: &mut Workbook, tables: &ranking::Tables) -> Result<(), XlsxError> {
        let p = self.view.rubric.precision;
        let name = sheet_name(self.l("Trend", "得分走势"));
        let ws = book.add_worksheet();
        ws.set_name(&name)?;
        let months: Vec<&Table> = tables
            .months
            .iter()
            .filter(|(m, _)| m.year() == self.month.year())
            .map(|(_, t)| t)
            .collect();
        let units = &self.view.units.list;
        let mut s = Sheet::new(ws, p, self.lang);
        let mut head = vec![
            self.l("Unit", "单位").to_owned(),
            self.l("Name", "名称").to_owned(),
        ];
        head.extend(months.iter().map(|t| t.period.clone()));
        s.head(0, &head)?;
        for (u, unit) in units.iter().enumerate() {
            let r = u as u32 + 1;
            if r >= MAX_ROW {
                s.text(r, 0, &self.cut_note(units.len() - u))?;
                break;
            }
            s.text(r, 0, &unit.code)?;
            s.text(r, 1, unit.name.as_deref().unwrap_or_default())?;
        }
        for (c, t) in months.iter().enumerate() {
            for row in &t.rows {
                let r = row.unit as u32 + 1;
                if r < MAX_ROW {
                    s.number(r, c as u16 + 2, row.score, p)?;
                }
            }
        }
        let last = (units.len() as u32).min(MAX_ROW - 1);
        s.finish(last, head.len() as u16 - 1)?;
        if !months.is_empty() && (1..=TREND_CHART_UNITS).contains(&units.len()) {
            let mut chart = Chart::new(ChartType::Line);
            let last_col = months.len() as u16 + 1;
            for r in 1..=last {
                chart
                    .add_series()
                    .set_categories((name.as_str(), 0, 2, 0, last_col))
                    .set_values((name.as_str(), r, 2, r, last_col))
                    .set_name((
                        name.as_str(),
                        r,
                        u16::from(units[r as usize - 1].name.is_some()),
                    ));
            }
            chart.title().set_name(&format!(
                "{} {}",
                self.l("Monthly scores", "月度得分走势"),
                self.month.year()
            ));
            s.ws.insert_chart(last + 2, 1, &chart)?;
        }
        Ok(())
    }

    fn where_(&self, r: &Record) -> String {
        format!(
            "{}:{}",
            self.files
                .get(r.file as usize)
                .map(String::as_str)
                .unwrap_or(""),
            r.line
        )
    }

    /// The ledger and the overdue list, written at once on two threads. Rows go to a temporary
    /// file as they are written (in order), text inline: each can hold a million rows.
    fn long_sheets(
        &self,
        book: &mut Workbook,
        ledger: Sorter<LedgerKey, Key<LedgerKey>>,
        overdue: Sorter<OverdueKey, Key<OverdueKey>>,
    ) -> Result<(), XlsxError> {
        let first = book.worksheets_mut().len();
        let name = format!("{} {}", self.l("Ledger", "扣分明细"), self.month);
        book.add_worksheet_with_constant_memory()?
            .set_name(sheet_name(&name))?;
        book.add_worksheet_with_constant_memory()?
            .set_name(sheet_name(self.l("Overdue list", "督办单")))?;
        let (n_ledger, n_overdue) = (ledger.len(), overdue.len());
        let (ledger, overdue) = (ledger.sorted()?, overdue.sorted()?);
        let Some([l, o]) = book.worksheets_mut().get_mut(first..first + 2) else {
            return Err(XlsxError::ParameterError("no sheets".into()));
        };
        std::thread::scope(|scope| {
            let other = scope.spawn(|| self.overdue_sheet(o, overdue, n_overdue));
            let done = self.ledger_sheet(l, ledger, n_ledger);
            let other = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            done.and(other)
        })
    }

    /// Every record of the month with the factors applied.
    fn ledger_sheet(
        &self,
        ws: &mut Worksheet,
        records: Sorted<LedgerKey, Key<LedgerKey>>,
        total: usize,
    ) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let mut s = Sheet::new(ws, p, self.lang);
        let head: Vec<String> = [
            ("Where", "出处"),
            ("Date", "日期"),
            ("Unit", "单位"),
            ("Name", "名称"),
            ("Indicator", "指标"),
            ("Indicator name", "指标名称"),
            ("Count", "数量"),
            ("Source", "检查方式"),
            ("Factors", "计算"),
            ("Deduction", "扣分"),
            ("Overdue extra", "逾期加扣"),
            ("Status", "状态"),
            ("Note", "问题描述"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(0, &head)?;
        // The month's own as-of date: --as-of, or its last day (as the scores use).
        let trail = crate::explain::RecordTrail {
            rubric,
            engine: self.engine,
            files: self.files,
            as_of: Some(self.as_of),
        };
        let mut r = 1u32;
        for (k, rec) in records.enumerate() {
            let rec = &rec?;
            if r == MAX_ROW {
                s.text(r, 0, &self.cut_note(total - k))?;
                break;
            }
            let ind = &rubric.indicators[rec.indicator];
            let unit = &self.view.units.list[rec.unit];
            s.text(r, 0, &self.where_(rec))?;
            s.text(r, 1, &rec.date.to_string())?;
            s.text(r, 2, &unit.code)?;
            s.text(r, 3, unit.name.as_deref().unwrap_or_default())?;
            s.text(r, 4, &ind.code)?;
            s.text(r, 5, &ind.name)?;
            s.int(r, 6, rec.count as i64)?;
            s.text(r, 7, rec.source.as_deref().unwrap_or_default())?;
            // The record's step as `explain` shows it (its place and note have columns of their own).
            let step = trail.judged(rec, rec.unit);
            s.text(r, 8, &crate::i18n::entry(self.lang, &step))?;
            if let Some(f) = &step.record {
                s.number(r, 9, f.base, p)?;
                s.number(r, 10, f.overdue_extra, p)?;
            }
            let status = match (rec.status, self.engine.applicable(rec.unit, rec.indicator)) {
                (Status::Void, _) => self.l("void", "撤销"),
                (_, false) => self.l("not applicable", "不适用"),
                (Status::OnSpot, _) => self.l("on the spot", "当场整改"),
                (Status::Valid, _) => self.l("valid", "有效"),
            };
            s.text(r, 11, status)?;
            s.text(r, 12, &rec.note)?;
            r += 1;
        }
        s.finish(r - 1, 12)
    }

    /// The last row of a sheet that had to stop at Excel's limit.
    fn cut_note(&self, more: usize) -> String {
        match self.lang {
            Lang::Zh => format!("……另有 {more} 行未列出（Excel 每表最多 1,048,576 行）"),
            Lang::En => {
                format!("… {more} more rows not shown (Excel holds 1,048,576 rows a sheet)")
            }
        }
    }

    /// The 督办单: open rectifications up to the as-of date, and those closed late this month.
    fn overdue_sheet(
        &self,
        ws: &mut Worksheet,
        records: Sorted<OverdueKey, Key<OverdueKey>>,
        total: usize,
    ) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let mut s = Sheet::new(ws, rubric.precision, self.lang);
        let head: Vec<String> = [
            ("Level", "督办级别"),
            ("Days overdue", "逾期天数"),
            ("Unit", "单位"),
            ("Name", "名称"),
            ("Indicator", "指标"),
            ("Date", "检查日期"),
            ("Deadline", "整改期限"),
            ("Rectified", "整改日期"),
            ("Where", "出处"),
            ("Note", "问题描述"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(0, &head)?;
        let mut row = 1u32;
        for (k, rec) in records.enumerate() {
            let rec = &rec?;
            let days = overdue_days(rec, self.month, self.as_of).unwrap_or(0);
            if row == MAX_ROW {
                s.text(row, 0, &self.cut_note(total - k))?;
                break;
            }
            let level = if rec.rectified.is_some() {
                self.l("closed late", "已逾期整改")
            } else if days > self.settings.red {
                self.l("red", "红色督办")
            } else if days > self.settings.yellow {
                self.l("yellow", "黄色督办")
            } else if days > 0 {
                self.l("overdue", "逾期")
            } else {
                self.l("open", "未到期")
            };
            let unit = &self.view.units.list[rec.unit];
            s.text(row, 0, level)?;
            s.int(row, 1, days.max(0))?;
            s.text(row, 2, &unit.code)?;
            s.text(row, 3, unit.name.as_deref().unwrap_or_default())?;
            s.text(row, 4, &rubric.indicators[rec.indicator].code)?;
            s.text(row, 5, &rec.date.to_string())?;
            s.text(
                row,
                6,
                &rec.deadline.map(|d| d.to_string()).unwrap_or_default(),
            )?;
            s.text(
                row,
                7,
                &rec.rectified.map(|d| d.to_string()).unwrap_or_default(),
            )?;
            s.text(row, 8, &self.where_(rec))?;
            s.text(row, 9, &rec.note)?;
            row += 1;
        }
        s.finish(row - 1, 9)
    }

    /// Points lost in the month by indicator and by category, with a chart by category.
    fn stats_sheet(&self, book: &mut Workbook, by_indicator: &[u64]) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let p = rubric.precision;
        let inds = self.engine.level(Per::Month);
        let deds = self.engine.deductions(&inds, &[self.month]);
        let n_units = self.view.units.list.len();
        // Each unit's deductions with its rescale factor applied, so that they add up to the
        // month's `deducted`.
        let scaled = |u: usize, d: Decimal| match self.engine.rescale(u) {
            Some((full, app)) => d * full / app,
            None => d,
        };
        let mut lost = vec![Decimal::ZERO; inds.len()];
        let mut affected = vec![0u64; inds.len()];
        for (u, row) in deds.iter().enumerate().take(n_units) {
            for (k, d) in row.iter().enumerate() {
                if !d.is_zero() && self.engine.applicable(u, inds[k]) {
                    lost[k] += scaled(u, *d);
                    affected[k] += 1;
                }
            }
        }
        let findings: Vec<u64> = inds
            .iter()
            .map(|&i| by_indicator.get(i).copied().unwrap_or(0))
            .collect();
        let total: Decimal = lost.iter().sum();
        let share = |d: Decimal| {
            if total.is_zero() {
                Decimal::ZERO
            } else {
                d * Decimal::ONE_HUNDRED / total
            }
        };
        let name = sheet_name(&format!(
            "{} {}",
            self.l("Deductions", "扣分统计"),
            self.month
        ));
        let ws = book.add_worksheet();
        ws.set_name(&name)?;
        let mut s = Sheet::new(ws, p, self.lang);
        let head: Vec<String> = [
            ("Category", "类别"),
            ("Category name", "类别名称"),
            ("Points lost", "扣分合计"),
            ("Share %", "占比 %"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(0, &head)?;
        let mut r = 1u32;
        for (c, cat) in rubric
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.bonus)
        {
            let sum: Decimal = inds
                .iter()
                .enumerate()
                .filter(|(_, i)| rubric.indicators[**i].category == c)
                .map(|(k, _)| lost[k])
                .sum();
            s.text(r, 0, &cat.code)?;
            s.text(r, 1, &cat.name)?;
            s.number(r, 2, sum, p)?;
            s.number(r, 3, share(sum), 1)?;
            r += 1;
        }
        let cat_rows = r - 1;
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_categories((name.as_str(), 1, 1, cat_rows, 1))
            .set_values((name.as_str(), 1, 2, cat_rows, 2))
            .set_name(self.l("Points lost", "扣分合计"));
        chart.title().set_name(&format!(
            "{} {}",
            self.l("Points lost by category", "各类别扣分"),
            self.month
        ));
        chart.legend().set_hidden();
        // The indicators below the categories.
        r += 1;
        let head2: Vec<String> = [
            ("Indicator", "指标"),
            ("Indicator name", "指标名称"),
            ("Points lost", "扣分合计"),
            ("Share %", "占比 %"),
            ("Findings", "问题数"),
            ("Units affected", "涉及单位"),
            ("Category", "类别"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(r, &head2)?;
        r += 1;
        let mut order: Vec<usize> = (0..inds.len()).collect();
        order.sort_by(|a, b| lost[*b].cmp(&lost[*a]).then(a.cmp(b)));
        for k in order {
            let ind = &rubric.indicators[inds[k]];
            s.text(r, 0, &ind.code)?;
            s.text(r, 1, &ind.name)?;
            s.number(r, 2, lost[k], p)?;
            s.number(r, 3, share(lost[k]), 1)?;
            s.int(r, 4, findings[k] as i64)?;
            s.int(r, 5, affected[k] as i64)?;
            s.text(r, 6, &rubric.categories[ind.category].code)?;
            r += 1;
        }
        s.finish(cat_rows, 3)?;
        s.ws.insert_chart(1, 8, &chart)?;
        Ok(())
    }

    /// 红榜 (the best) and 黑榜 (the worst, and every vetoed unit) of the month.
    fn lists_sheet(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let t = self.view.tables[0];
        let p = self.view.rubric.precision;
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(self.l("Red and black lists", "红黑榜")))?;
        let mut s = Sheet::new(ws, p, self.lang);
        let head: Vec<String> = [
            ("List", "榜单"),
            ("Rank", "排名"),
            ("Unit", "单位"),
            ("Name", "名称"),
            ("Score", "得分"),
            ("Grade", "等级"),
            ("Vetoed", "一票否决"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(0, &head)?;
        let (red, black) = ranking::red_black(t, self.view.rubric, self.settings.top);
        let mut r = 1u32;
        for (list, rows) in [
            (self.l("red", "红榜"), red),
            (self.l("black", "黑榜"), black),
        ] {
            for row in rows {
                let unit = &self.view.units.list[row.unit];
                s.text(r, 0, list)?;
                s.int(r, 1, i64::from(row.rank))?;
                s.text(r, 2, &unit.code)?;
                s.text(r, 3, unit.name.as_deref().unwrap_or_default())?;
                s.number(r, 4, row.score, p)?;
                s.text(r, 5, row.grade.as_deref().unwrap_or_default())?;
                if row.vetoed {
                    s.text(r, 6, self.l("yes", "是"))?;
                }
                r += 1;
            }
        }
        s.finish(r - 1, 6)
    }

    /// The rubric the results were computed with, its SHA-256, and its text.
    fn rubric_sheet(&self, book: &mut Workbook, p: u32) -> Result<(), XlsxError> {
        let rubric = self.view.rubric;
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(self.l("Rubric", "考核细则")))?;
        let mut s = Sheet::new(ws, p, self.lang);
        let head: Vec<String> = [
            ("Code", "编号"),
            ("Name", "名称"),
            ("Points", "分值"),
            ("Rule", "规则"),
            ("Per", "考核周期"),
            ("How", "扣分办法"),
            ("Assessor", "牵头考核"),
        ]
        .iter()
        .map(|(en, zh)| self.l(en, zh).to_owned())
        .collect();
        s.head(0, &head)?;
        let mut r = 1u32;
        for c in &rubric.categories {
            s.text(r, 0, &c.code)?;
            s.text(r, 1, &c.name)?;
            if !c.bonus {
                s.number(r, 2, c.points, p)?;
            }
            s.text(r, 6, c.assessor.as_deref().unwrap_or_default())?;
            r += 1;
            for &i in &c.indicators {
                let ind = &rubric.indicators[i];
                s.text(r, 0, &ind.code)?;
                s.text(r, 1, &ind.name)?;
                if ind.rule.has_points() {
                    s.number(r, 2, ind.points, p)?;
                }
                s.text(r, 3, ind.rule.name())?;
                s.text(r, 4, ind.per.as_str())?;
                s.text(r, 5, &crate::i18n::describe(self.lang, &ind.rule))?;
                r += 1;
            }
        }
        let last = r - 1;
        r += 1;
        s.text(r, 0, self.l("Rubric", "细则"))?;
        s.text(r, 1, &rubric.name)?;
        s.text(r + 1, 0, "SHA-256")?;
        s.text(r + 1, 1, &rubric.sha256)?;
        s.text(r + 2, 0, self.l("Source", "来源"))?;
        s.text(r + 2, 1, &rubric.origin)?;
        s.text(r + 3, 0, self.l("As of", "截至"))?;
        s.text(r + 3, 1, &self.as_of.to_string())?;
        for (line, text) in (r + 5..).zip(rubric.text.lines()) {
            s.ws.write_string(line, 1, text)?;
        }
        s.finish(last, 6)
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
        let mut overdue: Vec<(i64, &Record)> = all
            .iter()
            .filter(|r| r.month == month || (r.month < month && open(r)))
            .filter_map(|r| Some((overdue_days(r, month, as_of)?, r)))
            .collect();
        overdue.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.date.cmp(&b.1.date)));
        let want_ledger: Vec<_> = ledger.iter().map(|r| (r.file, r.line)).collect();
        let want_overdue: Vec<_> = overdue.iter().map(|(_, r)| (r.file, r.line)).collect();
        assert!(want_ledger.len() > 50 && want_overdue.len() > 20);
        for limit in [usize::MAX, 2_000, 1] {
            let lists = Lists::gather_within(records(), &units, 2, (month, as_of), limit).unwrap();
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
