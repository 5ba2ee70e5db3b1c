#!/usr/bin/env python3
"""tests/lldbsuite/helper.py -- the Python half of tests/lldbsuite/run.sh.

  helper.py prepare SRC WORK      copy lldb's test tree from SRC (the lldb
                                  directory of the llvm-project source) to
                                  WORK/lldb and patch it (see PATCHES)
  helper.py shell TEST OUTDIR     run one lit Shell test (.test) the way lit
                                  would, with the substitutions lldb's lit
                                  config makes; prints one result line
  helper.py parse LOG UNIT        turn one dotest.py log into result lines
  helper.py compare A B           compare two runs' results.txt files
  helper.py triage RUNDIR [N [REFDIR]]
                                  for each test of a run that did not pass, its
                                  assertion and its last N packets; with REFDIR
                                  (a LOG_SUCCESS=1 run of the reference server)
                                  the first packet whose reply differs

A result line is "STATUS<TAB>UNIT::TEST" with STATUS one of PASS, FAIL,
ERROR, UNSUPPORTED, XFAIL, XPASS, TIMEOUT, NORESULT.
"""
import os
import re
import shutil
import subprocess
import sys

# --- prepare ---------------------------------------------------------------
# Patches applied to the copy of lldb's test tree. Each is (file, old, new);
# `old` must be found exactly once.
PATCHES = [
    # The lldb-server tests look for "lldb-server" next to the running program
    # (the python executable here). Let LLDBSUITE_SERVER name the server.
    ("packages/Python/lldbsuite/test/tools/lldb-server/lldbgdbserverutils.py",
     "def _get_support_exe(basename):\n",
     "def _get_support_exe(basename):\n"
     "    if basename == \"lldb-server\" and os.environ.get(\"LLDBSUITE_SERVER\"):\n"
     "        return os.environ[\"LLDBSUITE_SERVER\"]\n"),
    # The lldb-server tests log the packets they send, not what they receive:
    # log that too (Failure-host.log). And a server that closes the
    # connection makes Server._read spin on recv() returning b"" until the
    # file's timeout: fail the test at once instead.
    ("packages/Python/lldbsuite/test/tools/lldb-server/lldbgdbserverutils.py",
     "    def _read(self, q):\n"
     "        while not q:\n"
     "            new_bytes = self._sock.recv(4096)\n",
     "    def _read(self, q):\n"
     "        import logging\n"
     "        while not q:\n"
     "            new_bytes = self._sock.recv(4096)\n"
     "            if not new_bytes:  # tests/lldbsuite\n"
     "                logging.getLogger(\"gdbremote_testcase\").info(\n"
     "                    \"received from remote: EOF (connection closed)\")\n"
     "                raise EOFError(\"the server closed the connection\")\n"
     "            logging.getLogger(\"gdbremote_testcase\").info(\n"
     "                \"received from remote: {}\".format(seven.bitcast_to_string(new_bytes)))\n"),
    # `--channel "gdb-remote packets"` makes the lldb-server tests log every
    # packet they send and receive (Incomplete-host.log, kept on failure). It
    # would also pass --log-file=/--log-channels= to the server: do not, those
    # options are lldb-server's own and are not what is being compared.
    ("packages/Python/lldbsuite/test/tools/lldb-server/gdbremote_testcase.py",
     "    def setUpServerLogging(self, is_llgs):\n",
     "    def setUpServerLogging(self, is_llgs):\n"
     "        return  # tests/lldbsuite: no server-side log options\n"),
    # Same for servers started by lldb itself (API tests): lldb adds
    # --log-file/--log-channels when these variables are set.
    ("packages/Python/lldbsuite/test/lldbtest.py",
     "        if lldb.remote_platform is None:\n"
     "            server_log_path = ",
     "        if False:  # tests/lldbsuite: no server-side log options\n"
     "            server_log_path = "),
    ("packages/Python/lldbsuite/test/lldbtest.py",
     "            if channel == \"gdb-remote\" and lldb.remote_platform is None:\n",
     "            if False:  # tests/lldbsuite: no server-side log options\n"),
]


