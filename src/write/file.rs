//! The one place that creates output files. Every output of a run is checked against the run's
//! inputs and its other outputs, written to an exclusive, unpredictably named temporary file, and
//! put in place only once the whole run has succeeded: a failed run changes no file (only the
//! final renames, which seldom fail, come after the last write that can), and an interrupted
//! one leaves no temporary file.
//!
//! A regular file (at the end of any symlinks) is replaced by renaming the temporary file over
//! it; a device or FIFO is opened and written in place, never replaced. On SIGINT or SIGTERM the
//! temporary files still alive are removed before the process exits (130 or 143).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

use tempfile::NamedTempFile;

use crate::error::Error;
use crate::i18n::{ui, usage};

/// What writes an output's bytes.
pub type Fill<'a> = &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// Stages an output of this run: `path` is checked (not one of `inputs`, not another output,
/// not read-only) and written to a temporary file now; it is put in place by [`finish`].
pub fn stage(path: &str, inputs: &[&str], fill: Fill<'_>) -> Result<(), Error> {
    lock(&RUN).stage(path, inputs, fill)
}

/// Stages bytes as an output of this run (see [`stage`]).
pub fn stage_bytes(path: &str, inputs: &[&str], bytes: &[u8]) -> Result<(), Error> {
    stage(path, inputs, &mut |w| w.write_all(bytes))
}

/// Checks, before a run does any work, that the outputs it is given may be written: none is an
/// input, two never name one file, none is read-only. [`stage`] checks again.
pub fn check(outputs: &[Option<&str>], inputs: &[&str]) -> Result<(), Error> {
    let mut batch = Batch::default();
    outputs
        .iter()
        .flatten()
        .try_for_each(|o| batch.claim(o, inputs).map(|_| ()))
}

/// Ends the run: its staged outputs are put in place when it succeeded, and removed when it
/// failed (then no output has changed).
pub fn finish<T>(result: Result<T, Error>) -> Result<T, Error> {
    let mut run = lock(&RUN);
    match result {
        Ok(v) => run.commit().map(|()| v),
        Err(e) => {
            run.discard();
            Err(e)
        }
    }
}

/// Creates a new file, never following or replacing what is at `path` (a dangling symlink
/// included).
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)
}

/// The outputs of the process's run.
static RUN: Mutex<Batch> = Mutex::new(Batch {
    claimed: Vec::new(),
    staged: Vec::new(),
});

/// The temporary files that exist now, removed on SIGINT and SIGTERM. A path is added while the
/// lock is held around the file's creation, and removed with the file or once it is renamed.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A file's identity: the same file under any spelling, symlink or hard link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Id {
    dev: u64,
    ino: u64,
}

impl Id {
    fn of(m: &fs::Metadata) -> Id {
        Id {
            dev: m.dev(),
            ino: m.ino(),
        }
    }
}

/// What tells two outputs apart: an existing file's identity, or a new file's folder (without
/// links) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    File(Id),
    New(PathBuf),
}

/// Where an output goes.
#[derive(Debug)]
enum Target {
    /// A regular file, existing (with its permission bits) or not: replaced by a rename.
    Replace { path: PathBuf, mode: Option<u32> },
    /// A device, a FIFO or another file that is not regular: opened and written in place.
    InPlace(PathBuf),
}

/// A temporary file holding an output until the run ends.
enum Temp {
    /// Beside a regular target, named, in [`LIVE`] while it exists.
    Beside(Option<NamedTempFile>),
    /// For a target written in place: a file without a name (nothing to clean up).
    Anonymous(File),
}

struct Staged {
    shown: String,
    target: Target,
    temp: Temp,
}

#[derive(Default)]
struct Batch {
    claimed: Vec<(Key, String)>,
    staged: Vec<Staged>,
}

impl Batch {
    fn stage(&mut self, path: &str, inputs: &[&str], fill: Fill<'_>) -> Result<(), Error> {
        let target = self.claim(path, inputs)?;
        let io = |e| Error::io(path, e);
        let mut temp = Temp::create(&target).map_err(io)?;
        temp.fill(fill).map_err(io)?;
        self.staged.push(Staged {
            shown: path.to_owned(),
            target,
            temp,
        });
        Ok(())
    }

