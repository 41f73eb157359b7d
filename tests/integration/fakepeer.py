#!/usr/bin/env python3
"""A scripted BGP speaker for tests/integration/fake_session.sh.

It plays the peer 192.0.2.1 (AS 65001, or 65000 for the iBGP
scenarios) of a podbgpd at 192.0.2.2
(AS 65000, BGP ID 192.0.2.2) through one scenario, then exits 0 if
podbgpd answered as RFC 4271, 4486, 4724 and 7606 say, 1 if not. It
listens on port 179 before writing READY to the file named by --ready.
Messages are built and parsed by hand: nothing here shares code with
podbgpd.
"""
import argparse
import socket
import struct
import sys
import time

OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
US = "192.0.2.1"
POD = "192.0.2.2"


class Fail(Exception):
    pass


def msg(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(asn, bgp_id, hold=90, gr=None, ext=False):
    caps = bytes([1, 4, 0, 1, 0, 1])            # IPv4 unicast
    caps += bytes([1, 4, 0, 2, 0, 1])           # IPv6 unicast
    caps += bytes([2, 0])                       # route refresh
    caps += bytes([65, 4]) + struct.pack("!I", asn)
    if ext:
        caps += bytes([6, 0])                   # extended message
    if gr is not None:
        # RFC 4724: restart flags and time, IPv4 unicast with F set
        caps += bytes([64, 6]) + struct.pack("!HHBB", gr, 1, 1, 0x80)
    opt = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return msg(OPEN, struct.pack("!BHH4sB", 4, my_as, hold,
                                 socket.inet_aton(bgp_id), len(opt)) + opt)


def nlri(prefixes):
    out = b""
    for p in prefixes:
        addr, plen = p.split("/")
        plen = int(plen)
        out += bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]
    return out


def update_v4(prefixes, origin=0, asn=65001):
    attrs = bytes([0x40, 1, 1, origin])
    seg = bytes([2, 1]) + struct.pack("!I", asn)
    attrs += bytes([0x40, 2, len(seg)]) + seg
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(US)
    return msg(UPDATE, struct.pack("!H", 0) + struct.pack("!H", len(attrs))
               + attrs + nlri(prefixes))


class Conn:
    def __init__(self, sock, name):
        self.s = sock
        self.name = name
        self.s.settimeout(10)

    def send(self, data):
        self.s.sendall(data)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise Fail("%s: connection closed" % self.name)
            buf += chunk
        return buf

    def recv(self):
        hdr = self.recv_exact(19)
        if hdr[:16] != b"\xff" * 16:
            raise Fail("%s: bad marker" % self.name)
        length, mtype = struct.unpack("!HB", hdr[16:])
        return mtype, self.recv_exact(length - 19)

    def expect(self, want, skip=(UPDATE, KEEPALIVE)):
        """Reads until a message of type want; others in skip are passed."""
        while True:
            mtype, body = self.recv()
            if mtype == want:
                return body
            if mtype not in skip:
                raise Fail("%s: expected type %d, got %d %s" %
                           (self.name, want, mtype, body.hex()))

    def expect_notification(self, code, subcode):
        body = self.expect(NOTIFICATION)
        if body[0] != code or body[1] != subcode:
            raise Fail("%s: NOTIFICATION %d/%d, expected %d/%d" %
                       (self.name, body[0], body[1], code, subcode))
        return body[2:]

    def expect_closed(self):
        try:
            while True:
                if not self.s.recv(4096):
                    return
        except socket.timeout:
            raise Fail("%s: not closed" % self.name)
        except ConnectionResetError:
            return


def check_open(body, name):
    version, my_as, hold, bgp_id = struct.unpack("!BHH4s", body[:9])
    if version != 4 or my_as != 65000 or socket.inet_ntoa(bgp_id) != POD:
        raise Fail("%s: OPEN version %d AS %d id %s" %
                   (name, version, my_as, socket.inet_ntoa(bgp_id)))
    params = body[10:10 + body[9]]
    codes = set()
    while len(params) >= 2:
        ptype, plen = params[0], params[1]
        caps, params = params[2:2 + plen], params[2 + plen:]
        while ptype == 2 and len(caps) >= 2:
            codes.add(caps[0])
            caps = caps[2 + caps[1]:]
    # multiprotocol, route refresh, extended message, AS4, enhanced RR
    for code in (1, 2, 6, 65, 70):
        if code not in codes:
            raise Fail("%s: OPEN lacks capability %d" % (name, code))


