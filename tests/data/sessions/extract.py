#!/usr/bin/env python3
"""Extract raw BGP byte streams and tshark summaries from pcaps.

For every TCP connection to or from port 179 in the given pcaps, each
direction that carried data is written as NAME.bgp: the reassembled TCP
payload, i.e. the BGP messages exactly as sent, back to back.  NAME is
"<src>-to-<dst>" from the --name ADDR=NAME table; when a pair of routers
has sessions over both IPv4 and IPv6 the name gets a "-v4"/"-v6" suffix,
and a further connection of the same pair gets "-2", "-3", ...

Next to it, NAME.txt lists every message as tshark's BGP dissector sees
it (one header line per message, indented detail lines), so a decoder
test can compare its own view with an independent one.  The extractor
checks that its own length-prefixed split of NAME.bgp agrees with tshark
on the number, types and lengths of the messages.

With --check FILE..., only verify .bgp files (marker, lengths, types) and
print a per-file summary.  Standard library only.
"""

import argparse
import ipaddress
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE",
         5: "ROUTE-REFRESH"}
MARKER = b"\xff" * 16


def split_messages(data):
    """Split a byte stream into BGP messages; raise ValueError if broken."""
    msgs = []
    off = 0
    while off < len(data):
        if len(data) - off < 19:
            raise ValueError("truncated header at offset %d" % off)
        if data[off:off + 16] != MARKER:
            raise ValueError("bad marker at offset %d" % off)
        length, mtype = struct.unpack_from("!HB", data, off + 16)
        if length < 19 or off + length > len(data):
            raise ValueError("bad length %d at offset %d" % (length, off))
        if mtype not in TYPES:
            raise ValueError("unknown type %d at offset %d" % (mtype, off))
        msgs.append((mtype, data[off:off + length]))
        off += length
    return msgs


def run(args):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()


def norm_addr(a):
    return str(ipaddress.ip_address(a))


def follow(pcap, stream):
    """Return ((addr, port), (addr, port), bytes0, bytes1) of a stream."""
    out = run(["tshark", "-r", pcap, "-q", "-z",
               "follow,tcp,raw,%d" % stream])
    nodes = {}
    data = [bytearray(), bytearray()]
    for line in out.splitlines():
        m = re.match(r"^Node ([01]): (.*):(\d+)$", line)
        if m:
            addr = m.group(2).strip("[]")
            nodes[int(m.group(1))] = (norm_addr(addr), int(m.group(3)))
            continue
        if not line.strip() or line.startswith(("=", "Follow:", "Filter:")):
            continue
        side = 1 if line.startswith("\t") else 0
        data[side] += bytes.fromhex(line.strip())
    return nodes[0], nodes[1], bytes(data[0]), bytes(data[1])


def fld(elem, name):
    """First descendant field called name."""
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f
    return None


def showname_value(f):
    """The part of a showname after the first ': '."""
    s = (f.get("showname") or "").strip()
    return s.split(": ", 1)[1].strip() if ": " in s else s


def name_code(f):
    """'Type Code: ORIGIN (1)' -> ('ORIGIN', '1')."""
    v = showname_value(f)
    m = re.match(r"^(.*) \((\d+)\)$", v)
    return (m.group(1), m.group(2)) if m else (v, "?")


def entries(container):
    """Prefix entries (unnamed child fields) of an NLRI container."""
    out = []
    for c in container.iter("field"):
        if c.get("name") == "" and c.get("show"):
            out.append(c.get("show").strip().replace(" PathId ",
                                                     " path-id "))
    return out


def describe_open(p, lines):
    ver = showname_value(fld(p, "bgp.open.version"))
    myas = showname_value(fld(p, "bgp.open.myas"))
    hold = showname_value(fld(p, "bgp.open.holdtime"))
    ident = showname_value(fld(p, "bgp.open.identifier"))
    lines[0] += " version=%s my_as=%s hold=%s id=%s" % (ver, myas, hold,
                                                         ident)
    for cap in p.iter("field"):
        if cap.get("name") != "bgp.cap":
            continue
        name, code = name_code(fld(cap, "bgp.cap.type"))
        detail = []
        for c in cap:
            n = c.get("name")
            if n in ("bgp.cap.type", "bgp.cap.length") or n.endswith(".len"):
                continue
            detail.append((c.get("showname") or "").strip())
        clen = showname_value(fld(cap, "bgp.cap.length"))
        lines.append("  cap %s %s len=%s%s" % (
            code, name, clen, (": " + "; ".join(detail)) if detail else ""))


