//! Feeders: an input's bytes cut into blocks of whole records and sent to the workers, with
//! the stop flag and the progress bar they answer to.

use std::fs::File;
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

use crate::error::Error;
use crate::i18n::{msg, ui};
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

/// A block: bytes read into a buffer (buffers go round between the feeder and the workers),
/// a part of text decoded in memory, or rows of a spreadsheet. Files are read, not mapped: a
/// mapped file that another program shortens kills the process with SIGBUS.
pub(super) enum Data<'a> {
    Read(Vec<u8>),
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
    /// The block at whose start a record longer than [`MAX_RECORD`] begins: reading stopped
    /// there (a line without end, or a quote never closed, would otherwise be read to the end
    /// of the file, scanned again at every block).
    pub(super) too_long: Option<u64>,
}

/// The longest record read from a text input, in bytes (at least twice a block: a record as
/// long as a block is read whole wherever it falls).
pub const MAX_RECORD: usize = 16 << 20;

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

/// Reads the file in blocks, cut after the last newline outside quotes, and sends them on.
/// `buf` holds the file's first bytes (read already), `start` where its rows begin; `stamp` is
/// a regular file's size and times when opened.
pub(super) fn feed(
    file: &mut File,
    mut buf: Vec<u8>,
    start: usize,
    stamp: Option<Stamp>,
    out: &mut Out,
) -> Result<(), Stop> {
    let mut read = Reading {
        file,
        stamp,
        done: buf.len() as u64,
    };
    let mut carry: Vec<u8> = buf.split_off(start);
    drop(buf);
    let block = out.block;
    let (mut eof, mut more) = (false, false);
    loop {
        out.go_on()?;
        if !eof && (carry.len() < block || more) {
            // A record being completed is read up to one byte past the longest, no further:
            // then whether it ends within that is what decides, not where the blocks fall.
            let want = match more {
                true => block.min((MAX_RECORD + 1).saturating_sub(carry.len()).max(1)),
                false => block,
            };
            // A short read is the end of the file.
            carry.reserve_exact(want);
            let n = read.more(&mut carry, want, out.name)?;
            eof = n < want;
            out.progress(n as u64);
        }
        if carry.is_empty() {
            return Ok(());
        }
        let Some(c) = cut(&carry, eof, out.delimiter) else {
            // A record longer than the buffer: read more before cutting, up to the longest.
            if carry.len() > MAX_RECORD {
                out.too_long = Some(out.seq);
                return Ok(());
            }
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

/// What tells a regular file's contents apart without reading them: its size, its inode, and
/// the times of its last write and last change (a write of the same size moves them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Stamp {
    pub(super) len: u64,
    modified: Option<std::time::SystemTime>,
    changed: (i64, i64),
    inode: (u64, u64),
}

impl Stamp {
    /// A regular file's stamp (`None`: a pipe or device, whose end is its own).
    pub(super) fn of(m: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            ((m.ctime(), m.ctime_nsec()), (m.dev(), m.ino()))
        };
        #[cfg(not(unix))]
        let (changed, inode) = ((0, 0), (0, 0));
        m.is_file().then(|| Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            changed,
            inode,
        })
    }
}

/// A file read from start to end, and what it must hold.
struct Reading<'f> {
    file: &'f mut File,
    /// A regular file's stamp when opened (`None`: a pipe or device, whose end is its own).
    stamp: Option<Stamp>,
    /// Bytes read so far.
    done: u64,
}

impl Reading<'_> {
    /// Reads up to `n` more bytes onto `buf`, how many (fewer: the end of the file). A file
    /// that ends before its size when opened, or runs past it, or whose times of writing have
    /// moved (rewritten with the same size), changed while it was read: an error, not rows cut
    /// short or mixed from two versions.
    fn more(&mut self, buf: &mut Vec<u8>, n: usize, name: &str) -> Result<usize, Stop> {
        let got = read_up_to(self.file, buf, n).map_err(|e| Error::io(name, e))?;
        self.done += got as u64;
        let changed = self.stamp.is_some_and(|s| {
            self.done > s.len
                || (got < n && self.done < s.len)
                || self
                    .file
                    .metadata()
                    .map_or(true, |m| Stamp::of(&m) != Some(s))
        });
        match changed {
            true => Err(Stop::Failed(Error::Io {
                path: name.to_owned(),
                message: msg::changed_while_read(ui()),
            })),
            false => Ok(got),
        }
    }
}

