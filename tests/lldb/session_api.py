"""session_api.py -- lldb 16's Python API drives launch and attach-wait
through handoffd gdbserver --multi, as it would through lldb-server.

The CLI's gdb-remote waits for a stop that a server without a process
never sends (lldb-server too), so a connected-but-empty session is only
usable asynchronously.  Here, with SBDebugger in async mode:

1. ConnectRemote, then Launch with an argument, an environment entry
   and stdout to a file: lldb sends QEnvironment, QSetSTDOUT,
   QSetDetachOnError and vRun; the program's output lands in the file
   and its exit status comes back.
2. ConnectRemote, then Attach with wait-for-launch: lldb sends
   vAttachWait; a program of that name started afterwards is attached.

Usage: session_api.py HANDOFFD PROGS_DIR TMPDIR; prints TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import time

import lldb

EVENT_SECONDS = 30      # for one process state change

n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, what))
    else:
        failed += 1
        print("not ok %d - %s" % (n, what))


def start_server(handoffd, tmp, name):
    err = open(os.path.join(tmp, name + ".log"), "w+")
    srv = subprocess.Popen([handoffd, "gdbserver", "--multi",
                            "--remote-debug", "--log-file",
                            os.path.join(tmp, name + ".packets"),
                            "127.0.0.1:0"],
                           stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 20
    while time.time() < deadline:
        err.seek(0)
        m = re.search(r"^Listening on port (\d+)$", err.read(), re.M)
        if m:
            return srv, int(m.group(1))
        time.sleep(0.05)
    srv.kill()
    raise SystemExit("server did not start")


def wait_state(listener, process, states):
    """Events until the process is in one of states; its state."""
    deadline = time.time() + EVENT_SECONDS
    event = lldb.SBEvent()
    while time.time() < deadline:
        if listener.WaitForEvent(1, event):
            if lldb.SBProcess.EventIsProcessEvent(event):
                state = lldb.SBProcess.GetStateFromEvent(event)
                if state in states:
                    return state
        elif process.GetState() in states:
            return process.GetState()
    return process.GetState()


def connect(debugger, target, port):
    listener = debugger.GetListener()
    error = lldb.SBError()
    process = target.ConnectRemote(listener,
                                   "connect://127.0.0.1:%d" % port,
                                   "gdb-remote", error)
    ok(error.Success() and process.IsValid(),
       "ConnectRemote to a server without a process: %s" % error)
    state = wait_state(listener, process, [lldb.eStateConnected])
    ok(state == lldb.eStateConnected, "connected, no process yet")
    return listener, process


def launch(debugger, handoffd, progs, tmp):
    srv, port = start_server(handoffd, tmp, "launch")
    target = debugger.CreateTarget(os.path.join(progs, "session"))
    listener, process = connect(debugger, target, port)
    out = os.path.join(tmp, "launch.out")
    info = lldb.SBLaunchInfo(["4"])
    info.SetEnvironmentEntries(["SESSION_VALUE=from-api"], True)
    info.AddOpenFileAction(1, out, False, True)
    error = lldb.SBError()
    process = target.Launch(info, error)
    ok(error.Success(), "Launch through the connection: %s" % error)
    state = wait_state(listener, process, [lldb.eStateExited])
    ok(state == lldb.eStateExited, "the program runs to its end")
    ok(process.GetExitStatus() == 4, "exit status 4 (got %d)" %
       process.GetExitStatus())
    text = open(out).read() if os.path.exists(out) else ""
    ok(text == "session from-api 21\n",
       "QSetSTDOUT and QEnvironment reached the program: %r" % text)
    packets = open(os.path.join(tmp, "launch.packets")).read()
    ok(re.search(r"client -> QEnvironment:SESSION_VALUE=from-api ",
                 packets) is not None, "lldb sent QEnvironment, plain")
    ok(re.search(r"client -> QSetSTDOUT:[0-9a-f]+ ", packets) is not None,
       "lldb sent QSetSTDOUT")
    debugger.DeleteTarget(target)
    srv.kill()
    srv.wait()


def attach_wait(debugger, handoffd, progs, tmp):
    """Attach blocks in lldb 16's API, so the program waits for us."""
    srv, port = start_server(handoffd, tmp, "attach")
    prog = os.path.join(tmp, "apiwait-%d" % os.getpid())
    shutil.copy(os.path.join(progs, "spin"), prog)
    target = debugger.CreateTarget(prog)
    listener, process = connect(debugger, target, port)
    # The program starts once the server is waiting (its log says so,
    # after it noted the processes already there): Attach blocks.
    log = os.path.join(tmp, "attach.packets")
    child = subprocess.Popen(
        ["/bin/sh", "-c", 'while ! grep -q "waiting for a process named" '
         '"$1"; do sleep 0.05; done; exec "$2"', "sh", log, prog],
        stdout=subprocess.DEVNULL)
    info = lldb.SBAttachInfo(prog, True)
    error = lldb.SBError()
    process = target.Attach(info, error)
    ok(error.Success(), "Attach with wait-for-launch: %s" % error)
    ok(process.GetState() == lldb.eStateStopped,
       "the new process is attached, stopped")
    ok(process.GetProcessID() == child.pid,
       "the pid is the program's (%d, %d)" % (process.GetProcessID(),
                                              child.pid))
    packets = open(log).read()
    ok("client -> vAttachWait;" in packets, "lldb sent vAttachWait")
    process.Detach()
    child.kill()
    child.wait()
    debugger.DeleteTarget(target)
    srv.kill()
    srv.wait()


def main():
    handoffd, progs, tmp = sys.argv[1:4]
    debugger = lldb.SBDebugger.Create()
    debugger.SetAsync(True)
    debugger.HandleCommand("settings set target.load-script-from-symbol-"
                           "file false")
    launch(debugger, handoffd, progs, tmp)
    attach_wait(debugger, handoffd, progs, tmp)
    lldb.SBDebugger.Destroy(debugger)
    print("1..%d" % n)
    sys.stdout.flush()
    os._exit(1 if failed else 0)


main()
