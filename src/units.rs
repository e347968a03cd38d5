//! The units being scored (SPEC §3.1): from a roster when one is given, otherwise the distinct
//! `unit` values of the records.

use std::collections::HashMap;

use crate::error::Error;
use crate::fxhash::StrMap;
use crate::i18n::{msg, ui};
use crate::input::{self, ReadOptions, Sheet};
use crate::read::RowError;
use crate::rubric::Rubric;
use crate::suggest;

#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// Indices of the indicators not applicable to this unit.
    pub not_applicable: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Units {
    pub list: Vec<Unit>,
    by_code: StrMap<usize>,
    by_name: StrMap<usize>,
    /// True when the units come from a roster (records may then name only these units).
    pub from_roster: bool,
}

impl Units {
    /// Finds a unit by code, then by name.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.by_code.get(key).or_else(|| self.by_name.get(key))
    }

    /// Without a roster, a unit seen for the first time is added.
    pub fn find_or_add(&mut self, key: &str) -> Option<usize> {
        if let Some(i) = self.find(key) {
            return Some(i);
        }
        if self.from_roster {
            return None;
        }
        Some(self.add(key))
    }

    fn add(&mut self, key: &str) -> usize {
        let i = self.list.len();
        self.list.push(Unit {
            code: key.to_owned(),
            name: None,
            group: None,
            not_applicable: Vec::new(),
        });
        self.by_code.insert(key, i);
        i
    }

    /// Whether a record may name this unit: any unit without a roster, else a roster unit.
    pub fn accepts(&self, key: &str) -> bool {
        !self.from_roster || self.find(key).is_some()
    }

    pub fn suggestion(&self, key: &str) -> Option<&str> {
        let names = self.list.iter().filter_map(|u| u.name.as_deref());
        suggest::closest(key, self.list.iter().map(|u| u.code.as_str()).chain(names))
    }

    pub fn has_groups(&self) -> bool {
        self.list.iter().any(|u| u.group.is_some())
    }

    /// Units met in the records (no roster) renumbered in code order, so that their order
    /// depends neither on the order rows were read in nor on the worker that met them first;
    /// with the new number of each old one. A roster keeps its own order (an empty map).
    pub fn in_code_order(self) -> (Units, Vec<u32>) {
        if self.from_roster {
            return (self, Vec::new());
        }
        let mut order: Vec<usize> = (0..self.list.len()).collect();
        order.sort_unstable_by(|a, b| self.list[*a].code.cmp(&self.list[*b].code));
        let mut map = vec![0u32; order.len()];
        let mut units = Units::default();
        for (new, &old) in order.iter().enumerate() {
            map[old] = new as u32;
            units.add(&self.list[old].code);
        }
        (units, map)
    }
}

const CODE: &[&str] = &["code", "编号", "单位编号"];
const NAME: &[&str] = &["name", "名称", "单位名称"];
const GROUP: &[&str] = &["group", "类别", "分组"];
const NA: &[&str] = &["not_applicable", "不适用"];

fn column(sheet: &Sheet, names: &[&str]) -> Option<usize> {
    sheet
        .header
        .iter()
        .position(|h| names.contains(&input::header_key(h).as_str()))
}

/// Loads a roster file and checks it against the rubric.
pub fn load_roster(path: &str, rubric: &Rubric, opts: &ReadOptions) -> Result<Units, Error> {
    let sheet = input::read_table(path, opts)?;
    from_sheet(&sheet, rubric)
}