def describe_update(p, lines):
    wd = fld(p, "bgp.update.withdrawn_routes")
    if wd is not None:
        for e in entries(wd):
            lines.append("  withdrawn %s" % e)
    for a in p.iter("field"):
        if a.get("name") != "bgp.update.path_attribute":
            continue
        name, code = name_code(fld(a, "bgp.update.path_attribute.type_code"))
        flags = fld(a, "bgp.update.path_attribute.flags").get("show")
        alen = showname_value(fld(a, "bgp.update.path_attribute.length"))
        head = "  attr %s %s flags=%s len=%s" % (code, name, flags, alen)
        if name in ("MP_REACH_NLRI", "MP_UNREACH_NLRI"):
            kind = "mp_reach" if name == "MP_REACH_NLRI" else "mp_unreach"
            pre = "bgp.update.path_attribute.%s_nlri" % kind
            afi = name_code(fld(a, pre + ".afi"))
            safi = name_code(fld(a, pre + ".safi"))
            head += ": afi=%s (%s) safi=%s (%s)" % (afi[1], afi[0],
                                                     safi[1], safi[0])
            nh = fld(a, pre + ".next_hop")
            if nh is not None:
                kids = [showname_value(c) for c in nh if c.get("name")]
                head += " next_hop=" + (" ".join(kids) if kids else
                                        showname_value(nh))
            lines.append(head)
            cont = fld(a, pre)
            for e in entries(cont) if cont is not None else []:
                lines.append("    %s %s" % (kind, e))
            continue
        sn = a.get("showname") or ""
        m = re.match(r"^Path Attribute - [^:]*: (.*)$", sn)
        if m:
            head += ": " + m.group(1).strip()
        else:
            ext = [(c.get("showname") or "").strip() for c in a.iter("field")
                   if c.get("name") == "bgp.ext_community"]
            if ext:
                head += ": " + "; ".join(ext)
        lines.append(head)
    nl = fld(p, "bgp.update.nlri")
    if nl is not None:
        for e in entries(nl):
            lines.append("  nlri %s" % e)


def describe_notification(p, lines):
    major = fld(p, "bgp.notify.major_error")
    minor = None
    for f in p.iter("field"):
        if (f.get("name") or "").startswith("bgp.notify.minor_error"):
            minor = f
            break
    mj = name_code(major)
    lines[0] += " code=%s (%s)" % (mj[1], mj[0])
    if minor is not None:
        mn = name_code(minor)
        lines[0] += " subcode=%s (%s)" % (mn[1], mn[0])
    comm = fld(p, "bgp.notify.communication")
    if comm is not None:
        lines.append('  shutdown_communication "%s"' % comm.get("show"))
    data = fld(p, "bgp.notify.error_data")
    if data is not None:
        lines.append("  data %s" % data.get("value"))


def describe_refresh(p, lines):
    afi = name_code(fld(p, "bgp.route_refresh.afi"))
    safi = name_code(fld(p, "bgp.route_refresh.safi"))
    sub = fld(p, "bgp.route_refresh.subtype")
    lines[0] += " afi=%s (%s) safi=%s (%s)" % (afi[1], afi[0], safi[1],
                                               safi[0])
    if sub is not None:
        s = name_code(sub)
        lines[0] += " subtype=%s (%s)" % (s[1], s[0])


def describe(p):
    length = int(fld(p, "bgp.length").get("show"))
    if fld(p, "bgp.type") is None:
        # Wireshark 4.0 rejects messages over 4096 bytes (it does not
        # know RFC 8654) and decodes nothing but marker and length.
        name = (p.get("showname") or "").split(" - ")[-1]
        name = name.replace(" Message", "")
        mtype = {v: k for k, v in TYPES.items()}.get(name, 0)
        return mtype, length, ["%s len=%d" % (name, length),
                               "  not decoded by tshark: length over 4096 "
                               "(no RFC 8654 support)"]
    mtype = int(fld(p, "bgp.type").get("show"))
    lines = ["%s len=%d" % (TYPES.get(mtype, str(mtype)), length)]
    {1: describe_open, 2: describe_update, 3: describe_notification,
     5: describe_refresh}.get(mtype, lambda p, l: None)(p, lines)
    return mtype, length, lines


