#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# soak.py - the randomised netns soak behind soak.sh (libmgm issue #9 item
# 5).  soak.sh creates the namespaces (lib.sh: mgm<PID>-r, mgm<PID>-l1..lK)
# and the cleanup trap; this program drives everything inside them:
#
#   * leaf k is joined to the router by a veth pair r<k> (router side,
#     10.k.0.254/24) - l<k> (leaf, 10.k.0.1/24); every leaf has a receiver
#     (a socket joined to all groups) and is a potential sender; sockets
#     are made in the leaves' namespaces by this process (setns), without
#     a process per sender or receiver;
#   * mgmdrv runs two protocols (10000 and 10001, "take2") on the linux
#     backend; MFEs live SOAK_LIFE seconds;
#   * each round is a burst of random operations while background flows
#     run: links deleted and re-created (new ifindex), flapped (either side
#     down, then up at once or later), interfaces taken by either protocol
#     and released, memberships (*,G), (S,G), (*,*) added and deleted, flows
#     started and stopped, requests libmgm must refuse, and now and then a
#     kill -9 of the router mid-traffic followed by an immediate restart;
#   * each round ends at a quiescent checkpoint: flows stopped, then
#       - state check: libmgm's own view (mgmdrv "dump": interfaces with
#         their owner and VIF, memberships, MFEs) must equal this program's
#         model, and the kernel (rtnetlink dump of every ipmr table,
#         /proc/net/ip_mr_vif, /proc/net/ip_mr_cache, `ip mroute show`,
#         mc_forwarding) must hold exactly what libmgm believes: its
#         attached interfaces as VIFs, its MFEs with their incoming and
#         outgoing interfaces, no stale entry, no unresolved entry, no
#         leaked VIF;
#       - forwarding check: every leaf that can send sends 3 datagrams to
#         every group; each leaf must receive exactly the (S,G) the model's
#         memberships say, and nothing else;
#       - the state check again (now with the MFEs that traffic created).
#   * after a kill -9 the kernel must hold nothing (every table: no VIF, no
#     entry; mc_forwarding back to 0) and the restarted router must start
#     at once (MRT_INIT) and forward again (checked at the next checkpoint).
#
# Randomised from a printed seed: the same seed replays the same sequence
# of operations (timing may differ).  Exit 0 on success with the events
# survived, 1 with "FAIL: ..." on the first mismatch.
import argparse
import collections
import contextlib
import ctypes
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mrstate  # noqa: E402 - the kernel dump, shared with kill9.sh

PROTO1, PROTO2 = 10000, 10001
PORT = 5100
ANY = "0.0.0.0"
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_HOME_NS = os.open("/proc/thread-self/ns/net", os.O_RDONLY)


@contextlib.contextmanager
def netns(name):
    """Run the block in network namespace NAME (this thread only): sockets
    made there stay there; /proc/net and /proc/sys/net read its state.
    Python starts slowly on a busy machine, so the soak makes its sockets
    and reads the kernel this way instead of running a process per send,
    receiver or dump.  Nothing may be spawned inside the block."""
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
        try:
            yield
        finally:
            if _libc.setns(_HOME_NS, CLONE_NEWNET) != 0:
                os.write(2, b"soak: cannot return to the home netns\n")
                os._exit(3)
    finally:
        os.close(fd)


