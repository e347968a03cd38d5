//! The monthly bulletin (通报) as one self-contained HTML page: inline CSS for the screen and
//! for A4 print, inline SVG charts, no script and no request to anywhere. Its words and numbers
//! come worded and computed (`cmd::report`); here they are laid out, and every text is
//! HTML-escaped (a unit named `<script>` is text).

use std::io::{self, Write};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::html::{self, escape};
use crate::doc;
use crate::i18n::Lang;

/// A bulletin: its title lines, its opening paragraph, its sections, and the closing line
/// (rubric and SHA-256).
pub struct Bulletin {
    pub lang: Lang,
    pub title: String,
    /// Shown under the title (period, as-of date).
    pub subtitle: String,
    pub provisional: bool,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
    pub footer: Vec<String>,
}

/// A part of the bulletin; `page` starts it on a new printed page.
pub struct Section {
    pub title: String,
    pub page: bool,
    pub blocks: Vec<Block>,
}

pub enum Block {
    Para(String),
    Table(doc::Table),
    /// A table's title as a smaller heading, then the table.
    Titled(doc::Table),
    Bars(Bars),
    Lines(Lines),
    /// Examples under a heading: a problem, then its notes.
    Examples(String, Vec<String>),
}

/// A horizontal bar chart: one bar a label.
pub struct Bars {
    pub title: String,
    pub labels: Vec<String>,
    pub values: Vec<Decimal>,
    pub precision: u32,
}

/// A line chart over `x` labels: each series a line (gaps where it has no value); the first
/// series drawn bold.
pub struct Lines {
    pub title: String,
    pub x: Vec<String>,
    pub series: Vec<(String, Vec<Option<Decimal>>)>,
    pub precision: u32,
}