pub fn from_sheet(sheet: &Sheet, rubric: &Rubric) -> Result<Units, Error> {
    let cols = Columns::find(sheet)?;
    let header = |i: usize| sheet.header.get(i).cloned().unwrap_or_default();
    let mut units = Units {
        from_roster: true,
        ..Units::default()
    };
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut name_count: HashMap<String, usize> = HashMap::new();
    for row in sheet.rows.iter().filter(|r| !r.is_blank()) {
        match roster_row(row, &cols, rubric, &first_line) {
            Ok(unit) => {
                first_line.insert(unit.code.clone(), row.line);
                if let Some(name) = &unit.name {
                    *name_count.entry(name.clone()).or_default() += 1;
                }
                units.by_code.insert(&unit.code, units.list.len());
                units.list.push(unit);
            }
            Err(faults) => errors.extend(faults.into_iter().map(|(col, message)| RowError {
                file: sheet.name.clone(),
                line: row.line,
                column: header(col),
                message,
            })),
        }
    }
    if !errors.is_empty() {
        let n = errors.len();
        return Err(Error::Rows {
            errors,
            summary: msg::roster_rows_invalid(ui(), &sheet.name, n),
        });
    }
    if units.list.is_empty() {
        return Err(Error::Invalid(msg::roster_empty(ui(), &sheet.name)));
    }
    // A name finds its unit only when it is unambiguous and not another unit's code.
    for (i, u) in units.list.iter().enumerate() {
        if let Some(n) = &u.name
            && name_count.get(n) == Some(&1)
            && units.by_code.get(n).is_none()
        {
            units.by_name.insert(n, i);
        }
    }
    Ok(units)
}

/// Where a roster's columns are.
struct Columns {
    code: usize,
    name: usize,
    group: Option<usize>,
    na: Option<usize>,
}

impl Columns {
    /// The roster's columns, or an error naming the required ones it lacks.
    fn find(sheet: &Sheet) -> Result<Columns, Error> {
        let missing: Vec<&str> = [("code", CODE), ("name", NAME)]
            .iter()
            .filter(|(_, names)| column(sheet, names).is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            let place = format!("{}:{}", sheet.name, sheet.header_line);
            let msg = crate::i18n::usage::roster_columns(
                crate::i18n::ui(),
                &place,
                &missing,
                &sheet.header,
            );
            return Err(Error::Invalid(msg));
        }
        Ok(Columns {
            code: column(sheet, CODE).unwrap_or(0),
            name: column(sheet, NAME).unwrap_or(0),
            group: column(sheet, GROUP),
            na: column(sheet, NA),
        })
    }
}

/// One roster row's unit, or what is wrong with it: (column, message) in column order.
/// `first_line` holds the line of each code already read.
fn roster_row(
    row: &input::Row,
    cols: &Columns,
    rubric: &Rubric,
    first_line: &HashMap<String, u64>,
) -> Result<Unit, Vec<(usize, String)>> {
    let cell = |i: usize| row.cells.get(i).map(String::as_str).unwrap_or("");
    let mut faults = Vec::new();
    let code = cell(cols.code);
    let name = cell(cols.name);
    if code.is_empty() {
        faults.push((cols.code, msg::empty_unit_field(ui(), false)));
    } else if let Some(first) = first_line.get(code) {
        faults.push((cols.code, msg::unit_code_repeats(ui(), code, *first)));
    }
    if name.is_empty() {
        faults.push((cols.name, msg::empty_unit_field(ui(), true)));
    }
    let mut na = Vec::new();
    if let Some(c) = cols.na {
        match not_applicable(cell(c), rubric) {
            Ok(list) => na = list,
            Err(messages) => faults.extend(messages.into_iter().map(|m| (c, m))),
        }
    }
    if !faults.is_empty() {
        return Err(faults);
    }
    na.sort_unstable();
    na.dedup();
    Ok(Unit {
        code: code.to_owned(),
        name: Some(name.to_owned()),
        group: cols
            .group
            .map(cell)
            .filter(|g| !g.is_empty())
            .map(str::to_owned),
        not_applicable: na,
    })
}

/// The indicators a roster's `not_applicable` cell lists (split on `;` `,` `、` in either
/// width), or a message for each code the rubric does not have.
fn not_applicable(text: &str, rubric: &Rubric) -> Result<Vec<usize>, Vec<String>> {
    let mut na = Vec::new();
    let mut unknown = Vec::new();
    for item in text
        .split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match rubric.indicator_index(item) {
            Some(i) => na.push(i),
            None => {
                let codes = rubric.indicators.iter().map(|i| i.code.as_str());
                let hint = msg::hint(ui(), suggest::closest(item, codes));
                unknown.push(msg::unknown_indicator(ui(), item, &hint));
            }
        }
    }
    if unknown.is_empty() {
        Ok(na)
    } else {
        Err(unknown)
    }
}
