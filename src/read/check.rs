//! Checking one row (SPEC §2): every field against the rubric, every problem named.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::i18n::msg::{self, Empty};
use crate::i18n::ui;
use crate::input::{self, Row};
use crate::period::{Month, parse_date};
use crate::rubric::{Deduct, Rubric, Rule, parse_decimal};
use crate::suggest;
use crate::units::Units;

use super::columns::{Col, Columns, is_header_again};
use super::quick::small_whole;
use super::record::{RowError, Status};

/// The largest count accepted: larger numbers are almost surely typing accidents.
pub(super) const MAX_COUNT: u64 = 1_000_000;

/// What is wrong with a row but its id, which depends on the rows before it: the header
/// again, its fields ([`check`]) and its unit (empty, not in the roster, or dated outside its
/// span in the roster). Every reader
/// rejects a row for these reasons, in this order. `Err`: the row repeats the header, the one
/// reason given for it.
type Problems = Result<(Option<Checked>, Vec<RowError>), Vec<RowError>>;

pub(super) fn problems(
    rubric: &Rubric,
    l: &Columns,
    head: &input::Head,
    row: &Row,
    units: &Units,
) -> Problems {
    let mut errs = Vec::new();
    let mut fail = |col: Col, message: String| {
        errs.push(RowError {
            file: head.name.clone(),
            line: row.line,
            column: l.name(col),
            message,
        });
    };
    if is_header_again(&head.header, row) {
        // Two exports pasted together: one clear reason, not one per column.
        return Err(vec![RowError {
            file: head.name.clone(),
            line: row.line,
            column: head.header.first().cloned().unwrap_or_default(),
            message: msg::header_again(ui()),
        }]);
    }
    let cell = |col: Col| l.cell(row, col);
    let checked = check(rubric, &cell, &mut fail);
    let unit_s = cell(Col::Unit);
    if unit_s.is_empty() {
        fail(Col::Unit, msg::empty(ui(), Empty::Unit));
    } else if !units.accepts(unit_s) {
        let hint = msg::hint(ui(), units.suggestion(unit_s));
        fail(Col::Unit, msg::unit_not_in_roster(ui(), unit_s, &hint));
    } else if let Some(c) = &checked
        && let Some(why) = units
            .find(unit_s)
            .and_then(|u| units.list[u].outside(c.month))
    {
        // SPEC §7.12: a record dated outside its unit's span is an invalid row.
        fail(Col::Unit, why);
    }
    Ok((checked, errs))
}

/// A row's fields checked against the rubric (all but the unit and the id, which depend on the
/// roster and on the other rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Checked {
    pub date: Date,
    pub month: Month,
    pub indicator: usize,
    pub count: u64,
    pub value: Option<Decimal>,
    /// The severity's index in the indicator's deduction map (0 for a flat deduction).
    pub severity: usize,
    /// The source's index among the rubric's sources; their number for an empty or undeclared
    /// source.
    pub source: usize,
    pub weight: Decimal,
    pub deadline: Option<Date>,
    pub rectified: Option<Date>,
    pub status: Status,
}

/// Where a cell's problem is told: its column and what is wrong.
type Fail<'f> = dyn FnMut(Col, String) + 'f;

/// Checks every field of a row but the unit and the id, calling `fail` for each problem, field
/// by field in column order.
pub(super) fn check<'c>(
    rubric: &Rubric,
    cell: &dyn Fn(Col) -> &'c str,
    fail: &mut Fail,
) -> Option<Checked> {
    let mut ok = true;
    let mut fail = |col: Col, message: String| {
        ok = false;
        fail(col, message);
    };
    // Numbers, dates, codes and signs as their NFKC forms (SPEC §2.1): `１２` is 12,
    // `２２．５％` is 22.5%, `Ｄ5` is D5.
    let date = date(&nfkc(cell(Col::Date)), &mut fail);
    let indicator = indicator(rubric, cell(Col::Indicator), &mut fail);
    let count = count(&nfkc(cell(Col::Count)), &mut fail);
    let value = value(rubric, indicator, count, &nfkc(cell(Col::Value)), &mut fail);
    let severity = severity(rubric, indicator, cell(Col::Severity), &mut fail);
    let (source, weight) = source(rubric, cell(Col::Source), &mut fail);
    let deadline = optional_date(&nfkc(cell(Col::Deadline)), Col::Deadline, &mut fail);
    let rectified_s = nfkc(cell(Col::Rectified));
    let rectified = optional_date(&rectified_s, Col::Rectified, &mut fail);
    let status = status(cell(Col::Status), rectified_s.is_empty(), &mut fail);
    let (Some(date), Some(indicator), Some(count), Some(severity), Some(status)) =
        (date, indicator, count, severity, status)
    else {
        return None;
    };
    ok.then_some(Checked {
        date,
        month: Month::of(date),
        indicator,
        count,
        value,
        severity,
        source,
        weight,
        deadline,
        rectified,
        status,
    })
}

