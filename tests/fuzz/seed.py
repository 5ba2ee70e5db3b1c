#!/usr/bin/python3
"""seed.py -- a seed corpus for fuzz_codec from real traffic.

    seed.py [--lines] OUTDIR NAME LOG...

Reads the packets clients sent in handoffd logs written with
--remote-debug ("client -> PAYLOAD (N bytes)"), frames them again as
the client did (escaped, with checksums, acks between) and writes
streams of STREAM packets to OUTDIR/NAME-NNN, each after the two control
bytes fuzz_codec reads first (ack mode, split point).  With --lines,
for fuzz_session: the payloads as they are, one per line.  How the corpus in
tests/fuzz/corpus/codec was made: tests/fuzz/RESULTS.md.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "debugger"))
import handoffwatch as hw  # noqa: E402

STREAM = 8          # packets per seed file
LINE = re.compile(r" -> (.*) \((\d+) bytes\)$")


def unshow(text):
    """The log's display form back to bytes: \\xNN and \\\\."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1:i + 2] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif text[i] == "\\" and text[i + 1:i + 2] == "\\":
            out.append(0x5C)
            i += 2
        else:
            out += text[i].encode("latin-1")
            i += 1
    return bytes(out)


def main(outdir, name, logs, lines=False):
    packets = []
    for log in logs:
        with open(log, encoding="latin-1") as f:
            for line in f:
                m = LINE.search(line.rstrip("\n"))
                if m is None:
                    continue
                p = unshow(m.group(1))
                if len(p) == int(m.group(2)) and not (lines and b"\n" in p):
                    packets.append(p)
    os.makedirs(outdir, exist_ok=True)
    for n, i in enumerate(range(0, len(packets), STREAM)):
        if lines:
            data = b"\n".join(packets[i:i + STREAM])
        else:
            data = bytes((n & 1, n * 37 & 0xFF)) + b"".join(
                b"+" + hw.frame(p) for p in packets[i:i + STREAM])
        with open(os.path.join(outdir, "%s-%03d" % (name, n)), "wb") as f:
            f.write(data)
    print("%s: %d packets in %d files" % (name, len(packets),
                                         (len(packets) + STREAM - 1) // STREAM))


if __name__ == "__main__":
    if sys.argv[1] == "--lines":
        main(sys.argv[2], sys.argv[3], sys.argv[4:], lines=True)
    else:
        main(sys.argv[1], sys.argv[2], sys.argv[3:])