def gr_capability(body):
    """(restart flags, {(afi, safi): af flags}) of the graceful-restart
    capability in an OPEN body; None if there is none."""
    params = body[10:10 + body[9]]
    while len(params) >= 2:
        ptype, plen = params[0], params[1]
        caps, params = params[2:2 + plen], params[2 + plen:]
        while ptype == 2 and len(caps) >= 2:
            code, clen = caps[0], caps[1]
            val, caps = caps[2:2 + clen], caps[2 + clen:]
            if code != 64 or len(val) < 2:
                continue
            flags = struct.unpack("!H", val[:2])[0] >> 12
            afs = {}
            for i in range(2, len(val) - 3, 4):
                afi, safi, aff = struct.unpack("!HBB", val[i:i + 4])
                afs[(afi, safi)] = aff
            return flags, afs
    return None


def check_gr(body, name, restarting, forwarding):
    """The OPEN's Restart State bit, and the F bit of both families."""
    gr = check_gr_cap(body, name)
    if bool(gr[0] & 0x8) != restarting:
        raise Fail("%s: R bit %d, expected %d" %
                   (name, gr[0] >> 3, restarting))
    for af in ((1, 1), (2, 1)):
        if af not in gr[1]:
            raise Fail("%s: graceful restart lacks %r" % (name, af))
        if bool(gr[1][af] & 0x80) != forwarding:
            raise Fail("%s: F bit of %r is %d, expected %d" %
                       (name, af, gr[1][af] >> 7, forwarding))


def check_gr_cap(body, name):
    gr = gr_capability(body)
    if gr is None:
        raise Fail("%s: OPEN without graceful restart" % name)
    return gr


def accept_first(lsock):
    s, addr = lsock.accept()
    if addr[0] != POD:
        raise Fail("connection from %s" % addr[0])
    return Conn(s, "podbgpd-initiated")


def connect_second():
    s = socket.create_connection((POD, 179), timeout=10,
                                 source_address=(US, 0))
    return Conn(s, "peer-initiated")


def establish(c, bgp_id):
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65001, bgp_id))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))


def attributes(data):
    """{type: value} of a path attribute list."""
    out = {}
    while data:
        flags, atype = data[0], data[1]
        if flags & 0x10:
            alen, hlen = struct.unpack("!H", data[2:4])[0], 4
        else:
            alen, hlen = data[2], 3
        out[atype] = data[hlen:hlen + alen]
        data = data[hlen + alen:]
    return out


def eors(c):
    """Our pod CIDR, then End-of-RIB for IPv4 (an empty UPDATE); returns
    the attributes of our pod CIDR."""
    attrs = None
    while True:
        body = c.expect(UPDATE)
        wlen = struct.unpack("!H", body[:2])[0]
        alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
        rest = body[4 + wlen + alen:]
        if rest == nlri(["10.244.1.0/24"]):
            attrs = attributes(body[4 + wlen:4 + wlen + alen])
        if len(body) == 4 and body == b"\0\0\0\0":
            if attrs is None:
                raise Fail("End-of-RIB before our pod CIDR")
            return attrs


def check_attrs(attrs, ibgp):
    if attrs.get(1) != b"\0":
        raise Fail("ORIGIN %r" % attrs.get(1))
    if attrs.get(3) != socket.inet_aton(POD):
        raise Fail("NEXT_HOP %r" % attrs.get(3))
    path = b"" if ibgp else bytes([2, 1]) + struct.pack("!I", 65000)
    if attrs.get(2) != path:
        raise Fail("AS_PATH %r" % attrs.get(2))
    if ibgp != (attrs.get(5) == struct.pack("!I", 100)):
        raise Fail("LOCAL_PREF %r" % attrs.get(5))