    /// Resolves an output path and checks that it may be written.
    fn claim(&mut self, path: &str, inputs: &[&str]) -> Result<Target, Error> {
        let io = |e| Error::io(path, e);
        let given = Path::new(path);
        let meta = match fs::metadata(given) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(e)),
        };
        let (key, real) = match (&meta, follow(given).map_err(io)?) {
            (Some(m), _) if m.is_dir() => {
                return Err(Error::Io {
                    path: path.to_owned(),
                    message: usage::is_a_folder(ui()),
                });
            }
            (Some(m), Some(real)) if m.is_file() && same_file(&real, m) => {
                refuse_input(path, Id::of(m), inputs)?;
                if read_only(m) {
                    return Err(Error::Usage(usage::read_only(ui(), path)));
                }
                (Key::File(Id::of(m)), real)
            }
            // A device, a FIFO, or a file reached through /proc (/dev/stdout redirected to a
            // file): the open file of a descriptor, written in place (appended, as the shell
            // asked).
            (Some(m), _) => {
                if m.is_file() {
                    refuse_input(path, Id::of(m), inputs)?;
                }
                return Ok(Target::InPlace(given.to_path_buf()));
            }
            (None, real) => {
                let real = real.unwrap_or_else(|| given.to_path_buf());
                (Key::New(new_key(&real).map_err(io)?), real)
            }
        };
        if let Some((_, other)) = self.claimed.iter().find(|(k, _)| *k == key) {
            return Err(Error::Usage(usage::output_twice(ui(), path, other)));
        }
        self.claimed.push((key, path.to_owned()));
        Ok(Target::Replace {
            path: real,
            mode: meta.map(|m| m.mode() & 0o777),
        })
    }

    /// Puts every staged output in place: first those written in place (the writes that can
    /// fail, a full device say, come before any file is replaced), then the renames.
    fn commit(&mut self) -> Result<(), Error> {
        self.claimed.clear();
        let (in_place, replaced): (Vec<Staged>, Vec<Staged>) = std::mem::take(&mut self.staged)
            .into_iter()
            .partition(|s| matches!(s.target, Target::InPlace(_)));
        for s in in_place.into_iter().chain(replaced) {
            let shown = s.shown.clone();
            s.put().map_err(|e| Error::io(&shown, e))?;
        }
        Ok(())
    }

    /// Forgets the staged outputs and removes their temporary files.
    fn discard(&mut self) {
        self.claimed.clear();
        self.staged.clear();
    }
}

/// Whether `path` is the file `m` describes.
fn same_file(path: &Path, m: &fs::Metadata) -> bool {
    fs::metadata(path).is_ok_and(|r| Id::of(&r) == Id::of(m))
}

/// A usage error when the file `id` is one of the run's inputs (a regular file).
fn refuse_input(path: &str, id: Id, inputs: &[&str]) -> Result<(), Error> {
    let same = |i: &&&str| {
        fs::metadata(i)
            .ok()
            .is_some_and(|m| m.is_file() && Id::of(&m) == id)
    };
    match inputs.iter().find(same) {
        Some(input) => Err(Error::Usage(usage::output_is_input(ui(), path, input))),
        None => Ok(()),
    }
}

/// The path at the end of a chain of symlinks (the path itself when it is none, or when it
/// does not exist); none for a link in /proc, whose text is not a path to rename over.
fn follow(path: &Path) -> io::Result<Option<PathBuf>> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                if folder(&p).canonicalize()?.starts_with("/proc") {
                    return Ok(None);
                }
                let to = fs::read_link(&p)?;
                p = p.parent().map_or_else(|| to.clone(), |dir| dir.join(&to));
            }
            Ok(_) => return Ok(Some(p)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(p)),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(usage::symlink_loop(ui())))
}