def prepare(src, work):
    dst = os.path.join(work, "lldb")
    if os.path.exists(dst):
        shutil.rmtree(dst)
    os.makedirs(os.path.join(dst, "test"))
    shutil.copy2(os.path.join(src, "use_lldb_suite_root.py"), dst)
    for d in ("packages", "third_party"):
        shutil.copytree(os.path.join(src, d), os.path.join(dst, d), symlinks=True)
    for d in ("API", "Shell"):
        shutil.copytree(os.path.join(src, "test", d), os.path.join(dst, "test", d),
                        symlinks=True)
    for rel, old, new in PATCHES:
        p = os.path.join(dst, rel)
        s = open(p).read()
        if s.count(old) != 1:
            sys.exit("helper.py: patch does not apply to %s: %r" % (rel, old[:60]))
        open(p, "w").write(s.replace(old, new))


# --- shell -----------------------------------------------------------------
# The subset of lit that lldb's test/Shell/Subprocess tests use: RUN lines
# (with "\" continuations), REQUIRES/UNSUPPORTED features, and the
# substitutions %clangxx_host, %clang_host, %lldb, %p, %s, %t.
LIT_LLDB_INIT = """\
settings set symbols.enable-external-lookup false
settings set plugin.process.gdb-remote.packet-timeout 60
settings set interpreter.echo-comment-commands false
settings set target.auto-apply-fixits false
settings set target.inherit-tcc true
settings set target.detach-on-error false
"""
FEATURES = {"native", "dbregs-set", "system-linux", "target-x86_64", "x86"}


def features_match(expr):
    """True if a lit boolean feature expression (&&, ||, !) holds."""
    py = re.sub(r"[A-Za-z0-9_.+-]+",
                lambda m: str(m.group(0) in FEATURES), expr)
    py = py.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    return eval(py)