def collision(lsock, peer_id):
    """Both connections up; peer_id decides who survives (RFC 4271 6.8)."""
    c1 = accept_first(lsock)
    check_open(c1.expect(OPEN), c1.name)
    c2 = connect_second()
    check_open(c2.expect(OPEN), c2.name)
    c2.send(open_msg(65001, peer_id))
    higher = socket.inet_aton(peer_id) > socket.inet_aton(POD)
    loser, winner = (c1, c2) if higher else (c2, c1)
    loser.expect_notification(6, 7)
    loser.expect_closed()
    if not higher:
        c1.send(open_msg(65001, peer_id))
    winner.expect(KEEPALIVE)
    winner.send(msg(KEEPALIVE))
    eors(winner)
    return winner


def sc_collision_established(lsock):
    """A second connection whose OPEN comes after Established loses."""
    c1 = accept_first(lsock)
    check_open(c1.expect(OPEN), c1.name)
    c1.send(open_msg(65001, "192.0.2.9"))
    c1.expect(KEEPALIVE)
    c2 = connect_second()          # podbgpd is in OpenConfirm on c1
    check_open(c2.expect(OPEN), c2.name)
    c1.send(msg(KEEPALIVE))        # Established on c1
    eors(c1)
    c2.send(open_msg(65001, "192.0.2.9"))
    c2.expect_notification(6, 7)
    c2.expect_closed()
    c1.send(msg(KEEPALIVE))
    c1.send(msg(5, struct.pack("!HBB", 1, 0, 1)))
    while not c1.expect(UPDATE).endswith(nlri(["10.244.1.0/24"])):
        pass


def sc_second_first(lsock):
    """podbgpd's connection is closed before any OPEN (as a node that
    does not know podbgpd's node yet does), after ours, made meanwhile,
    got its OPEN: podbgpd waits in Active on the first and must take the
    second as the session once it is Established."""
    c1 = accept_first(lsock)
    check_open(c1.expect(OPEN), c1.name)
    c2 = connect_second()
    check_open(c2.expect(OPEN), c2.name)
    c1.s.close()
    time.sleep(0.5)                # podbgpd reads the close: Active
    c2.send(open_msg(65001, "192.0.2.9"))
    c2.expect(KEEPALIVE)
    c2.send(msg(KEEPALIVE))
    eors(c2)
    # the session is c2's: a route refresh there is answered
    c2.send(msg(KEEPALIVE))
    c2.send(msg(5, struct.pack("!HBB", 1, 0, 1)))
    while not c2.expect(UPDATE).endswith(nlri(["10.244.1.0/24"])):
        pass


def sc_second_lost(lsock):
    """A second connection of ours closed in OpenSent frees its slot: the
    next one is taken, and wins the collision (our BGP ID is higher)."""
    c1 = accept_first(lsock)
    check_open(c1.expect(OPEN), c1.name)
    c2 = connect_second()
    check_open(c2.expect(OPEN), c2.name)
    c2.s.close()
    time.sleep(0.5)                # podbgpd reads the close
    c3 = connect_second()
    c3.name = "third"
    check_open(c3.expect(OPEN), c3.name)
    c3.send(open_msg(65001, "192.0.2.9"))
    c1.expect_notification(6, 7)
    c3.expect(KEEPALIVE)
    c3.send(msg(KEEPALIVE))
    eors(c3)


def sc_collision_high(lsock):
    w = collision(lsock, "192.0.2.9")
    # max-prefixes 2: the third prefix closes the session (RFC 4486 4)
    w.send(update_v4(["10.96.1.0/24", "10.96.2.0/24", "10.96.3.0/24"]))
    data = w.expect_notification(6, 1)
    if data != struct.pack("!HBI", 1, 1, 2):
        raise Fail("max-prefix data %s" % data.hex())
    w.expect_closed()
    # restart-time 1: podbgpd connects again after a second
    start = time.monotonic()
    c3 = accept_first(lsock)
    took = time.monotonic() - start
    check_open(c3.expect(OPEN), c3.name)
    if took < 0.5 or took > 4:
        raise Fail("reconnected after %.1f s" % took)


