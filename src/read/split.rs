//! Where records and fields end: quotes read as `csv` reads them, blocks cut after their last
//! record, plain lines split at separators 64 bytes at a time.

use crate::input::Row;

use super::Stop;

/// A parsed row's fields: a `csv` record (blocks with quotes) or a plainly split line.
pub(super) trait Fields {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> Option<&[u8]>;
}

impl Fields for Row {
    fn len(&self) -> usize {
        self.cells.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.cells.get(i).map(|c| c.as_bytes())
    }
}

impl Fields for csv::ByteRecord {
    fn len(&self) -> usize {
        csv::ByteRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        csv::ByteRecord::get(self, i)
    }
}

/// A line of a block without quotes, and where each of its fields ends.
pub(super) struct Line<'a> {
    bytes: &'a [u8],
    ends: &'a [u32],
    /// The line's place in its block, from 0.
    pub(super) index: u64,
}

impl Fields for Line<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize + 1,
        };
        self.bytes.get(start..end)
    }
}

/// Splits a block holding no quote and no carriage return into lines at `\n` and fields at the
/// delimiter, as `csv` would (an empty line is no record), 64 bytes at a time.
pub(super) fn split_plain(
    block: &[u8],
    delimiter: u8,
    ends: &mut Vec<u32>,
    mut row: impl FnMut(Line) -> Result<(), Stop>,
) -> Result<u64, Stop> {
    let mut start = 0usize;
    let mut index = 0u64;
    ends.clear();
    let mut at = |p: usize, ends: &mut Vec<u32>, start: &mut usize| -> Result<(), Stop> {
        ends.push((p - *start) as u32);
        if block[p] == b'\n' {
            // An empty line is no record (as for `csv`), but it is a line.
            if p > *start {
                row(Line {
                    bytes: &block[*start..p],
                    ends,
                    index,
                })?;
            }
            index += 1;
            ends.clear();
            *start = p + 1;
        }
        Ok(())
    };
    each_separator(block, delimiter, |p, _| at(p, ends, &mut start))?;
    if start < block.len() {
        ends.push((block.len() - start) as u32);
        row(Line {
            bytes: &block[start..],
            ends,
            index,
        })?;
    }
    Ok(index)
}

/// Calls `at` with the place of each delimiter or newline in `block`, in order, and whether it
/// is a newline; 64 bytes at a time.
#[inline(always)]
pub(super) fn each_separator(
    block: &[u8],
    delimiter: u8,
    mut at: impl FnMut(usize, bool) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut words = block.chunks_exact(64);
    let mut base = 0usize;
    for w in &mut words {
        let mut hits = separators(w.try_into().unwrap_or(&[0; 64]), delimiter);
        while hits != 0 {
            let p = base + hits.trailing_zeros() as usize;
            hits &= hits - 1;
            at(p, block[p] == b'\n')?;
        }
        base += 64;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == delimiter || b == b'\n' {
            at(base + k, b == b'\n')?;
        }
    }
    Ok(())
}

/// Bit k set when byte k of `w` is the delimiter or a newline. One mask per 64 bytes means one
/// loop exit for the processor to guess wrong where eight words had eight. On x86-64, sixteen
/// bytes per compare (SSE2 is part of every x86-64 processor, so no detection is needed).
#[cfg(target_arch = "x86_64")]
#[inline]
fn separators(w: &[u8; 64], delimiter: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut m = 0u64;
    // SAFETY: SSE2 is part of every x86-64 processor (the intrinsics ask for it only because
    // they are declared for it); each load reads sixteen bytes inside `w` (k < 4) and allows
    // any alignment.
    unsafe {
        let delims = _mm_set1_epi8(delimiter as i8);
        let newlines = _mm_set1_epi8(b'\n' as i8);
        for k in 0..4 {
            let x = _mm_loadu_si128(w.as_ptr().add(16 * k).cast::<__m128i>());
            let hits = _mm_or_si128(_mm_cmpeq_epi8(x, delims), _mm_cmpeq_epi8(x, newlines));
            m |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        }
    }
    m
}

