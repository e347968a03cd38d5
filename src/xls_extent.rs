//! The size of the sheets of an .xls workbook, read from its bytes before the spreadsheet
//! library parses it: that library builds every sheet whole when it opens a workbook, reserving
//! room for the range a sheet declares and for the box its cells span, so a damaged or hostile
//! workbook declaring billions of cells would abort the process on the allocation. This reads
//! just enough of the compound file (its sector tables and directory) to find the workbook
//! stream, then walks its records the way the library does.

/// A compound file's signature.
const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector numbers from here on mark free sectors and the ends of chains.
const RESERVED: u32 = 0xFFFF_FFFA;

/// The cells of the largest sheet (its declared range or the box its cells span, whichever is
/// larger); `None` when the bytes are not a compound file with a workbook stream (the library
/// then reports what is wrong).
pub(crate) fn largest_sheet(bytes: &[u8]) -> Option<u64> {
    let stream = workbook_stream(bytes)?;
    let sheets: Vec<usize> = records(&stream)
        .filter(|(t, _)| *t == 0x0085)
        .filter_map(|(_, d)| u32_at(d, 0).map(|p| p as usize))
        .collect();
    Some(
        sheets
            .into_iter()
            .filter_map(|pos| stream.get(pos..))
            .map(sheet_cells)
            .max()
            .unwrap_or(0),
    )
}

fn u16_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(i..i + 2)?.try_into().ok()?,
    )))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// The sectors of a chain, joined: at most `limit` of them (a chain that loops stops there).
fn chain<'b>(
    start: u32,
    table: &[u32],
    limit: usize,
    unit: impl Fn(u32) -> Option<&'b [u8]>,
) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut id = start;
    for _ in 0..limit {
        if id >= RESERVED {
            return Some(out);
        }
        out.extend_from_slice(unit(id)?);
        id = *table.get(id as usize)?;
    }
    None
}

/// A compound file's sector size and count, its sector table, and whether its chain of sector
/// table sectors (DIFAT) ends within the file.
struct Compound<'b> {
    b: &'b [u8],
    size: usize,
    sectors: usize,
    fat: Vec<u32>,
    difat_ends: bool,
}

impl<'b> Compound<'b> {
    fn open(b: &'b [u8]) -> Option<Compound<'b>> {
        if !b.starts_with(&MAGIC) {
            return None;
        }
        let shift = u16_at(b, 0x1E)?;
        if !(7..=16).contains(&shift) {
            return None;
        }
        let size = 1usize << shift;
        let mut c = Compound {
            b,
            size,
            sectors: b.len() / size + 1,
            fat: Vec::new(),
            difat_ends: false,
        };
        let mut difat: Vec<u32> = words(b.get(0x4C..0x200)?).collect();
        let mut next = u32_at(b, 0x44)?;
        for _ in 0..=c.sectors {
            if next >= RESERVED {
                break;
            }
            difat.extend(words(c.sector(next)?));
            next = difat.pop()?;
        }
        c.difat_ends = next >= RESERVED;
        c.fat = difat
            .iter()
            .filter(|id| **id < RESERVED)
            .filter_map(|&id| c.sector(id))
            .flat_map(words)
            .collect();
        Some(c)
    }

    fn sector(&self, id: u32) -> Option<&'b [u8]> {
        let at = (id as usize + 1).checked_mul(self.size)?;
        self.b.get(at..at.checked_add(self.size)?)
    }
}

/// Whether a compound file has a sector chain that loops: the directory's, the mini stream's,
/// the mini sector table's, or a stream's. The spreadsheet library follows a chain until it
/// ends or reaches the length the file declares (the directory's has none): a loop grows memory
/// without bound (a 7 KB .xls took 24 GB). `false` for what is not a compound file, or a chain
/// that leaves the file (the library reports that itself).
pub(crate) fn has_looping_chain(b: &[u8]) -> bool {
    looping(b).unwrap_or(false)
}

