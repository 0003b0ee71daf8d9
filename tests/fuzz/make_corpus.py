#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# make_corpus.py [DIR | --crashes] - write the seed corpus of fuzz_mgm
# (or, with --crashes, the hand-minimised libmgm reproducers): small inputs
# that spell out the spec's scenarios (mgm-spec.md 4.1-4.8) in the
# harness's input encoding, so that fuzzing starts from deep, meaningful
# sequences instead of random bytes.  The encoding mirrors the decoder in
# fuzz_mgm.c (LLVMFuzzerTestOneInput and the op_* functions): byte 0 is the
# mode (bit 7 set = unanchored, bit 0 = default route), byte 1 the policy
# seed, then one opcode byte per operation followed by its parameters.
import os
import sys

# Operation codes (op % 20 selects; op / 20 selects the variant).
REGISTER, DEREGISTER, TAKE, RELEASE, GETPROTO = 0, 2, 3, 5, 6
ADD, DELETE, INJECT, ADVANCE = 7, 10, 12, 14
GETMFE, GETFIRST, GETNEXT = 15, 35, 55
SETMFE, ENUM_START, ENUM_NEXT, ENUM_END, ROUTE = 16, 17, 37, 57, 18

# Parameter tables (indices into the decoder's tables).
PID = {"igmp": 0, "ms_igmp": 1, "ospf": 2, "rip": 3, "p20001": 4, "bgmp": 7}
S = {"*": 0, "S1": 1, "S2": 2, "S3": 3, "S4": 4, "S5": 5, "S6": 6, "S7": 7}
G = {"*": 0, "G1": 1, "G2": 2, "G3": 3, "G4": 4, "LL": 5, "NOTD": 6,
     "G7": 7}
NH = {0: 0, "NH1": 2, "NH2": 3}


class Seq:
    def __init__(self, mode=0x00, seed=0x11):
        self.b = bytearray([mode, seed])

    def op(self, code, *params):
        self.b.append(code)
        self.b.extend(params)
        return self

    def reg(self, pid="p20001", cid=1, cbmask=None, null=None):
        a = PID[pid] | (cid & 3) << 3
        if null == "cfg":
            return self.op(REGISTER, a, 0xF1, 0)
        if null == "out":
            return self.op(REGISTER, a, 0xF0, 0)
        if cbmask is None:
            return self.op(REGISTER, a, 0x00, 0)
        return self.op(REGISTER, a, 0x80 | (cbmask & 1), (cbmask >> 1) & 0xFF)

    @staticmethod
    def iface(ifx, nh=0):
        return {1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5}[ifx] | NH[nh] << 3

    def dereg(self, h):
        return self.op(DEREGISTER, h)

    def take(self, h, ifx, nh=0):
        return self.op(TAKE, h, self.iface(ifx, nh))

    def release(self, h, ifx, nh=0):
        return self.op(RELEASE, h, self.iface(ifx, nh))

    def getproto(self, ifx, nh=0):
        return self.op(GETPROTO, self.iface(ifx, nh), 0)

    def member(self, code, h, s, g, ifx, nh=0, flags=1, smode=0, gmode=0,
               extra=0):
        a = S[s] | smode << 3 | extra << 5
        b = G[g] | gmode << 3 | extra << 5
        return self.op(code, h, a, b, flags, self.iface(ifx, nh))

    def add(self, h, s, g, ifx, nh=0, **kw):
        return self.member(ADD, h, s, g, ifx, nh, **kw)

    def delete(self, h, s, g, ifx, nh=0, **kw):
        return self.member(DELETE, h, s, g, ifx, nh, **kw)

    def inject(self, ifx, s, g, ttl=16):
        si = S[s] - 1
        gi = G[g] - 1
        return self.op(INJECT, {1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5}[ifx],
                       si | gi << 3, ttl)

    def advance(self, code):
        return self.op(ADVANCE, code)

    def first(self, stats=0, flags=0, size=31, key=0):
        return self.op(GETFIRST, stats | flags << 1, size, key)

    def next(self, stats=0, flags=0, size=31, key=0xC0):
        return self.op(GETNEXT, stats | flags << 1, size, key)

    def getmfe(self, s, g, stats=0, flags=0, size=31):
        return self.op(GETMFE, stats | flags << 1, size, S[s] | G[g] << 3)

    def setmfe(self, h, s, g, up=7):
        return self.op(SETMFE, h, S[s] | G[g] << 3, up)

    def enum(self, h, all_sources=1, size=31):
        self.op(ENUM_START, h, 1 if all_sources else 0)
        return self.op(ENUM_NEXT, 0, size, 0).op(ENUM_END, 0)

    def route(self, k, ifx):
        # the decoder reads route b % 6 and interface IFX[(b >> 3) & 7]
        want = {1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5}[ifx]
        for b in range(0x40):
            if b % 6 == k and (b >> 3) & 7 == want:
                return self.op(ROUTE, b)
        raise ValueError("no encoding for route %d -> if %d" % (k, ifx))


