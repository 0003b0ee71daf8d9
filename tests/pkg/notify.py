#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# notify.py MGMD - mgmd's readiness message to systemd (Type=notify, the
# sd_notify(3) datagram, tools/mgmd/notify.c), without systemd: a
# datagram socket stands in for the service manager.  mgmd on the sim
# backend must send READY=1 once its control socket answers, STOPPING=1
# on SIGTERM, and exit 0; the same through an abstract socket ("@name");
# an unreachable NOTIFY_SOCKET is logged and mgmd runs on.
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

MGMD = sys.argv[1]
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def ping(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(b"ping\n")
    reply = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        reply += b
    s.close()
    return reply


def run(tmp, name, notify_addr, listen):
    sock = os.path.join(tmp, name + ".sock")
    env = dict(os.environ, NOTIFY_SOCKET=notify_addr)
    p = subprocess.Popen([MGMD, "--backend", "sim", "-s", sock], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if listen is not None:
            listen.settimeout(20)
            msg = listen.recv(4096)
            check(msg == b"READY=1", "%s: first message %r" % (name, msg))
            # Ready means served: the control socket answers at once.
            check(b'"pong":true' in ping(sock),
                  "%s: the control socket answers when READY=1 arrives"
                  % name)
        else:
            deadline = time.time() + 20
            while not os.path.exists(sock) and time.time() < deadline:
                time.sleep(0.05)
            check(b'"pong":true' in ping(sock),
                  "%s: mgmd runs without its service manager" % name)
        p.send_signal(signal.SIGTERM)
        if listen is not None:
            msg = listen.recv(4096)
            check(msg == b"STOPPING=1", "%s: on SIGTERM %r" % (name, msg))
        _, err = p.communicate(timeout=20)
        check(p.returncode == 0, "%s: exit status %d" % (name, p.returncode))
        return err.decode(errors="replace")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    run(tmp, "path", path, s)
    s.close()

    name = "libmgm-notify-test-%d" % os.getpid()
    a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.bind("\0" + name)
    run(tmp, "abstract", "@" + name, a)
    a.close()

    err = run(tmp, "unreachable", os.path.join(tmp, "nobody"), None)
    check("cannot send READY=1 to the service manager" in err,
          "unreachable: the failure is logged")

print("notify: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
