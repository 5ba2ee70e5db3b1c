#!/bin/bash
# The program shares the server's terminal: like gdbserver, handoffd
# makes it the terminal's foreground, so that it can change the
# terminal's settings without being stopped by SIGTTOU
# (gdb.multi/multi-term-settings.exp).  The server runs on a pty here;
# the program is stty, which sets the terminal (tcsetattr).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v stty >/dev/null || skip_all "no stty"
python3 - "$HANDOFFD" "$(command -v stty)" "$T" <<'PY' &
import os, pty, sys, time
handoffd, stty, tmp = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(handoffd, [handoffd, "gdbserver", "--once", "127.0.0.1:0",
                        stty, "sane"])
out = b""
with open(os.path.join(tmp, "server.log"), "wb") as log:
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        log.write(data)
        log.flush()
os.waitpid(pid, 0)
PY
helper=$!
wait_for "$T/server.log" 'Listening on port' 20
PORT=$(sed -n 's/^Listening on port \([0-9]*\).*/\1/p' "$T/server.log" | tr -d '\r')
run_gdb stty "" "target remote :$PORT" "continue"
contains "$T/stty.out" 'exited normally\]' "the program sets the terminal and exits normally"
lacks "$T/stty.out" 'SIGTTOU' "no SIGTTOU stops it"
wait "$helper"
ok $? "the server ends"
done_testing
