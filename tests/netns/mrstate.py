#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# mrstate.py - print the kernel's IPv4 multicast routing state of the
# network namespace it runs in, as one JSON object (the netns soak and
# kill9 scripts run it with `ip netns exec`).  Read-only.
#
#   tables        every ipmr table the kernel has (rtnetlink RTM_GETLINK,
#                 family RTNL_FAMILY_IPMR, kernel.md A.9):
#                 {"<id>": {"vifs": [{"vif", "ifindex", "flags"}],
#                           "mfc":  [{"src", "grp", "iif", "oifs",
#                                     "unresolved"}]}}
#                 mfc from RTM_GETROUTE (same family); iif and oifs are
#                 ifindexes (iif null for an unresolved entry)
#   proc_vif      /proc/net/ip_mr_vif (default table 253 only, A.10):
#                 [{"vif", "name", "flags", "local"}]
#   proc_cache    /proc/net/ip_mr_cache: [{"src", "grp", "iif", "oifs"}],
#                 iif and oifs as VIF numbers (iif -1 = unresolved)
#   links         {"<ifindex>": "<name>"} of every device
#   mc_forwarding {"all": n, "<dev>": n} from /proc/sys/net/ipv4/conf
#
# Usage: mrstate.py [--pretty | --text]
#   --text: the same as stable lines for shell scripts, devices by name:
#     table <id> vif <n> <dev>
#     table <id> mfc <src> <grp> iif <dev|unresolved> oifs <dev,...|->
#     proc_vif <n> <dev>
#     proc_cache <src> <grp> iif <vif> oifs <vif,...|->
#     mc_forwarding <dev|all> <n>          (non-zero values only)
import json
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
RTM_NEWLINK, RTM_GETLINK = 16, 18
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTNL_FAMILY_IPMR = 128
RTA_DST, RTA_SRC, RTA_IIF, RTA_MULTIPATH, RTA_TABLE = 1, 2, 3, 9, 15
RTM_F_UNRESOLVED = 0x20  # RTNH_F_UNRESOLVED in rtm_flags
IFLA_IFNAME, IFLA_AF_SPEC = 3, 26
IPMRA_TABLE_ID, IPMRA_TABLE_VIFS = 1, 6
IPMRA_VIF = 1
IPMRA_VIFA_IFINDEX, IPMRA_VIFA_VIF_ID, IPMRA_VIFA_FLAGS = 1, 2, 3
NLA_TYPE_MASK = 0x3FFF


def _attrs(buf):
    """Yield (type, payload) of the netlink attributes in buf."""
    off = 0
    while off + 4 <= len(buf):
        ln, typ = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        yield typ & NLA_TYPE_MASK, buf[off + 4:off + ln]
        off += (ln + 3) & ~3


