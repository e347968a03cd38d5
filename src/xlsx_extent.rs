//! What an .xlsx workbook declares before the spreadsheet library reads it: its shared strings
//! table says how many strings it holds (`<sst uniqueCount="…">`), and the library reserves
//! that many at once, so a 2 KB file declaring four billion asks for 96 GB and aborts.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::Event;

/// The most shared strings a workbook may declare: as many as the cells a sheet may hold.
pub(crate) const MAX_SHARED_STRINGS: u64 = 20_000_000;

/// The strings the shared strings table declares, when it declares more than it can hold (each
/// `<si/>` takes at least 5 bytes of its part) or more than [`MAX_SHARED_STRINGS`]; `None` when
/// it declares a possible number, or the bytes are not such a workbook.
pub(crate) fn impossible_shared_strings(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let name = zip
        .file_names()
        .flatten()
        .find(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))?
        .to_string();
    let part = zip.by_name(&name).ok()?;
    let size = part.size();
    // The start tag is at the part's start: a few KiB are enough to find it.
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part.take(64 << 10)));
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sst" => {
                let n = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")?;
                let n: u64 = n.value.trim().parse().ok()?;
                return (n > MAX_SHARED_STRINGS || n > size / 5).then_some(n);
            }
            Event::Eof => return None,
            _ => buf.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn book(sst: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        zip.start_file("xl/sharedStrings.xml", o).unwrap();
        zip.write_all(sst.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_declared_count_beyond_the_part_is_found() {
        let head = r#"<?xml version="1.0"?><sst xmlns="x" count="2" uniqueCount="#;
        let ok = book(&format!(
            r#"{head}"2"><si><t>a</t></si><si><t>b</t></si></sst>"#
        ));
        assert_eq!(impossible_shared_strings(&ok), None);
        let lie = book(&format!(r#"{head}"4000000000"><si><t>a</t></si></sst>"#));
        assert_eq!(impossible_shared_strings(&lie), Some(4_000_000_000));
        assert_eq!(impossible_shared_strings(b"not a zip"), None);
    }
}
