#!/usr/bin/python3
# relay.py -- a TCP port forward, as `ssh -L` or `adb forward` make one:
# connections to LISTEN_HOST:LISTEN_PORT (port 0: any free one) are
# carried to TARGET_HOST:TARGET_PORT.  Prints "relay listening on PORT"
# once ready and "relay: connection" for each connection it carries.
# TARGET_PORT may be @FILE: the port is read from FILE at each connection
# (handoffd platform --socket-file writes it).
import socket
import sys
import threading

lhost, lport, thost, tport = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4]


def target_port():
    if tport.startswith("@"):
        with open(tport[1:]) as f:
            return int(f.read().strip())
    return int(tport)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((lhost, lport))
srv.listen(64)
print("relay listening on %d" % srv.getsockname()[1], flush=True)
while True:
    client, _ = srv.accept()
    try:
        server = socket.create_connection((thost, target_port()))
    except OSError:
        client.close()
        continue
    print("relay: connection", flush=True)
    for a, b in ((client, server), (server, client)):
        threading.Thread(target=pump, args=(a, b), daemon=True).start()
