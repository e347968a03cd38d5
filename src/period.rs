//! Months, quarters and years (SPEC §3.2), and the date forms that offices write (SPEC §2).

use std::fmt;

use jiff::civil::Date;

use crate::i18n::{msg, ui};

/// A calendar month, counted as `year × 12 + (month − 1)` so that months order and step simply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(pub i32);

impl Month {
    pub fn new(year: i32, month: i32) -> Month {
        Month(year * 12 + (month - 1))
    }

    pub fn of(date: Date) -> Month {
        Month::new(i32::from(date.year()), i32::from(date.month()))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1..=12.
    pub fn month(self) -> i32 {
        self.0.rem_euclid(12) + 1
    }

    pub fn quarter(self) -> Quarter {
        Quarter(self.year() * 4 + (self.month() - 1) / 3)
    }

    pub fn prev(self) -> Month {
        Month(self.0 - 1)
    }

    pub fn first_day(self) -> Date {
        Date::new(self.year() as i16, self.month() as i8, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A calendar quarter, counted as `year × 4 + (q − 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(pub i32);

impl Quarter {
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// 1..=4.
    pub fn number(self) -> i32 {
        self.0.rem_euclid(4) + 1
    }

    pub fn months(self) -> [Month; 3] {
        let first = Month::new(self.year(), (self.number() - 1) * 3 + 1);
        [first, Month(first.0 + 1), Month(first.0 + 2)]
    }

    pub fn prev(self) -> Quarter {
        Quarter(self.0 - 1)
    }

    pub fn label(self) -> String {
        format!("Q{}", self.number())
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}Q{}", self.year(), self.number())
    }
}

/// A half-year (SPEC §7.4), counted as `year × 2 + (h − 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Half(pub i32);

impl Half {
    pub fn of(q: Quarter) -> Half {
        Half(q.year() * 2 + (q.number() - 1) / 2)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(2)
    }

    /// 1 or 2.
    pub fn number(self) -> i32 {
        self.0.rem_euclid(2) + 1
    }

    pub fn quarters(self) -> [Quarter; 2] {
        let first = Quarter(self.year() * 4 + (self.number() - 1) * 2);
        [first, Quarter(first.0 + 1)]
    }

    pub fn last_month(self) -> Month {
        self.quarters()[1].months()[2]
    }

    pub fn prev(self) -> Half {
        Half(self.0 - 1)
    }
}

impl fmt::Display for Half {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}H{}", self.year(), self.number())
    }
}

/// What `--period` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Quarter(Quarter),
    Half(Half),
    Year(i32),
}

impl Period {
    /// The period's last month.
    pub fn last_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(q) => q.months()[2],
            Period::Half(h) => h.last_month(),
            Period::Year(y) => Month::new(y, 12),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Quarter(q) => q.fmt(f),
            Period::Half(h) => h.fmt(f),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    /// `2026-11`, `2026/11`, `2026年11月`, `2026Q4`, `2026-Q4`, `2026H1`, `2026上半年`,
    /// `2026年下半年`, `2026`.
    fn from_str(s: &str) -> Result<Period, String> {
        let bad = || msg::bad_period(ui(), s);
        let t = s.trim().to_ascii_uppercase();
        let half = [("上半年", 1), ("下半年", 2), ("H1", 1), ("H2", 2)]
            .into_iter()
            .find_map(|(end, h)| Some((t.strip_suffix(end)?, h)));
        if let Some((y, h)) = half {
            let y = y.trim_end_matches(['-', '/', ' ', '年']);
            let y: i32 = (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse().ok())
                .flatten()
                .ok_or_else(bad)?;
            return Ok(Period::Half(Half(y * 2 + h - 1)));
        }
        let t = t.replace('年', "-").replace('月', "");
        let year = |y: &str| -> Option<i32> {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse().ok())
                .flatten()
        };
        if let Some(y) = year(&t) {
            return Ok(Period::Year(y));
        }
        if let Some((y, q)) = t.split_once('Q') {
            let y = year(y.trim_end_matches(['-', '/', ' '])).ok_or_else(bad)?;
            let q: i32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            return Ok(Period::Quarter(Quarter(y * 4 + q - 1)));
        }
        let (y, m) = t.split_once(['-', '/', '.']).ok_or_else(bad)?;
        let y = year(y).ok_or_else(bad)?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&m) {
            return Err(bad());
        }
        Ok(Period::Month(Month::new(y, m)))
    }
}

