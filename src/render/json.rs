//! The stable machine interface of SPEC §5, serialised straight from the tables (no tree of
//! values in between: a year of 3,000 units is 50,000 rows).

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

use super::View;
use crate::ranking::{self, Kind};

/// A decimal rounded to the rubric's precision, as a JSON number.
pub fn number(d: Decimal, dp: u32) -> Value {
    json!(float(d, dp))
}

/// A decimal rounded to `dp` places as the nearest `f64`, so that 97.35 prints as 97.35. A
/// mantissa below 2^53 over a power of ten up to 10^22 are both exact, and one division rounds
/// correctly; anything larger goes through the decimal text (parsing rounds correctly too).
pub fn float(d: Decimal, dp: u32) -> f64 {
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let r = ranking::round(d, dp);
    let m = r.mantissa().unsigned_abs();
    match POWERS.get(r.scale() as usize) {
        Some(p) if m < 1 << 53 => {
            let f = m as f64 / p;
            if r.is_sign_negative() { -f } else { f }
        }
        _ => r.to_string().parse().unwrap_or(0.0),
    }
}

/// A rounded decimal that serialises as a JSON number.
#[derive(Clone, Copy)]
struct Num(Decimal, u32);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(float(self.0, self.1))
    }
}

/// `{"2026-10": 99.5, …}`: parts in order, as a map.
struct Parts<'a>(&'a [String], &'a [Option<Decimal>], u32);

impl Serialize for Parts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (label, v) in self.0.iter().zip(self.1) {
            if let Some(v) = v {
                m.serialize_entry(label, &Num(*v, self.2))?;
            }
        }
        m.end()
    }
}

#[derive(Serialize)]
struct RowOut<'a> {
    rank: u32,
    group_rank: Option<u32>,
    rank_change: Option<i64>,
    unit: &'a str,
    name: Option<&'a str>,
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<Parts<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quarters: Option<Parts<'a>>,
    /// The final assessment's score, null while pending (SPEC §7.3); only at a level the
    /// rubric gives a final.
    #[serde(rename = "final", skip_serializing_if = "Option::is_none")]
    last: Option<Option<Num>>,
    score: Num,
    deducted: Num,
    #[serde(skip_serializing_if = "Option::is_none")]
    bonus: Option<Num>,
    score_change: Option<Num>,
    grade: Option<&'a str>,
    vetoed: bool,
    /// Records under appeal in the period (SPEC §7.6).
    appealed: u64,
    /// The unit it was merged into (SPEC §7.12), when the roster says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<&'a str>,
    /// Each category with points: its deduction and score (分项得分, SPEC §7.7).
    categories: Categories<'a>,
}

/// `{"A": {"deducted": d, "score": s}, …}` for the categories that have points.
struct Categories<'a>(&'a crate::rubric::Rubric, &'a [Decimal]);

impl Serialize for Categories<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0.precision;
        let mut m = s.serialize_map(None)?;
        for (k, d) in self.1.iter().enumerate() {
            let Some(points) = super::category_points(self.0, k) else {
                continue;
            };
            let mut v = serde_json::Map::new();
            v.insert("deducted".into(), number(*d, p));
            v.insert("score".into(), number(points - *d, p));
            m.serialize_entry(&self.0.categories[k].code, &v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct TableOut<'a> {
    kind: &'static str,
    period: &'a str,
    provisional: bool,
    average: Num,
    rows: Vec<RowOut<'a>>,
}

#[derive(Serialize)]
struct RubricOut<'a> {
    name: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct CountsOut {
    read: u64,
    scored: u64,
    void: u64,
    rejected: u64,
    /// Rows that are not records (totals, numbered blanks) and double entries left out:
    /// `read = scored + void + rejected + skipped`.
    skipped: u64,
}

#[derive(Serialize)]
struct Doc<'a> {
    civscore: u32,
    rubric: RubricOut<'a>,
    records: CountsOut,
    tables: Vec<TableOut<'a>>,
}