/// A new file's folder without links, and its name.
fn new_key(real: &Path) -> io::Result<PathBuf> {
    let name = real
        .file_name()
        .ok_or_else(|| io::Error::other(usage::not_a_file_name(ui())))?;
    Ok(folder(real).canonicalize()?.join(name))
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether the mode bits deny the user writing: root only when no one may write; others by
/// the owner, group or other bits that apply to them (not access(2), which lets root write
/// anything).
fn read_only(m: &fs::Metadata) -> bool {
    let mode = m.mode();
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if euid == 0 {
        mode & 0o222 == 0
    } else if m.uid() == euid {
        mode & 0o200 == 0
    } else if in_group(m.gid()) {
        mode & 0o020 == 0
    } else {
        mode & 0o002 == 0
    }
}

/// Whether the process is in group `gid` (effective or supplementary).
fn in_group(gid: u32) -> bool {
    // SAFETY: getegid has no preconditions; getgroups(0, null) only counts the groups.
    let (egid, n) = unsafe { (libc::getegid(), libc::getgroups(0, std::ptr::null_mut())) };
    if egid == gid {
        return true;
    }
    let mut groups = vec![0 as libc::gid_t; usize::try_from(n).unwrap_or(0)];
    // SAFETY: the buffer holds `n` entries and getgroups writes at most that many.
    let got = unsafe { libc::getgroups(n.max(0), groups.as_mut_ptr()) };
    groups.truncate(usize::try_from(got).unwrap_or(0));
    groups.contains(&gid)
}

impl Temp {
    fn create(target: &Target) -> io::Result<Temp> {
        match target {
            Target::InPlace(_) => tempfile::tempfile().map(Temp::Anonymous),
            Target::Replace { path, mode } => {
                catch_signals();
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().chars().take(64).collect::<String>())
                    .unwrap_or_default();
                let temp = {
                    let mut live = lock(&LIVE);
                    let file = tempfile::Builder::new()
                        .prefix(&format!(".{name}."))
                        .suffix(".civscore.tmp")
                        .permissions(fs::Permissions::from_mode(0o666))
                        .tempfile_in(folder(path))?;
                    live.push(file.path().to_path_buf());
                    Temp::Beside(Some(file))
                };
                // With the lock released: on an error, dropping `temp` takes it again.
                if let (Some(mode), Some(f)) = (mode, temp.file()) {
                    f.set_permissions(fs::Permissions::from_mode(*mode))?;
                }
                Ok(temp)
            }
        }
    }

    fn file(&self) -> Option<&File> {
        match self {
            Temp::Beside(f) => f.as_ref().map(NamedTempFile::as_file),
            Temp::Anonymous(f) => Some(f),
        }
    }

    fn fill(&mut self, fill: Fill<'_>) -> io::Result<()> {
        // Internal (a temporary file is made with its file): English only.
        let file = self.file().ok_or_else(|| io::Error::other("no file"))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        fill(&mut w)?;
        w.flush()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Temp::Beside(file) = self {
            let mut live = lock(&LIVE);
            if let Some(f) = file.take() {
                live.retain(|p| p != f.path());
                drop(f);
            }
        }
    }
}

impl Staged {
    /// Puts the output in place.
    fn put(mut self) -> io::Result<()> {
        match (&self.target, &mut self.temp) {
            (Target::InPlace(path), Temp::Anonymous(src)) => {
                src.rewind()?;
                let mut dst = OpenOptions::new().append(true).open(path)?;
                match io::copy(src, &mut dst).and_then(|_| dst.flush()) {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                    r => r,
                }
            }
            (Target::Replace { path, .. }, Temp::Beside(file)) => {
                let mut live = lock(&LIVE);
                let f = file.take().ok_or_else(|| io::Error::other("no file"))?;
                live.retain(|p| p != f.path());
                f.persist(path).map(|_| ()).map_err(|e| e.error)
            }
            // Internal (cannot happen: a target and its temporary file are made together).
            _ => Err(io::Error::other("a staged output without its file")),
        }
    }
}

/// Removes the temporary files of `live`; what a signal does before the process exits.
fn remove_all(live: &mut Vec<PathBuf>) {
    for p in live.drain(..) {
        let _ = fs::remove_file(p);
    }
}

