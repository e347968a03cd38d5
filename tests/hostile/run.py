#!/usr/bin/env python3
"""Hostile and broken input (issue 16): every item of the issue as a command under a 4 GB
address-space limit and 60 s. Not run by `cargo test` (it takes minutes in a debug build):

    python3 tests/hostile/run.py [--bin target/debug/civscore] [--only NAME] [--timing]

Each case checks: no backtrace or panic, no signal death or timeout, no exit 1 for bad input,
an `error:` line when it fails, no raw control character in human output (stdout of tables,
Markdown, explain, check; stderr always), inputs and devices untouched (checksums and file
types before and after), and what the item itself asks. `--timing` adds the blow-up cases
(linear times: two sizes compared), best with a release build.
"""

import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/civscore"))
ap.add_argument("--only", default=None)
ap.add_argument("--timing", action="store_true")
ap.add_argument("--keep", action="store_true")
args = ap.parse_args()
BIN = os.path.abspath(args.bin)

W = tempfile.mkdtemp(prefix="civscore-hostile-")
results = []

RUBRIC = """civscore: 1
name: r
full: 100
categories:
  - code: A
    name: a
    indicators:
      - {code: A1, name: x, points: 90, rule: per_finding, deduct: 0.5}
      - {code: A2, name: y, points: 10, rule: per_finding, deduct: 1}
"""
HEAD = "日期,单位,指标,数量,问题描述\n"


def p(name):
    return os.path.join(W, name)


def write(name, data, mode="w"):
    path = p(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)
    return path


def records(n_units=3, months=("2026-11",), extra=""):
    rows = [HEAD]
    for m in months:
        for u in range(n_units):
            rows.append(f"{m}-03,U{u + 1},A1,{u % 3},note\n")
    return "".join(rows) + extra


def digest(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path), digest_target(path))
    if not stat.S_ISREG(st.st_mode):
        return ("special", stat.S_IFMT(st.st_mode), st.st_ino, st.st_rdev)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return ("file", h.hexdigest(), st.st_mode, st.st_ino)


def digest_target(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


BACKTRACE = re.compile(rb"panicked at|stack backtrace|RUST_BACKTRACE|memory allocation of|thread '.*' has overflowed")
# C0 controls but tab/newline/CR, DEL, and C1 controls as UTF-8 (C2 80..C2 9F).
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def run(name, argv, *, ok=(0, 2, 65), human=True, untouched=(), env=None, stdin=None,
        cwd=None, check=None, limit=60, io_ok=False):
    """Runs civscore with argv under the limits and records what failed."""
    if args.only and args.only not in name:
        return None
    before = {f: digest(f) for f in untouched}
    cmd = "ulimit -v 4000000; exec timeout -s KILL %d \"$@\"" % limit
    e = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", RUST_BACKTRACE="1", NO_COLOR="1",
             CIVSCORE_TODAY="2026-12-15")
    e.pop("CLICOLOR_FORCE", None)
    if env:
        e.update(env)
    t0 = time.monotonic()
    pr = subprocess.run(["bash", "-c", cmd, "run", BIN] + argv, stdin=stdin or subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=cwd or W)
    secs = time.monotonic() - t0
    out, err = pr.stdout, pr.stderr
    fails = []
    rc = pr.returncode
    if rc < 0 or rc >= 124:
        fails.append(f"killed or signal: exit {rc}")
    elif rc not in ok and not (io_ok and rc == 1):
        fails.append(f"exit {rc} (wanted {ok})")
    if BACKTRACE.search(err) or BACKTRACE.search(out):
        fails.append("backtrace/panic")
    if rc not in (0,) and rc < 124 and not re.search(rb"^error: ", err, re.M):
        fails.append("failed without an `error:` line")
    if CONTROL.search(err):
        fails.append("raw control character on stderr: %r" % CONTROL.search(err).group())
    if human and CONTROL.search(out):
        fails.append("raw control character on stdout: %r" % CONTROL.search(out).group())
    if len(err) > 200_000:
        fails.append(f"stderr of {len(err)} bytes")
    for f in untouched:
        if digest(f) != before[f]:
            fails.append(f"modified: {os.path.relpath(f, W)} {before[f]} -> {digest(f)}")
    if check:
        try:
            r = check(rc, out, err)
            if r:
                fails.append(r)
        except Exception as ex:  # a check that raises fails the case
            fails.append(f"check raised {ex!r}")
    results.append((name, fails, secs, rc, err[:300]))
    mark = "FAIL" if fails else "ok  "
    print(f"{mark} {name:52} exit {rc:3} {secs:6.2f}s" + ("" if not fails else "  " + "; ".join(fails)), flush=True)
    if fails:
        print("      stderr: " + err[:400].decode("utf-8", "replace").replace("\n", "\n              "), flush=True)
    return rc, out, err, secs


def need(cond, what):
    return None if cond else what