/// Reads a date as offices write it: `2026-11-03`, `2026/11/3`, `2026.11.3`, `2026年11月3日`,
/// `20261103`, with any time part after a space or `T` ignored. Impossible dates are refused.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    // The common form, 2026-11-03, without allocating.
    let b = t.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let Some(d) = build_date(&t[0..4], &t[5..7], &t[8..10])
    {
        return Ok(d);
    }
    let date_part = t.split([' ', 'T', '\u{3000}']).next().unwrap_or_default();
    let bad = || msg::bad_date(ui(), t);
    let normalized = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "{}-{}-{}",
            &date_part[0..4],
            &date_part[4..6],
            &date_part[6..8]
        )
    } else {
        date_part
            .replace(['年', '月'], "-")
            .replace('日', "")
            .replace(['/', '.'], "-")
    };
    let parts: Vec<&str> = normalized.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    build_date(y, m, d).ok_or_else(|| impossible(t, y, m, d).unwrap_or_else(bad))
}

fn numeric(s: &str, max_len: usize) -> Option<i16> {
    if s.is_empty() || s.len() > max_len {
        return None;
    }
    let mut n: i16 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i16::from(b - b'0');
    }
    Some(n)
}

fn build_date(y: &str, m: &str, d: &str) -> Option<Date> {
    if y.len() != 4 {
        return None;
    }
    let y = numeric(y, 4)?;
    let m = numeric(m, 2)?;
    let d = numeric(d, 2)?;
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// A well-formed but impossible date (`2026-02-30`) gets its own message.
fn impossible(t: &str, y: &str, m: &str, d: &str) -> Option<String> {
    let ok = y.len() == 4
        && numeric(y, 4).is_some()
        && numeric(m, 2).is_some()
        && numeric(d, 2).is_some();
    ok.then(|| msg::impossible_date(ui(), t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn half_years_are_named_as_offices_write_them() {
        let h1 = Period::Half(Half(2026 * 2));
        let h2 = Period::Half(Half(2026 * 2 + 1));
        for (s, want) in [
            ("2026H1", h1),
            ("2026h2", h2),
            ("2026-H1", h1),
            ("2026上半年", h1),
            ("2026年下半年", h2),
        ] {
            assert_eq!(s.parse::<Period>(), Ok(want), "{s}");
        }
        for bad in ["2026H3", "26H1", "H1", "2026中半年"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        assert_eq!(h2.to_string(), "2026H2");
        assert_eq!(Half(2026 * 2).prev().to_string(), "2025H2");
        assert_eq!(Half(2026 * 2 + 1).quarters()[0].to_string(), "2026Q3");
    }

    #[test]
    fn date_forms() {
        let want = date(2026, 11, 3);
        for s in [
            "2026-11-03",
            "2026/11/3",
            "2026.11.3",
            "2026年11月3日",
            "20261103",
            " 2026-11-03 14:30:00",
            "2026-11-03T08:00",
            "2026/11/3 9:05",
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn bad_dates() {
        assert_eq!(
            parse_date("2026-02-30").unwrap_err(),
            "impossible date \"2026-02-30\": no such day in the calendar"
        );
        for s in [
            "",
            "11/3/2026",
            "2026-11",
            "yesterday",
            "2026-1-2-3",
            "99999999999",
        ] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn months_and_quarters() {
        let m = Month::new(2026, 1);
        assert_eq!(m.prev().to_string(), "2025-12");
        assert_eq!(m.quarter().to_string(), "2026Q1");
        assert_eq!(Month::new(2026, 12).quarter().number(), 4);
        assert_eq!(Month::new(2026, 2).last_day(), date(2026, 2, 28));
        assert_eq!(
            Quarter(2026 * 4 + 3).months().map(|m| m.to_string()),
            ["2026-10", "2026-11", "2026-12"]
        );
    }

    #[test]
    fn periods() {
        assert_eq!("2026-11".parse(), Ok(Period::Month(Month::new(2026, 11))));
        assert_eq!("2026/1".parse(), Ok(Period::Month(Month::new(2026, 1))));
        assert_eq!("2026q4".parse::<Period>().unwrap().to_string(), "2026Q4");
        assert_eq!("2026-Q2".parse::<Period>().unwrap().to_string(), "2026Q2");
        assert_eq!("2026".parse(), Ok(Period::Year(2026)));
        assert!("2026-13".parse::<Period>().is_err());
        assert!("2026Q5".parse::<Period>().is_err());
        assert!("26-1".parse::<Period>().is_err());
    }
}