/// The date of the inspection: required.
fn date(s: &str, fail: &mut Fail) -> Option<Date> {
    if s.is_empty() {
        fail(Col::Date, msg::empty(ui(), Empty::Date));
        None
    } else {
        parse_date(s).map_err(|e| fail(Col::Date, e)).ok()
    }
}

/// A cell as its NFKC form (full-width digits, letters and signs as ASCII); most cells are
/// ASCII already, and are not copied.
pub(super) fn nfkc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        std::borrow::Cow::Borrowed(s)
    } else {
        let t: String = s.nfkc().collect();
        std::borrow::Cow::Owned(input::trim_cell(&t).to_owned())
    }
}

/// A deadline or a rectification date: optional.
fn optional_date(s: &str, col: Col, fail: &mut Fail) -> Option<Date> {
    if s.is_empty() {
        return None;
    }
    parse_date(s).map_err(|e| fail(col, e)).ok()
}

/// The indicator: required, one of the rubric's codes.
fn indicator(rubric: &Rubric, s: &str, fail: &mut Fail) -> Option<usize> {
    if s.is_empty() {
        fail(Col::Indicator, msg::empty(ui(), Empty::Indicator));
        return None;
    }
    let i = rubric.find_indicator(s);
    if i.is_none() {
        fail(Col::Indicator, unknown_indicator(rubric, s));
    }
    i
}

/// The number of findings: 1 when empty, else a whole number up to [`MAX_COUNT`].
fn count(s: &str, fail: &mut Fail) -> Option<u64> {
    if s.is_empty() {
        return Some(1);
    }
    if let Some(n) = small_whole(s.as_bytes()) {
        return Some(n);
    }
    match parse_decimal(s) {
        Some(d) if d.fract().is_zero() && d >= Decimal::ZERO && d <= Decimal::from(MAX_COUNT) => {
            u64::try_from(d.trunc().mantissa()).ok()
        }
        Some(d) if d.fract().is_zero() && d > Decimal::from(MAX_COUNT) => {
            fail(Col::Count, msg::count_too_large(ui(), s, MAX_COUNT));
            None
        }
        _ => {
            fail(Col::Count, msg::bad_count(ui(), s));
            None
        }
    }
}

/// The measured value: required by an indicator that measures, unless nothing was found
/// (a count of 0 is no measurement); a trailing `%` is left out.
fn value(
    rubric: &Rubric,
    indicator: Option<usize>,
    count: Option<u64>,
    s: &str,
    fail: &mut Fail,
) -> Option<Decimal> {
    let needs_value =
        count != Some(0) && indicator.is_some_and(|i| rubric.indicators[i].rule.needs_value());
    if s.is_empty() {
        if needs_value {
            let code = indicator
                .map(|i| rubric.indicators[i].code.as_str())
                .unwrap_or("");
            fail(Col::Value, msg::value_missing(ui(), code));
        }
        return None;
    }
    let percent = s.strip_suffix('%');
    let v = parse_decimal(percent.unwrap_or(s).trim());
    if v.is_none() && needs_value {
        fail(Col::Value, msg::bad_value(ui(), s));
    }
    // A rate over 100 %: what a cell shows when 18.5 was typed and the column then formatted as
    // a percentage (1850.0 %). Read as shown it would pass any line; no rate exceeds 100 %.
    if needs_value && percent.is_some() && v.is_some_and(|v| v > Decimal::ONE_HUNDRED) {
        fail(Col::Value, msg::percent_over_100(ui(), s));
    }
    v
}