fn looping(b: &[u8]) -> Option<bool> {
    let c = Compound::open(b)?;
    let (fat, sectors) = (c.fat.as_slice(), c.sectors);
    let sector = |id: u32| c.sector(id);
    // Whether a chain ends within `limit` links (None: it leaves the table).
    let ends = |start: u32, table: &[u32], limit: usize| -> Option<bool> {
        let mut id = start;
        for _ in 0..=limit {
            if id >= RESERVED {
                return Some(true);
            }
            id = *table.get(id as usize)?;
        }
        Some(false)
    };
    if !c.difat_ends {
        return Some(true);
    }
    let dir_start = u32_at(b, 0x30)?;
    if !ends(dir_start, fat, sectors)? {
        return Some(true);
    }
    let minifat_start = u32_at(b, 0x3C)?;
    if !ends(minifat_start, fat, sectors).unwrap_or(true) {
        return Some(true);
    }
    let dirs = chain(dir_start, fat, sectors, sector)?;
    let minifat: Vec<u32> = chain(minifat_start, fat, sectors, sector)
        .map(|m| words(&m).collect())
        .unwrap_or_default();
    for (k, e) in dirs.chunks_exact(128).enumerate() {
        // Streams (2) and the root (5, whose chain is the mini stream's).
        if !matches!(e[0x42], 2 | 5) {
            continue;
        }
        let (start, len) = (u32_at(e, 0x74)?, u32_at(e, 0x78)? as usize);
        let in_fat = k == 0 || len >= 4096;
        let table = if in_fat { fat } else { &minifat[..] };
        let limit = if in_fat { sectors } else { minifat.len() };
        if !ends(start, table, limit).unwrap_or(true) {
            return Some(true);
        }
    }
    Some(false)
}

/// The `Workbook` (or `Book`) stream of a compound file.
fn workbook_stream(b: &[u8]) -> Option<Vec<u8>> {
    let c = Compound::open(b)?;
    let (fat, sectors) = (c.fat.as_slice(), c.sectors);
    let sector = |id: u32| c.sector(id);
    let dirs = chain(u32_at(b, 0x30)?, fat, sectors, sector)?;
    let entries: Vec<&[u8]> = dirs.chunks_exact(128).collect();
    let named = |want: &str| {
        entries.iter().find(|e| {
            let n = (u16_at(e, 0x40).unwrap_or(0) as usize).min(64);
            let units: Vec<u16> = e[..n]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|u| *u != 0)
                .collect();
            String::from_utf16_lossy(&units).eq_ignore_ascii_case(want)
        })
    };
    let entry = named("Workbook").or_else(|| named("Book"))?;
    let (start, len) = (u32_at(entry, 0x74)?, u32_at(entry, 0x78)? as usize);
    let mut stream = if len < 4096 {
        let root = entries.first()?;
        let mini = chain(u32_at(root, 0x74)?, fat, sectors, sector)?;
        let minifat: Vec<u32> = words(&chain(u32_at(b, 0x3C)?, fat, sectors, sector)?).collect();
        let unit = |id: u32| mini.get(id as usize * 64..id as usize * 64 + 64);
        chain(start, &minifat, mini.len() / 64 + 1, unit)?
    } else {
        chain(start, fat, sectors, sector)?
    };
    stream.truncate(len);
    Some(stream)
}

/// The records of a BIFF stream from its start: (type, data), until one runs past the end.
fn records(s: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let t = u16_at(rest, 0)?;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((t, data))
    })
}

/// The cells of one sheet's substream, as the library will reserve and build them: its declared
/// range (DIMENSIONS) or the box its cell records span, whichever is larger.
fn sheet_cells(s: &[u8]) -> u64 {
    let (mut declared, mut depth, mut seen_bof) = (0u64, 0usize, false);
    let mut rows = (u32::MAX, 0u32);
    let mut cols = (u32::MAX, 0u32);
    let mut cell = |r: u32, c: u32| {
        rows = (rows.0.min(r), rows.1.max(r));
        cols = (cols.0.min(c), cols.1.max(c));
    };
    for (t, d) in records(s) {
        if depth > 0 {
            match t {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match t {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => declared = declared.max(dimensions(d)),
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    cell(r, c);
                }
            }
            0x00BD if d.len() >= 6 => {
                if let (Some(r), Some(c), Some(last)) =
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, d.len() - 2))
                {
                    cell(r, c);
                    cell(r, last);
                }
            }
            _ => {}
        }
    }
    let span = |(lo, hi): (u32, u32)| u64::from(hi.saturating_sub(lo)) + 1;
    let used = if rows.0 == u32::MAX {
        0
    } else {
        span(rows) * span(cols)
    };
    declared.max(used)
}

