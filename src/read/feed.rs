//! Feeders: an input's bytes cut into blocks of whole records and sent to the workers, with
//! the stop flag and the progress bar they answer to.

use std::fs::File;
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

use crate::error::Error;
use crate::input::Row;

use super::Stop;
use super::pool::Pool;
use super::split::{Cut, cut, newlines};

/// One block of whole records, and its place among the file's blocks (the lines of what a
/// block rejects or keeps are counted from its start, and placed in the file once every
/// block's lines are known).
pub(super) struct Chunk<'a> {
    pub(super) data: Data<'a>,
    pub(super) seq: u64,
    /// Known to hold no quote and no carriage return (false: not known).
    pub(super) plain: bool,
}

/// A block: bytes read into a buffer, a range of a window of the file mapped for it alone
/// (unmapped when the block is done, so that memory stays flat), a part of text decoded in
/// memory, or rows of a spreadsheet.
pub(super) enum Data<'a> {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap, std::ops::Range<usize>),
    Text(&'a [u8]),
    Rows(&'a [Row]),
}

/// Where a feeder sends its blocks, and what it answers to: the workers' stop flag and the
/// progress bar.
pub(super) struct Out<'a, 's> {
    pub(super) tx: &'s mpsc::SyncSender<Chunk<'a>>,
    pub(super) bar: Option<&'s indicatif::ProgressBar>,
    pub(super) pool: &'s Pool,
    /// The next block's place among the file's blocks.
    pub(super) seq: u64,
    /// Bytes per block.
    pub(super) block: usize,
    pub(super) delimiter: u8,
    /// The input's name, for errors.
    pub(super) name: &'s str,
    /// Where a quote opened that the input never closes: the block, and the lines before it
    /// in the block.
    pub(super) unclosed: Option<(u64, u64)>,
}

impl<'a> Out<'a, '_> {
    /// Stops when a worker has.
    pub(super) fn go_on(&self) -> Result<(), Stop> {
        match self.pool.stop.load(Ordering::Relaxed) {
            true => Err(Stop::Halted),
            false => Ok(()),
        }
    }

    fn progress(&self, bytes: u64) {
        if let Some(b) = self.bar {
            b.inc(bytes);
        }
    }

    /// Sends a block on, numbered.
    pub(super) fn send(&mut self, data: Data<'a>, plain: bool) -> Result<(), Stop> {
        let seq = self.seq;
        self.seq += 1;
        self.tx
            .send(Chunk { data, seq, plain })
            .map_err(|_| Stop::Halted)
    }

    /// Notes a quote the next block opens and the input never closes.
    fn note(&mut self, window: &[u8], cut: &Cut) {
        if let Some(q) = cut.unclosed {
            self.unclosed = Some((self.seq, newlines(&window[..q])));
        }
    }
}

/// Windows of the file start at multiples of this (a multiple of every page size in use).
const ALIGN: u64 = 1 << 16;

/// Maps the file a window at a time, cut after the last newline outside quotes, and sends the
/// windows on; each is unmapped when its worker is done with it.
pub(super) fn feed_mapped(file: &File, size: u64, start: usize, out: &mut Out) -> Result<(), Stop> {
    let mut pos = start as u64;
    let block = out.block as u64;
    let mut want = block;
    while pos < size {
        out.go_on()?;
        let base = pos / ALIGN * ALIGN;
        let len = (pos - base + want).min(size - base);
        // SAFETY: the map is only read, and only while the file is open. Another program
        // truncating the file meanwhile could fault the read (as for every reader that maps
        // files, ripgrep's included); the files scored are exports nobody writes to meanwhile.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .offset(base)
                .len(len as usize)
                .populate()
                .map(file)
        }
        .map_err(|e| Error::io(out.name, e))?;
        let from = (pos - base) as usize;
        // A record longer than the window: look further.
        let Some(c) = cut(&map[from..], base + len == size, out.delimiter) else {
            want *= 2;
            continue;
        };
        want = block;
        out.progress(c.at as u64);
        pos += c.at as u64;
        out.note(&map[from..], &c);
        out.send(Data::Mapped(map, from..from + c.at), c.plain)?;
    }
    Ok(())
}

/// Reads the file in blocks, cut after the last newline outside quotes, and sends them on.
pub(super) fn feed(
    file: &mut File,
    mut buf: Vec<u8>,
    start: usize,
    out: &mut Out,
) -> Result<(), Stop> {
    let mut carry: Vec<u8> = buf.split_off(start);
    drop(buf);
    let block = out.block;
    let (mut eof, mut more) = (false, false);
    loop {
        out.go_on()?;
        if !eof && (carry.len() < block || more) {
            // Into the spare capacity, not zeroed first; a short read is the end of the file.
            carry.reserve_exact(block);
            let n = file
                .by_ref()
                .take(block as u64)
                .read_to_end(&mut carry)
                .map_err(|e| Error::io(out.name, e))?;
            eof = n < block;
            out.progress(n as u64);
        }
        if carry.is_empty() {
            return Ok(());
        }
        let Some(c) = cut(&carry, eof, out.delimiter) else {
            // A record longer than the buffer: read more before cutting.
            more = true;
            continue;
        };
        more = false;
        out.note(&carry, &c);
        // The part after the cut moves to a buffer a worker has given back (or a new one).
        let mut rest = out
            .pool
            .spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_else(|| Vec::with_capacity(2 * block));
        rest.clear();
        rest.extend_from_slice(&carry[c.at..]);
        carry.truncate(c.at);
        out.send(Data::Read(std::mem::replace(&mut carry, rest)), c.plain)?;
        if eof && carry.is_empty() {
            return Ok(());
        }
    }
}

/// Sends text in memory on in blocks cut after the last newline outside quotes.
pub(super) fn feed_text<'a>(
    text: &'a [u8],
    start: usize,
    out: &mut Out<'a, '_>,
) -> Result<(), Stop> {
    let mut pos = start;
    let mut want = out.block;
    while pos < text.len() {
        out.go_on()?;
        let end = pos.saturating_add(want).min(text.len());
        let window = &text[pos..end];
        let Some(c) = cut(window, end == text.len(), out.delimiter) else {
            want = want.saturating_mul(2);
            continue;
        };
        want = out.block;
        out.note(window, &c);
        out.send(Data::Text(&window[..c.at]), c.plain)?;
        pos += c.at;
    }
    Ok(())
}