def xlsx(name, rows, stray=None, pad=0, sheet_dim=None, sst=None):
    """A minimal workbook: rows of strings as inline strings, an optional stray cell far away."""
    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s
    xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if sheet_dim:
        xml.append(f'<dimension ref="{sheet_dim}"/>')
    xml.append("<sheetData>")
    for r, row in enumerate(rows):
        cells = "".join(f'<c r="{col(c)}{r + 1}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row))
        xml.append(f'<row r="{r + 1}">{cells}</row>' + (" " * pad if pad else ""))
    if stray:
        m = re.match(r"([A-Z]+)(\d+)", stray)
        xml.append(f'<row r="{m.group(2)}"><c r="{stray}" t="inlineStr"><is><t>x</t></is></c></row>')
    xml.append("</sheetData></worksheet>")
    path = p(name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "".join(xml))
        if sst:
            z.writestr("xl/sharedStrings.xml", sst)
    return path


def csv_cells(data):
    import csv
    import io
    text = data.decode("utf-8-sig", "replace")
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?%?$")


def undefused(data):
    bad = [c for c in csv_cells(data) if c and c[0] in "=+-@\t\r＝＋－＠" and not NUMBER.match(c)]
    return None if not bad else f"formula cells unprefixed: {bad[:3]}"


# ---------------------------------------------------------------------------------------------
rub = write("rub.yaml", RUBRIC)
rec = write("rec.csv", records())
units = write("units.csv", "编号,名称\nU1,和平社区\nU2,迎春社区\nU3,新明社区\n")
base = ["--rubric", rub]

# 1. Outputs never clobber inputs or devices.
run("1 -o the roster", ["score", rec, *base, "--units", units, "-o", units], untouched=[units, rec, rub],
    check=lambda rc, o, e: need(rc != 0, "wrote over the roster"))
run("1 -o the rubric", ["score", rec, *base, "-o", rub, "--format", "csv"], untouched=[units, rec, rub],
    check=lambda rc, o, e: need(rc != 0, "wrote over the rubric"))
run("1 -o the records", ["score", rec, *base, "-o", rec], untouched=[rec, rub],
    check=lambda rc, o, e: need(rc != 0, "wrote over the records"))
run("1 --rejects the roster", ["score", rec, *base, "--units", units, "--skip-invalid", "--rejects", units],
    untouched=[units, rec, rub], check=lambda rc, o, e: need(rc != 0, "rejects over the roster"))
rj = p("rj.csv")
run("1 --rejects X -o X", ["score", rec, *base, "--rejects", rj, "-o", rj], untouched=[rec, rub],
    check=lambda rc, o, e: need(rc != 0 and not os.path.exists(rj), "same path for two outputs"))
hard = p("hard.csv")
os.link(rec, hard)
run("1 -o a hard link to the records", ["score", rec, *base, "-o", hard], untouched=[rec, hard, rub],
    check=lambda rc, o, e: need(rc != 0, "wrote through a hard link to an input"))
os.symlink(rec, p("sym-rec.csv"))
run("1 -o a symlink to the records", ["score", rec, *base, "-o", p("sym-rec.csv")],
    untouched=[rec, p("sym-rec.csv"), rub], check=lambda rc, o, e: need(rc != 0, "wrote through a symlink to an input"))
try:
    os.mknod(p("null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    run("1 -o a device", ["score", rec, *base, "-o", p("null"), "--format", "csv"], untouched=[p("null"), rec],
        check=lambda rc, o, e: need(rc == 0, "refused to write a device"))
except PermissionError:
    print("skip 1 -o a device (mknod not permitted)")
os.mkfifo(p("fifo"))
fifo_got = []


def fifo_reader():
    import threading

    def go():
        with open(p("fifo"), "rb") as f:
            fifo_got.append(f.read())
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


if not args.only or args.only in "1 -o a FIFO":
    t = fifo_reader()
    run("1 -o a FIFO", ["score", rec, *base, "-o", p("fifo"), "--format", "csv"], untouched=[p("fifo"), rec],
        check=lambda rc, o, e: need(rc == 0, "refused a FIFO"))
    t.join(5)
    if not fifo_got or b"U1" not in fifo_got[0]:
        print("FAIL 1 -o a FIFO: nothing read from it")
        results.append(("1 -o a FIFO read", ["nothing read"], 0, 0, b""))
target = write("target.csv", "old\n")
os.symlink("target.csv", p("link.csv"))
run("1 -o a symlink: target replaced", ["score", rec, *base, "-o", p("link.csv")], untouched=[rec],
    check=lambda rc, o, e: need(rc == 0 and os.path.islink(p("link.csv")) and b"U1" in open(target, "rb").read(),
                                "symlink not followed to its target"))
ro = write("ro.csv", "read only\n")
os.chmod(ro, 0o444)
run("1 -o a read-only file", ["score", rec, *base, "-o", ro], untouched=[ro, rec],
    check=lambda rc, o, e: need(rc != 0, "replaced a read-only file"))
# Planted temp names of the old scheme (.NAME.civscore-PID.tmp) for the next pids.
victim = write("victim.txt", "do not touch\n")
last = int(open("/proc/sys/kernel/ns_last_pid").read()) if os.path.exists("/proc/sys/kernel/ns_last_pid") else os.getpid()
for pid in range(last, last + 400):
    try:
        os.symlink(victim, p(f".planted.csv.civscore-{pid}.tmp"))
    except FileExistsError:
        pass
run("1 planted temp symlinks", ["score", rec, *base, "-o", p("planted.csv")], untouched=[victim, rec])
for f in os.listdir(W):
    if f.startswith(".planted"):
        os.unlink(p(f))
run("1 report -o x.pdf", ["report", rec, *base, "-o", p("x.pdf")], untouched=[rec],
    check=lambda rc, o, e: need(rc == 2 and not os.path.exists(p("x.pdf")), "x.pdf written or not a usage error"))
run("1 report -o x.csv", ["report", rec, *base, "-o", p("x.csv")], untouched=[rec],
    check=lambda rc, o, e: need(rc == 2 and not os.path.exists(p("x.csv")), "x.csv written or not a usage error"))
run("1 score --format xlsx -o x.csv", ["score", rec, *base, "--format", "xlsx", "-o", p("y.csv")],
    check=lambda rc, o, e: need(rc == 2 and not os.path.exists(p("y.csv")), "workbook under .csv"))
bad_rec = write("bad-rec.csv", records(extra="2026-11-04,U1,ZZ,1,x\n"))
rj2 = p("rj2.csv")
run("1 --rejects not written when -o fails", ["score", bad_rec, *base, "--skip-invalid", "--rejects", rj2, "-o",
                                               p("nodir/out.csv")],
    check=lambda rc, o, e: need(rc != 0 and not os.path.exists(rj2), "rejects written though -o failed"),
    io_ok=True)

# SIGINT during a long write leaves no temp file.
if not args.only or "SIGINT" in args.only:
    big = write("big.csv", HEAD + "".join(f"2026-11-{1 + i % 28:02},U{i % 3000},A1,1,n{i}\n" for i in range(400_000)))
    d = p("sigint")
    os.makedirs(d)
    e = dict(os.environ, LANG="C.UTF-8")
    for delay in (0.5, 1.5, 3.0):
        pr = subprocess.Popen([BIN, "report", big, *base, "-o", os.path.join(d, "out.xlsx")], stderr=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=e)
        time.sleep(delay)
        pr.send_signal(signal.SIGINT)
        _, err = pr.communicate()
        left = [f for f in os.listdir(d) if f != "out.xlsx" or pr.returncode != 0]
        fails = []
        if left:
            fails.append(f"left behind: {left}")
        if BACKTRACE.search(err):
            fails.append("backtrace")
        results.append((f"1 SIGINT after {delay}s", fails, 0, pr.returncode, err[:200]))
        print(("FAIL" if fails else "ok  ") + f" 1 SIGINT after {delay}s: exit {pr.returncode} {fails}")
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))