const STYLE: &str = "
:root { --line: #c8c8c8; --head: #ddebf7; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC',
  sans-serif; margin: 2em auto; max-width: 56em; padding: 0 1em; color: #222; font-size: 11pt; }
header { text-align: center; border-bottom: 3px double #c62828; margin-bottom: 1em; }
h1 { font-size: 1.6em; color: #c62828; margin: 0.3em 0; }
h2 { font-size: 1.2em; margin-top: 1.5em; border-left: 4px solid #c62828; padding-left: 0.4em; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
p.sub { color: #555; margin: 0.2em 0 0.6em; }
p.summary { text-indent: 2em; line-height: 1.7; }
.provisional { color: #c62828; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin-bottom: 0.8em; }
th, td { border: 1px solid var(--line); padding: 0.2em 0.4em; text-align: left; }
th { background: var(--head); }
td { white-space: nowrap; } td:last-child { white-space: normal; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #888; }
.up { color: #1a7f37; } .down { color: #c62828; } .alert { color: #c62828; font-weight: bold; }
.g-best { background: #e6f4ea; } .g-second { background: #e3f2fd; }
.g-middle { background: #fff8e1; } .g-last { background: #fdecea; }
svg { display: block; margin: 0.5em auto; max-width: 100%; height: auto; }
svg text { font-family: inherit; font-size: 11px; fill: #222; }
ul.notes { margin: 0.2em 0 0.6em; }
footer { margin-top: 2em; border-top: 1px solid var(--line); color: #555; font-size: 0.85em;
  word-break: break-all; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  section.page { break-before: page; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, svg, h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// The colours of the chart's lines after the first (bold, dark) one.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

pub fn write(b: &Bulletin, w: &mut dyn Write) -> io::Result<()> {
    html::head(w, b.lang, &b.title, STYLE)?;
    let class = if b.provisional {
        " class=\"provisional\""
    } else {
        ""
    };
    writeln!(
        w,
        "<header>\n<h1>{}</h1>\n<p class=\"sub\"><span{class}>{}</span></p>\n</header>",
        escape(&b.title),
        escape(&b.subtitle)
    )?;
    for p in &b.summary {
        writeln!(w, "<p class=\"summary\">{}</p>", escape(p))?;
    }
    for s in &b.sections {
        section(s, w)?;
    }
    writeln!(w, "<footer>")?;
    for line in &b.footer {
        writeln!(w, "<p>{}</p>", escape(line))?;
    }
    writeln!(w, "</footer>\n</body>\n</html>")
}

fn section(s: &Section, w: &mut dyn Write) -> io::Result<()> {
    let class = if s.page { " class=\"page\"" } else { "" };
    writeln!(w, "<section{class}>\n<h2>{}</h2>", escape(&s.title))?;
    for b in &s.blocks {
        match b {
            Block::Para(p) => writeln!(w, "<p>{}</p>", escape(p))?,
            Block::Table(t) => html::table_only(t, w)?,
            Block::Titled(t) => {
                let class = if t.provisional {
                    " class=\"provisional\""
                } else {
                    ""
                };
                writeln!(w, "<h3{class}>{}</h3>", escape(&t.title))?;
                html::table_only(t, w)?;
            }
            Block::Bars(c) => bars(c, w)?,
            Block::Lines(c) => lines(c, w)?,
            Block::Examples(head, notes) => {
                writeln!(w, "<h3>{}</h3>\n<ul class=\"notes\">", escape(head))?;
                for n in notes {
                    writeln!(w, "<li>{}</li>", escape(n))?;
                }
                writeln!(w, "</ul>")?;
            }
        }
    }
    writeln!(w, "</section>")
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Text cut to `n` characters (a chart's label has a fixed room).
fn cut(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

/// Bars from zero to the largest value, left to right, labels on the left, values at the end.
fn bars(c: &Bars, w: &mut dyn Write) -> io::Result<()> {
    let (label_w, bar_w, row_h, top) = (170.0, 420.0, 22.0, 28.0);
    let width = label_w + bar_w + 70.0;
    let height = top + row_h * c.values.len() as f64 + 10.0;
    let max = c.values.iter().copied().map(f).fold(0.0, f64::max);
    svg_open(w, width, height, &c.title)?;
    for (k, (label, v)) in c.labels.iter().zip(&c.values).enumerate() {
        let y = top + row_h * k as f64;
        let len = if max > 0.0 {
            f(*v).max(0.0) / max * bar_w
        } else {
            0.0
        };
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{len:.1}\" height=\"{}\" fill=\"#c62828\"/>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            escape(&cut(label, 14)),
            y + 3.0,
            row_h - 6.0,
            label_w + len + 4.0,
            y + 15.0,
            doc::fixed(*v, c.precision)
        )?;
    }
    writeln!(
        w,
        "<line x1=\"{label_w}\" y1=\"{}\" x2=\"{label_w}\" y2=\"{}\" stroke=\"#888\"/>\n</svg>",
        top - 2.0,
        height - 8.0
    )
}

/// Lines over the months, the value axis from a round number under the lowest value to 100
/// (or the highest), with a legend under the plot.
fn lines(c: &Lines, w: &mut dyn Write) -> io::Result<()> {
    let values = c.series.iter().flat_map(|(_, v)| v.iter().flatten());
    let (lo, hi) = values
        .map(|d| f(*d))
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi || c.x.is_empty() {
        return Ok(());
    }
    let hi = hi.max(100.0).ceil();
    let lo = ((lo - 1.0) / 5.0).floor() * 5.0;
    let lo = if lo >= hi { hi - 5.0 } else { lo };
    let (left, top, plot_w, plot_h) = (50.0, 30.0, 560.0, 220.0);
    let legend_rows = c.series.len().div_ceil(4) as f64;
    let width = left + plot_w + 20.0;
    let height = top + plot_h + 30.0 + 18.0 * legend_rows;
    let step = match c.x.len() {
        1 => 0.0,
        n => plot_w / (n - 1) as f64,
    };
    let x_at = |k: usize| {
        left + match c.x.len() {
            1 => plot_w / 2.0,
            _ => step * k as f64,
        }
    };
    let y_at = |v: f64| top + plot_h - (v - lo) / (hi - lo) * plot_h;
    svg_open(w, width, height, &c.title)?;
    // Grid lines every 5 points, or every 10 over a wide range.
    let grid = if hi - lo > 40.0 { 10.0 } else { 5.0 };
    let mut g = lo;
    while g <= hi + 0.01 {
        let y = y_at(g);
        writeln!(
            w,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#e0e0e0\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{g}</text>",
            left + plot_w,
            left - 4.0,
            y + 4.0
        )?;
        g += grid;
    }
    for (k, label) in c.x.iter().enumerate() {
        writeln!(
            w,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x_at(k),
            top + plot_h + 16.0,
            escape(&cut(label, 8))
        )?;
    }
    for (s, (name, values)) in c.series.iter().enumerate() {
        let (color, width_px) = match s {
            0 => ("#222", 3.0),
            s => (PALETTE[(s - 1) % PALETTE.len()], 1.3),
        };
        // Runs of months with a value, each one polyline.
        let mut run: Vec<String> = Vec::new();
        let mut runs = Vec::new();
        for (k, v) in values.iter().enumerate() {
            match v {
                Some(v) => run.push(format!("{:.1},{:.1}", x_at(k), y_at(f(*v)))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for r in runs {
            let points = r.join(" ");
            if r.len() == 1 {
                let (x, y) = r[0].split_once(',').unwrap_or(("0", "0"));
                writeln!(
                    w,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{color}\"/>"
                )?;
            } else {
                writeln!(
                    w,
                    "<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width_px}\"/>"
                )?;
            }
        }
        let (lx, ly) = (
            left + (s % 4) as f64 * 140.0,
            top + plot_h + 36.0 + 18.0 * (s / 4) as f64,
        );
        writeln!(
            w,
            "<rect x=\"{lx}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{color}\"/><text x=\"{}\" y=\"{ly}\">{}</text>",
            ly - 6.0,
            lx + 18.0,
            escape(&cut(name, 10))
        )?;
    }
    if let Some((name, values)) = c.series.first() {
        // The first series' values under its points.
        for (k, v) in values.iter().enumerate() {
            if let Some(v) = v {
                writeln!(
                    w,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                    x_at(k),
                    y_at(f(*v)) - 7.0,
                    doc::fixed(*v, c.precision)
                )?;
            }
        }
        let _ = name;
    }
    writeln!(w, "</svg>")
}

/// A chart's `<svg>` start, with its title as the accessible name and centred above it.
fn svg_open(w: &mut dyn Write, width: f64, height: f64, title: &str) -> io::Result<()> {
    writeln!(
        w,
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    )?;
    writeln!(
        w,
        "<title>{0}</title><text x=\"{1}\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">{0}</text>",
        escape(title),
        width / 2.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_labels_and_fetch_nothing() {
        let b = Bulletin {
            lang: Lang::Zh,
            title: "通报".into(),
            subtitle: "2026-11".into(),
            provisional: true,
            summary: vec!["<script>x</script>".into()],
            sections: vec![Section {
                title: "图".into(),
                page: true,
                blocks: vec![
                    Block::Bars(Bars {
                        title: "扣分".into(),
                        labels: vec!["<b>".into(), "b".into()],
                        values: vec![Decimal::new(25, 1), Decimal::ZERO],
                        precision: 2,
                    }),
                    Block::Lines(Lines {
                        title: "走势".into(),
                        x: vec!["10".into(), "11".into()],
                        series: vec![(
                            "<i>".into(),
                            vec![Some(Decimal::new(95, 0)), Some(Decimal::new(97, 0))],
                        )],
                        precision: 2,
                    }),
                ],
            }],
            footer: vec!["SHA-256 abc".into()],
        };
        let mut out = Vec::new();
        write(&b, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains(">&lt;b&gt;</text>"));
        assert!(html.contains(">&lt;i&gt;</text>"));
        // 2.5 of the largest 2.5: the whole bar, 420 wide.
        assert!(html.contains("width=\"420.0\""));
        assert!(html.contains(">2.50</text>"));
        let lower = html.to_lowercase();
        for banned in ["<script", "src=", "href=", "url(", "@import", "<b>", "<i>"] {
            assert!(!lower.contains(banned), "{banned}");
        }
    }
}