def _sender(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(addr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.bind((addr, 0))
    return s


class Receiver:
    """One leaf's receiver: a UDP socket in the leaf's namespace joined to
    every group on the leaf's address, read by a thread."""

    def __init__(self, soak, k):
        self.soak = soak
        self.k = k
        self.stop_ev = threading.Event()
        with netns(soak.ns("l%d" % k)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM,
                              socket.IPPROTO_UDP)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", PORT))
            for g in soak.groups:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                             socket.inet_aton(g) +
                             socket.inet_aton(leaf_addr(k)))
        s.settimeout(0.1)
        self.sock = s
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_ev.is_set():
            try:
                data, (src, _) = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                time.sleep(0.05)
                continue
            w = data.decode(errors="replace").split()
            if len(w) == 3 and w[0].startswith("c"):
                with self.soak.rxlock:
                    self.soak.rx[(w[0], self.k, src, w[1])] += 1
            else:
                self.soak.stats["background packets received"] += 1
        self.sock.close()

    def stop(self):
        self.stop_ev.set()
        self.t.join()


class Flow:
    """Background traffic: one datagram every 20 ms from leaf k to g until
    stopped (send errors, e.g. while its link is gone, are counted)."""

    def __init__(self, soak, k, g):
        self.soak = soak
        self.stop_ev = threading.Event()
        with netns(soak.ns("l%d" % k)):
            self.sock = _sender(leaf_addr(k))
        self.g = g
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        n = 0
        while not self.stop_ev.wait(0.02):
            try:
                self.sock.sendto(b"bg %d" % n, (self.g, PORT))
                self.soak.stats["background packets sent"] += 1
            except OSError:
                self.soak.stats["background send errors"] += 1
            n += 1
        self.sock.close()

    def stop(self):
        self.stop_ev.set()
        self.t.join()


class SoakFail(Exception):
    pass


def leaf_addr(k):
    return "10.%d.0.1" % k


def router_addr(k):
    return "10.%d.0.254" % k


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.R = "%s-r" % a.id
        self.groups = ["239.77.0.%d" % (i + 1) for i in range(a.groups)]
        self.procs = {}  # pid -> Popen (everything we started)
        self.plock = threading.Lock()
        self.pidfile = os.path.join(a.tmp, "soak.pids")
        self.stats = collections.Counter()
        self.history = collections.deque(maxlen=40)
        self.t0 = time.monotonic()
        self.round = 0
        self.drv = None
        # model
        self.links = {}  # k -> dict(present, gen, ifindex, rup, lup, rx)
        self.owned = {}  # (k, gen) -> protocol id
        self.ifx = {}  # (k, gen) -> ifindex
        self.members = set()  # ((k, gen), src, grp)
        self.flows = []  # Popen of background senders
        # receptions at checkpoints: (tag, receiver k, src, grp) -> count
        self.rx = collections.Counter()
        self.rxlock = threading.Lock()
        self.restart_ms = []
        self.transient = []  # first difference of each retried check

    # ---- processes -------------------------------------------------------

    def ns(self, name):
        return "%s-%s" % (self.a.id, name)

    def _pids_changed(self):
        with open(self.pidfile + ".new", "w") as f:
            for pid in self.procs:
                f.write("%d\n" % pid)
        os.replace(self.pidfile + ".new", self.pidfile)

    def spawn(self, ns, argv, stdin=False, stdout=True):
        p = subprocess.Popen(
            ["ip", "netns", "exec", ns] + argv,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
            stderr=subprocess.STDOUT if stdout else subprocess.DEVNULL,
            text=True, bufsize=1)
        with self.plock:
            self.procs[p.pid] = p
            self._pids_changed()
        return p

    def stop(self, p, sig=signal.SIGTERM):
        """End one of our processes by its PID and reap it."""
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        with self.plock:
            self.procs.pop(p.pid, None)
            self._pids_changed()

    def reader(self, p, on_line, logname):
        def run():
            with open(os.path.join(self.a.tmp, logname), "a") as log:
                for line in p.stdout:
                    log.write(line)
                    on_line(line.rstrip("\n"))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def run(self, argv, ns=None, check=True):
        full = (["ip", "netns", "exec", ns] if ns else []) + argv
        r = subprocess.run(full, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise SoakFail("command failed: %s: %s %s" % (
                " ".join(argv), r.stdout.strip(), r.stderr.strip()))
        if r.stderr.strip():
            self.note("stderr of %s: %s" % (" ".join(argv), r.stderr.strip()))
        return r.stdout

    def ip(self, ns, *args):
        return self.run(["ip", "-n", ns] + list(args))

    def log(self, msg):
        print("[%7.1fs] %s" % (time.monotonic() - self.t0, msg), flush=True)

    def note(self, msg):
        self.history.append("round %d: %s" % (self.round, msg))
        if self.a.verbose:
            self.log(msg)

    # ---- the router --------------------------------------------------------

    def drv_start(self):
        argv = [self.a.mgmdrv, "-l", str(self.a.life), "-P", str(PROTO2)]
        if self.a.table:
            argv += ["-t", str(self.a.table)]
        self.drv = Driver(self, argv)
        return self.drv.wait_ready()

    def cmd(self, c, expect_ok=True):
        ok, code, lines = self.drv.cmd(c)
        if expect_ok and not ok:
            raise SoakFail("mgmdrv refused '%s' with error %s" % (c, code))
        return ok, code, lines

    # ---- links -------------------------------------------------------------

    def link_add(self, k):
        L = self.ns("l%d" % k)
        lk = self.links[k]
        # Now and then the device comes back with its old ifindex (ip link
        # add ... index N): to MGM it is the same interface, so if the
        # protocol still owns it libmgm must give it a VIF again by itself
        # and its memberships apply again.
        same = lk["ifindex"] is not None and self.rng.random() < 0.3
        extra = ["index", str(lk["ifindex"])] if same else []
        if not same:
            lk["gen"] += 1
        self.ip(self.R, "link", "add", "r%d" % k, *extra, "type", "veth",
                "peer", "name", "l%d" % k, "netns", L)
        out = self.ip(self.R, "-o", "link", "show", "dev", "r%d" % k)
        if not re.match(r"\d+: r%d@" % k, out):
            raise SoakFail("ip link show r%d: %r (history has any stderr)" %
                           (k, out))
        if same and int(out.split(":")[0]) != lk["ifindex"]:
            raise SoakFail("r%d did not get ifindex %d back" %
                           (k, lk["ifindex"]))
        lk["ifindex"] = int(out.split(":")[0])
        lk["present"] = True
        key = (k, lk["gen"])
        self.ifx[key] = lk["ifindex"]
        self.stats["links added"] += 1
        if same:
            self.stats["links re-added with their old ifindex"] += 1
        self.note("link r%d added (ifindex %d%s)" %
                  (k, lk["ifindex"], ", the old one" if same else ""))
        # Sometimes the protocol takes the interface while it is still down
        # and without an address (libmgm must attach it anyway or later).
        early = key not in self.owned and self.rng.random() < 0.25
        if early:
            self.take(k)
        self.ip(self.R, "addr", "add", router_addr(k) + "/24", "dev",
                "r%d" % k)
        self.ip(L, "addr", "add", leaf_addr(k) + "/24", "dev", "l%d" % k)
        self.ip(self.R, "link", "set", "r%d" % k, "up")
        self.ip(L, "link", "set", "l%d" % k, "up")
        lk["rup"] = lk["lup"] = True
        self.rx_start(k)
        if not early and key not in self.owned and self.rng.random() < 0.5:
            self.take(k)

    def link_del(self, k):
        lk = self.links[k]
        self.ip(self.R, "link", "del", "r%d" % k)
        lk["present"] = False
        lk["rup"] = lk["lup"] = False
        if lk["rx"] is not None:
            lk["rx"].stop()
            lk["rx"] = None
        self.stats["links removed"] += 1
        self.note("link r%d deleted (ifindex %d)" % (k, lk["ifindex"]))
        key = (k, lk["gen"])
        if key in self.owned and self.rng.random() < 0.5:
            self.release(key)

    def link_set(self, k, side, up):
        lk = self.links[k]
        if side == "r":
            self.ip(self.R, "link", "set", "r%d" % k, "up" if up else "down")
            lk["rup"] = up
        else:
            self.ip(self.ns("l%d" % k), "link", "set", "l%d" % k,
                    "up" if up else "down")
            lk["lup"] = up

    def flap(self, k):
        side = self.rng.choice("rl")
        self.link_set(k, side, False)
        self.stats["link flaps"] += 1
        if self.rng.random() < 0.7:
            time.sleep(self.rng.uniform(0, 0.1))
            self.link_set(k, side, True)
            self.note("link %s%d flapped" % (side, k))
        else:
            self.note("link %s%d down" % (side, k))

    def rx_start(self, k):
        lk = self.links[k]
        if lk["rx"] is not None:
            lk["rx"].stop()
        lk["rx"] = Receiver(self, k)

    # ---- protocol operations ----------------------------------------------

    def take(self, k):
        lk = self.links[k]
        key = (k, lk["gen"])
        proto = self.rng.choice((PROTO1, PROTO2))
        self.cmd("%s %d" % ("take" if proto == PROTO1 else "take2",
                            lk["ifindex"]))
        self.owned[key] = proto
        self.stats["interfaces taken"] += 1
        self.note("r%d (ifindex %d) taken by %d" % (k, lk["ifindex"], proto))

    def release(self, key):
        self.cmd("release %d" % self.ifx[key])
        del self.owned[key]
        self.members = {m for m in self.members if m[0] != key}
        self.stats["interfaces released"] += 1
        self.note("ifindex %d released" % self.ifx[key])

    def mcmd(self, verb, key, src, grp):
        if grp == ANY:
            return "%s %d %s" % (verb, self.ifx[key], ANY)
        if src == ANY:
            return "%s %d %s" % (verb, self.ifx[key], grp)
        return "%s %d %s %s" % (verb, self.ifx[key], grp, src)

    def random_membership(self):
        r = self.rng.random()
        if r < 0.1:
            return ANY, ANY
        g = self.rng.choice(self.groups)
        if r < 0.3:
            return leaf_addr(self.rng.randint(1, self.a.leaves)), g
        return ANY, g

    def join(self, key):
        src, grp = self.random_membership()
        if (key, src, grp) in self.members:
            return False
        self.cmd(self.mcmd("join", key, src, grp))
        self.members.add((key, src, grp))
        self.stats["joins"] += 1
        self.note("join (%s,%s) on ifindex %d" % (src, grp, self.ifx[key]))
        return True

    def leave(self, m):
        key, src, grp = m
        self.cmd(self.mcmd("leave", key, src, grp))
        self.members.discard(m)
        self.stats["leaves"] += 1
        self.note("leave (%s,%s) on ifindex %d" % (src, grp, self.ifx[key]))

    def odd_request(self):
        """A request libmgm must refuse (taking an interface another
        protocol owns, joining on an interface nobody owns) or accept as a
        no-op (deleting an absent membership, adding one twice: mgm-spec
        D-IDEMPOTENT); either way its state stays as it was, which the next
        state check proves."""
        present = [k for k, lk in self.links.items() if lk["present"]]
        owned_now = [k for k in present
                     if (k, self.links[k]["gen"]) in self.owned]
        free = [k for k in present if k not in owned_now]
        choices = []
        if owned_now:
            choices += ["take-owned", "leave-absent"]
        if free:
            choices += ["join-unowned"]
        if self.members:
            choices += ["join-twice"]
        if not choices:
            return
        what = self.rng.choice(choices)
        refuse = True
        if what == "take-owned":
            k = self.rng.choice(owned_now)
            c = "take2 %d" % self.links[k]["ifindex"]
            if self.owned[(k, self.links[k]["gen"])] == PROTO2:
                c = "take %d" % self.links[k]["ifindex"]
        elif what == "leave-absent":
            k = self.rng.choice(owned_now)
            key = (k, self.links[k]["gen"])
            grp = self.rng.choice(self.groups)
            if (key, ANY, grp) in self.members:
                return
            c = self.mcmd("leave", key, ANY, grp)
            refuse = False
        elif what == "join-twice":
            c = self.mcmd("join", *self.rng.choice(sorted(self.members)))
            refuse = False
        else:
            k = self.rng.choice(free)
            key = (k, self.links[k]["gen"])
            c = self.mcmd("join", key, ANY, self.rng.choice(self.groups))
        ok, code, _ = self.cmd(c, expect_ok=False)
        if refuse and ok:
            raise SoakFail("libmgm accepted '%s', which it must refuse" % c)
        if not refuse and not ok:
            raise SoakFail("libmgm refused '%s' with %s; it is a no-op "
                           "(D-IDEMPOTENT)" % (c, code))
        self.stats["refused requests" if refuse else "no-op requests"] += 1
        self.note("%s as expected: %s" % ("refused" if refuse else "no-op", c))

    def flow_start(self, k, g):
        self.flows.append(Flow(self, k, g))
        self.stats["flows started"] += 1
        self.note("flow (%s,%s) started" % (leaf_addr(k), g))

    def flows_stop(self):
        for f in self.flows:
            f.stop()
            self.stats["flows stopped"] += 1
        self.flows = []

    def kill9(self):
        """kill -9 of the router mid-traffic: the kernel must hold nothing
        afterwards, and a restart must work at once."""
        p = self.drv.p
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        with self.plock:
            self.procs.pop(p.pid, None)
            self._pids_changed()
        self.kernel_empty("after kill -9 of the router (pid %d)" % p.pid)
        t = time.monotonic()
        if not self.drv_start():
            raise SoakFail("router restart after kill -9 failed: %s" %
                           self.drv.tail())
        self.restart_ms.append((time.monotonic() - t) * 1000)
        self.stats["router kill -9 + restarts"] += 1
        self.note("router killed with SIGKILL (pid %d), kernel empty, "
                  "restarted" % p.pid)
        # The protocols come back with what they had on the links that
        # still exist; the next checkpoint checks that it forwards again.
        owned = self.owned
        members = self.members
        self.owned = {}
        self.members = set()
        for key, proto in sorted(owned.items()):
            lk = self.links[key[0]]
            if lk["present"] and lk["gen"] == key[1]:
                self.cmd("%s %d" % ("take" if proto == PROTO1 else "take2",
                                    lk["ifindex"]))
                self.owned[key] = proto
        for m in sorted(members):
            if m[0] in self.owned:
                self.cmd(self.mcmd("join", *m))
                self.members.add(m)

    # ---- one round of chaos ------------------------------------------------

    def chaos_op(self):
        rng = self.rng
        present = sorted(k for k, lk in self.links.items() if lk["present"])
        absent = sorted(k for k, lk in self.links.items() if not lk["present"])
        down = sorted(k for k in present
                      if not (self.links[k]["rup"] and self.links[k]["lup"]))
        cur = {k: (k, self.links[k]["gen"]) for k in present}
        takeable = [k for k in present if cur[k] not in self.owned]
        owned_keys = sorted(self.owned)
        members = sorted(self.members)
        senders = [k for k in present if k not in down]
        ops = [("flow_start", 12, bool(senders)),
               ("flow_stop", 6, bool(self.flows)),
               ("join", 18, bool(owned_keys)),
               ("leave", 8, bool(members)),
               ("take", 8, bool(takeable)),
               ("release", 3, bool(owned_keys)),
               ("link_del", 3, len(present) > 1),
               ("link_add", 6, bool(absent)),
               ("flap", 6, bool(present)),
               ("link_up", 5, bool(down)),
               ("odd", 3, True),
               ("kill9", self.a.kill_weight, True)]
        ops = [(n, w) for n, w, ok in ops if ok and w > 0]
        name = rng.choices([n for n, _ in ops], [w for _, w in ops])[0]
        if name == "flow_start":
            self.flow_start(rng.choice(senders), rng.choice(self.groups))
        elif name == "flow_stop":
            f = rng.choice(self.flows)
            f.stop()
            self.flows.remove(f)
            self.stats["flows stopped"] += 1
            self.note("a flow stopped")
        elif name == "join":
            # mostly interfaces that exist; now and then one that vanished
            # but is still owned (MGM does not know the difference)
            live = [key for key in owned_keys if key in cur.values()]
            pool = live if live and rng.random() < 0.9 else owned_keys
            self.join(rng.choice(pool))
        elif name == "leave":
            self.leave(rng.choice(members))
        elif name == "take":
            self.take(rng.choice(takeable))
        elif name == "release":
            self.release(rng.choice(owned_keys))
        elif name == "link_del":
            self.link_del(rng.choice(present))
        elif name == "link_add":
            self.link_add(rng.choice(absent))
        elif name == "flap":
            self.flap(rng.choice(present))
        elif name == "link_up":
            k = rng.choice(down)
            if not self.links[k]["rup"]:
                self.link_set(k, "r", True)
            if not self.links[k]["lup"]:
                self.link_set(k, "l", True)
            self.note("link %d up again" % k)
        elif name == "odd":
            self.odd_request()
        elif name == "kill9":
            self.kill9()
        self.stats["operations"] += 1

    # ---- checks --------------------------------------------------------------

    def mrstate(self):
        with netns(self.R):
            return mrstate.state()

    def kernel_empty(self, label):
        ks = self.mrstate()
        bad = []
        for tid, t in sorted(ks["tables"].items()):
            if t["vifs"]:
                bad.append("table %s still has VIFs %s" % (tid, t["vifs"]))
            if t["mfc"]:
                bad.append("table %s still has entries %s" % (tid, t["mfc"]))
        if ks["proc_vif"]:
            bad.append("/proc/net/ip_mr_vif not empty: %s" % ks["proc_vif"])
        if ks["proc_cache"]:
            bad.append("/proc/net/ip_mr_cache not empty: %s" %
                       ks["proc_cache"])
        for dev, v in sorted(ks["mc_forwarding"].items()):
            if v != 0:
                bad.append("mc_forwarding of %s is %d" % (dev, v))
        text = self.ip(self.R, "mroute", "show", "table", "all").strip()
        if text:
            bad.append("ip mroute show table all: %s" % text)
        if bad:
            raise SoakFail("%s: kernel state left behind:\n  %s" %
                           (label, "\n  ".join(bad)))
        self.stats["kernel-empty checks"] += 1

    def parse_dump(self, lines):
        ifs, members, mfes = {}, set(), {}
        for line in lines:
            w = line.split()
            if w[0] == "DIF":
                f = dict(x.split("=") for x in w[2:])
                ifs[int(w[1])] = (f["owner"], f["attached"] == "1")
            elif w[0] == "DMEMBER":
                f = dict(x.split("=") for x in w[3:])
                members.add((int(f["if"]), w[1], w[2], int(f["proto"])))
            elif w[0] == "MFE":
                f = dict(x.split("=", 1) for x in w[3:])
                oifs = [] if f["oifs"] == "-" else \
                    [int(x) for x in f["oifs"].split(",")]
                if (w[1], w[2]) in mfes:
                    raise SoakFail("MFE (%s,%s) listed twice" % (w[1], w[2]))
                mfes[(w[1], w[2])] = (int(f["iif"]), oifs)
        return ifs, members, mfes

    def ip_mroute(self, table, names):
        """`ip mroute show table T` as {(S,G): (iif, oifs)} (ifindexes)."""
        res = {}
        idx = {v: int(k) for k, v in names.items()}
        text = self.ip(self.R, "mroute", "show", "table", str(table))
        for line in text.splitlines():
            m = re.match(r"\((\S+),(\S+)\)\s+Iif: (\S+)\s+(?:Oifs: (.*?))?"
                         r"\s*State: (\S+)", line)
            if not m:
                raise SoakFail("cannot parse ip mroute line: %r" % line)
            oifs = sorted(idx.get(re.sub(r"\(.*", "", x), -1)
                          for x in (m.group(4) or "").split())
            iif = idx.get(m.group(3), m.group(3))
            res[(m.group(1), m.group(2))] = (iif, oifs, m.group(5))
        return res

    def compare(self):
        """Everything that must agree at a quiescent checkpoint; returns the
        list of differences (empty = all agree)."""
        _, _, lines = self.cmd("dump")
        ifs, members, mfes = self.parse_dump(lines)
        ks = self.mrstate()
        table = str(self.a.table or 253)
        names = ks["links"]
        bad = []

        def nm(ix):
            return "%s(%d)" % (names.get(str(ix), "gone"), ix)

        # 1. libmgm against the model.
        want_owner = {self.ifx[key]: str(p) for key, p in self.owned.items()}
        got_owner = {ix: o for ix, (o, _) in ifs.items() if o != "-"}
        if want_owner != got_owner:
            bad.append("owners: libmgm %s, model %s" % (got_owner, want_owner))
        attached = {ix for ix, (_, a) in ifs.items() if a}
        want_att = {self.ifx[key] for key in self.owned
                    if self.links[key[0]]["present"] and
                    self.links[key[0]]["gen"] == key[1]}
        if attached != want_att:
            bad.append("attached: libmgm %s, model %s" %
                       (sorted(attached), sorted(want_att)))
        want_mem = {(self.ifx[key], s, g, self.owned[key])
                    for key, s, g in self.members}
        if members != want_mem:
            bad.append("memberships: libmgm has %s extra, %s missing" %
                       (sorted(members - want_mem), sorted(want_mem - members)))
        for (s, g), (iif, oifs) in sorted(mfes.items()):
            k = int(s.split(".")[1])
            lk = self.links.get(k)
            if lk is None or not lk["present"] or iif != lk["ifindex"]:
                bad.append("MFE (%s,%s) iif %d is not the RPF interface" %
                           (s, g, iif))
            # A vanished interface leaves every MFE (issue #20): only the
            # memberships on links that exist now count.
            want = sorted({self.ifx[key] for key, ms, mg in self.members
                           if (mg == ANY or (mg == g and ms in (ANY, s))) and
                           self.ifx[key] in want_att} - {iif})
            if oifs != want:
                bad.append("MFE (%s,%s) oifs %s, memberships say %s" %
                           (s, g, oifs, want))
        # 2. The kernel against libmgm: VIFs.
        for tid, t in ks["tables"].items():
            if tid != table and (t["vifs"] or t["mfc"]):
                bad.append("table %s (unused) has state: %s" % (tid, t))
        kt = ks["tables"].get(table, {"vifs": [], "mfc": []})
        kvifs = [v["ifindex"] for v in kt["vifs"] if not v["flags"] & 0x4]
        if len(set(kvifs)) != len(kvifs):
            bad.append("a device holds two VIFs: %s" % kt["vifs"])
        if set(kvifs) != attached:
            bad.append("VIFs: kernel %s, libmgm %s" %
                       ([nm(x) for x in sorted(kvifs)],
                        [nm(x) for x in sorted(attached)]))
        vif2ix = {v["vif"]: v["ifindex"] for v in kt["vifs"]}
        for dev, v in ks["mc_forwarding"].items():
            want = 1 if dev in {names.get(str(x)) for x in attached} else 0
            if dev not in ("all", "default") and v != want:
                bad.append("mc_forwarding of %s is %d, want %d" %
                           (dev, v, want))
        if ks["mc_forwarding"].get("all") != 1:
            bad.append("all/mc_forwarding is %s, want 1 (one router)" %
                       ks["mc_forwarding"].get("all"))
        # 3. The kernel against libmgm: forwarding entries.
        kmfc = {}
        for e in kt["mfc"]:
            if e["unresolved"]:
                bad.append("unresolved kernel entry (%s,%s)" %
                           (e["src"], e["grp"]))
                continue
            kmfc[(e["src"], e["grp"])] = (e["iif"], e["oifs"])
        for sg in sorted(set(kmfc) | set(mfes)):
            k = kmfc.get(sg)
            m = mfes.get(sg)
            if m is None:
                bad.append("stale kernel entry %s: iif %s oifs %s (libmgm "
                           "has no MFE)" % (sg, nm(k[0]),
                                            [nm(x) for x in k[1]]))
                continue
            iif, oifs = m
            if iif not in attached:
                # nothing can arrive there: absent or a negative entry
                if k is not None and k[1]:
                    bad.append("kernel entry %s forwards to %s but libmgm's "
                               "iif %d has no VIF" % (sg, k[1], iif))
                continue
            want = (iif, sorted({o for o in oifs if o in attached} - {iif}))
            if k != want:
                bad.append("kernel entry %s is %s, libmgm says iif %s oifs %s"
                           % (sg, k and (nm(k[0]), [nm(x) for x in k[1]]),
                              nm(want[0]), [nm(x) for x in want[1]]))
        # 4. The other views of the same kernel table must agree.
        ipm = self.ip_mroute(table, names)
        nl = {sg: (iif, oifs) for sg, (iif, oifs) in kmfc.items()}
        ipm_resolved = {sg: v[:2] for sg, v in ipm.items()
                        if v[2] == "resolved"}
        if ipm_resolved != nl or len(ipm) != len(kt["mfc"]):
            bad.append("ip mroute show %s differs from the netlink dump %s" %
                       (ipm, kt["mfc"]))
        if table == "253":
            pv = sorted((v["vif"], v["name"]) for v in ks["proc_vif"])
            nv = sorted((v["vif"], names.get(str(v["ifindex"])))
                        for v in kt["vifs"])
            if pv != nv:
                bad.append("/proc/net/ip_mr_vif %s differs from netlink %s" %
                           (pv, nv))
            pc = {}
            for e in ks["proc_cache"]:
                if e["iif"] < 0:
                    continue
                pc[(e["src"], e["grp"])] = (
                    vif2ix.get(e["iif"]),
                    sorted(vif2ix.get(x) for x in e["oifs"]))
            if pc != nl or len(ks["proc_cache"]) != len(kt["mfc"]):
                bad.append("/proc/net/ip_mr_cache %s differs from netlink %s"
                           % (ks["proc_cache"], kt["mfc"]))
        self.last_counts = (len(kvifs), len(kmfc), len(mfes))
        return bad

    def state_check(self, label):
        deadline = time.monotonic() + 5
        tries = 0
        first = None
        while True:
            bad = self.compare()
            tries += 1
            if not bad:
                self.stats["state checks"] += 1
                self.stats["VIFs verified"] += self.last_counts[0]
                self.stats["kernel entries verified"] += self.last_counts[1]
                if first:
                    # libmgm applies interface events asynchronously
                    self.stats["retries"] += tries - 1
                    self.transient.append("round %d: %s" % (
                        self.round, first[0][:160]))
                    self.note("converged after %d tries; first: %s" %
                              (tries, "; ".join(first)))
                return
            first = first or bad
            if time.monotonic() > deadline:
                raise SoakFail("%s: kernel and libmgm disagree (after %d "
                               "tries over 5 s):\n  %s" %
                               (label, tries, "\n  ".join(bad)))
            time.sleep(0.25)

    def member_of(self, j, s, g):
        lk = self.links[j]
        key = (j, lk["gen"])
        return any(mk == key and (mg == ANY or (mg == g and ms in (ANY, s)))
                   for mk, ms, mg in self.members)

    def usable(self, k):
        lk = self.links[k]
        return (lk["present"] and lk["rup"] and lk["lup"] and
                (k, lk["gen"]) in self.owned)

    def forwarding_check(self, tag):
        n_per = 3
        senders = [k for k, lk in sorted(self.links.items())
                   if lk["present"] and lk["rup"] and lk["lup"]]
        expect = set()
        for k in senders:
            s = leaf_addr(k)
            for g in self.groups:
                for j in self.links:
                    if j != k and self.usable(k) and self.usable(j) and \
                            self.member_of(j, s, g):
                        expect.add((tag, j, s, g))
        socks = {}
        try:
            for k in senders:
                with netns(self.ns("l%d" % k)):
                    socks[k] = _sender(leaf_addr(k))
            for i in range(n_per):
                for g in self.groups:
                    for k in senders:
                        socks[k].sendto(("%s %s %d" % (tag, g, i)).encode(),
                                        (g, PORT))
                    time.sleep(0.002)
        except OSError as e:
            raise SoakFail("cannot send the check traffic: %s" % e)
        finally:
            for x in socks.values():
                x.close()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            with self.rxlock:
                if all(self.rx[e] >= n_per for e in expect):
                    break
            time.sleep(0.05)
        time.sleep(0.3)  # stragglers that must not come
        with self.rxlock:
            got = {e: c for e, c in self.rx.items() if e[0] == tag}
        bad = []
        for e in sorted(expect):
            if got.get(e, 0) != n_per:
                bad.append("leaf %d got %d/%d of (%s,%s)" %
                           (e[1], got.get(e, 0), n_per, e[2], e[3]))
        for e in sorted(set(got) - expect):
            bad.append("leaf %d got %d of (%s,%s) without membership or "
                       "path (stale forwarding)" % (e[1], got[e], e[2], e[3]))
        if bad:
            raise SoakFail("forwarding check %s:\n  %s\n  model: %s" %
                           (tag, "\n  ".join(bad), self.describe()))
        n_pairs = len(senders) * len(self.groups) * (len(self.links) - 1)
        self.stats["packets sent"] += len(senders) * len(self.groups) * n_per
        self.stats["deliveries verified"] += len(expect) * n_per
        self.stats["silent (S,G,leaf) verified"] += n_pairs - len(expect)
        self.stats["forwarding checks"] += 1
        with self.rxlock:
            for e in list(self.rx):
                if e[0] == tag:
                    del self.rx[e]

    def describe(self):
        parts = []
        for k, lk in sorted(self.links.items()):
            key = (k, lk["gen"])
            st = ("absent" if not lk["present"] else
                  "r%s/l%s" % ("up" if lk["rup"] else "DOWN",
                               "up" if lk["lup"] else "DOWN"))
            parts.append("r%d[ifx %s %s owner %s joins %s]" % (
                k, lk["ifindex"], st, self.owned.get(key, "-"),
                sorted("(%s,%s)" % (s, g) for mk, s, g in self.members
                       if mk == key)))
        stale = sorted((self.ifx[key], p) for key, p in self.owned.items()
                       if self.links[key[0]]["gen"] != key[1] or
                       not self.links[key[0]]["present"])
        return " ".join(parts) + " stale-owned %s" % stale

    def checkpoint(self):
        self.flows_stop()
        time.sleep(0.3)
        self.state_check("round %d, before the traffic check" % self.round)
        self.forwarding_check("c%d" % self.round)
        self.state_check("round %d, after the traffic check" % self.round)

    # ---- main ------------------------------------------------------------------

    def setup(self):
        for k in range(1, self.a.leaves + 1):
            self.links[k] = {"present": False, "gen": 0, "ifindex": None,
                             "rup": False, "lup": False, "rx": None}
        if not self.drv_start():
            raise SoakFail("router did not start: %s" % self.drv.tail())
        for k in range(1, self.a.leaves + 1):
            self.link_add(k)
        self.checkpoint()

    def main(self):
        a = self.a
        self.log("soak: seed=%d seconds=%d rounds=%s leaves=%d groups=%d "
                 "mfe-lifetime=%ds table=%s" %
                 (a.seed, a.seconds, a.rounds or "unbounded", a.leaves,
                  a.groups, a.life, a.table or 253))
        self.setup()
        last = 0.0
        while True:
            el = time.monotonic() - self.t0
            if el >= a.seconds or (a.rounds and self.round >= a.rounds):
                break
            self.round += 1
            for _ in range(self.rng.randint(6, 14)):
                self.chaos_op()
                time.sleep(self.rng.uniform(0, 0.12))
            self.checkpoint()
            if time.monotonic() - last >= a.report or a.verbose:
                last = time.monotonic()
                self.log("round %d passed: %s" % (self.round, self.summary()))
        self.flows_stop()
        ok, _, _ = self.cmd("quit")
        if not self.drv.wait_exit():
            raise SoakFail("router did not exit cleanly: %s" % self.drv.tail())
        self.kernel_empty("after the router's clean stop")
        self.log("PASS: soak survived %d rounds in %.0f s (seed %d): %s" %
                 (self.round, time.monotonic() - self.t0, a.seed,
                  self.summary(final=True)))
        for t in self.transient[:20]:
            self.log("  state check retried (converged): %s" % t)

    def summary(self, final=False):
        s = dict(self.stats)
        if self.drv is not None:
            for k, v in self.drv.callbacks.items():
                s["callbacks " + k] = v
        keys = ["operations", "links added",
                "links re-added with their old ifindex", "links removed",
                "link flaps",
                "interfaces taken", "interfaces released", "joins", "leaves",
                "flows started", "flows stopped", "refused requests",
                "no-op requests",
                "router kill -9 + restarts", "state checks",
                "kernel-empty checks", "VIFs verified",
                "kernel entries verified", "forwarding checks",
                "packets sent", "deliveries verified",
                "silent (S,G,leaf) verified"]
        if final:
            keys += ["background packets sent",
                     "background packets received",
                     "background send errors", "retries"] + sorted(k for k in s if
                                         k.startswith("callbacks "))
        text = ", ".join("%s %d" % (k, s.get(k, 0)) for k in keys)
        if final and self.restart_ms:
            text += ", restart (READY) after kill -9 max %.0f ms" % max(
                self.restart_ms)
        return text

    def cleanup(self):
        for f in self.flows:
            f.stop()
        for lk in self.links.values():
            if lk["rx"] is not None:
                lk["rx"].stop()
        with self.plock:
            procs = list(self.procs.values())
        for p in procs:
            try:
                self.stop(p)
            except Exception:  # noqa: BLE001 - best effort
                pass


class Driver:
    """mgmdrv over a pipe: one command at a time, answers collected."""

    def __init__(self, soak, argv):
        self.soak = soak
        self.p = soak.spawn(soak.R, argv, stdin=True)
        self.cv = threading.Condition()
        self.lines = []  # since the current command
        self.pending = None
        self.ready = None
        self.exited = False
        self.recent = collections.deque(maxlen=60)
        self.callbacks = soak.drv.callbacks if soak.drv else \
            collections.Counter()
        soak.reader(self.p, self.on_line, "mgmdrv.log")

    def on_line(self, line):
        w = line.split(" ", 1)[0]
        if w in ("RPF", "CREATE", "PRUNE", "JOIN", "WRONGIF", "LJOIN",
                 "LLEAVE", "IGMPOFF", "IGMPON"):
            self.callbacks[w] += 1
        with self.cv:
            self.recent.append(line)
            if w in ("READY", "START_FAILED", "REGISTER_FAILED"):
                self.ready = w == "READY"
            elif w == "EXIT":
                self.exited = True
            if self.pending is not None:
                self.lines.append(line)
            self.cv.notify_all()

    def wait_ready(self):
        with self.cv:
            self.cv.wait_for(lambda: self.ready is not None, 15)
        return bool(self.ready)

    def wait_exit(self):
        with self.cv:
            self.cv.wait_for(lambda: self.exited, 15)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return False
        with self.soak.plock:
            self.soak.procs.pop(self.p.pid, None)
            self.soak._pids_changed()
        return self.exited and self.p.returncode == 0

    def tail(self):
        with self.cv:
            return "\n    " + "\n    ".join(self.recent)

    def cmd(self, c):
        okre = re.compile(r"^(OK|ERR (\d+)) %s$" % re.escape(c))
        with self.cv:
            self.pending = c
            self.lines = []
        try:
            self.p.stdin.write(c + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise SoakFail("mgmdrv is gone (command '%s'):%s" %
                           (c, self.tail()))
        with self.cv:
            found = self.cv.wait_for(
                lambda: any(okre.match(x) for x in self.lines), 30)
            lines = self.lines
            self.pending = None
        if not found:
            raise SoakFail("mgmdrv did not answer '%s':%s" % (c, self.tail()))
        for x in lines:
            m = okre.match(x)
            if m:
                return m.group(1) == "OK", m.group(2), lines
        raise AssertionError("unreachable")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--mgmdrv", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--seconds", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--leaves", type=int, default=5)
    ap.add_argument("--groups", type=int, default=3)
    ap.add_argument("--life", type=int, default=6)
    ap.add_argument("--table", type=int, default=0)
    ap.add_argument("--kill-weight", type=float, default=0.7)
    ap.add_argument("--report", type=float, default=10)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    soak = Soak(a)
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(124))
    rc = 1
    try:
        soak.main()
        rc = 0
    except Exception as e:  # noqa: BLE001 - every failure gets the report
        if isinstance(e, SoakFail):
            print("FAIL: %s" % e)
        else:
            import traceback
            traceback.print_exc(file=sys.stdout)
            print("FAIL: soak.py error: %r" % e)
        print("  (round %d, %.0f s in, seed %d; replay with SOAK_SEED=%d "
              "SOAK_ROUNDS=%d SOAK_LEAVES=%d SOAK_GROUPS=%d SOAK_LIFE=%d "
              "SOAK_TABLE=%d)" % (soak.round, time.monotonic() - soak.t0,
                                  a.seed, a.seed, soak.round, a.leaves,
                                  a.groups, a.life, a.table))
        print("  last operations:\n    " + "\n    ".join(soak.history))
        if soak.drv is not None:
            print("  mgmdrv's last lines:" + soak.drv.tail())
        print("  stats: " + soak.summary(final=True))
    finally:
        soak.cleanup()
    sys.stdout.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