# 2. No crash with a backtrace.
st1 = xlsx("stray-xfd.xlsx", [HEAD.strip().split(","), ["2026-11-03", "U1", "A1", "1", "n"]], stray="XFD1048576")
run("2 xlsx stray cell XFD1048576", ["score", st1, *base], untouched=[st1])
st2 = xlsx("stray-a.xlsx", [HEAD.strip().split(","), ["2026-11-03", "U1", "A1", "1", "n"]], stray="A1048576")
run("2 xlsx stray cell A1048576", ["score", st2, *base], untouched=[st2])
st3 = xlsx("dim.xlsx", [HEAD.strip().split(","), ["2026-11-03", "U1", "A1", "1", "n"]], sheet_dim="A1:XFD1048576")
run("2 xlsx dimension A1:XFD1048576", ["score", st3, *base], untouched=[st3])
sstb = xlsx("sst-bomb.xlsx", [HEAD.strip().split(","), ["2026-11-03", "U1", "A1", "1", "n"]],
            sst='<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>')
run("2 xlsx declaring 4e9 shared strings", ["score", sstb, *base], untouched=[sstb])
if not args.only or "50 MB" in args.only:
    bigc = xlsx("bigcell.xlsx", [HEAD.strip().split(","), ["2026-11-03", "U1", "A1", "1", "n"],
                                 ["2026-11-03", "U" * (50 << 20), "A1", "1", "n"]])
    for label, more in [("table", []), ("md", ["--format", "md"]), ("xlsx", ["-o", p("bigc.xlsx")]),
                        ("report", ["-o", p("bigc-r.xlsx")]), ("html", ["-o", p("bigc.html")])]:
        cmd = "report" if label == "report" else "score"
        run(f"2 a 50 MB unit name in a workbook: {label}", [cmd, bigc, *base, *more], human=label == "table")
    os.unlink(bigc)
# Byte-flipped spreadsheets (the fuzz seeds, if any).
seeds = []
for d in ("fuzz/seeds/spreadsheet", "fuzz/corpus/spreadsheet"):
    dd = os.path.join(ROOT, d)
    if os.path.isdir(dd):
        seeds += [os.path.join(dd, f) for f in sorted(os.listdir(dd))]
rnd = random.Random(16)
flips = 0
for s in seeds[:12]:
    data = open(s, "rb").read()
    ext = ".xls" if data[:4] == b"\xd0\xcf\x11\xe0" else ".xlsx" if data[:2] == b"PK" else None
    if not ext:
        continue
    for k in range(40 if not args.only or "flipped" in args.only else 1):
        b = bytearray(data)
        for _ in range(8):
            i = rnd.randrange(len(b))
            b[i] = rnd.randrange(256)
        f = write(f"flip-{flips}{ext}", bytes(b))
        flips += 1
        run(f"2 flipped {os.path.basename(s)} #{k}", ["score", f, *base], untouched=[f])