def _dump(msg_type, family, hdr):
    """One rtnetlink dump; returns [(type, payload after nlmsghdr)]."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    try:
        s.bind((0, 0))
        body = struct.pack("=B", family) + hdr[1:]
        req = struct.pack("=IHHII", 16 + len(body), msg_type,
                          NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body
        s.send(req)
        out = []
        while True:
            data = s.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                ln, typ, _flags, _seq, _pid = struct.unpack_from("=IHHII",
                                                                 data, off)
                if ln < 16:
                    raise RuntimeError("bad netlink message length")
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, off + 16)[0]
                    if err != 0:
                        raise OSError(-err, os.strerror(-err))
                else:
                    out.append((typ, data[off + 16:off + ln]))
                off += (ln + 3) & ~3
    finally:
        s.close()


def _ip(b):
    return socket.inet_ntoa(b)


def links():
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    res = {}
    for typ, p in _dump(RTM_GETLINK, socket.AF_UNSPEC, ifi):
        if typ != RTM_NEWLINK:
            continue
        index = struct.unpack_from("=i", p, 4)[0]
        for t, v in _attrs(p[16:]):
            if t == IFLA_IFNAME:
                res[str(index)] = v.split(b"\0")[0].decode()
    return res


def tables():
    res = {}
    ifi = struct.pack("=BxHiII", RTNL_FAMILY_IPMR, 0, 0, 0, 0)
    for typ, p in _dump(RTM_GETLINK, RTNL_FAMILY_IPMR, ifi):
        if typ != RTM_NEWLINK:
            continue
        tid = None
        vifs = []
        for t, v in _attrs(p[16:]):
            if t != IFLA_AF_SPEC:
                continue
            for t2, v2 in _attrs(v):
                if t2 == IPMRA_TABLE_ID:
                    tid = struct.unpack_from("=I", v2)[0]
                elif t2 == IPMRA_TABLE_VIFS:
                    for t3, v3 in _attrs(v2):
                        if t3 != IPMRA_VIF:
                            continue
                        vif = {}
                        for t4, v4 in _attrs(v3):
                            if t4 == IPMRA_VIFA_IFINDEX:
                                vif["ifindex"] = struct.unpack_from("=I", v4)[0]
                            elif t4 == IPMRA_VIFA_VIF_ID:
                                vif["vif"] = struct.unpack_from("=I", v4)[0]
                            elif t4 == IPMRA_VIFA_FLAGS:
                                vif["flags"] = int.from_bytes(v4, sys.byteorder)
                        vifs.append(vif)
        if tid is None:
            raise RuntimeError("ipmr link dump without a table id")
        res[str(tid)] = {"vifs": sorted(vifs, key=lambda x: x["vif"]),
                         "mfc": []}
    rtm = struct.pack("=BBBBBBBBI", RTNL_FAMILY_IPMR, 0, 0, 0, 0, 0, 0, 0, 0)
    for typ, p in _dump(RTM_GETROUTE, RTNL_FAMILY_IPMR, rtm):
        if typ != RTM_NEWROUTE:
            continue
        table = p[4]
        flags = struct.unpack_from("=I", p, 8)[0]
        e = {"src": None, "grp": None, "iif": None, "oifs": [],
             "unresolved": bool(flags & RTM_F_UNRESOLVED)}
        for t, v in _attrs(p[12:]):
            if t == RTA_SRC:
                e["src"] = _ip(v[:4])
            elif t == RTA_DST:
                e["grp"] = _ip(v[:4])
            elif t == RTA_IIF:
                e["iif"] = struct.unpack_from("=I", v)[0]
            elif t == RTA_TABLE:
                table = struct.unpack_from("=I", v)[0]
            elif t == RTA_MULTIPATH:
                off = 0
                while off + 8 <= len(v):
                    ln, _fl, _hops, ifindex = struct.unpack_from("=HBBi", v,
                                                                 off)
                    if ln < 8:
                        break
                    e["oifs"].append(ifindex)
                    off += (ln + 3) & ~3
        e["oifs"].sort()
        res.setdefault(str(table), {"vifs": [], "mfc": []})["mfc"].append(e)
    for t in res.values():
        t["mfc"].sort(key=lambda x: (x["grp"] or "", x["src"] or ""))
    return res


def _hexip(h):
    return socket.inet_ntoa(struct.pack("=I", int(h, 16)))


def proc_vif():
    res = []
    with open("/proc/net/ip_mr_vif") as f:
        next(f)
        for line in f:
            w = line.split()
            res.append({"vif": int(w[0]), "name": w[1], "flags": int(w[6], 16),
                        "local": w[7]})
    return res


def proc_cache():
    res = []
    with open("/proc/net/ip_mr_cache") as f:
        next(f)
        for line in f:
            w = line.split()
            oifs = sorted(int(x.split(":")[0]) for x in w[6:])
            res.append({"grp": _hexip(w[0]), "src": _hexip(w[1]),
                        "iif": int(w[2]), "oifs": oifs})
    return res


def mc_forwarding():
    res = {}
    base = "/proc/sys/net/ipv4/conf"
    for d in os.listdir(base):
        try:
            with open(os.path.join(base, d, "mc_forwarding")) as f:
                res[d] = int(f.read())
        except OSError:
            pass
    return res


def text(state):
    names = state["links"]

    def nm(ix):
        return "unresolved" if ix is None else names.get(str(ix), str(ix))

    out = []
    for tid, t in sorted(state["tables"].items(), key=lambda x: int(x[0])):
        for v in t["vifs"]:
            out.append("table %s vif %d %s" % (tid, v["vif"], nm(v["ifindex"])))
        for e in t["mfc"]:
            out.append("table %s mfc %s %s iif %s oifs %s" % (
                tid, e["src"], e["grp"], nm(e["iif"]),
                ",".join(nm(x) for x in e["oifs"]) or "-"))
    for v in state["proc_vif"]:
        out.append("proc_vif %d %s" % (v["vif"], v["name"]))
    for e in state["proc_cache"]:
        out.append("proc_cache %s %s iif %d oifs %s" % (
            e["src"], e["grp"], e["iif"],
            ",".join(str(x) for x in e["oifs"]) or "-"))
    for dev, v in sorted(state["mc_forwarding"].items()):
        if v:
            out.append("mc_forwarding %s %d" % (dev, v))
    return "".join(x + "\n" for x in out)


def state():
    return {"tables": tables(), "proc_vif": proc_vif(),
            "proc_cache": proc_cache(), "links": links(),
            "mc_forwarding": mc_forwarding()}


def main(argv):
    st = state()
    if "--text" in argv:
        sys.stdout.write(text(st))
        return 0
    json.dump(st, sys.stdout, indent=1 if "--pretty" in argv else None,
              sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
