//! A document as one self-contained HTML page: inline CSS (screen and A4 print), no script, no
//! request to anywhere. Every text from the inputs is HTML-escaped and made inert, so a unit
//! named `<script>` is text. Grades, rank changes and alerts are coloured by class; table
//! headers repeat on every printed page and each table starts a new page.

use std::io::{self, Write};

use super::inert;
use crate::doc::{self, Cell, Document, Standing};
use crate::i18n::Lang;

/// Text safe inside an element or a quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in inert(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { --up: #1a7f37; --down: #c62828; --line: #c8c8c8; --head: #ddebf7; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC',
  sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { border: 1px solid var(--line); padding: 0.25em 0.5em; text-align: left; }
th { background: var(--head); }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #888; }
.up { color: var(--up); } .down { color: var(--down); } .alert { color: var(--down); font-weight: bold; }
.g-best { background: #e6f4ea; } .g-second { background: #e3f2fd; }
.g-middle { background: #fff8e1; } .g-last { background: #fdecea; }
.provisional { color: #777; font-weight: normal; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  section + section { break-before: page; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr { break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// A self-contained page's start, up to its `<body>`: language, charset, viewport, generator,
/// the title (escaped) and the inline style.
pub(crate) fn head(w: &mut dyn Write, lang: Lang, title: &str, style: &str) -> io::Result<()> {
    let lang = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    writeln!(w, "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>")?;
    writeln!(w, "<meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        w,
        "<meta name=\"generator\" content=\"civscore {}\">",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        w,
        "<title>{}</title>\n<style>{style}</style>\n</head>\n<body>",
        escape(title)
    )
}

pub fn write(doc: &Document, w: &mut dyn Write) -> io::Result<()> {
    let title = doc
        .tables
        .first()
        .map(|t| t.title.as_str())
        .unwrap_or("civscore");
    head(w, doc.lang, title, STYLE)?;
    for t in &doc.tables {
        table(t, w)?;
    }
    writeln!(w, "</body>\n</html>")
}

fn table(t: &doc::Table, w: &mut dyn Write) -> io::Result<()> {
    let class = if t.provisional {
        " class=\"provisional\""
    } else {
        ""
    };
    writeln!(w, "<section>\n<h2{class}>{}</h2>", escape(&t.title))?;
    table_only(t, w)?;
    writeln!(w, "</section>")
}

/// A table alone: its header row (repeated on each printed page), its rows, its closing row.
pub fn table_only(t: &doc::Table, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<table>")?;
    let cols: Vec<usize> = (0..t.columns.len())
        .filter(|&k| t.columns[k].for_people())
        .collect();
    write!(w, "<thead><tr>")?;
    for &k in &cols {
        write!(w, "<th scope=\"col\">{}</th>", escape(&t.columns[k].header))?;
    }
    writeln!(w, "</tr></thead>\n<tbody>")?;
    for row in &t.rows {
        tr(row, &cols, w)?;
    }
    writeln!(w, "</tbody>")?;
    if let Some(f) = &t.footer {
        writeln!(w, "<tfoot>")?;
        tr(f, &cols, w)?;
        writeln!(w, "</tfoot>")?;
    }
    writeln!(w, "</table>")
}

fn tr(row: &[Cell], cols: &[usize], w: &mut dyn Write) -> io::Result<()> {
    write!(w, "<tr>")?;
    for &k in cols {
        let cell = &row[k];
        match class(cell) {
            Some(c) => write!(w, "<td class=\"{c}\">")?,
            None => write!(w, "<td>")?,
        }
        write!(w, "{}</td>", escape(&cell.for_people()))?;
    }
    writeln!(w, "</tr>")
}

fn class(cell: &Cell) -> Option<&'static str> {
    Some(match cell {
        Cell::RankChange(c) if *c > 0 => "n up",
        Cell::RankChange(c) if *c < 0 => "n down",
        Cell::Alert(_) => "alert",
        Cell::Grade(_, Some(Standing::Best)) => "g-best",
        Cell::Grade(_, Some(Standing::Second)) => "g-second",
        Cell::Grade(_, Some(Standing::Middle)) => "g-middle",
        Cell::Grade(_, Some(Standing::Last)) => "g-last",
        c if c.is_numeric() => "n",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Column, Table};
    use crate::i18n::W;

    #[test]
    fn text_from_the_inputs_is_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{1b}b"), "a\\u{1b}b");
    }

    #[test]
    fn a_page_holds_every_row_and_nothing_that_runs_or_fetches() {
        let doc = Document {
            tables: vec![Table {
                title: "2026-11 月度排名".into(),
                sheet: String::new(),
                provisional: true,
                columns: vec![
                    Column::new(Lang::Zh, W::Unit, "unit"),
                    Column::new(Lang::Zh, W::Grade, "grade"),
                ],
                rows: vec![
                    vec![
                        Cell::text("<script>x</script>"),
                        Cell::Grade("优秀".into(), Some(Standing::Best)),
                    ],
                    vec![
                        Cell::text("桥南社区"),
                        Cell::Grade("合格".into(), Some(Standing::Last)),
                    ],
                ],
                footer: None,
                machine_footer: None,
            }],
            precision: 2,
            bom: false,
            lang: Lang::Zh,
        };
        let mut out = Vec::new();
        write(&doc, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(
            html.contains("<td>&lt;script&gt;x&lt;/script&gt;</td><td class=\"g-best\">优秀</td>")
        );
        assert!(html.contains("<h2 class=\"provisional\">2026-11 月度排名</h2>"));
        assert!(html.contains("lang=\"zh-CN\""));
        let lower = html.to_lowercase();
        for banned in ["<script", "src=", "href=", "url(", "@import"] {
            assert!(!lower.contains(banned), "{banned}");
        }
    }
}
