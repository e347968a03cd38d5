//! Reading tabular input (records and rosters) into rows of text cells, whatever the encoding:
//! UTF-8 with or without BOM, UTF-16 with BOM, or GB18030/GBK as Excel writes it in China.

use std::io::Read;
use std::path::Path;

use encoding_rs::{GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

use crate::error::Error;

/// A forced text encoding (`--encoding`); `Auto` detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    #[default]
    Auto,
    Utf8,
    Gbk,
    Gb18030,
    Utf16le,
    Utf16be,
}

impl std::str::FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Self::Auto),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "cp936" => Ok(Self::Gbk),
            "gb18030" => Ok(Self::Gb18030),
            "utf-16le" | "utf16le" => Ok(Self::Utf16le),
            "utf-16be" | "utf16be" => Ok(Self::Utf16be),
            other => Err(format!(
                "unknown encoding \"{other}\": expected utf-8, gbk, gb18030, utf-16le or utf-16be"
            )),
        }
    }
}

/// Text decoded from bytes: BOMs are honoured and removed; bytes that are not UTF-8 are read as
/// GB18030 (a superset of GBK and GB2312).
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> String {
    let enc = match encoding {
        TextEncoding::Auto => {
            if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
                return enc
                    .decode_without_bom_handling(&bytes[bom..])
                    .0
                    .into_owned();
            }
            match std::str::from_utf8(bytes) {
                Ok(s) => return s.to_owned(),
                Err(_) => GB18030,
            }
        }
        TextEncoding::Utf8 => UTF_8,
        TextEncoding::Gbk => GBK,
        TextEncoding::Gb18030 => GB18030,
        TextEncoding::Utf16le => UTF_16LE,
        TextEncoding::Utf16be => UTF_16BE,
    };
    enc.decode_with_bom_removal(bytes).0.into_owned()
}

/// One input row: its 1-based line in the file and its cells, trimmed.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// A header and its rows, as read from one input.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// How messages name the input (its path, or `<stdin>`).
    pub name: String,
    pub header: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<Row>,
}

/// Options that shape how an input is read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: TextEncoding,
    pub sheet: Option<String>,
}

/// Reads a file (or `-` for standard input) as a table.
pub fn read_table(path: &str, opts: &ReadOptions) -> Result<Sheet, Error> {
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("<stdin>", e))?;
        buf
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err(Error::Io {
                path: path.to_owned(),
                message: "is a folder, not a file".to_owned(),
            });
        }
        std::fs::read(p).map_err(|e| Error::io(path, e))?
    };
    let name = if path == "-" { "<stdin>" } else { path };
    let lower = path.to_ascii_lowercase();
    let delimiter = if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        b'\t'
    } else {
        b','
    };
    parse_delimited(name, &decode(&bytes, opts.encoding), delimiter)
}

/// Parses delimited text into a sheet. The first non-blank row is the header.
pub fn parse_delimited(name: &str, text: &str, delimiter: u8) -> Result<Sheet, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(Error::Invalid(format!(
                    "{name}:{line}: cannot read the row: {e}"
                )));
            }
        }
        let line = record
            .position()
            .map(|p| true_line(text.as_bytes(), p))
            .unwrap_or(0);
        let cells: Vec<String> = record
            .iter()
            .map(|c| {
                c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}')
                    .to_owned()
            })
            .collect();
        let row = Row { line, cells };
        if header.is_none() {
            if !row.is_blank() {
                header = Some((line, row.cells));
            }
        } else {
            rows.push(row);
        }
    }
    let Some((header_line, header)) = header else {
        return Err(Error::Invalid(format!(
            "{name}: the file is empty: a header row is required"
        )));
    };
    Ok(Sheet {
        name: name.to_owned(),
        header,
        header_line,
        rows,
    })
}

/// The line a record really starts on: the csv reader reports the position before the blank
/// lines it skipped.
fn true_line(bytes: &[u8], p: &csv::Position) -> u64 {
    let mut line = p.line();
    let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    for &b in bytes.iter().skip(start) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// Normalizes a header cell for matching: no BOM, no surrounding spaces, lower case.
pub fn header_key(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_gbk() {
        let text = "日期,单位\n";
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&utf8_bom, TextEncoding::Auto), text);
        let (gbk, _, _) = GBK.encode(text);
        assert_eq!(decode(&gbk, TextEncoding::Auto), text);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&utf16, TextEncoding::Auto), text);
        assert_eq!(decode(&gbk, TextEncoding::Gbk), text);
    }

    #[test]
    fn sheet_lines_and_blank_rows() {
        let s =
            parse_delimited("x.csv", "\n a ,b\n1,\"two\nlines\"\n,\n\n\r\n3,4\n", b',').unwrap();
        assert_eq!(s.header, ["a", "b"]);
        assert_eq!(s.header_line, 2);
        assert_eq!(s.rows[0].line, 3);
        assert!(s.rows[1].is_blank());
        assert_eq!(s.rows[2].line, 8);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(parse_delimited("x.csv", "", b',').is_err());
        assert!(parse_delimited("x.csv", "\n\n", b',').is_err());
    }
}