# Advance codes: 3 = 1 s, 6 = 10 s, 8 = 60 s, 11 = 900 s, 14 = 3600 s.
SEC, TEN, MIN, LIFE, HOUR = 3, 6, 8, 11, 14


def seeds():
    out = {}

    # 4.1 start-up: IGMP on 1, 2; Q on 4; P takes 2 and 3.
    q = Seq()
    q.reg("igmp").reg("ospf").take(0, 1).take(0, 2)
    q.add(0, "*", "G1", 2).take(1, 4).add(1, "*", "G1", 4)
    q.reg("p20001").getproto(2).getproto(3).take(2, 2)
    q.add(0, "*", "G1", 2).add(2, "*", "G1", 2).take(2, 3).add(2, "*", "*", 3)
    q.enum(2, 1, 4).enum(2, 0, 1)
    out["s41-startup"] = q

    # 4.2 shutdown after 4.1.
    q = Seq(seed=0x22)
    q.b += out["s41-startup"].b[2:]
    q.release(2, 2).add(0, "*", "G1", 2).release(2, 3).dereg(2)
    out["s42-shutdown"] = q

    # 4.3 local joins.
    q = Seq(seed=0x33)
    q.reg("ms_igmp").reg("p20001").take(1, 5).take(0, 5)
    q.add(0, "*", "G1", 5).add(0, "*", "G1", 5).add(1, "*", "G1", 5)
    q.add(0, "S3", "G1", 5).delete(0, "*", "G1", 5).delete(1, "*", "G1", 5)
    q.release(0, 5)
    out["s43-local"] = q

    # 4.4 creation with RPF and creation alerts, then wrong interface.
    q = Seq(seed=0x44)
    q.reg("p20001").reg("ospf").reg("igmp")
    q.take(0, 1).take(1, 2).take(1, 3).take(2, 4)
    q.add(1, "*", "G1", 2).add(1, "*", "G1", 3).add(2, "*", "G1", 4)
    q.add(0, "*", "*", 1).inject(1, "S1", "G1").inject(3, "S7", "G1")
    q.first(size=31).first(1, 1).first(1, 0)
    out["s44-creation"] = q

    # 4.5 alert propagation A, B, C, O.
    q = Seq(seed=0x55)
    q.reg("p20001", 1).reg("ospf").reg("rip").reg("bgmp")
    q.take(0, 1).take(0, 5).take(1, 2).take(2, 3).take(3, 4)
    q.add(0, "*", "G1", 1).add(1, "*", "G1", 2).add(2, "*", "G1", 3)
    q.add(0, "*", "G1", 5).delete(0, "*", "G1", 1).delete(0, "*", "G1", 5)
    q.delete(1, "*", "G1", 2).delete(2, "*", "G1", 3)
    q.add(0, "S3", "G1", 1).add(1, "S3", "G1", 2)
    q.delete(0, "S3", "G1", 1).delete(1, "S3", "G1", 2)
    q.add(3, "S3", "G1", 4).add(0, "S3", "G1", 1)
    q.inject(4, "S3", "G2").add(2, "*", "G2", 3)
    out["s45-alerts"] = q

    # 4.7 lifetime, negative MFEs, re-arm, MgmSetMfe, expiry.
    for seed in (0x01, 0x02, 0x03, 0x04):
        q = Seq(seed=seed)
        q.reg("p20001").reg("ospf").take(0, 1).take(1, 2)
        q.add(1, "*", "G2", 2).inject(1, "S1", "G2").inject(1, "S7", "G2")
        q.delete(1, "*", "G2", 2).advance(SEC).first(1, 1)
        q.add(1, "S1", "G2", 2).setmfe(0, "S1", "G2").advance(TEN)
        q.first().advance(MIN).advance(LIFE).first().inject(2, "S1", "G2")
        q.release(0, 1).first()
        out["s47-lifetime-%d" % seed] = q

    # 4.8 buffer protocol with three MFEs.
    q = Seq(seed=0x88)
    q.reg("p20001", cbmask=0).take(0, 1).take(0, 2).take(0, 3)
    q.add(0, "*", "G1", 2).add(0, "*", "G1", 3).add(0, "*", "G2", 2)
    q.inject(1, "S6", "G1").inject(1, "S6", "G2").inject(1, "S6", "G3")
    for size in (0, 4, 20, 27, 31):
        q.first(size=size).next(size=size)
    q.first(1, 0, 18).first(1, 1, 29).getmfe("S6", "G2", size=14)
    q.getmfe("S6", "G2", size=15).getmfe("S6", "G4", size=31)
    out["s48-buffers"] = q

    # Forward-state flags, vetoes and negative MFEs.
    q = Seq(seed=0x99)
    q.reg("p20001").reg("igmp").take(0, 1).take(0, 2).take(1, 3)
    q.add(0, "*", "G1", 2).add(1, "*", "G1", 3).inject(1, "S1", "G1")
    q.delete(0, "S1", "G1", 2, flags=2).add(0, "S1", "G1", 2, flags=2)
    q.add(0, "S1", "G1", 2, flags=3).delete(0, "S1", "G1", 2, flags=3)
    q.delete(1, "S1", "G1", 3, flags=2).add(1, "*", "G1", 3, flags=0)
    q.first()
    out["forward-flags"] = q

    # Shapes: illegal masks, (S,*), wildcards with masks, non-class-D.
    q = Seq(seed=0xAA)
    q.reg("p20001").take(0, 1)
    for smode in range(4):
        for gmode in range(4):
            q.add(0, "S1", "G1", 1, smode=smode, gmode=gmode, extra=smode)
    q.add(0, "S1", "*", 1).add(0, "*", "*", 1, smode=2, gmode=2)
    q.add(0, "*", "NOTD", 1).add(0, "*", "LL", 1).enum(0, 1, 31)
    q.delete(0, "S1", "*", 1).delete(0, "*", "*", 3)
    out["shapes"] = q

    # Point-to-multipoint next hops and the (i, 0) fallback.
    q = Seq(seed=0xBB)
    q.reg("p20001").reg("ospf").reg("igmp").take(0, 1).take(1, 1, "NH1")
    q.take(2, 1, "NH2").getproto(1, "NH1").getproto(1, "NH2")
    q.add(0, "*", "G1", 1, "NH2").add(1, "*", "G1", 1, "NH1")
    q.add(2, "*", "G1", 1, "NH2").inject(2, "S2", "G1")
    q.release(0, 1).release(1, 1, "NH1").first()
    out["p2mp"] = q

    # Stale and foreign handles, NULL pointers.
    q = Seq(seed=0xCC)
    q.reg("p20001").reg(null="cfg").reg(null="out").reg("p20001")
    q.take(0, 1).dereg(0).release(0, 1).dereg(0)
    q.op(DEREGISTER, 0xE5, 1, 2, 3, 4).op(DEREGISTER, 0xE4, 9, 9, 9, 9)
    q.op(TAKE, 0xFF, 0).op(ENUM_START, 0, 0xF9).op(ENUM_START, 0, 4)
    q.op(ENUM_NEXT, 0xC0, 31, 0xF7).op(ENUM_END, 0xFF)
    q.op(GETMFE, 0xFF, 31, 0).op(GETMFE, 0xFE, 31, 0).op(GETFIRST, 0xFD, 31, 0)
    q.op(GETPROTO, 0, 0xF1).op(GETPROTO, 0, 0xF2).op(SETMFE, 0, 0, 0xFF)
    q.release(0, 1).dereg(0).take(0, 1)
    out["handles-nulls"] = q

    # IGMP ownership dance with probes from inside disable/enable.
    for seed in (0x10, 0x20, 0x30, 0x40, 0x50, 0x60):
        q = Seq(seed=seed)
        q.reg("igmp").reg("p20001").take(0, 3).add(0, "*", "G1", 3)
        q.add(0, "*", "G2", 3).add(0, "S1", "G1", 3).inject(1, "S1", "G1")
        q.take(1, 3).add(0, "*", "G1", 3).release(1, 3).take(1, 3)
        q.release(0, 3).release(1, 3).first()
        out["igmp-dance-%02x" % seed] = q

    # Routes that change under existing state.
    q = Seq(mode=0x01, seed=0xDD)
    q.reg("p20001").reg("ospf").take(0, 1).take(1, 4).take(1, 5)
    q.add(1, "S3", "G1", 5).route(3, 1).add(0, "S3", "G1", 1)
    q.inject(5, "S6", "G1").inject(4, "S3", "G1").route(3, 4)
    q.delete(0, "S3", "G1", 1).op(ROUTE, 0x43).inject(4, "S3", "G3").first()
    out["routes"] = q

    # Unanchored: packets on interfaces nobody owns are not upcalled.
    q = Seq(mode=0x80, seed=0xEE)
    q.reg("p20001").take(0, 2).inject(1, "S1", "G1").inject(2, "S1", "G1")
    q.add(0, "*", "G1", 2).inject(2, "S2", "G1").first()
    out["unanchored"] = q

    # Deregistration closes enumerations; enumerations after changes.
    q = Seq(seed=0xEF)
    q.reg("p20001").reg("ospf").take(0, 1).take(1, 2)
    q.add(0, "*", "G1", 1).add(1, "S2", "G1", 2).add(1, "*", "*", 2)
    q.op(ENUM_START, 0, 1).op(ENUM_START, 1, 0).add(0, "*", "G3", 1)
    q.op(ENUM_NEXT, 0, 4, 0).release(0, 1).dereg(0)
    q.op(ENUM_NEXT, 0xC0, 31, 0).op(ENUM_NEXT, 0, 31, 0).op(ENUM_END, 0xC1)
    out["enum-dereg"] = q

    return out