def shell(test, outdir):
    os.makedirs(outdir, exist_ok=True)
    unit = os.path.relpath(test, os.path.join(os.path.dirname(test), "..", ".."))
    base = os.path.join(outdir, os.path.basename(test))
    init = base + ".lldbinit"
    with open(init, "w") as f:
        f.write(LIT_LLDB_INIT)
        # the client's packet log, for the comparison of the servers
        f.write("log enable -T -f %s.packets.log gdb-remote packets\n" % base)
    runs, cur = [], ""
    for line in open(test):
        m = re.search(r"(RUN|REQUIRES|UNSUPPORTED):(.*)$", line)
        if not m:
            continue
        kind, rest = m.group(1), m.group(2).strip()
        if kind == "REQUIRES" and not features_match(rest):
            print("UNSUPPORTED\t%s::lit" % unit)
            return
        if kind == "UNSUPPORTED" and any(features_match(x.strip()) for x in rest.split(",")):
            print("UNSUPPORTED\t%s::lit" % unit)
            return
        if kind == "RUN":
            if rest.endswith("\\"):
                cur += rest[:-1] + " "
                continue
            runs.append(cur + rest)
            cur = ""
    subs = [
        ("%clangxx_host", "clang++ --target=x86_64-pc-linux-gnu"),
        ("%clang_host", "clang --target=x86_64-pc-linux-gnu"),
        ("%lldb", "lldb-16 --no-lldbinit -S " + init),
        ("%p", os.path.dirname(os.path.abspath(test))),
        ("%s", os.path.abspath(test)),
        ("%t", base + ".tmp"),
    ]
    script = ["set -o pipefail", "set -x"]
    for r in runs:
        for k, v in subs:
            r = r.replace(k, v)
        script.append(r)
    env = dict(os.environ)
    env["PATH"] = "/usr/lib/llvm-14/bin:" + env["PATH"]
    with open(base + ".log", "w") as log:
        p = subprocess.Popen(["bash", "-e", "-c", "\n".join(script)], stdout=log,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            rc = p.wait(timeout=int(os.environ.get("SHELL_TIMEOUT", "60")))
            st = "PASS" if rc == 0 else "FAIL"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            st = "TIMEOUT"
    print("%s\t%s::lit" % (st, unit))


# --- parse -----------------------------------------------------------------
LINE = re.compile(r"^(PASS|FAIL|XFAIL|XPASS|UNSUPPORTED|CLEANUP ERROR): LLDB \([^)]*\) :: "
                  r"(\S+) \(([^)]*)\)")
ERRHDR = re.compile(r"^(ERROR|FAIL): (\S+) \(([^)]*)\)")


def parse(log, unit, timed_out=False):
    res, errors, skipped = {}, set(), set()
    text = open(log, errors="replace").read().splitlines()
    for l in text:
        m = LINE.match(l)
        if m and m.group(1) == "UNSUPPORTED" and "category of interest" in l:
            # a variant of a test for a category this run skips (dwo, dsym,
            # gmodules, debugserver): not a test of this run
            skipped.add(m.group(2))
            continue
        if m:
            st, name = m.group(1), m.group(2)
            if st == "CLEANUP ERROR":
                errors.add(name)
                continue
            res.setdefault(name, st)
            continue
        m = ERRHDR.match(l)
        if m and m.group(1) == "ERROR":
            errors.add(m.group(2))
    out = []
    for name, st in sorted(res.items()):
        if name in skipped:
            continue
        if st == "FAIL" and name in errors:
            st = "ERROR"
        out.append("%s\t%s::%s" % (st, unit, name))
    if not res:
        out.append("%s\t%s::*" % ("TIMEOUT" if timed_out else "NORESULT", unit))
    elif timed_out:
        out.append("TIMEOUT\t%s::(rest of file)" % unit)
    print("\n".join(out))


# --- compare ---------------------------------------------------------------
ORDER = ["PASS", "FAIL", "ERROR", "TIMEOUT", "NORESULT", "UNSUPPORTED", "XFAIL", "XPASS"]


def load(path):
    r = {}
    for l in open(path):
        l = l.rstrip("\n")
        if "\t" in l:
            st, key = l.split("\t", 1)
            r[key] = st
    return r


def compare(a, b):
    ra, rb = load(a), load(b)
    na = os.path.basename(os.path.dirname(os.path.abspath(a)))
    nb = os.path.basename(os.path.dirname(os.path.abspath(b)))

    def counts(r, unitprefix=None):
        c = dict.fromkeys(ORDER, 0)
        for k, st in r.items():
            if unitprefix is None or k.startswith(unitprefix):
                c[st] = c.get(st, 0) + 1
        return c

    groups = [("API/tools/lldb-server", "API/tools/lldb-server/"),
              ("API (lldb client)", None), ("Shell/Subprocess", "Shell/")]
    print("| tests | server | " + " | ".join(ORDER) + " |")
    print("|---|---|" + "---|" * len(ORDER))
    for title, pfx in groups:
        for name, r in ((na, ra), (nb, rb)):
            if pfx is None:
                sub = {k: v for k, v in r.items()
                       if k.startswith("API/") and not k.startswith("API/tools/lldb-server/")}
            else:
                sub = {k: v for k, v in r.items() if k.startswith(pfx)}
            c = counts(sub)
            print("| %s | %s | " % (title, name) + " | ".join(str(c[s]) for s in ORDER) + " |")
    for name, r in ((na, ra), (nb, rb)):
        c = counts(r)
        print("| **all** | %s | " % name + " | ".join(str(c[s]) for s in ORDER) + " |")

    def status(r, k):
        # a test missing from a file that timed out is a TIMEOUT
        unit = k.split("::", 1)[0]
        for kk in (k, unit + "::*", unit + "::(rest of file)"):
            if kk in r:
                return r[kk]
        return "MISSING"

    reg = [(k, status(rb, k)) for k in sorted(ra)
           if ra[k] in ("PASS", "XFAIL") and rb.get(k) not in ("PASS", "XFAIL")]
    fix = [(k, ra.get(k, "MISSING")) for k in sorted(rb)
           if rb[k] in ("PASS", "XFAIL") and ra.get(k) not in ("PASS", "XFAIL")]
    print("\n%s passes, %s does not: %d" % (na, nb, len(reg)))
    for k, st in reg:
        print("  %-10s %s" % (st, k))
    print("\n%s passes, %s does not: %d" % (nb, na, len(fix)))
    for k, st in fix:
        print("  %-10s %s" % (st, k))


# --- triage ----------------------------------------------------------------
def last_lines(path, n, pat=None):
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return []
    if pat:
        lines = [l for l in lines if re.search(pat, l)]
    return lines[-n:]


def transcript(path):
    """[(packet sent, [what came back before the next send])] of a host log:
    the lldb-server tests' "sending packet to remote:/received from remote:"
    lines or lldb's "send packet:/read packet:" log."""
    out = []
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return out
    for l in lines:
        m = re.search(r"(?:sending packet to remote|send packet): (.*)$", l)
        if m:
            out.append((m.group(1), []))
            continue
        m = re.search(r"(?:received from remote|read packet): (.*)$", l)
        if m and out:
            out[-1][1].append(m.group(1))
    return out


def stops(tr):
    """["vCont;c:p1.-1 -> T05 breakpoint", ...] of a transcript."""
    out = []
    for sent, replies in tr:
        p = sent.lstrip("$").split("#")[0]
        if not re.match(r"(vCont;[cCsS]|[cCsS]([0-9a-fA-F]|$)|vRun|\\x03)", p):
            continue
        r = " ".join(replies)
        m = re.search(r"\$([TSWX])([0-9a-fA-F]{2})", r)
        why = re.search(r"reason:([a-z]+)", r)
        got = (m.group(1) + m.group(2) + (" " + why.group(1) if why else "")) if m else short(r, 20)
        out.append(short(re.sub(r":p?[0-9a-f]+\.[0-9a-f-]+|:[0-9a-f]+$", "", p), 18) + " -> " + got)
    return out[:16]


def test_logdir(rundir, unit, name):
    d = os.path.join(rundir, "build", os.path.dirname(unit[len("API/"):]),
                     os.path.basename(unit)[:-3] + "." + name)
    for pre in ("Failure", "Error", "Incomplete", "Success"):
        if os.path.exists(os.path.join(d, pre + ".log")):
            return d, pre
    return d, "Failure"


def short(x, n=240):
    return x if len(x) <= n else x[:n] + "..."


def triage(rundir, npackets=8, refdir=None):
    """For each test of RUNDIR/results.txt that did not pass: the assertion
    and the last packets exchanged (from the kept Failure/Incomplete logs);
    with REFDIR (a LOG_SUCCESS=1 run of the reference server), what the
    reference server answered to the same (n-th) packet."""
    for l in open(os.path.join(rundir, "results.txt")):
        st, key = l.rstrip("\n").split("\t", 1)
        if st in ("PASS", "XFAIL", "UNSUPPORTED"):
            continue
        unit, name = key.split("::", 1)
        print("=" * 78)
        print("%s %s" % (st, key))
        if unit.startswith("Shell/"):
            b = os.path.join(rundir, "build", unit)
            for x in last_lines(b + ".log", 6):
                print("  | " + x[:300])
            for x in last_lines(b + ".packets.log", npackets, r"(send|read) packet"):
                print("  > " + x[x.find("<"):][:300])
            continue
        d, pre = test_logdir(rundir, unit, name)
        log = os.path.join(d, pre + ".log")
        msg = last_lines(log, 3, r"^\w*(Error|Exception|error)\b|^AssertionError|^lldb.*Error|: error:")
        for x in msg:
            print("  ! " + x[:400])
        host = os.path.join(d, pre + "-host.log")
        pk = last_lines(host, npackets, r"(send|read) packet|sending packet|received from remote")
        for x in pk:
            x = re.sub(r"^\S+ \S+ INFO\s+", "", x)
            x = re.sub(r"^[0-9.]+ \[[0-9/]+\] ", "", x)
            print("  > " + x[:300])
        if refdir and name != "*":
            rd, rpre = test_logdir(refdir, unit, name)
            ours = transcript(host)
            ref = transcript(os.path.join(rd, rpre + "-host.log"))
            if not ours or not ref:
                continue
            if not unit.startswith("API/tools/lldb-server/"):
                # lldb's own tests end with the teardown (z0, k): show the
                # resumes and their stop replies of both servers instead
                print("  resumes and stops, ours | reference:")
                a, b = stops(ours), stops(ref)
                for i in range(max(len(a), len(b))):
                    print("    %-45s | %s" % (a[i] if i < len(a) else "",
                                              b[i] if i < len(b) else ""))
                continue
            # the last packet we were sent, and the reference's reply to the
            # same packet (same text once numbers are blurred, same rank)
            key = lambda p: re.sub(r"[0-9a-fA-F]+", "N", p.split("#")[0])
            last = ours[-1][0]
            n = sum(1 for p, _ in ours if key(p) == key(last))
            same = [x for x in ref if key(x[0]) == key(last)]
            print("  last packet: " + short(last))
            print("    ours: " + short(" ".join(ours[-1][1]) or "(nothing)"))
            if same:
                x = same[min(n, len(same)) - 1]
                print("    ref:  " + short(" ".join(x[1]) or "(nothing)") +
                      ("  [to %s]" % short(x[0], 80) if x[0] != last else ""))
            else:
                print("    ref:  (never sent that packet)")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif cmd == "shell":
        shell(sys.argv[2], sys.argv[3])
    elif cmd == "parse":
        parse(sys.argv[2], sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "timeout")
    elif cmd == "triage":
        triage(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 8,
               sys.argv[4] if len(sys.argv) > 4 else None)
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