# Truncated, and rewritten with the same size, during a run.
if not args.only or "during" in args.only:
    for what in ("truncate", "same size"):
        # 8,000,000 rows (about 260 MB): long enough to be changed while a release build reads it.
        chunk = "".join(f"2026-11-{1 + i % 28:02},U{i % 3000},A1,1,n\n" for i in range(8000)).encode()
        big = write("grow.csv", HEAD.encode() + chunk * 1000)
        size = os.path.getsize(big)
        other = open(big, "rb").read().replace(b",A1,1,", b",A1,2,")
        pr = subprocess.Popen(["bash", "-c", "ulimit -v 4000000; exec \"$@\"", "run", BIN, "score", big, *base, "-j", "1"],
                              stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(os.environ, LANG="C.UTF-8"))
        time.sleep(0.1)
        if what == "truncate":
            os.truncate(big, size // 3)
        else:
            # Every row stays valid, with another count: only the file's times tell.
            with open(big, "r+b") as f:
                f.write(other)
        _, err = pr.communicate()
        fails = []
        if pr.returncode < 0 or pr.returncode >= 124:
            fails.append(f"signal {pr.returncode}")
        if pr.returncode == 0:
            fails.append("exit 0 on a file changed during the run")
        if not re.search(rb"^error: ", err, re.M):
            fails.append("no error: line")
        results.append((f"2 input {what} during a run", fails, 0, pr.returncode, err[:200]))
        print(("FAIL" if fails else "ok  ") + f" 2 input {what} during a run: exit {pr.returncode} {fails} {err[:200]!r}")

# 3. Encodings.
utf = write("utf-stray.csv", (HEAD + "2026-11-03,和平社区,A1,1,ok\n2026-11-03,迎春社区,A1,2,").encode() + b"bad \xff byte\n" +
            "2026-11-04,和平社区,A1,1,ok\n".encode())
run("3 UTF-8 with one stray byte", ["score", utf, *base], untouched=[utf],
    check=lambda rc, o, e: need("鍜屽钩".encode() not in o + e and (rc == 65 and b":3" in e or rc == 0), "guessed GBK or no line"))
gbk = write("gbk-bad.csv", (HEAD + "2026-11-03,和平社区,A1,1,ok\n").encode("gbk") + b"2026-11-03,\x81\x20\xfe,A1,1,x\n")
run("3 GBK with bad bytes", ["score", gbk, *base], untouched=[gbk],
    check=lambda rc, o, e: need("\ufffd".encode() not in o and rc == 65, "U+FFFD in output or accepted"))
run("3 --encoding utf-8 with bad bytes", ["score", utf, *base, "--encoding", "utf-8"], untouched=[utf],
    check=lambda rc, o, e: need(rc == 65 and b":3" in e, "bad bytes replaced silently or no line"))
mixed = write("utf-gbk-line.csv", (HEAD + "2026-11-03,和平社区,A1,1,ok\n" * 4).encode() + "2026-11-03,和平社区,A1,1,坏\n".encode("gbk"))
run("3 UTF-8 with one GBK line", ["score", mixed, *base], untouched=[mixed],
    check=lambda rc, o, e: need(rc == 65 and b":6" in e, "not the bad line (6)"))
run("3 --encoding gbk --lossy", ["score", gbk, *base, "--encoding", "gbk", "--lossy"], untouched=[gbk])

# 4. Numbers.
r4 = write("r4.yaml", RUBRIC.replace("points: 90", "points: 79228162514264337593543950335"))
run("4 points 2^96-1", ["score", rec, "--rubric", r4], check=lambda rc, o, e: need(rc == 65, "not invalid"))
r4b = write("r4b.yaml", RUBRIC.replace("deduct: 0.5", "deduct: 1e23"))
rec4 = write("rec4.csv", HEAD + "2026-11-03,U1,A1,1000000,x\n")
run("4 deduct 1e23 × 1,000,000", ["score", rec4, "--rubric", r4b], check=lambda rc, o, e: need(rc == 65, "not invalid"))
r4c = write("r4c.yaml", RUBRIC.replace("deduct: 0.5", "deduct: 0.000000000000000000000000001"))
run("4 deduct 1e-27", ["score", rec4, "--rubric", r4c])
rec4d = write("rec4d.csv", HEAD + "2026-11-03,U1,A1,99999999999999999999999999999999,x\n")
run("4 count 10^32", ["score", rec4d, *base], check=lambda rc, o, e: need(rc == 65, "not invalid"))
rec4e = write("rec4e.csv", HEAD + "".join("2026-11-03,U1,A1,4294967295,x\n" for _ in range(3)))
run("4 counts summing past u32", ["score", rec4e, *base])

# 5. Terminal injection.
ESC = "\x1b]8;;http://evil\x07\x1b[31mEVIL\x1b[0m\x1b[2J"
rec5 = write("rec5.csv", HEAD + f"2026-11-03,U{ESC},A1,1,note{ESC}\n2026-11-03,U2,A1,1,x\n")
units5 = write("units5.csv", f"编号,名称\nU{ESC},名{ESC}\nU2,b\n")
r5 = write("r5.yaml", RUBRIC.replace("name: r\n", f"name: \"r{ESC.encode('unicode_escape').decode()}\"\n")
           .replace("name: x,", f"name: \"x{ESC.encode('unicode_escape').decode()}\","))
for fmt in ("table", "md"):
    run(f"5 ESC in names: score {fmt}", ["score", rec5, "--rubric", r5, "--units", units5, "--format", fmt])
run("5 ESC: explain", ["explain", rec5, "--rubric", r5, "--unit", f"U{ESC}"])
run("5 ESC: explain --all periods", ["explain", rec5, "--rubric", r5, "--unit", "U2", "--all"])
run("5 ESC: explain md", ["explain", rec5, "--rubric", r5, "--units", units5, "--unit", f"U{ESC}", "--format", "md"])
run("5 ESC: compare", ["compare", rec5, "--rubric", rub, "--against", r5, "--units", units5])
run("5 ESC: compare md", ["compare", rec5, "--rubric", rub, "--against", r5, "--format", "md"])
x5 = xlsx("esc.xlsx", [HEAD.strip().split(","), ["2026-11-03", f"U{ESC}", "A1", "1", f"n{ESC}"],
                       ["2026-11-03", "U2", f"A{ESC}", "1", "n"]])
run("5 ESC in xlsx cells", ["score", x5, *base, "--skip-invalid"])
run("5 ESC in a roster name: score", ["score", rec5, *base, "--units", units5, "--skip-invalid"])
run("5 ESC: report html", ["report", rec5, "--rubric", r5, "--units", units5, "-o", p("esc.html")],
    check=lambda rc, o, e: need(rc != 0 or b"\x1b" not in open(p("esc.html"), "rb").read(), "ESC in the bulletin"))
rbidi = write("bidi.csv", HEAD + "2026-11-03,U\u202e1,A1,1,x\u0085y\n")
run("5 C1 and bidi controls", ["score", rbidi, *base])
run("5 ESC: check", ["check", r5])
run("5 ESC: validate", ["validate", rec5, "--rubric", r5, "--units", units5])
rec5b = write("rec5b.csv", HEAD + f"2026-11-03,U1,A{ESC},1,x\n2026-11-0{ESC},U1,A1,1,x\n")
run("5 ESC in rejected cells (stderr)", ["score", rec5b, *base])
run("5 ESC in rejected cells --skip-invalid", ["score", rec5b, *base, "--skip-invalid"])
r5b = write("r5b.yaml", RUBRIC.replace("name: x,", "name: !!binary G1sySkVWSUwbWzBt,"))
run("5 !!binary in the rubric", ["check", r5b])
r5c = write("r5c.yaml", RUBRIC.replace("code: A1", f"code: \"A{ESC.encode('unicode_escape').decode()}\""))
run("5 ESC in a code: check", ["check", r5c])
run("5 ESC in a file name", ["score", write(f"na{ESC}me.csv", records() + "bad,row\n"), *base])
# A missing file is exit 1 (SPEC §6: an I/O failure), as the existing tests want.
run("5 ESC in a rubric name (missing file)", ["score", rec, "--rubric", p(f"no{ESC}.yaml")], io_ok=True)
write("esctoml/civscore.toml", 'rubric = "a\\u001b[2Jb"\nunits = "u\\u001b]8;;x\\u0007"\n')
run("5 ESC in civscore.toml: config", ["config"], cwd=p("esctoml"))
run("5 ESC in civscore.toml: score", ["score", rec], cwd=p("esctoml"), io_ok=True)
run("5 ESC in a folder name: init", ["init", p(f"d{ESC}")])
r5d = write("r5d.yaml", RUBRIC + f"bogus{ESC}: 1\n")
run("5 ESC in an unknown key", ["check", r5d])

# 6. Formulas.
rec6 = write("rec6.csv", HEAD + '2026-11-03,=HYPERLINK("http://x"),ZZ,1,"=cmd|\' /C calc\'!A0"\n'
             + "2026-11-03,＝1+1,ZZ,1,＠SUM(A1)\n2026-11-03,U1,A1,1,-2+3\n2026-11-03,@U2,A1,1,+1\n")
rj6 = p("rj6.csv")
run("6 --rejects defused", ["score", rec6, *base, "--skip-invalid", "--rejects", rj6, "--format", "csv"], human=False,
    check=lambda rc, o, e: undefused(open(rj6, "rb").read()) or undefused(o))
rg = write("rg.yaml", RUBRIC + "grades:\n  - {name: \"=cmd|' /C calc'!A0\", min: 90}\n  - {name: ＝HYPER, min: 0}\n")
run("6 compare --format csv", ["compare", rec6, "--rubric", rub, "--against", rg, "--skip-invalid", "--format", "csv"],
    human=False, check=lambda rc, o, e: undefused(o))
run("6 score csv grades", ["score", rec6, "--rubric", rg, "--skip-invalid", "--format", "csv"], human=False,
    check=lambda rc, o, e: undefused(o))
run("6 explain csv", ["explain", rec6, "--rubric", rg, "--skip-invalid", "--unit", "@U2", "--all", "--format", "csv"], human=False,
    check=lambda rc, o, e: undefused(o))

# 7. Settings and disclosure.
top = p("planted")
os.makedirs(os.path.join(top, "office", "work"))
write("planted/civscore.toml", f'rubric = "{rg}"\noutput_dir = "{p("elsewhere")}"\n')
shutil.copy(rec, os.path.join(top, "office", "work", "rec.csv"))
run("7 civscore.toml in a parent", ["score", "rec.csv"], cwd=os.path.join(top, "office", "work"),
    check=lambda rc, o, e: need(b"civscore.toml" in e, "settings not named on stderr")
    or need(not os.path.exists(p("elsewhere")), "output_dir outside created"))
huge = write("huge-head.csv", b"a" * (40 << 20) + b"\n")
run("7 a 40 MB header line", ["score", huge, *base], check=lambda rc, o, e: need(len(e) < 4000, f"stderr {len(e)} bytes"))
secret = write("secret", "root:SECRETHASHSECRETHASHSECRETHASH" + "x" * 1000 + ":0:0\n")
run("7 --units a secret file", ["score", rec, *base, "--units", secret],
    check=lambda rc, o, e: need(len(e) < 2000, "echoes the file"))
run("7 --rubric a secret file", ["score", rec, "--rubric", secret],
    check=lambda rc, o, e: need(len(e) < 2000, "echoes the file"))
run("7 records a secret file", ["score", secret, *base], check=lambda rc, o, e: need(len(e) < 2000, "echoes the file"))
write("dirtoml/civscore.toml", f'rubric = "{W}"\n')
run("7 toml rubric names a folder", ["score", rec], cwd=p("dirtoml"), io_ok=True,
    check=lambda rc, o, e: need(b"error: : " not in e, "empty name in the error"))

# More outputs: other spellings of an input, folders, init over an office's files.
os.makedirs(p("sub"), exist_ok=True)
run("1 -o ./dir/../rec.csv", ["score", rec, *base, "-o", os.path.join(W, "sub", "..", "rec.csv")], untouched=[rec],
    check=lambda rc, o, e: need(rc != 0, "wrote over the records"))
os.makedirs(p("sub"), exist_ok=True)
run("1 -o a folder", ["score", rec, *base, "-o", p("sub")], untouched=[rec], io_ok=True,
    check=lambda rc, o, e: need(rc != 0 and os.path.isdir(p("sub")), "replaced a folder"))
run("1 --rejects the records", ["score", bad_rec, *base, "--skip-invalid", "--rejects", bad_rec], untouched=[bad_rec],
    check=lambda rc, o, e: need(rc != 0, "rejects over the records"))
run("1 report -o the records.xlsx", ["report", st2, *base, "-o", st2], untouched=[st2],
    check=lambda rc, o, e: need(rc != 0, "report over its records"))
office = p("office")
os.makedirs(office)
run("1 init", ["init", office])
before = {f: digest(os.path.join(dp, f)) for dp, _, fs in os.walk(office) for f in fs}
for dp, _, fs in os.walk(office):
    for f in fs:
        with open(os.path.join(dp, f), "ab") as h:
            h.write(b"# the office's own edit\n")
edited = [os.path.join(dp, f) for dp, _, fs in os.walk(office) for f in fs]
run("1 init again over edited files", ["init", office], untouched=edited, io_ok=True)
try:
    os.mknod(p("null2"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    run("1 --rejects a device", ["score", bad_rec, *base, "--skip-invalid", "--rejects", p("null2")],
        untouched=[p("null2"), bad_rec], check=lambda rc, o, e: need(rc == 0, "refused a device"))
except PermissionError:
    pass
os.makedirs(p("rodir"))
os.chmod(p("rodir"), 0o555)
run("1 -o in a read-only folder", ["score", rec, *base, "-o", p("rodir/out.csv")], io_ok=True,
    check=lambda rc, o, e: None if os.geteuid() == 0 else need(rc != 0, "wrote in a read-only folder"))
run("1 -o the roster by another spelling", ["score", rec, *base, "--units", units, "-o", os.path.join(W, ".", "units.csv")],
    untouched=[units], check=lambda rc, o, e: need(rc != 0, "wrote over the roster"))
run("1 two runs' outputs: -o the rejects of the same run", ["score", bad_rec, *base, "--skip-invalid", "--rejects",
                                                            p("same.csv"), "-o", os.path.join(W, "sub", "..", "same.csv")],
    check=lambda rc, o, e: need(rc != 0, "same path twice"))
run("1 stdin as the output's input", ["score", "-", *base, "-o", "/dev/stdin"], stdin=open(rec, "rb"), io_ok=True,
    untouched=[rec])

# Inputs that are not what they say.
run("2 rubric /dev/zero", ["score", rec, "--rubric", "/dev/zero"], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 rubric /dev/urandom", ["score", rec, "--rubric", "/dev/urandom"], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 roster /dev/zero", ["score", rec, *base, "--units", "/dev/zero"], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 roster /dev/urandom", ["score", rec, *base, "--units", "/dev/urandom"], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 records a FIFO with nothing", ["score", "/dev/null", *base], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 xlsx bytes on stdin", ["score", "-", *base], stdin=open(st1, "rb"))
run("2 empty file", ["score", write("empty.csv", ""), *base], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("2 100,000 columns", ["score", write("wide.csv", HEAD.strip() + "," + ",".join(f"c{i}" for i in range(100_000)) + "\n2026-11-03,U1,A1,1,x\n"), *base])
run("2 a rubric of 5 MB of one scalar", ["check", write("bigscalar.yaml", RUBRIC.replace("name: r", "name: " + "r" * 5_000_000))],
    check=lambda rc, o, e: need(len(o) < 1_000_000 or rc == 0, "huge output"))
zipbomb = p("zipbomb.xlsx")
with zipfile.ZipFile(zipbomb, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + " " * (1500 << 20) + "</sheetData></worksheet>")
run("2 a zip bomb (1.5 GB of spaces)", ["score", zipbomb, *base])
os.unlink(zipbomb)

run("9 -j 65535", ["score", rec, *base, "-j", "65535"], check=lambda rc, o, e: need(rc == 0, "refused"))
long_name = write("longname.csv", HEAD + f"2026-11-03,U{'名' * 300_000},A1,1,x\n2026-11-03,U2,A1,1,{'注' * 300_000}\n")
run("9 a unit name of 900 KB in a table", ["score", long_name, *base], check=lambda rc, o, e: need(len(e) < 20_000, "stderr"))
run("9 a unit name of 900 KB in explain", ["explain", long_name, *base, "--unit", "U2"])

# 9. Memory: endless and binary input.
run("9 /dev/zero", ["score", "/dev/zero", *base], check=lambda rc, o, e: need(rc == 65, "not invalid"))
run("9 /dev/urandom", ["score", "/dev/urandom", *base], check=lambda rc, o, e: need(rc == 65, "not invalid"))
if not args.only or "yes" in args.only:
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    run("9 yes | score -", ["score", "-", *base], stdin=yes.stdout, check=lambda rc, o, e: need(rc == 65, "not invalid"))
    yes.kill()
    yes.wait()
oneline = write("oneline.csv", HEAD.encode() + b"2026-11-03,U1,A1,1," + b"n" * (300 << 20) + b"\n")
run("9 a 300 MB line", ["score", oneline, *base])
os.unlink(oneline)
pad = xlsx("padded.xlsx", [HEAD.strip().split(",")] + [["2026-11-03", f"U{i}", "A1", "1", "n"] for i in range(3000)], pad=20000)
run("9 xlsx padded with whitespace", ["score", pad, *base])

if not args.only or "units" in args.only:
    r9 = write("r9.csv", HEAD + "".join(f"2026-11-03,U{u}x,A1,1,x\n" for u in range(1_000_000)))
    run("9 1,000,000 distinct units", ["score", r9, *base, "-q"])
    os.unlink(r9)
    wide = "civscore: 1\nname: r\nfull: 40000\ncategories:\n  - code: A\n    name: a\n    indicators:\n" + "".join(
        f"      - {{code: I{i}, name: x, points: 10, rule: per_finding, deduct: 1}}\n" for i in range(4_000))
    rw = write("wide.yaml", wide)
    r9b = write("r9b.csv", HEAD + "".join(f"2026-11-03,U{u},I{(u * 7 + k) % 4000},1,x\n" for u in range(2000) for k in range(100)))
    run("9 4,000 indicators × 2,000 units", ["score", r9b, "--rubric", rw, "-q"])
    r9c = write("r9c.csv", HEAD + "".join(f"{1000 + m // 12:04}-{1 + m % 12:02}-03,U{m % 50},A1,1,x\n" for m in range(12_000)))
    run("9 --all over 12,000 months", ["score", r9c, *base, "--all", "-q"], check=lambda rc, o, e: need(rc in (0, 65), "?"))

# 11. Smaller.
def rubric_with(ind):
    return write(f"r11-{abs(hash(ind))}.yaml", RUBRIC.replace("      - {code: A2, name: y, points: 10, rule: per_finding, deduct: 1}\n", ind))


for label, ind in [("Ａ1 beside A1", "      - {code: Ａ1, name: y, points: 10, rule: per_finding, deduct: 1}\n"),
                   ("empty code", "      - {code: '', name: y, points: 10, rule: per_finding, deduct: 1}\n"),
                   ("blank code", "      - {code: '  ', name: y, points: 10, rule: per_finding, deduct: 1}\n"),
                   ("tab in code", "      - {code: \"A\\t2\", name: y, points: 10, rule: per_finding, deduct: 1}\n"),
                   ("NUL in code", "      - {code: \"A\\0\", name: y, points: 10, rule: per_finding, deduct: 1}\n"),
                   ("0x10 points", "      - {code: A2, name: y, points: 0x10, rule: per_finding, deduct: 1}\n"),
                   ("1_000 points", "      - {code: A2, name: y, points: 1_000, rule: per_finding, deduct: 1}\n"),
                   ("30 decimals", "      - {code: A2, name: y, points: 10, rule: per_finding, deduct: 0.123456789012345678901234567890}\n")]:
    rr = rubric_with(ind)
    run(f"11 rubric {label}", ["check", rr],
        check=lambda rc, o, e, label=label: need(rc == 65, "accepted")
        or need(label != "30 decimals" or b"decimals" in e, "vague"))
for label, cnt in [("0x10", "0x10"), ("1_000", "1_000")]:
    rr = write(f"rec11-{label}.csv", HEAD + f"2026-11-03,U1,A1,{cnt},x\n")
    run(f"11 count {label}", ["score", rr, *base], check=lambda rc, o, e: need(rc == 65, "count accepted"))
many = "civscore: 1\nname: r\nfull: 100000\ncategories:\n  - code: A\n    name: a\n    indicators:\n" + "".join(
    f"      - {{code: I{i}, name: x, points: 1, rule: per_finding, deduct: 1}}\n" for i in range(5000))
rm = write("many.yaml", many)
run("11 5,000 indicators", ["check", rm], check=lambda rc, o, e: need(b"repeated many times?" not in e, "alias message"))
deep = write("deep.yaml", RUBRIC + "extra: " + "[" * 70 + "]" * 70 + "\n")
run("11 depth 70", ["check", deep], check=lambda rc, o, e: need(rc == 65 and b"alias" not in e, "alias message"))
run("11 --red=-1", ["report", rec, *base, "-o", p("red.xlsx"), "--red=-1"], check=lambda rc, o, e: need(rc == 2, "accepted"))
multi = write("multi.yaml", RUBRIC + "---\n" + RUBRIC)
run("11 two YAML documents", ["check", multi], check=lambda rc, o, e: need(rc == 65 and b"from_str" not in e, "library message"))
recnl = write("recnl.csv", HEAD + '2026-11-03,"U1\nx|y",A1,1,x\n2026-11-03,U2,A1,1,x\n')
run("11 newline and | in a unit (md)", ["score", recnl, *base, "--format", "md"],
    check=lambda rc, o, e: need(all(l.startswith(b"|") or not l.strip() or l.startswith(b"#") or l.startswith(b"*") or l.startswith(b">")
                                    for l in o.splitlines()), "a Markdown row broken"))
recnul = write("recnul.csv", HEAD + "2026-11-03,U1\x00x,A1,1,x\n2026-11-03,U2,A1,1,x\n")
run("11 NUL in a unit code", ["score", recnul, *base], check=lambda rc, o, e: need(b"\x00" not in o, "NUL in output"))
write("yellow/civscore.toml", "[report]\nyellow = -5\n")
run("11 [report] yellow = -5", ["report", rec, *base, "-o", p("yellow/out.xlsx")], cwd=p("yellow"),
    check=lambda rc, o, e: need(rc != 0, "accepted"))

# 10. A report for 16,500 units.
if not args.only or "16,500" in args.only:
    r10 = write("r10.csv", HEAD + "".join(f"2026-{m:02}-03,U{u:05},A1,{u % 3},x\n" for u in range(16_500) for m in (10, 11)))
    run("10 report for 16,500 units", ["report", r10, *base, "-o", p("r10.xlsx")], untouched=[r10],
        check=lambda rc, o, e: need(rc == 0 and os.path.getsize(p("r10.xlsx")) > 0, "no report"))

# 8. Blow-ups (timing: two sizes; linear means about twice the time for twice the size).
def timed(name, make, cmd, sizes):
    ts = []
    for n in sizes:
        argv = make(n)
        r = run(f"{name} n={n}", cmd(argv))
        if r is None:
            return
        ts.append(r[3])
    ratio = ts[1] / max(ts[0], 1e-3)
    fails = [] if ratio < 3.0 or ts[1] < 1.0 else [f"time ratio {ratio:.1f} for ×{sizes[1] // sizes[0]}"]
    results.append((name + " linear", fails, ts[1], 0, b""))
    print(("FAIL" if fails else "ok  ") + f" {name}: {ts[0]:.2f}s → {ts[1]:.2f}s (×{ratio:.1f})")


if args.timing:
    def sev(n):
        src = "".join(f"  s{i}: 1\n" for i in range(n))
        sv = "".join(f"          l{i}: {1 + i % 3}\n" for i in range(n))
        r = write(f"sev{n}.yaml", "civscore: 1\nname: r\nfull: 100\nsources:\n" + src +
                  "categories:\n  - code: A\n    name: a\n    indicators:\n      - code: A1\n        name: x\n        points: 100\n"
                  "        rule: per_finding\n        deduct:\n" + sv)
        rr = write(f"sevrec{n}.csv", "日期,单位,指标,数量,程度,检查方式\n" + "".join(
            f"2026-11-03,U{i % 50},A1,1,l{i % n},s{(i * 7) % n}\n" for i in range(20000)))
        return [rr, "--rubric", r]
    timed("8 sources × severities", sev, lambda a: ["score", *a], (150, 300))

    def dates(n):
        rr = write(f"dates{n}.csv", HEAD + "".join(f"{(i * 7919) % 10000:04}-{1 + i % 12:02}-{1 + i % 28:02},U{i % 100},A1,1,x\n"
                                                   for i in range(n)))
        return [rr, *base, "--period", "2026-11"]
    timed("8 dates 0000–9999", dates, lambda a: ["validate", *a[:3]], (100_000, 200_000))

    def allx(n):
        rr = write(f"allx{n}.csv", HEAD + "".join(f"2026-11-03,U{u}x,A1,1,x\n" for u in range(n)))
        return [rr, *base, "--all", "-o", p(f"allx{n}.xlsx")]
    timed("8 score --all -o xlsx", allx, lambda a: ["score", *a], (10_000, 20_000))

    S = 0x517cc1b727220a95

    def rotl(x, r):
        return ((x << r) | (x >> (64 - r))) & (2 ** 64 - 1)

    def crafted(n, seed=1):
        """16-byte codes whose old fixed-seed hash (src/fxhash.rs before f9a40c0) agrees in its low 24 bits."""
        rng = random.Random(seed)
        out = set()
        alphabet = [c for c in range(0x30, 0x7b) if chr(c).isalnum()]
        while len(out) < n:
            w1 = bytes(rng.choice(alphabet) for _ in range(8))
            h = rotl((int.from_bytes(w1, "little") * S) & (2 ** 64 - 1), 5)
            low = (h ^ 0x414141) & 0xFFFFFF
            b = low.to_bytes(3, "little")
            if all(chr(x).isalnum() and x < 0x80 for x in b):
                code = w1 + b + bytes(rng.choice(alphabet) for _ in range(5))
                out.add(code.decode())
        return sorted(out)

    for kind in ("random", "crafted"):
        alnum = [chr(c) for c in range(0x30, 0x7b) if chr(c).isalnum()]
        rng = random.Random(2)
        codes = crafted(20_000) if kind == "crafted" else sorted({"".join(rng.choice(alnum) for _ in range(16))
                                                                   for _ in range(20_000)})
        rr = write(f"codes-{kind}.csv", HEAD + "".join(f"2026-{m:02}-03,{c},A1,1,x\n" for m in (10, 11) for c in codes))
        run(f"8 20,000 {kind} 16-byte codes", ["score", rr, *base, "--all", "--format", "csv", "-o", p(f"codes-{kind}.out.csv")])

print()
failed = [r for r in results if r[1]]
print(f"{len(results) - len(failed)} of {len(results)} cases hold; {len(failed)} fail")
for name, fails, *_ in failed:
    print(f"  {name}: {'; '.join(fails)}")
if not args.keep:
    shutil.rmtree(W, ignore_errors=True)
else:
    print("kept", W)
sys.exit(1 if failed else 0)