def reproducers():
    """Hand-minimised reproducers of libmgm deviations (crashes/)."""
    out = {}

    # libmgm-02: outgoing interfaces on one ifindex are ordered by the raw
    # DWORD of the next hop, not by address (1.3, D-ORDER-OIF, 3.2).
    q = Seq(seed=0x00)
    q.reg("p20001").reg("ospf").take(0, 1, "NH1").take(0, 1, "NH2")
    q.take(1, 2).add(0, "*", "G1", 1, "NH1").add(0, "*", "G1", 1, "NH2")
    q.inject(2, "S2", "G1")
    out["libmgm-02-oif-order"] = q

    # libmgm-03 (unanchored): an MFE built toward an interface without a
    # forwarder slot is never installed, so the kernel's unresolved entry
    # outlives it; after a take of that interface deletes the MFE
    # (D-OWN-MFE) the next packet is queued without an upcall: no RPF
    # callback to the new owner, no MFE (2.4, 4.7 #8).
    q = Seq(mode=0x80, seed=0x00)
    q.reg("p20001").take(0, 2).inject(2, "S1", "G1").take(0, 1)
    q.inject(2, "S1", "G1")
    out["libmgm-03-pending-upcall"] = q

    # libmgm-04 (unanchored): releasing (1, NH1), the last record of
    # ifindex 1, detaches its slot; the forwarder drops the installed MFE
    # whose incoming interface is (1, 0) and libmgm deletes that MFE at the
    # next sim call, although only MFEs arriving on (1, NH1) go (2.5 step 3,
    # D-OWN-MFE, 4.7 #8).
    q = Seq(mode=0x80, seed=0x00)
    q.reg("p20001").take(0, 1, "NH1").inject(1, "S1", "G1")
    q.release(0, 1, "NH1").advance(SEC).first()
    out["libmgm-04-slot-loss"] = q

    # libmgm-05: a membership P made on (1, NH1) through the (1, 0) fallback
    # (D-P2MP) outlives P's release of (1, 0) and P's deregistration; the
    # next client registered (Q) inherits it in libmgm: Q's delete of a
    # membership it never added removes P's and sends R a prune alert
    # (2.0 (3), 2.3, D-IDEMPOTENT).
    q = Seq(seed=0x00)
    q.reg("ospf").reg("p20001").take(1, 1).add(1, "*", "G1", 1, "NH1")
    q.release(1, 1).dereg(1).reg("rip").take(1, 1, "NH1")
    q.delete(1, "*", "G1", 1, "NH1")
    out["libmgm-05-member-identity"] = q

    # libmgm-06 (spec gap, see README): IGMP's latent join on (1, NH1),
    # made through the (1, 0) fallback while P owns (1, 0), survives Q's
    # take and release of (1, NH1) in libmgm; 2.5 step 2 read literally
    # with D-P2MP's exact pairs discards it ("all latent memberships on
    # this interface"), so IGMP's later leave reaches P only in libmgm.
    q = Seq(seed=0x00)
    q.reg("igmp").reg("p20001").reg("ospf").take(1, 1).take(0, 1)
    q.add(0, "*", "G1", 1, "NH1").take(2, 1, "NH1").release(2, 1, "NH1")
    q.delete(0, "*", "G1", 1, "NH1")
    out["libmgm-06-latent-p2mp-gap"] = q

    # libmgm-07: libmgm-05 by another path.  P's membership on (1, NH1),
    # made through the (1, 0) fallback, is stranded when Q takes (1, NH1)
    # explicitly; P's release of (1, 0) no longer covers it, P deregisters,
    # and S, registered next, inherits it in libmgm: Q's release then sends
    # S a prune alert as if S's were the last membership (2.0 (3), 2.3).
    q = Seq(seed=0x00)
    q.reg("ospf").reg("p20001").reg("rip").take(1, 1)
    q.add(1, "*", "G1", 1, "NH1").take(2, 1, "NH1").add(2, "*", "G1", 1, "NH1")
    q.release(1, 1).dereg(1).reg("bgmp").release(1, 1, "NH1")
    out["libmgm-07-member-identity-split"] = q

    # libmgm-08 (regression of the libmgm-06 fix): IGMP's latent join on
    # (1, NH1), made through (1, 0) owned by P, stays when IGMP itself takes
    # (1, NH1) and releases it as sole owner (2.5: steps 1, 3, 4 - no step
    # 2); IGMP's later release of (1, 0) owes P a local leave for it.
    # libmgm drops it in the sole-owner release, so P never hears the leave.
    q = Seq(seed=0x00)
    q.reg("igmp").reg("p20001").take(1, 1).take(0, 1)
    q.add(0, "*", "G1", 1, "NH1").take(0, 1, "NH1").release(0, 1, "NH1")
    q.release(0, 1)
    out["libmgm-08-sole-igmp-latent"] = q

    # libmgm-09 (libmgm-03 by another path, after 65d0f0e): the route to S1
    # points at interface 5, which has no slot; the MFE built from a packet
    # on 2 gets a negative entry on 2, which goes when 2 is released.  The
    # next packet (on 1) finds the MFE uninstalled and cannot install it, so
    # the forwarder's unresolved entry stays; after the take of 5 deletes
    # the MFE (D-OWN-MFE), the next packet is queued without an upcall.
    q = Seq(mode=0x80, seed=0x00)
    q.reg("igmp", cbmask=0x1FE).take(0, 2).take(0, 1).route(0, 5)
    q.inject(2, "S1", "G1").release(0, 2).inject(1, "S1", "G1")
    q.take(0, 5).inject(1, "S1", "G1")
    out["libmgm-09-pending-upcall-existing"] = q

    return out


def write(d, items):
    os.makedirs(d, exist_ok=True)
    for name, q in sorted(items.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes(q.b))
    print("%d inputs in %s" % (len(items), d))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) > 1 and sys.argv[1] == "--crashes":
        write(os.path.join(here, "crashes"), reproducers())
        return
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus"),
          seeds())


if __name__ == "__main__":
    main()
