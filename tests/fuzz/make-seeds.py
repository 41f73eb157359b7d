#!/usr/bin/env python3
"""Seed corpora for the BGP fuzz targets from the recorded sessions.

bgp_msg seeds are whole recorded streams; bgp_attr seeds are single UPDATE
bodies. Each seed starts with the context byte the targets read (bit 0
4-octet AS, bit 2 extended messages, bits 3-4 add-path receive per family,
bit 5 enhanced route refresh), set to what the recorded session negotiated.
Run from the top of the tree: tests/fuzz/make-seeds.py
"""
import os
import sys

SESSIONS = "tests/data/sessions"
ADDPATH_V4 = {"bird-to-frr-v4", "frr-to-bird-v4", "bird-to-gobgp",
              "gobgp-to-bird"}
IBGP = {"bird-to-gobgp", "gobgp-to-bird"}


def ctx_byte(name):
    b = 0x01 | 0x04 | 0x20
    if name not in IBGP:
        b |= 0x02
    if name in ADDPATH_V4:
        b |= 0x08
    return b


def messages(data):
    off = 0
    while off + 19 <= len(data):
        n = int.from_bytes(data[off + 16:off + 18], "big")
        yield data[off:off + n]
        off += n


def main():
    out_msg = "tests/fuzz/corpus/bgp_msg"
    out_attr = "tests/fuzz/corpus/bgp_attr"
    os.makedirs(out_msg, exist_ok=True)
    os.makedirs(out_attr, exist_ok=True)
    seen = set()
    for f in sorted(os.listdir(SESSIONS)):
        if not f.endswith(".bgp"):
            continue
        name = f[:-4]
        data = open(os.path.join(SESSIONS, f), "rb").read()
        c = bytes([ctx_byte(name)])
        open(os.path.join(out_msg, "session-" + name), "wb").write(c + data)
        for i, m in enumerate(messages(data)):
            if m[18] != 2:
                continue
            body = c + m[19:]
            if body in seen or len(body) > 1200:
                continue
            seen.add(body)
            path = os.path.join(out_attr, "%s-%02d" % (name, i + 1))
            open(path, "wb").write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