def sc_collision_low(lsock):
    w = collision(lsock, "192.0.2.1")
    w.send(msg(KEEPALIVE))
    # the session stays up: a route refresh is answered with our route
    w.send(msg(5, struct.pack("!HBB", 1, 0, 1)))
    # what is still queued from the start (IPv6 End-of-RIB) comes first
    while True:
        body = w.expect(UPDATE, skip=(KEEPALIVE,))
        if body.endswith(nlri(["10.244.1.0/24"])):
            break


def sc_bad_as(lsock):
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65002, "192.0.2.9"))
    c.expect_notification(2, 2)
    c.expect_closed()


def sc_ibgp(lsock):
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65000, "192.0.2.9"))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))
    check_attrs(eors(c), True)


def sc_ibgp_same_id(lsock):
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65000, POD))
    c.expect_notification(2, 3)
    c.expect_closed()


def sc_bad_id(lsock):
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    # an eBGP peer may not use our BGP ID either? RFC 6286 2.2 allows it
    # between ASes; this peer is eBGP, so the session must come up
    c.send(open_msg(65001, POD))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))
    check_attrs(eors(c), False)


def sc_update_errors(lsock):
    c = accept_first(lsock)
    establish(c, "192.0.2.9")
    eors(c)
    # ORIGIN 5 is treat-as-withdraw (RFC 7606 7.1): the session stays
    c.send(update_v4(["10.96.9.0/24"], origin=5))
    c.send(update_v4(["10.96.8.0/24", "192.168.0.0/16"]))
    time.sleep(0.5)
    c.send(msg(KEEPALIVE))
    # Withdrawn Routes Length past the end: session reset (RFC 7606 5.3)
    c.send(msg(UPDATE, struct.pack("!HH", 100, 0)))
    c.expect_notification(3, 1)
    c.expect_closed()


def sc_bad_marker(lsock):
    c = accept_first(lsock)
    establish(c, "192.0.2.9")
    c.send(b"\xfe" + b"\xff" * 15 + struct.pack("!HB", 19, KEEPALIVE))
    c.expect_notification(1, 1)
    c.expect_closed()


def sc_hold(lsock):
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65001, "192.0.2.9", hold=3))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))
    start = time.monotonic()
    # say nothing more: podbgpd's hold timer expires after 3 s
    c.expect_notification(4, 0)
    took = time.monotonic() - start
    if took < 2.5 or took > 5:
        raise Fail("hold timer expired after %.1f s" % took)


def sc_graceful_restart(lsock):
    c1 = accept_first(lsock)
    check_open(c1.expect(OPEN), c1.name)
    c1.send(open_msg(65001, "192.0.2.9", gr=120))
    c1.expect(KEEPALIVE)
    c1.send(msg(KEEPALIVE))
    eors(c1)
    c1.send(update_v4(["10.96.1.0/24", "10.96.2.0/24"]))
    c1.send(msg(UPDATE, b"\0\0\0\0"))
    time.sleep(0.5)
    # we "restart": a new connection while the old one still stands
    c2 = connect_second()
    check_open(c2.expect(OPEN), c2.name)
    c1.expect_closed()
    c2.send(open_msg(65001, "192.0.2.9", gr=0x8000 | 120))
    c2.expect(KEEPALIVE)
    c2.send(msg(KEEPALIVE))
    eors(c2)
    # one route is learned again, the other is not: End-of-RIB sweeps it
    c2.send(update_v4(["10.96.1.0/24"]))
    c2.send(msg(UPDATE, b"\0\0\0\0"))
    time.sleep(0.5)
    c2.send(msg(KEEPALIVE))


def sc_strangers(lsock):
    """Connections from an address that is no peer are closed at once."""
    c = accept_first(lsock)     # podbgpd listens by now
    for _ in range(30):
        s = socket.create_connection((POD, 179), timeout=5,
                                     source_address=("192.0.2.5", 0))
        try:
            if s.recv(1) != b"":
                raise Fail("a stranger got data")
        except ConnectionResetError:
            pass
        except socket.timeout:
            raise Fail("a stranger's connection stayed open")
        s.close()
    # the configured peer is still served
    establish(c, "192.0.2.9")
    eors(c)