def tshark_messages(pcap):
    """{(stream, src_addr, src_port): [(type, length, lines), ...]}."""
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "bgp", "-T", "pdml"],
                         check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    res = {}
    for pkt in ET.fromstring(out):
        stream = int(fld(pkt, "tcp.stream").get("show"))
        src = fld(pkt, "ip.src")
        if src is None:
            src = fld(pkt, "ipv6.src")
        sport = int(fld(pkt, "tcp.srcport").get("show"))
        key = (stream, norm_addr(src.get("show")), sport)
        for proto in pkt.findall("proto"):
            if (proto.get("name") == "bgp" and
                    fld(proto, "bgp.length") is not None):
                res.setdefault(key, []).append(describe(proto))
    return res


def streams(pcap):
    out = run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
               "-Y", "tcp.len > 0"])
    return sorted({int(x) for x in out.split()})


def tshark_version():
    return run(["tshark", "--version"]).splitlines()[0]


def extract(opts):
    names = {}
    for n in opts.name:
        addr, _, name = n.partition("=")
        names[norm_addr(addr)] = name
    found = []
    for pcap in opts.pcap:
        tsh = tshark_messages(pcap)
        for s in streams(pcap):
            n0, n1, d0, d1 = follow(pcap, s)
            for (src, dst, data) in ((n0, n1, d0), (n1, n0, d1)):
                if not data:
                    continue
                key = (s, src[0], src[1])
                found.append((pcap, s, src, dst, data, tsh.get(key, [])))
    # Pairs that used both IPv4 and IPv6 transport get a suffix.
    fams = {}
    for (_, _, src, dst, _, _) in found:
        pair = (names.get(src[0], src[0]), names.get(dst[0], dst[0]))
        fams.setdefault(pair, set()).add(
            ipaddress.ip_address(src[0]).version)
    used = {}
    ok = True
    os.makedirs(opts.out, exist_ok=True)
    for (pcap, s, src, dst, data, tmsgs) in found:
        a, b = names.get(src[0], src[0]), names.get(dst[0], dst[0])
        base = "%s-to-%s" % (a, b)
        if len(fams[(a, b)]) > 1:
            base += "-v%d" % ipaddress.ip_address(src[0]).version
        used[base] = used.get(base, 0) + 1
        if used[base] > 1:
            base += "-%d" % used[base]
        mine = split_messages(data)
        if [(t, len(m)) for (t, m) in mine] != [(t, l) for (t, l, _) in
                                                  tmsgs]:
            print("%s: own split (%d msgs) and tshark (%d msgs) disagree" %
                  (base, len(mine), len(tmsgs)), file=sys.stderr)
            ok = False
        with open(os.path.join(opts.out, base + ".bgp"), "wb") as f:
            f.write(data)
        fmt = lambda e: "[%s]:%d" % e if ":" in e[0] else "%s:%d" % e
        with open(os.path.join(opts.out, base + ".txt"), "w") as f:
            f.write("# %s.bgp: %s -> %s, TCP stream %d of %s\n" % (
                base, fmt(src), fmt(dst), s, os.path.basename(pcap)))
            f.write("# %d messages, %d bytes; decoded by %s\n" % (
                len(tmsgs), len(data), tshark_version()))
            f.write("# message index, type, length, then details as the "
                    "BGP dissector shows them\n")
            for i, (t, l, lines) in enumerate(tmsgs, 1):
                f.write("%d %s\n" % (i, lines[0]))
                for ln in lines[1:]:
                    f.write(ln + "\n")
        print("%-24s %6d bytes %4d messages" % (base + ".bgp", len(data),
                                               len(mine)))
    return 0 if ok else 1


def check(files):
    bad = 0
    for fn in files:
        with open(fn, "rb") as f:
            data = f.read()
        try:
            msgs = split_messages(data)
        except ValueError as e:
            print("%s: %s" % (fn, e))
            bad = 1
            continue
        counts = {}
        for (t, _) in msgs:
            counts[TYPES[t]] = counts.get(TYPES[t], 0) + 1
        print("%-28s %6d bytes: %s" % (os.path.basename(fn), len(data),
              ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default=".")
    ap.add_argument("--name", action="append", default=[],
                    help="ADDR=NAME for file names")
    ap.add_argument("--check", action="store_true",
                    help="only verify the given .bgp files")
    ap.add_argument("pcap", nargs="+")
    opts = ap.parse_args()
    if opts.check:
        return check(opts.pcap)
    return extract(opts)


if __name__ == "__main__":
    sys.exit(main())