/// The same mask, eight bytes at a time in plain integer arithmetic (other processors).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn separators_by_words(w: &[u8; 64], delimiter: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
    let zeros = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let delims = u64::from_ne_bytes([delimiter; 8]);
    let newlines = u64::from_ne_bytes([b'\n'; 8]);
    let mut m = 0u64;
    for (k, c) in w.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(c.try_into().unwrap_or_default());
        let hits = (zeros(x ^ delims) | zeros(x ^ newlines)) >> 7;
        // Byte j's bit (now bit 8j) gathered to bit 56 + j: the partial products never carry.
        m |= (hits.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn separators(w: &[u8; 64], delimiter: u8) -> u64 {
    separators_by_words(w, delimiter)
}

/// How many line feeds: a plain loop the compiler turns into wide compares (faster than a
/// search per line when lines are short).
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Where a window is cut, and what is known of it.
#[derive(Clone, Copy)]
pub(super) struct Cut {
    /// The bytes the block takes: up to and with the last newline outside quotes, or all.
    pub(super) at: usize,
    /// The window holds no quote and no carriage return.
    pub(super) plain: bool,
    /// At the end of the input, where a quote opened that is never closed.
    pub(super) unclosed: Option<usize>,
}

/// Where to cut `window` (which starts at a record boundary): after its last newline outside
/// quotes, or at its end if it is the end of the input; and whether the window is plain (no
/// quote, no carriage return), so that the worker need not look again. `None`: no record ends
/// in it, read further.
pub(super) fn cut(window: &[u8], at_end: bool, delimiter: u8) -> Option<Cut> {
    let plain = memchr::memchr2(b'"', b'\r', window).is_none();
    let whole = Cut {
        at: window.len(),
        plain,
        unclosed: None,
    };
    if plain {
        return match at_end {
            true => Some(whole),
            false => memchr::memrchr(b'\n', window).map(|c| Cut { at: c + 1, ..whole }),
        };
    }
    let quotes = scan_quotes(window, delimiter);
    match at_end {
        true => Some(Cut {
            unclosed: quotes.open,
            ..whole
        }),
        false => quotes.last_newline.map(|c| Cut { at: c + 1, ..whole }),
    }
}

/// What the quotes of some bytes leave.
struct Quotes {
    /// The last newline outside quoted cells.
    last_newline: Option<usize>,
    /// Where the quoted cell that the bytes end in opened.
    open: Option<usize>,
}

/// Reads the quotes of `bytes` (which start at a record boundary) as `csv` does: a quote opens
/// a quoted cell only at the start of a cell (elsewhere it is a character like any other), `""`
/// inside one is a quote, and the next lone quote closes it.
fn scan_quotes(bytes: &[u8], delimiter: u8) -> Quotes {
    let opens =
        |q: usize| q == 0 || matches!(bytes[q - 1], b'\n' | b'\r') || bytes[q - 1] == delimiter;
    let mut last_newline = None;
    let mut outside = 0usize;
    loop {
        let open = memchr::memchr_iter(b'"', &bytes[outside..])
            .map(|q| outside + q)
            .find(|&q| opens(q));
        let end = open.unwrap_or(bytes.len());
        if let Some(n) = memchr::memrchr(b'\n', &bytes[outside..end]) {
            last_newline = Some(outside + n);
        }
        let Some(q) = open else {
            return Quotes {
                last_newline,
                open: None,
            };
        };
        let mut p = q + 1;
        loop {
            match memchr::memchr(b'"', &bytes[p..]) {
                None => {
                    return Quotes {
                        last_newline,
                        open: Some(q),
                    };
                }
                Some(c) if bytes.get(p + c + 1) == Some(&b'"') => p += c + 2,
                Some(c) => {
                    outside = p + c + 1;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_csv(text: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn plainly(text: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut rows = Vec::new();
        let mut ends = Vec::new();
        split_plain(text, delimiter, &mut ends, |line| {
            rows.push(
                (0..line.len())
                    .map(|i| line.get(i).unwrap().to_vec())
                    .collect(),
            );
            Ok(())
        })
        .unwrap();
        rows
    }

    proptest! {
        /// Without quotes and carriage returns, splitting at delimiters and newlines is what
        /// `csv` does: the same records, the same fields.
        #[test]
        fn plain_splitting_is_csv_parsing(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'7', b',', b',', b'\n', b' ', b'\t', b';', 0xE6, 0x9A]),
                0..200,
            ),
            tab in any::<bool>(),
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            prop_assert_eq!(plainly(&bytes, delimiter), with_csv(&bytes, delimiter));
        }
    }

    proptest! {
        /// The 64-byte mask marks exactly the delimiters and newlines, whatever the other bytes
        /// (high bytes included, where a carry between bytes would show).
        #[test]
        fn separator_masks_are_exact(
            bytes in prop::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b'\t'), Just(0x80u8), Just(0xffu8), any::<u8>()],
                64,
            ),
            tab in any::<bool>(),
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            let w: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            let want = bytes.iter().enumerate().fold(0u64, |m, (k, &b)| {
                m | u64::from(b == delimiter || b == b'\n') << k
            });
            prop_assert_eq!(separators(w, delimiter), want);
            prop_assert_eq!(separators_by_words(w, delimiter), want);
        }
    }

    #[test]
    fn plain_lines_and_fields() {
        let rows = plainly(
            b"id,date\nR1,2026-11-03\n\n,,\nlast,row,longer than eight",
            b',',
        );
        let want: Vec<Vec<&[u8]>> = vec![
            vec![b"id", b"date"],
            vec![b"R1", b"2026-11-03"],
            vec![b"", b"", b""],
            vec![b"last", b"row", b"longer than eight"],
        ];
        assert_eq!(rows, want);
    }
}