def sc_bulk(lsock):
    """A 20 kB UPDATE (extended message: more than podbgpd's first input
    buffer holds) and a burst of 1000 small ones."""
    c = accept_first(lsock)
    check_open(c.expect(OPEN), c.name)
    c.send(open_msg(65001, "192.0.2.9", ext=True))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))
    eors(c)
    big = ["10.%d.%d.0/24" % (100 + i // 256, i % 256) for i in range(5000)]
    data = update_v4(big)
    if len(data) <= 16384:
        raise Fail("the big UPDATE is only %d bytes" % len(data))
    burst = b"".join(update_v4(["10.120.%d.0/24" % (i % 250)])
                     for i in range(1000))
    c.send(data + burst)
    c.send(msg(KEEPALIVE))
    # podbgpd keeps the session: our next KEEPALIVE is answered in time
    c.s.settimeout(2)
    try:
        mtype, body = c.recv()
        if mtype == NOTIFICATION:
            raise Fail("NOTIFICATION %d/%d" % (body[0], body[1]))
    except socket.timeout:
        pass


def sc_restarting(lsock, signal):
    """podbgpd as the restarting speaker: a first start says R=0, a start
    after a SIGKILL R=1, both with F set (keep-on-exit); once we have its
    End-of-RIB again, a new connection's OPEN says R=0."""
    c1 = accept_first(lsock)
    body = c1.expect(OPEN)
    check_open(body, c1.name)
    check_gr(body, "first start", False, True)
    c1.send(open_msg(65001, "192.0.2.9", gr=120))
    c1.expect(KEEPALIVE)
    c1.send(msg(KEEPALIVE))
    eors(c1)
    with open(signal, "w") as f:
        f.write("KILL\n")
    c1.expect_closed()
    c2 = accept_first(lsock)
    body = c2.expect(OPEN)
    check_open(body, c2.name)
    check_gr(body, "after SIGKILL", True, True)
    c2.send(open_msg(65001, "192.0.2.9", gr=120))
    c2.expect(KEEPALIVE)
    c2.send(msg(KEEPALIVE))
    eors(c2)
    time.sleep(0.3)
    c3 = connect_second()
    body = c3.expect(OPEN)
    check_gr(body, "after End-of-RIB", False, True)
    c3.s.close()
    c2.send(msg(KEEPALIVE))


def sc_no_forwarding(lsock, signal):
    """keep-on-exit false: no F bit; a first start, so no R bit."""
    c = accept_first(lsock)
    body = c.expect(OPEN)
    check_open(body, c.name)
    check_gr(body, "keep-on-exit false", False, False)
    c.send(open_msg(65001, "192.0.2.9", gr=120))
    c.expect(KEEPALIVE)
    c.send(msg(KEEPALIVE))
    eors(c)


SCENARIOS = {
    "collision-high": sc_collision_high,
    "collision-low": sc_collision_low,
    "collision-established": sc_collision_established,
    "second-first": sc_second_first,
    "second-lost": sc_second_lost,
    "bad-as": sc_bad_as,
    "same-id-ebgp": sc_bad_id,
    "update-errors": sc_update_errors,
    "bad-marker": sc_bad_marker,
    "hold": sc_hold,
    "graceful-restart": sc_graceful_restart,
    "strangers": sc_strangers,
    "bulk": sc_bulk,
    "ibgp": sc_ibgp,
    "ibgp-same-id": sc_ibgp_same_id,
}
# scenarios that tell the script when to act, through --signal
SIGNALLING = {
    "restarting": sc_restarting,
    "no-forwarding": sc_no_forwarding,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--signal", help="file written when the script is "
                    "to act")
    ap.add_argument("scenario", choices=sorted(list(SCENARIOS) +
                                               list(SIGNALLING)))
    a = ap.parse_args()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((US, 179))
    lsock.listen(4)
    lsock.settimeout(20)
    with open(a.ready, "w") as f:
        f.write("READY\n")
    try:
        if a.scenario in SIGNALLING:
            SIGNALLING[a.scenario](lsock, a.signal)
        else:
            SCENARIOS[a.scenario](lsock)
    except (Fail, OSError) as e:
        print("FAIL: %s: %s" % (a.scenario, e))
        return 1
    print("ok: %s" % a.scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main())