/// The severity's index in the indicator's deduction map: required by an indicator that
/// deducts by severity, 0 for any other.
fn severity(rubric: &Rubric, indicator: Option<usize>, s: &str, fail: &mut Fail) -> Option<usize> {
    let Some(Rule::PerFinding {
        deduct: Deduct::BySeverity(map),
        ..
    }) = indicator.map(|i| &rubric.indicators[i].rule)
    else {
        return Some(0);
    };
    let keys = map.iter().map(|(k, _)| k.as_str());
    if s.is_empty() {
        let code = indicator
            .map(|i| rubric.indicators[i].code.as_str())
            .unwrap_or("");
        fail(
            Col::Severity,
            msg::severity_missing(ui(), code, &keys.collect::<Vec<_>>()),
        );
        return None;
    }
    if let Some(k) = map.iter().position(|(k, _)| k == s) {
        return Some(k);
    }
    let hint = msg::hint(ui(), suggest::closest(s, keys.clone()));
    fail(
        Col::Severity,
        msg::unknown_severity(ui(), s, &hint, &keys.collect::<Vec<_>>()),
    );
    None
}

/// The source's index among the rubric's sources and its weight; for an empty source, or
/// when the rubric declares none, their number and a weight of 1.
fn source(rubric: &Rubric, s: &str, fail: &mut Fail) -> (usize, Decimal) {
    let declared = rubric.sources.as_ref().map_or(0, Vec::len);
    let none = (declared, Decimal::ONE);
    let Some(list) = rubric.sources.as_ref().filter(|_| !s.is_empty()) else {
        return none;
    };
    if let Some(k) = list.iter().position(|(k, _)| k == s) {
        return (k, list[k].1);
    }
    let keys: Vec<&str> = list.iter().map(|(k, _)| k.as_str()).collect();
    let hint = msg::hint(ui(), suggest::closest(s, keys.iter().copied()));
    fail(Col::Source, msg::unknown_source(ui(), s, &hint, &keys));
    none
}

/// The status: one of those civscore knows (empty is valid); 已整改 needs the date it was
/// rectified.
fn status(s: &str, no_rectified: bool, fail: &mut Fail) -> Option<Status> {
    let status = Status::parse(s);
    if status.is_none() {
        fail(Col::Status, msg::unknown_status(ui(), s));
    } else if Status::says_rectified(s) && no_rectified {
        // 已整改 without the date it was rectified: lateness cannot be judged.
        fail(Col::Status, msg::rectified_without_date(ui(), s));
    }
    status
}

/// `unknown indicator "X"` with the best suggestion: a near-miss code, the code of an indicator
/// whose name was written, or a note that a category code is not an indicator.
fn unknown_indicator(rubric: &Rubric, s: &str) -> String {
    // Compared as NFKC, without spaces: `Ｄ5` is near D5, ` 占道 经营` is 占道经营.
    let key: String = nfkc(s).chars().filter(|c| !c.is_whitespace()).collect();
    let named = |i: &&crate::rubric::Indicator| nfkc(&i.name) == key.as_str();
    if let Some(ind) = rubric.indicators.iter().find(named) {
        return msg::indicator_by_name(ui(), s, &ind.code);
    }
    // Part of one indicator's name (占道经营 for 占道经营、店外经营).
    let mut part = rubric
        .indicators
        .iter()
        .filter(|i| key.chars().count() >= 2 && nfkc(&i.name).contains(key.as_str()));
    if let (Some(ind), None) = (part.next(), part.next()) {
        return msg::indicator_by_name(ui(), s, &ind.code);
    }
    if rubric.category_codes().any(|c| c == s || c == key) {
        return msg::indicator_is_category(ui(), s);
    }
    let written = s;
    let s = key.as_str();
    let by_code = suggest::closest(s, rubric.indicators.iter().map(|i| i.code.as_str()));
    let by_name = || {
        suggest::closest(s, rubric.indicators.iter().map(|i| i.name.as_str()))
            .and_then(|n| rubric.indicators.iter().find(|i| i.name == n))
            .map(|i| i.code.as_str())
    };
    msg::unknown_indicator(ui(), written, &msg::hint(ui(), by_code.or_else(by_name)))
}