/// The cells a DIMENSIONS record declares, read as the library reads it.
fn dimensions(d: &[u8]) -> u64 {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = (rf, rl, cf, cl) else {
        return 0;
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return 0;
    }
    // The library computes (last − first + 1) in 32 bits: a first row past the last wraps.
    let rows = (rl - 1).wrapping_sub(rf).wrapping_add(1);
    let cols = (cl - 1).wrapping_sub(cf).wrapping_add(1);
    u64::from(rows) * u64::from(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &[u8] = include_bytes!("../fuzz/seeds/spreadsheet/hand.xls");

    #[test]
    fn a_sector_chain_that_loops_is_found() {
        // Found by the spreadsheet fuzz target in CI: its directory chain loops, and the library
        // grew memory following it (24 GB in 50 s before the kernel killed the process).
        let looping = include_bytes!("../tests/data/looping_chain.xls");
        assert!(has_looping_chain(looping));
        let hand = include_bytes!("../fuzz/seeds/spreadsheet/hand.xls");
        assert!(!has_looping_chain(hand));
        assert!(!has_looping_chain(b"date,unit\n"));
    }

    #[test]
    fn a_small_workbook_is_measured() {
        let n = largest_sheet(HAND).unwrap();
        // 12 rows × 12 columns of the hand fixture.
        assert!((100..=200).contains(&n), "{n}");
        assert_eq!(largest_sheet(b"not a workbook"), None);
    }

    #[test]
    fn a_declared_range_of_billions_is_seen() {
        // The DIMENSIONS record of the sheet, its last row set to 2³¹.
        let mut b = HAND.to_vec();
        let at = b
            .windows(4)
            .position(|w| w == [0x00, 0x02, 14, 0])
            .expect("a DIMENSIONS record");
        b[at + 8..at + 12].copy_from_slice(&(1u32 << 31).to_le_bytes());
        assert!(largest_sheet(&b).unwrap() > 1 << 31);
    }
}

/// Cells of a sheet, as (row, column) from 0.
pub(crate) type Cells = Vec<(u32, u32)>;

/// The cells of each sheet of an .xls workbook (in the order the workbook lists its sheets, as
/// the spreadsheet library names them) whose number is shown as a percentage: its cell format
/// (XF) has a number format with `%` (or the built-in 9 `0%` or 10 `0.00%`). The library gives
/// the stored fraction (0.225 for 22.5 %); these cells are read as shown instead. Sorted, as
/// (row, column). `None` when the bytes are no compound file with a workbook stream (nothing to
/// say), or `Some(Err(()))` for a workbook older than Excel 95 (BIFF5) whose number formats
/// have `%`: its records are not read here, so such a workbook is refused.
pub(crate) fn percent_cells(bytes: &[u8]) -> Option<Result<Vec<Cells>, ()>> {
    workbook_stream(bytes).map(|s| percent_cells_of(&s))
}

/// [`percent_cells`] of a workbook stream: its globals (formats, then cell formats in their
/// order, then the sheets), then each sheet's cells that name a percent format (NUMBER, RK,
/// MULRK, FORMULA).
fn percent_cells_of(s: &[u8]) -> Result<Vec<Cells>, ()> {
    let mut formats: Vec<u32> = vec![9, 10];
    let mut xfs: Vec<bool> = Vec::new();
    let mut sheets: Vec<usize> = Vec::new();
    let mut version = None;
    for (t, d) in records(s) {
        match t {
            0x0809 if version.is_none() => version = u16_at(d, 0),
            0x041E | 0x001E => {
                if let Some((id, code)) = format_record(d, version) {
                    if code.is_none() {
                        return Err(());
                    }
                    if code.is_some_and(|c| crate::input::shows_percent(&c)) {
                        formats.push(id);
                    }
                }
            }
            0x00E0 => xfs.push(u16_at(d, 2).is_some_and(|f| formats.contains(&f))),
            0x0085 => sheets.push(u32_at(d, 0).map_or(usize::MAX, |p| p as usize)),
            0x000A => break,
            _ => {}
        }
    }
    if !xfs.contains(&true) {
        return Ok(vec![Vec::new(); sheets.len()]);
    }
    let percent = |x: Option<u32>| x.is_some_and(|x| xfs.get(x as usize).copied().unwrap_or(false));
    let mut out = Vec::with_capacity(sheets.len());
    for pos in sheets {
        let mut cells = Vec::new();
        let (mut depth, mut seen_bof) = (0usize, false);
        for (t, d) in records(s.get(pos..).unwrap_or_default()) {
            if depth > 0 {
                match t {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let at = |d: &[u8]| Some((u16_at(d, 0)?, u16_at(d, 2)?));
            match t {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0203 | 0x027E | 0x0006 if percent(u16_at(d, 4)) => cells.extend(at(d)),
                0x00BD if d.len() >= 6 => {
                    if let Some((row, first)) = at(d) {
                        let each = d[4..d.len() - 2].chunks_exact(6);
                        for (k, c) in each.enumerate() {
                            if percent(u16_at(c, 0)) {
                                cells.push((row, first + k as u32));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        cells.sort_unstable();
        cells.dedup();
        out.push(cells);
    }
    Ok(out)
}

/// A FORMAT record's id and code: `Some((id, None))` when its layout is not known here (before
/// BIFF5), with `%` among its bytes.
fn format_record(d: &[u8], version: Option<u32>) -> Option<(u32, Option<String>)> {
    let id = u16_at(d, 0)?;
    let code = match version {
        // BIFF8: a count of characters, a flags byte (bit 0: two bytes each), the characters.
        Some(0x0600) => {
            let n = u16_at(d, 2)? as usize;
            let wide = d.get(4)? & 1 == 1;
            let chars = d.get(5..)?;
            match wide {
                true => {
                    let units: Vec<u16> = chars
                        .chunks_exact(2)
                        .take(n)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16_lossy(&units)
                }
                false => chars.iter().take(n).map(|&b| char::from(b)).collect(),
            }
        }
        // BIFF5 and 7: a byte count, then bytes in the workbook's code page (the signs of a
        // format are ASCII in each).
        Some(0x0500) => {
            let n = *d.get(2)? as usize;
            d.get(3..)?.iter().take(n).map(|&b| char::from(b)).collect()
        }
        _ => return d.contains(&b'%').then_some((id, None)),
    };
    Some((id, Some(code)))
}

#[cfg(test)]
mod percent_tests {
    use super::percent_cells_of;

    fn record(t: u16, data: &[u8]) -> Vec<u8> {
        let mut r = t.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    /// A BIFF8 stream: a custom format 164 of `code`, three XFs (General, 164, built-in 10), one
    /// sheet, and in it one cell of `kind` at B1 (for MULRK: B1 and C1, C1 General) using XF `xf`.
    fn stream(code: &[u8], kind: u16, xf: u16) -> Vec<u8> {
        let mut s = record(0x0809, &[0, 6, 5, 0]);
        let mut fmt = 164u16.to_le_bytes().to_vec();
        fmt.extend((code.len() as u16).to_le_bytes());
        fmt.push(0);
        fmt.extend_from_slice(code);
        s.extend(record(0x041E, &fmt));
        for ifmt in [0u16, 164, 10] {
            let mut x = 0u16.to_le_bytes().to_vec();
            x.extend(ifmt.to_le_bytes());
            x.extend([0u8; 16]);
            s.extend(record(0x00E0, &x));
        }
        let bound_at = s.len() + 4;
        s.extend(record(0x0085, &[0, 0, 0, 0, 0, 0, 1, 0, b'S']));
        s.extend(record(0x000A, &[]));
        let sheet_at = (s.len() as u32).to_le_bytes();
        s[bound_at..bound_at + 4].copy_from_slice(&sheet_at);
        s.extend(record(0x0809, &[0, 6, 16, 0]));
        let mut cell = [0u8, 0, 1, 0].to_vec();
        match kind {
            0x00BD => {
                cell.extend(xf.to_le_bytes());
                cell.extend([0u8; 4]);
                cell.extend(0u16.to_le_bytes());
                cell.extend([0u8; 4]);
                cell.extend(2u16.to_le_bytes());
            }
            _ => {
                cell.extend(xf.to_le_bytes());
                cell.extend([0u8; 8]);
            }
        }
        s.extend(record(kind, &cell));
        s.extend(record(0x000A, &[]));
        s
    }

    #[test]
    fn number_cells_in_percent_formats_are_found() {
        let b1 = Ok(vec![vec![(0, 1)]]);
        let none = Ok(vec![vec![]]);
        assert_eq!(percent_cells_of(&stream(b"0.0%", 0x0203, 0)), none);
        assert_eq!(percent_cells_of(&stream(b"0.0%", 0x0203, 1)), b1);
        assert_eq!(percent_cells_of(&stream(b"0.00", 0x0203, 1)), none);
        assert_eq!(percent_cells_of(&stream(b"0.0\"%\"", 0x0203, 1)), none);
        assert_eq!(percent_cells_of(&stream(b"0.00", 0x027E, 2)), b1);
        assert_eq!(percent_cells_of(&stream(b"0.0%", 0x0006, 1)), b1);
        assert_eq!(percent_cells_of(&stream(b"0.0%", 0x00BD, 1)), b1);
        assert_eq!(percent_cells_of(&stream(b"0.0%", 0x00BD, 0)), none);
    }
}