/// Reads up to `n` bytes onto `buf` with as few calls as the system allows (one, from the
/// page cache; `read_to_end` would make dozens, growing its reads from 8 KiB), how many.
fn read_up_to(file: &mut File, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
    let start = buf.len();
    buf.resize(start + n, 0);
    let mut got = 0;
    while got < n {
        match file.read(&mut buf[start + got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(start + got);
                return Err(e);
            }
        }
    }
    buf.truncate(start + got);
    Ok(got)
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
            if window.len() > MAX_RECORD {
                out.too_long = Some(out.seq);
                return Ok(());
            }
            want = want.saturating_mul(2).min(MAX_RECORD + 1);
            continue;
        };
        want = out.block;
        out.note(window, &c);
        out.send(Data::Text(&window[..c.at]), c.plain)?;
        pos += c.at;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader of a file that another program shortens, or lengthens, between two blocks.
    #[test]
    fn a_file_that_changes_between_blocks_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        for (now, then) in [(100, 50), (100, 150), (100, 0)] {
            std::fs::write(&path, vec![b'x'; now]).unwrap();
            let mut file = File::open(&path).unwrap();
            let stamp = Stamp::of(&file.metadata().unwrap());
            let mut read = Reading {
                file: &mut file,
                stamp,
                done: 0,
            };
            let mut buf = Vec::new();
            assert_eq!(read.more(&mut buf, 40, "r.csv").unwrap(), 40);
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(then)
                .unwrap();
            let stop = (0..4).try_for_each(|_| read.more(&mut buf, 40, "r.csv").map(drop));
            let Err(Stop::Failed(Error::Io { path, message })) = stop else {
                panic!("{now} -> {then}: {stop:?}");
            };
            assert_eq!(path, "r.csv");
            assert!(message.contains("changed while it was read"), "{message}");
        }
    }

    /// A file that stays as it was is read to its end; a pipe's end is its own.
    #[test]
    fn a_file_that_stays_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        for whose in [true, false] {
            let mut file = File::open(&path).unwrap();
            let stamp = Stamp::of(&file.metadata().unwrap()).filter(|_| whose);
            let mut read = Reading {
                file: &mut file,
                stamp,
                done: 0,
            };
            let mut buf = Vec::new();
            let got: Vec<usize> = (0..4)
                .map(|_| read.more(&mut buf, 40, "r.csv").unwrap())
                .collect();
            assert_eq!(got, [40, 40, 20, 0]);
        }
    }

    /// A file rewritten in place with the same size between two blocks (its rows would mix
    /// two versions): its time of writing has moved, and that is the same error.
    #[test]
    fn a_file_rewritten_with_the_same_size_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        let mut file = File::open(&path).unwrap();
        let stamp = Stamp::of(&file.metadata().unwrap());
        let mut read = Reading {
            file: &mut file,
            stamp,
            done: 0,
        };
        let mut buf = Vec::new();
        assert_eq!(read.more(&mut buf, 40, "r.csv").unwrap(), 40);
        let w = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        std::io::Write::write_all(&mut &w, &[b'y'; 100]).unwrap();
        // Whatever the clock's grain, the time of writing is now another one.
        w.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000))
            .unwrap();
        let stop = (0..4).try_for_each(|_| read.more(&mut buf, 40, "r.csv").map(drop));
        let Err(Stop::Failed(Error::Io { path, message })) = stop else {
            panic!("{stop:?}");
        };
        assert_eq!(path, "r.csv");
        assert!(message.contains("changed while it was read"), "{message}");
    }
}