/// From the first temporary file on, SIGINT and SIGTERM remove the temporary files and end
/// the process with 128 + the signal's number. The lock stays held until the exit, so that no
/// rename follows the cleanup.
fn catch_signals() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let mut live = lock(&LIVE);
                remove_all(&mut live);
                std::process::exit(128 + signal);
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn s(p: &Path) -> String {
        p.display().to_string()
    }

    /// Names in a folder, sorted.
    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn staged_outputs_appear_only_on_commit() {
        let d = dir();
        let out = s(&d.path().join("out.json"));
        let mut b = Batch::default();
        b.stage(&out, &[], &mut |w| w.write_all(b"{}")).unwrap();
        let n = names(d.path());
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].starts_with(".out.json.") && n[0].ends_with(".civscore.tmp"));
        assert!(lock(&LIVE).iter().any(|p| p.starts_with(d.path())));
        b.commit().unwrap();
        assert_eq!(names(d.path()), ["out.json"]);
        assert_eq!(fs::read(d.path().join("out.json")).unwrap(), b"{}");
        assert!(!lock(&LIVE).iter().any(|p| p.starts_with(d.path())));
    }

    #[test]
    fn a_discarded_run_changes_nothing() {
        let d = dir();
        let out = d.path().join("out.csv");
        fs::write(&out, "old").unwrap();
        let mut b = Batch::default();
        b.stage(&s(&out), &[], &mut |w| w.write_all(b"new"))
            .unwrap();
        b.discard();
        assert_eq!(names(d.path()), ["out.csv"]);
        assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    }

    #[test]
    fn a_failed_fill_leaves_no_temporary_file() {
        let d = dir();
        let out = s(&d.path().join("out.csv"));
        let mut b = Batch::default();
        let e = b.stage(&out, &[], &mut |_| Err(io::Error::other("boom")));
        assert!(matches!(e, Err(Error::Io { .. })));
        assert!(names(d.path()).is_empty());
    }

    #[test]
    fn inputs_and_other_outputs_are_refused_by_identity() {
        let d = dir();
        let input = d.path().join("units.csv");
        fs::write(&input, "x").unwrap();
        std::os::unix::fs::symlink(&input, d.path().join("link.csv")).unwrap();
        fs::hard_link(&input, d.path().join("hard.csv")).unwrap();
        let i = s(&input);
        for spelling in ["units.csv", "link.csv", "hard.csv", "./units.csv"] {
            let p = s(&d.path().join(spelling));
            let e = Batch::default().claim(&p, &[&i]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{spelling}");
            assert!(e.to_string().contains("an input of this run"), "{e}");
        }
        let mut b = Batch::default();
        b.claim(&s(&d.path().join("new.csv")), &[&i]).unwrap();
        let again = s(&d.path().join(".").join("new.csv"));
        let e = b.claim(&again, &[&i]).unwrap_err();
        assert!(e.to_string().contains("another output"), "{e}");
    }

    #[test]
    fn read_only_files_are_refused_and_writable_ones_keep_their_mode() {
        let d = dir();
        let out = d.path().join("r.csv");
        fs::write(&out, "old").unwrap();
        fs::set_permissions(&out, fs::Permissions::from_mode(0o444)).unwrap();
        let e = Batch::default().claim(&s(&out), &[]).unwrap_err();
        assert!(e.to_string().contains("read-only"), "{e}");
        fs::set_permissions(&out, fs::Permissions::from_mode(0o640)).unwrap();
        let mut b = Batch::default();
        b.stage(&s(&out), &[], &mut |w| w.write_all(b"new"))
            .unwrap();
        b.commit().unwrap();
        let m = fs::metadata(&out).unwrap();
        assert_eq!(m.mode() & 0o777, 0o640);
        assert_eq!(fs::read_to_string(&out).unwrap(), "new");
    }

    #[test]
    fn a_symlink_is_followed_and_stays_a_link() {
        let d = dir();
        let real = d.path().join("real.json");
        fs::write(&real, "old").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let mut b = Batch::default();
        b.stage(&s(&link), &[], &mut |w| w.write_all(b"new"))
            .unwrap();
        b.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn devices_are_written_in_place() {
        let mut b = Batch::default();
        b.stage("/dev/null", &[], &mut |w| w.write_all(b"x"))
            .unwrap();
        b.commit().unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn the_signal_cleanup_removes_every_live_temporary_file() {
        let d = dir();
        let a = d.path().join(".a.tmp");
        let b = d.path().join(".b.tmp");
        fs::write(&a, "").unwrap();
        fs::write(&b, "").unwrap();
        let mut live = vec![a, b, d.path().join("gone")];
        remove_all(&mut live);
        assert!(live.is_empty());
        assert!(names(d.path()).is_empty());
    }

    #[test]
    fn create_new_never_follows_a_planted_link() {
        let d = dir();
        let victim = d.path().join("victim");
        let link = d.path().join("units.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_new(&link, b"x").is_err());
        assert!(!victim.exists());
    }

    use std::os::unix::fs::FileTypeExt;
}