fn table_out<'a>(view: &'a View, t: &'a ranking::Table) -> TableOut<'a> {
    let p = view.rubric.precision;
    TableOut {
        kind: t.kind.as_str(),
        period: &t.period,
        provisional: t.provisional,
        average: Num(t.average, p),
        rows: t
            .rows
            .iter()
            .map(|r| {
                let parts = Some(Parts(&t.parts, &r.parts, p));
                RowOut {
                    rank: r.rank,
                    group_rank: r.group_rank,
                    rank_change: r.rank_change,
                    unit: view.code(r),
                    name: view.name(r),
                    group: view.group(r),
                    months: if t.kind == Kind::Quarter { parts } else { None },
                    last: t.has_final.then(|| r.last.map(|f| Num(f, p))),
                    quarters: if matches!(t.kind, Kind::Year | Kind::Half) {
                        Some(Parts(&t.parts, &r.parts, p))
                    } else {
                        None
                    },
                    score: Num(r.score, p),
                    deducted: Num(r.deducted, p),
                    bonus: r.bonus.map(|b| Num(b, p)),
                    score_change: r.score_change.map(|d| Num(d, p)),
                    grade: r.grade.as_deref(),
                    vetoed: r.vetoed,
                    appealed: r.appealed,
                    categories: Categories(view.rubric, &r.categories),
                    merged_into: view.merged_into(r),
                }
            })
            .collect(),
    }
}

/// The document without its tables.
fn head<'a>(view: &'a View) -> Doc<'a> {
    Doc {
        civscore: 1,
        rubric: RubricOut {
            name: &view.rubric.name,
            sha256: &view.rubric.sha256,
        },
        records: CountsOut {
            read: view.counts.read,
            scored: view.counts.scored,
            void: view.counts.void,
            rejected: view.counts.rejected,
            skipped: view.counts.skipped(),
        },
        tables: Vec::new(),
    }
}

/// serde_json's pretty layout (two spaces a level), starting at a given depth: a table
/// serialised on its own lines up with the document around it.
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// An array or object begins: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// It ends: on a line of its own unless it was empty.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// A value or key follows: after a comma unless first, on a new, indented line.
    fn next<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.next(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.next(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// One table as it sits in the document's `tables` array (two levels deep).
fn table_json(view: &View, t: &ranking::Table) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        Pretty {
            depth: 2,
            has_value: false,
        },
    );
    table_out(view, t).serialize(&mut ser)?;
    Ok(buf)
}

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    // The serialiser writes many small pieces: into a buffer of its own type, not one call
    // through `dyn Write` each.
    let mut out = io::BufWriter::with_capacity(1 << 16, w);
    let head = serde_json::to_vec_pretty(&head(view))?;
    // `…"tables": []\n}`: the tables go between the brackets.
    let open = head.len().saturating_sub(4);
    if view.tables.is_empty() || !head.ends_with(b"[]\n}") {
        out.write_all(&head)?;
        writeln!(out)?;
        return out.flush();
    }
    out.write_all(&head[..open])?;
    out.write_all(b"[")?;
    // Tables in turn on two cores: the odd ones serialised on a second thread, at most a table
    // ahead (memory stays at a table or two), while this one serialises the even ones and
    // writes every one in order.
    let tables = &view.tables;
    std::thread::scope(|scope| -> io::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(1);
        scope.spawn(move || {
            for t in tables.iter().skip(1).step_by(2) {
                if tx.send(table_json(view, t)).is_err() {
                    break;
                }
            }
        });
        for (k, t) in tables.iter().enumerate() {
            let json = if k % 2 == 0 {
                table_json(view, t)?
            } else {
                rx.recv().map_err(io::Error::other)??
            };
            out.write_all(if k == 0 { b"\n    " } else { b",\n    " })?;
            out.write_all(&json)?;
        }
        Ok(())
    })?;
    out.write_all(b"\n  ]\n}\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn through_text(d: Decimal, dp: u32) -> f64 {
        ranking::round(d, dp).to_string().parse().unwrap()
    }

    proptest! {
        /// The same `f64` as parsing the rounded decimal's text: the same JSON, bit for bit.
        #[test]
        fn floats_equal_the_parsed_text(m in any::<i64>(), scale in 0u32..=20, dp in 0u32..=6) {
            let d = Decimal::new(m, scale);
            let (a, b) = (float(d, dp), through_text(d, dp));
            prop_assert_eq!(a.to_bits(), b.to_bits(), "{} at {} places", d, dp);
        }
    }

    #[test]
    fn scores_and_zero() {
        for (text, dp, want) in [
            ("97.35", 2, 97.35),
            ("94.40", 2, 94.4),
            // Rounds to zero, printed 0.0 (rust_decimal drops the sign of a zero).
            ("-0.004", 2, 0.0),
            ("0.125", 2, 0.13),
            ("-2.5", 0, -3.0),
        ] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(float(d, dp).to_bits(), f64::to_bits(want), "{text}");
            assert_eq!(
                float(d, dp).to_bits(),
                through_text(d, dp).to_bits(),
                "{text}"
            );
        }
    }
}
