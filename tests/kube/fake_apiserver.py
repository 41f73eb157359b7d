#!/usr/bin/env python3
"""A fake Kubernetes API server for podbgp's tests: Nodes only.

It speaks the protocol of kube-apiserver for what podbgpd and kubectl use
of it: HTTPS with a CA made at start, bearer-token or client-certificate
authentication, discovery (/version, /api, /api/v1, /apis), list (limit
and continue, labelSelector, fieldSelector metadata.name), get, and watch
(chunked, one JSON event per line, bookmarks, timeoutSeconds, 410 Expired
after compaction), in JSON or as meta.k8s.io Tables (what kubectl asks
for). Python 3 standard library; the certificates come from openssl(1).

Command line
  --listen ADDR:PORT   where to serve HTTPS; [::1]:PORT for IPv6; PORT 0
                       picks a free port. May be given twice (default
                       127.0.0.1:0).
  --certdir DIR        writes ca.crt/ca.key, server.crt/key (SANs: the
                       listen addresses, 127.0.0.1, ::1, localhost, any
                       --san) and client.crt/key (CN podbgp-test, O
                       system:masters) signed by the CA. Required.
  --san NAME|IP        another subjectAltName of the server certificate.
  --token-file PATH    the valid bearer token; made (random) if missing.
                       Re-read when it changes, so writing it rotates the
                       token too. Default DIR/token.
  --kubeconfig PATH    writes a kubeconfig: contexts "fake" (CA file and
                       tokenFile; the current one), "fake-cert" (CA file,
                       client-certificate and client-key files) and
                       "fake-data" (certificate-authority-data,
                       client-certificate-data, client-key-data).
  --ready PATH         written (the URLs, one a line) once serving.
  --control PATH       the control socket (below).
  --nodes FILE         initial nodes: JSON (a NodeList, a list of Node
                       objects, or of {"name", "podCIDRs", "internalIPs",
                       "labels", "annotations"}) or lines
                       "NAME PODCIDRS INTERNALIPS [LABELS [ANNOTATIONS]]",
                       comma-separated lists, "-" for none, k=v labels.
  --generate N         nodes node-1..node-N: the i-th /24 after
                       --pod-cidr-base (10.244.0.0, so node-1 has
                       10.244.1.0/24, node-256 10.245.0.0/24), InternalIP
                       --address-base + i (192.168.0.0), and with
                       --dual-stack also fd00:10:244:i::/64 and
                       fd00:192:168::i.
  --bulk               adds what real nodes carry (images, conditions,
                       capacity, nodeInfo, managedFields): ~5 KB a node.
  --bookmark-interval S  seconds between BOOKMARK events (default 5).
  --history N          changes kept for watches and continue tokens
                       (default 100000); older ones are compacted.
  --no-gzip            never gzip (otherwise bodies over 128 KiB are
                       gzipped when the client accepts it, as the real
                       server does).
  -q                   no request log.
The request log goes to stderr, one line a request (watches: one when
they start, one when they end).

Protocol notes (as kube-apiserver does it)
  - A list with resourceVersion=0 is served "from the cache": limit is
    ignored and there is no continue token. Otherwise pages of limit
    items in name order, all at the resourceVersion of the first page
    (a consistent snapshot), metadata.continue and remainingItemCount
    while more remain. A continue token older than the compacted history
    gives 410 with a Status of reason Expired.
  - A watch from a resourceVersion older than the compacted history gets
    200 and one ERROR event (Status code 410, reason Expired), then the
    stream ends. A watch without resourceVersion or with "0" starts with
    an ADDED event for every current node. A resourceVersion newer than
    the current one is waited for up to 3 s, then 504 (Too large resource
    version). A watch with a labelSelector turns changes that make a node
    match or stop matching into ADDED or DELETED.
  - Unauthenticated requests get 401 with a Status of reason Unauthorized
    (only /version, /healthz, /livez and /readyz are public).

Control interface: plain HTTP on the unix socket of --control, e.g.
  curl -s --unix-socket S http://x/stats
Replies are JSON. Fields may be given as query parameters or as a JSON
body; list fields are JSON lists or comma-separated strings.
  GET  /stats        counts: requests.{list,list_first,watch,get,
                     discovery,other}, open_watches, unauthorized (401s
                     served), auth.{token,cert}, injected.{failed,hung},
                     resourceVersion, compacted, nodes, token_rotations.
  POST /stats/reset  zeroes the counts.
  GET  /nodes        the current nodes (a NodeList).
  GET  /nodes/NAME   one node.
  POST /nodes        adds or replaces a node (replacing keeps its uid and
                     creationTimestamp): a full Node object as the body,
                     or name, podCIDRs, internalIPs, labels, annotations
                     (query: labels=k=v,k2=v2). Replies the
                     resourceVersion.
       curl --unix-socket S -X POST \\
           'http://x/nodes?name=n6&podCIDRs=10.244.6.0/24&internalIPs=192.168.0.6'
  PATCH /nodes/NAME  (or POST /nodes/NAME/patch) podCIDRs and
                     internalIPs replace, labels and annotations merge
                     (JSON null or, in a query, "-key" removes); no
                     field at all still makes a MODIFIED event (a status
                     heartbeat).
       curl --unix-socket S -X PATCH \\
           'http://x/nodes/node-1?podCIDRs=10.9.0.0/24&labels=zone=b,-old'
  DELETE /nodes/NAME (or POST /nodes/NAME/delete)
  POST /drop-watches[?how=close|end]  ends every open watch now: close
                     (default) cuts the connection, end finishes the
                     chunked response properly.
  POST /compact[?rv=N]  forgets the changes up to N (default: all); a
                     watch or continue from before N then gets 410.
  POST /fail?status=500[&count=N|&seconds=S][&retry-after=S][&what=W]
                     the next N requests (default 1), or all for S
                     seconds, get STATUS with a Status body (429 and 503
                     carry Retry-After, default 1). W: any (default), api
                     (list,watch,get), or a comma list of list, watch,
                     get, discovery. status=0 clears.
  POST /hang?seconds=S[&what=W][&stage=http|tls]
                     requests arriving in the next S seconds are accepted
                     and never answered; their connections are closed
                     when S runs out. stage=tls hangs before the TLS
                     handshake. seconds=0 clears.
  POST /rotate-token[?grace=S][&token=T]
                     writes a new token (T or random) to the token file
                     and replies it; the old one is refused with 401 at
                     once, or after S seconds.
SIGTERM and SIGINT stop the server (exit 0).
"""
import argparse
import base64
import bisect
import copy
import datetime
import gzip
import http.server
import ipaddress
import json
import os
import secrets
import select
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

QUIET = False


def log(msg):
    if not QUIET:
        sys.stderr.write("fake_apiserver: %s\n" % msg)


def jdump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def rfc3339(t):
    return datetime.datetime.fromtimestamp(
        int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(s):
    try:
        return datetime.datetime.strptime(
            s, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return time.time()


REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
    404: "NotFound", 405: "MethodNotAllowed", 409: "Conflict",
    410: "Expired", 422: "Invalid", 429: "TooManyRequests",
    500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout",
}


def status_obj(code, message, reason=None, details=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {},
          "status": "Failure", "message": message,
          "reason": reason or REASONS.get(code, "Unknown"), "code": code}
    if details:
        st["details"] = details
    return st


# ---------------------------------------------------------------- nodes

# Shared by every node with --bulk: nodes of one cluster run the same
# images.
IMAGES = None


def bulk_images():
    global IMAGES
    if IMAGES is None:
        names = ["registry.k8s.io/etcd:3.5.9-0",
                 "registry.k8s.io/kube-apiserver:v1.28.4",
                 "registry.k8s.io/kube-controller-manager:v1.28.4",
                 "registry.k8s.io/kube-scheduler:v1.28.4",
                 "registry.k8s.io/kube-proxy:v1.28.4",
                 "registry.k8s.io/coredns/coredns:v1.10.1",
                 "registry.k8s.io/pause:3.9",
                 "docker.io/library/nginx:1.25.3",
                 "quay.io/prometheus/node-exporter:v1.7.0",
                 "registry.k8s.io/metrics-server/metrics-server:v0.6.4",
                 "registry.k8s.io/ingress-nginx/controller:v1.9.4",
                 "ghcr.io/example/podbgp:0.1.0",
                 "docker.io/library/busybox:1.36.1"]
        IMAGES = []
        for i, n in enumerate(names):
            repo = n.rsplit(":", 1)[0]
            dig = "%064x" % (0x9e3779b97f4a7c15 * (i + 7) ** 9 % (1 << 256))
            IMAGES.append({"names": ["%s@sha256:%s" % (repo, dig), n],
                           "sizeBytes": 5000000 + 7919 * i * i * 1000})
    return IMAGES


def bulk_status(node, created):
    ts = rfc3339(created)
    st = node["status"]
    st["capacity"] = {"cpu": "16", "ephemeral-storage": "479152840Ki",
                      "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                      "memory": "65747628Ki", "pods": "110"}
    st["allocatable"] = {"cpu": "16", "ephemeral-storage": "441586376847",
                         "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                         "memory": "65645228Ki", "pods": "110"}
    conds = []
    for t, r, m in (
            ("MemoryPressure", "KubeletHasSufficientMemory",
             "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure",
             "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID",
             "kubelet has sufficient PID available"),
            ("Ready", "KubeletReady", "kubelet is posting ready status")):
        conds.append({"type": t, "status": "True" if t == "Ready"
                      else "False", "lastHeartbeatTime": ts,
                      "lastTransitionTime": ts, "reason": r, "message": m})
    st["conditions"] = conds
    st["daemonEndpoints"] = {"kubeletEndpoint": {"Port": 10250}}
    st["images"] = bulk_images()
    name = node["metadata"]["name"]
    st["nodeInfo"] = {
        "machineID": uuid.uuid5(uuid.NAMESPACE_DNS, name + ".m").hex,
        "systemUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, name + ".s")),
        "bootID": str(uuid.uuid5(uuid.NAMESPACE_DNS, name + ".b")),
        "kernelVersion": "6.1.0-13-amd64",
        "osImage": "Debian GNU/Linux 12 (bookworm)",
        "containerRuntimeVersion": "containerd://1.7.10",
        "kubeletVersion": "v1.28.4", "kubeProxyVersion": "v1.28.4",
        "operatingSystem": "linux", "architecture": "amd64"}
    node["metadata"]["managedFields"] = [
        {"manager": "kubeadm", "operation": "Update", "apiVersion": "v1",
         "time": ts, "fieldsType": "FieldsV1", "fieldsV1": {
             "f:metadata": {"f:annotations": {
                 "f:kubeadm.alpha.kubernetes.io/cri-socket": {}}}}},
        {"manager": "kube-controller-manager", "operation": "Update",
         "apiVersion": "v1", "time": ts, "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:annotations": {
             "f:node.alpha.kubernetes.io/ttl": {}}},
             "f:spec": {"f:podCIDR": {}, "f:podCIDRs": {".": {}}}}},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1",
         "time": ts, "fieldsType": "FieldsV1", "subresource": "status",
         "fieldsV1": {"f:status": {"f:conditions": {
             "k:{\"type\":\"Ready\"}": {"f:lastHeartbeatTime": {},
                                        "f:message": {}, "f:reason": {},
                                        "f:status": {}}},
             "f:images": {}, "f:nodeInfo": {"f:bootID": {}}}}}]


def make_node(name, pod_cidrs=(), ips=(), labels=None, annotations=None,
              bulk=False, created=None):
    created = created or time.time()
    lab = {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
           "kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
           "beta.kubernetes.io/os": "linux"}
    lab.update(labels or {})
    ann = {"node.alpha.kubernetes.io/ttl": "0",
           "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
    if bulk:
        ann["kubeadm.alpha.kubernetes.io/cri-socket"] = \
            "unix:///var/run/containerd/containerd.sock"
    ann.update(annotations or {})
    node = {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name,
                         "uid": str(uuid.uuid4()),
                         "resourceVersion": "0",
                         "creationTimestamp": rfc3339(created),
                         "labels": lab, "annotations": ann},
            "spec": {},
            "status": {"addresses": []}}
    set_pod_cidrs(node, pod_cidrs)
    set_ips(node, ips)
    if bulk:
        bulk_status(node, created)
    return node


def set_pod_cidrs(node, cidrs):
    spec = node.setdefault("spec", {})
    cidrs = list(cidrs)
    if cidrs:
        spec["podCIDR"] = cidrs[0]
        spec["podCIDRs"] = cidrs
    else:
        spec.pop("podCIDR", None)
        spec.pop("podCIDRs", None)


def set_ips(node, ips):
    st = node.setdefault("status", {})
    old = [a for a in st.get("addresses", []) if a.get("type") != "InternalIP"]
    new = [{"type": "InternalIP", "address": a} for a in ips]
    if not any(a.get("type") == "Hostname" for a in old):
        old.append({"type": "Hostname",
                    "address": node["metadata"]["name"]})
    st["addresses"] = new + old


def merge_map(m, changes):
    for k, v in changes.items():
        if v is None:
            m.pop(k, None)
        else:
            m[k] = str(v)


def as_list(v):
    if v is None:
        return None
    if isinstance(v, list):
        return [str(x) for x in v]
    v = str(v).strip()
    if v in ("", "-"):
        return []
    return [x.strip() for x in v.split(",") if x.strip()]


def as_map(v):
    """Labels or annotations: a JSON object or "k=v,k2=v2,-k3"."""
    if v is None:
        return None
    if isinstance(v, dict):
        return v
    out = {}
    for item in as_list(v):
        if item.startswith("-"):
            out[item[1:]] = None
        elif "=" in item:
            k, val = item.split("=", 1)
            out[k] = val
        else:
            raise ValueError("bad key=value: %r" % item)
    return out


def node_from_simple(d, bulk):
    name = d.get("name")
    if not name:
        raise ValueError("a node needs a name")
    return make_node(str(name), as_list(d.get("podCIDRs")) or [],
                     as_list(d.get("internalIPs")) or [],
                     as_map(d.get("labels")), as_map(d.get("annotations")),
                     bulk)


def node_from_any(d, bulk):
    if "metadata" in d:
        node = copy.deepcopy(d)
        node.setdefault("kind", "Node")
        node.setdefault("apiVersion", "v1")
        md = node["metadata"]
        if not md.get("name"):
            raise ValueError("a node needs metadata.name")
        md.setdefault("uid", str(uuid.uuid4()))
        md.setdefault("creationTimestamp", rfc3339(time.time()))
        return node
    return node_from_simple(d, bulk)


def load_nodes_file(path, bulk):
    with open(path) as f:
        text = f.read()
    s = text.lstrip()
    if s.startswith("{") or s.startswith("["):
        doc = json.loads(text)
        if isinstance(doc, dict):
            doc = doc.get("items", [])
        return [node_from_any(d, bulk) for d in doc]
    nodes = []
    for ln, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) < 3 or len(line) > 5:
            raise ValueError("%s:%d: NAME PODCIDRS INTERNALIPS [LABELS "
                             "[ANNOTATIONS]] expected" % (path, ln))
        d = {"name": line[0], "podCIDRs": line[1], "internalIPs": line[2]}
        if len(line) > 3 and line[3] != "-":
            d["labels"] = line[3]
        if len(line) > 4 and line[4] != "-":
            d["annotations"] = line[4]
        nodes.append(node_from_simple(d, bulk))
    return nodes


def generate_nodes(n, pod_base, addr_base, dual, bulk):
    pb = int(ipaddress.IPv4Address(pod_base))
    ab = ipaddress.ip_address(addr_base)
    now = time.time() - 3600
    out = []
    for i in range(1, n + 1):
        name = "node-%d" % i
        cidrs = ["%s/24" % ipaddress.IPv4Address(pb + (i << 8))]
        ips = [str(ab + i)]
        if dual:
            cidrs.append("fd00:10:244:%x::/64" % i)
            ips.append("fd00:192:168::%x" % i)
        out.append(make_node(name, cidrs, ips, bulk=bulk,
                             created=now + i * 0.01))
    return out


# --------------------------------------------------------- label selectors

def parse_selector(s):
    """k=v, k==v, k!=v, k, !k, joined by commas; None if empty."""
    if not s:
        return None
    reqs = []
    for part in s.split(","):
        part = part.strip()
        if not part:
            continue
        if "!=" in part:
            k, v = part.split("!=", 1)
            reqs.append(("ne", k.strip(), v.strip()))
        elif "==" in part:
            k, v = part.split("==", 1)
            reqs.append(("eq", k.strip(), v.strip()))
        elif "=" in part:
            k, v = part.split("=", 1)
            reqs.append(("eq", k.strip(), v.strip()))
        elif part.startswith("!"):
            reqs.append(("absent", part[1:].strip(), None))
        elif " " in part or "(" in part:
            raise ValueError("unsupported selector %r" % part)
        else:
            reqs.append(("exists", part, None))
    return reqs


def sel_match(reqs, m):
    for op, k, v in reqs:
        if op == "eq" and m.get(k) != v:
            return False
        if op == "ne" and m.get(k) == v:
            return False
        if op == "exists" and k not in m:
            return False
        if op == "absent" and k in m:
            return False
    return True


def parse_field_selector(s):
    if not s:
        return None
    reqs = []
    for part in s.split(","):
        if "!=" in part:
            k, v = part.split("!=", 1)
            op = "ne"
        elif "=" in part:
            k, v = part.replace("==", "=").split("=", 1)
            op = "eq"
        else:
            raise ValueError("bad field selector %r" % part)
        if k.strip() != "metadata.name":
            raise ValueError('field label not supported: %s' % k.strip())
        reqs.append((op, "n", v.strip()))
    return reqs


class Filter:
    def __init__(self, q):
        self.labels = parse_selector(q.get("labelSelector"))
        self.fields = parse_field_selector(q.get("fieldSelector"))

    def active(self):
        return self.labels is not None or self.fields is not None

    def match(self, node):
        if node is None:
            return False
        md = node["metadata"]
        if self.labels and not sel_match(self.labels, md.get("labels", {})):
            return False
        if self.fields and not sel_match(self.fields, {"n": md["name"]}):
            return False
        return True


# ---------------------------------------------------------------- tables

def human_age(sec):
    sec = max(0, int(sec))
    if sec < 120:
        return "%ds" % sec
    m = sec // 60
    if m < 10:
        return "%dm%ds" % (m, sec % 60) if sec % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    d = h // 24
    if d < 8:
        return "%dd%dh" % (d, h % 24) if h % 24 else "%dd" % d
    if d < 730:
        return "%dd" % d
    return "%dy" % (d // 365)


TABLE_COLUMNS = [
    {"name": "Name", "type": "string", "format": "name", "priority": 0,
     "description": "Name must be unique within a namespace."},
    {"name": "Status", "type": "string", "format": "", "priority": 0,
     "description": "The status of the node"},
    {"name": "Roles", "type": "string", "format": "", "priority": 0,
     "description": "The roles of the node"},
    {"name": "Age", "type": "string", "format": "", "priority": 0,
     "description": "CreationTimestamp is a timestamp representing the "
     "server time when this object was created."},
    {"name": "Version", "type": "string", "format": "", "priority": 0,
     "description": "Kubelet Version reported by the node."},
    {"name": "Internal-IP", "type": "string", "format": "", "priority": 1,
     "description": "List of addresses reachable to the node."},
    {"name": "Pod-CIDRs", "type": "string", "format": "", "priority": 1,
     "description": "The pod IP ranges of the node."},
]


def table_row(node, include):
    md = node["metadata"]
    st = node.get("status", {})
    ready = "Unknown"
    for c in st.get("conditions", []):
        if c.get("type") == "Ready":
            ready = "Ready" if c.get("status") == "True" else "NotReady"
    roles = sorted(k.split("/", 1)[1] for k in md.get("labels", {})
                   if k.startswith("node-role.kubernetes.io/"))
    ips = [a["address"] for a in st.get("addresses", [])
           if a.get("type") == "InternalIP"]
    row = {"cells": [
        md["name"], ready, ",".join(roles) or "<none>",
        human_age(time.time() - parse_rfc3339(md.get("creationTimestamp"))),
        st.get("nodeInfo", {}).get("kubeletVersion", "v1.28.4"),
        ",".join(ips) or "<none>",
        ",".join(node.get("spec", {}).get("podCIDRs", [])) or "<none>"]}
    if include == "Object":
        row["object"] = node
    elif include != "None":
        row["object"] = {"kind": "PartialObjectMetadata",
                         "apiVersion": "meta.k8s.io/v1", "metadata": md}
    return row


def make_table(nodes, meta, include, headers=True):
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
            "columnDefinitions": TABLE_COLUMNS if headers else None,
            "rows": [table_row(n, include) for n in nodes]}


def wants_table(accept):
    for part in (accept or "").split(","):
        params = [p.strip() for p in part.split(";")]
        if params[0] in ("application/json", "*/*") and "as=Table" in params:
            return True
    return False


# ---------------------------------------------------------------- state

class Gone(Exception):
    pass


class State:
    """Nodes, their history and the counters; one lock (cond) for all."""

    def __init__(self, history_max):
        self.cond = threading.Condition()
        self.rv = 1
        self.nodes = {}          # name -> (dict, bytes)
        self.hist = []           # (rv, type, name, (dict, bytes), prev)
        self.hist_rvs = []
        self.compacted = 1       # oldest rv one may still start from
        self.history_max = history_max
        self.drop_gen = 0
        self.drop_how = "close"
        self.stopping = False
        self.fail = None
        self.hang = None
        self.open_watches = 0
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": {"list": 0, "list_first": 0, "watch": 0,
                                   "get": 0, "discovery": 0, "other": 0},
                      "unauthorized": 0,
                      "auth": {"token": 0, "cert": 0},
                      "injected": {"failed": 0, "hung": 0},
                      "token_rotations": 0}

    def snapshot_stats(self):
        with self.cond:
            s = copy.deepcopy(self.stats)
            s["open_watches"] = self.open_watches
            s["resourceVersion"] = str(self.rv)
            s["compacted"] = str(self.compacted)
            s["nodes"] = len(self.nodes)
            return s

    # called with the lock held
    def _record(self, typ, name, entry, prev):
        self.hist.append((self.rv, typ, name, entry, prev))
        self.hist_rvs.append(self.rv)
        if len(self.hist) > self.history_max:
            cut = len(self.hist) - self.history_max
            self.compacted = self.hist_rvs[cut - 1]
            del self.hist[:cut]
            del self.hist_rvs[:cut]
        self.cond.notify_all()

    def load(self, nodes):
        with self.cond:
            for node in nodes:
                self.rv += 1
                node["metadata"]["resourceVersion"] = str(self.rv)
                self.nodes[node["metadata"]["name"]] = (node, jdump(node))
            # the initial nodes are history nobody can watch from
            self.compacted = self.rv

    def put(self, node):
        """Adds or replaces a node; returns the new resourceVersion."""
        with self.cond:
            name = node["metadata"]["name"]
            prev = self.nodes.get(name)
            if prev is not None:
                pmd = prev[0]["metadata"]
                node["metadata"]["uid"] = pmd["uid"]
                node["metadata"]["creationTimestamp"] = \
                    pmd["creationTimestamp"]
            self.rv += 1
            node["metadata"]["resourceVersion"] = str(self.rv)
            entry = (node, jdump(node))
            self.nodes[name] = entry
            self._record("MODIFIED" if prev else "ADDED", name, entry, prev)
            return self.rv

    def patch(self, name, fn):
        with self.cond:
            prev = self.nodes.get(name)
            if prev is None:
                return None
            node = copy.deepcopy(prev[0])
            fn(node)
            self.rv += 1
            node["metadata"]["resourceVersion"] = str(self.rv)
            entry = (node, jdump(node))
            self.nodes[name] = entry
            self._record("MODIFIED", name, entry, prev)
            return self.rv

    def delete(self, name):
        with self.cond:
            prev = self.nodes.pop(name, None)
            if prev is None:
                return None
            self.rv += 1
            node = copy.deepcopy(prev[0])
            node["metadata"]["resourceVersion"] = str(self.rv)
            self._record("DELETED", name, (node, jdump(node)), prev)
            return self.rv

    def compact(self, upto=None):
        with self.cond:
            upto = self.rv if upto is None else min(upto, self.rv)
            if upto > self.compacted:
                self.compacted = upto
            cut = bisect.bisect_right(self.hist_rvs, self.compacted)
            del self.hist[:cut]
            del self.hist_rvs[:cut]
            self.cond.notify_all()
            return self.compacted

    def view_at(self, rv):
        """The nodes as they were at rv (lock held); Gone if compacted."""
        if rv < self.compacted:
            raise Gone()
        if rv >= self.rv:
            return self.nodes
        view = dict(self.nodes)
        i = bisect.bisect_right(self.hist_rvs, rv)
        for _, typ, name, _, prev in reversed(self.hist[i:]):
            if prev is None:
                view.pop(name, None)
            else:
                view[name] = prev
        return view

    def events_after(self, rv):
        """History entries after rv (lock held); Gone if compacted."""
        if rv < self.compacted:
            raise Gone()
        i = bisect.bisect_right(self.hist_rvs, rv)
        return self.hist[i:]


class Tokens:
    """The token file (re-read when it changes) and old tokens in grace."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.key = None
        self.current = None
        self.grace = {}          # token -> time it stops being valid
        if not os.path.exists(path):
            self.write(secrets.token_urlsafe(24))

    def write(self, tok):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(tok + "\n")
        os.chmod(tmp, 0o600)
        os.rename(tmp, self.path)

    def _reload(self):
        try:
            st = os.stat(self.path)
        except OSError:
            self.current = None
            return
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != self.key:
            with open(self.path) as f:
                self.current = f.read().strip() or None
            self.key = key

    def valid(self, tok):
        with self.lock:
            self._reload()
            if self.current is not None and \
                    secrets.compare_digest(tok, self.current):
                return True
            until = self.grace.get(tok)
            if until is not None and time.time() < until:
                return True
            return False

    def rotate(self, new, grace):
        with self.lock:
            self._reload()
            old = self.current
            self.write(new)
            self._reload()
            now = time.time()
            self.grace = {t: u for t, u in self.grace.items() if u > now}
            if old and grace > 0:
                self.grace[old] = now + grace
            return new


# ---------------------------------------------------------------- API

BOOKMARK_INTERVAL = 5.0
GZIP = True


class ApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver"
    sys_version = ""
    timeout = 300

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        pass

    def address(self):
        a = self.client_address
        return "[%s]:%d" % (a[0], a[1]) if ":" in a[0] else "%s:%d" % a[:2]

    def rlog(self, code, size, extra=""):
        log("%s %s %s %s %s %dms%s" % (
            self.address(), self.command, self.path, code, size,
            (time.monotonic() - self.t0) * 1000, extra))

    def send_body(self, code, body, ctype="application/json", headers=()):
        enc = None
        if GZIP and len(body) > 131072 and "gzip" in \
                self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 4)
            enc = "gzip"
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        if enc:
            self.send_header("Content-Encoding", enc)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.rlog(code, len(body), " gzip" if enc else "")

    def send_status(self, code, message, reason=None, details=None,
                    headers=()):
        self.send_body(code, jdump(status_obj(code, message, reason,
                                              details)), headers=headers)

    def send_json(self, obj, code=200):
        self.send_body(code, jdump(obj))

    # ------------------------------------------------------------ dispatch

    def do_GET(self):
        self.t0 = time.monotonic()
        st = self.server.state
        try:
            self.dispatch(st)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                socket.timeout, OSError) as e:
            log("%s %s %s: client gone (%s)" % (
                self.address(), self.command, self.path, e))
            self.close_connection = True

    do_HEAD = do_GET

    def do_other(self):
        self.t0 = time.monotonic()
        st = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if not self.authenticate(st, "other"):
            return
        self.send_status(405, "the server does not allow this method on "
                         "the requested resource", "MethodNotAllowed")

    do_POST = do_PUT = do_PATCH = do_DELETE = do_other

    def dispatch(self, st):
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(
            url.query, keep_blank_values=True).items()}
        if path in ("/healthz", "/livez", "/readyz"):
            self.send_body(200, b"ok", "text/plain; charset=utf-8")
            return
        if path == "/version":
            self.send_json(VERSION)
            return
        if path == "/api/v1/nodes":
            kind = "watch" if q.get("watch") in ("1", "true") else "list"
        elif path.startswith("/api/v1/nodes/"):
            kind = "get"
        elif path in ("/api", "/apis", "/api/v1") or \
                path.startswith("/openapi") or path.startswith("/apis/"):
            kind = "discovery"
        else:
            kind = "other"
        if self.injected(st, kind):
            return
        if not self.authenticate(st, kind):
            return
        with st.cond:
            st.stats["requests"][kind] += 1
            if kind == "list" and not q.get("continue"):
                st.stats["requests"]["list_first"] += 1
        try:
            flt = Filter(q)
        except ValueError as e:
            self.send_status(400, str(e))
            return
        if path == "/api":
            self.send_json(api_versions(self.server.server_address))
        elif path == "/apis":
            self.send_json({"kind": "APIGroupList", "apiVersion": "v1",
                            "groups": []})
        elif path == "/api/v1":
            self.send_json(API_RESOURCES)
        elif kind == "list":
            self.do_list(st, q, flt)
        elif kind == "watch":
            self.do_watch(st, q, flt)
        elif kind == "get":
            self.do_get(st, q, path[len("/api/v1/nodes/"):])
        else:
            self.send_status(404, "the server could not find the requested "
                             "resource", "NotFound")

    def injected(self, st, kind):
        """Hangs or fails the request as the control socket asked."""
        now = time.monotonic()
        with st.cond:
            hang = st.hang
            if hang and now < hang["until"] and hang["stage"] == "http" \
                    and kind in hang["what"]:
                st.stats["injected"]["hung"] += 1
            else:
                hang = None
            fail = st.fail
            if hang is None and fail and kind in fail["what"] and (
                    fail["count"] > 0 or now < fail["until"]):
                if fail["count"] > 0:
                    fail["count"] -= 1
                st.stats["injected"]["failed"] += 1
                if fail["status"] == 401:
                    st.stats["unauthorized"] += 1
            else:
                fail = None
        if hang:
            log("%s %s %s: hanging" % (self.address(), self.command,
                                       self.path))
            while time.monotonic() < hang["until"] and not st.stopping:
                time.sleep(0.1)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fail:
            code = fail["status"]
            hdrs = []
            details = None
            if code in (429, 503):
                hdrs.append(("Retry-After", str(fail["retry_after"])))
                details = {"retryAfterSeconds": fail["retry_after"]}
            msg = {401: "Unauthorized", 429: "Too many requests, please "
                   "try again later.", 500: "Internal error occurred: "
                   "injected failure"}.get(code, "injected failure")
            self.send_status(code, msg, details=details, headers=hdrs)
            return True
        return False

    def authenticate(self, st, kind):
        how = None
        auth = self.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            if self.server.tokens.valid(auth[7:].strip()):
                how = "token"
        elif self.connection.getpeercert():
            how = "cert"
        if how:
            with st.cond:
                st.stats["auth"][how] += 1
            return True
        with st.cond:
            st.stats["unauthorized"] += 1
        self.send_status(401, "Unauthorized", "Unauthorized")
        return False

    # ------------------------------------------------------------ list, get

    def do_get(self, st, q, name):
        with st.cond:
            entry = st.nodes.get(name)
        if entry is None:
            self.send_status(404, 'nodes "%s" not found' % name, "NotFound",
                             {"name": name, "kind": "nodes"})
        elif wants_table(self.headers.get("Accept")):
            self.send_json(make_table([entry[0]], {"resourceVersion":
                                      entry[0]["metadata"]["resourceVersion"]},
                                      q.get("includeObject", "Metadata")))
        else:
            self.send_body(200, entry[1])

    def do_list(self, st, q, flt):
        limit = 0
        try:
            if q.get("limit"):
                limit = max(0, int(q["limit"]))
        except ValueError:
            self.send_status(400, "invalid limit %r" % q["limit"])
            return
        cont = q.get("continue")
        start = ""
        if cont:
            try:
                tok = json.loads(base64.urlsafe_b64decode(
                    cont + "=" * (-len(cont) % 4)))
                rv = int(tok["rv"])
                start = str(tok["start"])
            except (ValueError, KeyError, TypeError):
                self.send_status(400, "continue key is not valid: "
                                 "incorrect encoded start resourceVersion "
                                 "(version meta.k8s.io/v1)")
                return
        elif q.get("resourceVersion") == "0":
            limit = 0        # served from the cache: no paging
        with st.cond:
            if not cont:
                rv = st.rv
            try:
                view = st.view_at(rv)
            except Gone:
                view = None
            if view is not None:
                names = sorted(n for n in view if n >= start)
                entries = []
                nxt = None
                for i, n in enumerate(names):
                    e = view[n]
                    if flt.active() and not flt.match(e[0]):
                        continue
                    if limit and len(entries) == limit:
                        nxt = (i, entries[-1][0]["metadata"]["name"])
                        break
                    entries.append(e)
        if view is None:
            self.send_status(410, "The provided continue parameter is too "
                             "old to display a consistent list result. You "
                             "can start a new list without the continue "
                             "parameter.", "Expired")
            return
        meta = {"resourceVersion": str(rv)}
        if nxt:
            meta["continue"] = base64.urlsafe_b64encode(jdump(
                {"v": "meta.k8s.io/v1", "rv": rv,
                 "start": nxt[1] + "\x00"})).decode().rstrip("=")
            if not flt.active():
                meta["remainingItemCount"] = len(names) - nxt[0]
        if wants_table(self.headers.get("Accept")):
            self.send_json(make_table([e[0] for e in entries], meta,
                                      q.get("includeObject", "Metadata")))
            return
        body = b"".join([b'{"kind":"NodeList","apiVersion":"v1",'
                         b'"metadata":', jdump(meta), b',"items":[',
                         b",".join(e[1] for e in entries), b"]}"])
        self.send_body(200, body)

    # ------------------------------------------------------------ watch

    def client_gone(self):
        """Whether a watching client closed its end (it sends nothing)."""
        c = self.connection
        if not c.pending() and not select.select([c], [], [], 0)[0]:
            return False
        c.settimeout(0)
        try:
            c.recv(1)        # EOF, or data no watcher sends
            return True
        except ssl.SSLWantReadError:
            return False
        except OSError:
            return True
        finally:
            c.settimeout(self.timeout)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def do_watch(self, st, q, flt):
        rvs = q.get("resourceVersion", "")
        try:
            tmo = float(q.get("timeoutSeconds") or 1800)
            rv = int(rvs) if rvs else 0
            if rv < 0:
                raise ValueError
        except ValueError:
            self.send_status(400, "invalid resourceVersion or "
                             "timeoutSeconds")
            return
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
        table = wants_table(self.headers.get("Accept"))
        include = q.get("includeObject", "Metadata")
        now = time.monotonic()
        deadline = now + tmo
        initial = []
        with st.cond:
            if rv > st.rv and not st.cond.wait_for(
                    lambda: st.rv >= rv or st.stopping, 3):
                too_large = st.rv
            else:
                too_large = None
        if too_large is not None:
            self.send_status(
                504, "Too large resource version: %d, current: %d" % (
                    rv, too_large), "Timeout",
                {"causes": [{"reason": "ResourceVersionTooLarge",
                             "message": "Too large resource version"}],
                 "retryAfterSeconds": 1})
            return
        with st.cond:
            if rv == 0:
                initial = [st.nodes[n] for n in sorted(st.nodes)]
                pos = st.rv
            else:
                pos = rv
            gen = st.drop_gen
            st.open_watches += 1
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.rlog(200, "-", " watch from %s" % (rvs or "(none)"))
        sent = 0
        ended = "timeout"
        headers = [True]

        def ev(typ, entry):
            nonlocal sent
            sent += 1
            if table:
                obj = jdump(make_table([entry[0]], {"resourceVersion":
                            entry[0]["metadata"]["resourceVersion"]},
                            include, headers[0]))
                headers[0] = False
            else:
                obj = entry[1]
            return b'{"type":"%s","object":%s}\n' % (typ.encode(), obj)

        try:
            out = [ev("ADDED", e) for e in initial if flt.match(e[0])]
            if out:
                self.chunk(b"".join(out))
            next_bm = time.monotonic() + BOOKMARK_INTERVAL
            next_check = time.monotonic() + 1
            while True:
                todo = []
                bookmark = None
                with st.cond:
                    while True:
                        if st.stopping or st.drop_gen != gen:
                            ended = "dropped"
                            how = st.drop_how if not st.stopping else "end"
                            break
                        try:
                            todo = st.events_after(pos)
                        except Gone:
                            ended = "expired"
                            comp = st.compacted
                            break
                        if todo:
                            pos = todo[-1][0]
                            break
                        now = time.monotonic()
                        if now >= deadline:
                            break
                        if bookmarks and now >= next_bm:
                            bookmark = pos
                            next_bm = now + BOOKMARK_INTERVAL
                            break
                        if now >= next_check:
                            if self.client_gone():
                                ended = "client gone"
                                break
                            next_check = now + 1
                        wake = min(deadline, next_check)
                        if bookmarks:
                            wake = min(wake, next_bm)
                        st.cond.wait(wake - now)
                if ended == "expired":
                    self.chunk(b'{"type":"ERROR","object":%s}\n' % jdump(
                        status_obj(410, "too old resource version: %d (%d)"
                                   % (pos, comp), "Expired")))
                    break
                if ended == "client gone":
                    self.close_connection = True
                    return
                if ended == "dropped":
                    if how == "close":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    break
                if bookmark is not None:
                    self.chunk(b'{"type":"BOOKMARK","object":%s}\n' % jdump(
                        {"kind": "Node", "apiVersion": "v1",
                         "metadata": {"resourceVersion": str(bookmark),
                                      "creationTimestamp": None},
                         "spec": {}, "status": {"daemonEndpoints": {
                             "kubeletEndpoint": {"Port": 0}},
                             "nodeInfo": {}}}))
                    continue
                if not todo:
                    break    # timeoutSeconds
                out = []
                for _, typ, name, entry, prev in todo:
                    if flt.active():
                        now_in = typ != "DELETED" and flt.match(entry[0])
                        was_in = prev is not None and flt.match(prev[0])
                        if not now_in and not was_in:
                            continue
                        if typ == "MODIFIED" and not was_in:
                            typ = "ADDED"
                        elif typ == "MODIFIED" and not now_in:
                            typ = "DELETED"
                    out.append(ev(typ, entry))
                if out:
                    self.chunk(b"".join(out))
            self.wfile.write(b"0\r\n\r\n")
        finally:
            with st.cond:
                st.open_watches -= 1
            log("%s watch from %s ended: %s, %d events" % (
                self.address(), rvs or "(none)", ended, sent))


VERSION = {"major": "1", "minor": "28", "gitVersion": "v1.28.4-fake",
           "gitCommit": "0" * 40, "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.20.11",
           "compiler": "gc", "platform": "linux/amd64"}

API_RESOURCES = {
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
    "resources": [
        {"name": "nodes", "singularName": "node", "namespaced": False,
         "kind": "Node", "verbs": ["get", "list", "watch"],
         "shortNames": ["no"]},
        {"name": "nodes/status", "singularName": "", "namespaced": False,
         "kind": "Node", "verbs": ["get"]}]}


def api_versions(addr):
    host = addr[0]
    if ":" in host:
        host = "[%s]" % host
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0",
                 "serverAddress": "%s:%d" % (host, addr[1])}]}


class ApiServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, family, ctx, state, tokens):
        self.address_family = family
        self.ctx = ctx
        self.state = state
        self.tokens = tokens
        super().__init__(addr, ApiHandler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        # the TLS handshake runs here, in the request's thread, so a
        # client that never sends a ClientHello blocks only itself
        st = self.state
        with st.cond:
            hang = st.hang
            if hang and time.monotonic() < hang["until"] and \
                    hang["stage"] == "tls":
                st.stats["injected"]["hung"] += 1
            else:
                hang = None
        if hang:
            while time.monotonic() < hang["until"] and not st.stopping:
                time.sleep(0.1)
            return
        request.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("%s: TLS handshake failed: %s" % (client_address[0], e))
            return
        try:
            tls.settimeout(ApiHandler.timeout)
            self.RequestHandlerClass(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request, client_address):
        log("%s: %s" % (client_address[0], sys.exc_info()[1]))


# ---------------------------------------------------------------- control

class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def reply(self, obj, code=200):
        body = json.dumps(obj, indent=1).encode() + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        log("control %s %s %d" % (self.command, self.path, code))

    def args(self):
        url = urllib.parse.urlsplit(self.path)
        a = {k: v[-1] for k, v in urllib.parse.parse_qs(
            url.query, keep_blank_values=True).items()}
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = json.loads(self.rfile.read(n))
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            a.update(body)
        return url.path.rstrip("/") or "/", a

    def handle_one(self):
        st = self.server.state
        try:
            path, a = self.args()
            res = self.route(st, self.command, path, a)
        except (ValueError, TypeError, KeyError) as e:
            self.reply({"error": str(e)}, 400)
            return
        if res is None:
            self.reply({"error": "no such thing"}, 404)
        else:
            self.reply(res)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_one

    def route(self, st, m, path, a):
        parts = path.strip("/").split("/")
        if path == "/stats" and m == "GET":
            return st.snapshot_stats()
        if path == "/stats/reset" and m == "POST":
            with st.cond:
                st.reset_stats()
            return {"ok": True}
        if path == "/nodes" and m == "GET":
            with st.cond:
                items = [st.nodes[n][0] for n in sorted(st.nodes)]
                return {"kind": "NodeList", "apiVersion": "v1", "metadata":
                        {"resourceVersion": str(st.rv)}, "items": items}
        if path == "/nodes" and m in ("POST", "PUT"):
            node = node_from_any(a, self.server.bulk)
            rv = st.put(node)
            return {"name": node["metadata"]["name"],
                    "resourceVersion": str(rv)}
        if parts[0] == "nodes" and len(parts) in (2, 3):
            name = parts[1]
            op = parts[2] if len(parts) == 3 else {
                "GET": "get", "PATCH": "patch", "DELETE": "delete"}.get(m)
            if op == "get":
                with st.cond:
                    e = st.nodes.get(name)
                return e[0] if e else None
            if op == "patch" and m in ("POST", "PATCH"):
                rv = st.patch(name, self.patcher(a))
            elif op == "delete" and m in ("POST", "DELETE"):
                rv = st.delete(name)
            else:
                return None
            if rv is None:
                return None
            return {"name": name, "resourceVersion": str(rv)}
        if m != "POST":
            return None
        if path == "/drop-watches":
            how = a.get("how", "close")
            if how not in ("close", "end"):
                raise ValueError("how: close or end")
            with st.cond:
                n = st.open_watches
                st.drop_how = how
                st.drop_gen += 1
                st.cond.notify_all()
            return {"dropped": n}
        if path == "/compact":
            rv = st.compact(int(a["rv"]) if "rv" in a else None)
            return {"compacted": str(rv)}
        if path == "/fail":
            code = int(a.get("status", 500))
            what = self.what(a)
            secs = float(a.get("seconds", 0))
            f = {"status": code, "what": what,
                 "count": int(a.get("count", 0 if secs else 1)),
                 "until": time.monotonic() + secs,
                 "retry_after": int(a.get("retry-after", 1))}
            with st.cond:
                st.fail = f if code else None
            return {"fail": {k: v for k, v in f.items() if k != "until"}
                    if code else None}
        if path == "/hang":
            secs = float(a.get("seconds", 5))
            stage = a.get("stage", "http")
            if stage not in ("http", "tls"):
                raise ValueError("stage: http or tls")
            h = {"until": time.monotonic() + secs, "what": self.what(a),
                 "stage": stage}
            with st.cond:
                st.hang = h if secs > 0 else None
            return {"hang": secs, "stage": stage}
        if path == "/rotate-token":
            new = a.get("token") or secrets.token_urlsafe(24)
            self.server.tokens.rotate(str(new),
                                      float(a.get("grace", 0)))
            with st.cond:
                st.stats["token_rotations"] += 1
            return {"token": new}
        return None

    @staticmethod
    def what(a):
        w = a.get("what", "any")
        if w == "any":
            return {"list", "watch", "get", "discovery", "other"}
        if w == "api":
            return {"list", "watch", "get"}
        s = set(as_list(w))
        bad = s - {"list", "watch", "get", "discovery", "other"}
        if bad:
            raise ValueError("what: unknown %s" % ",".join(sorted(bad)))
        return s

    @staticmethod
    def patcher(a):
        cidrs = as_list(a.get("podCIDRs"))
        ips = as_list(a.get("internalIPs"))
        labels = as_map(a.get("labels"))
        anns = as_map(a.get("annotations"))

        def fn(node):
            md = node["metadata"]
            if cidrs is not None:
                set_pod_cidrs(node, cidrs)
            if ips is not None:
                set_ips(node, ips)
            if labels is not None:
                merge_map(md.setdefault("labels", {}), labels)
            if anns is not None:
                merge_map(md.setdefault("annotations", {}), anns)
        return fn


class ControlServer(socketserver.ThreadingMixIn,
                    socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path, state, tokens, bulk):
        self.state = state
        self.tokens = tokens
        self.bulk = bulk
        super().__init__(path, ControlHandler)

    def handle_error(self, request, client_address):
        log("control: %s" % (sys.exc_info()[1],))


# ---------------------------------------------------------------- setup

def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        sys.exit("fake_apiserver: %s: %s" % (" ".join(cmd), r.stderr))


def make_certs(d, sans):
    """CA, server and client certificates (EC P-256) with openssl(1)."""
    os.makedirs(d, exist_ok=True)
    p = lambda n: os.path.join(d, n)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    run(["openssl", "req", "-x509", "-new"] + ec + [
        "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "3650",
        "-subj", "/CN=fake-apiserver-ca",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    alt = ",".join(("IP:" if is_ip(s) else "DNS:") + s for s in sans)
    for name, subj, ext in (
            ("server", "/CN=kube-apiserver",
             "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % alt),
            ("client", "/O=system:masters/CN=podbgp-test",
             "extendedKeyUsage=clientAuth\n")):
        run(["openssl", "req", "-new"] + ec + [
            "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
            "-subj", subj])
        with open(p(name + ".ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    + ext)
        run(["openssl", "x509", "-req", "-in", p(name + ".csr"),
             "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-set_serial",
             str(secrets.randbits(63)), "-days", "3650",
             "-extfile", p(name + ".ext"), "-out", p(name + ".crt")])
        os.unlink(p(name + ".csr"))
        os.unlink(p(name + ".ext"))


def is_ip(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def parse_listen(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError("ADDR:PORT expected: %r" % s)
    return host, int(port)


def url_of(addr):
    host = addr[0]
    if ":" in host:
        host = "[%s]" % host
    return "https://%s:%d" % (host, addr[1])


def b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_kubeconfig(path, url, certdir, token_file):
    a = lambda n: os.path.abspath(os.path.join(certdir, n))
    text = """apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: {url}
    certificate-authority: {ca}
- name: fake-data
  cluster:
    server: {url}
    certificate-authority-data: {cadata}
users:
- name: fake-token
  user:
    tokenFile: {tok}
- name: fake-cert
  user:
    client-certificate: {crt}
    client-key: {key}
- name: fake-data
  user:
    client-certificate-data: {crtdata}
    client-key-data: {keydata}
contexts:
- name: fake
  context:
    cluster: fake
    user: fake-token
- name: fake-cert
  context:
    cluster: fake
    user: fake-cert
- name: fake-data
  context:
    cluster: fake-data
    user: fake-data
current-context: fake
""".format(url=url, ca=a("ca.crt"), cadata=b64file(a("ca.crt")),
           tok=os.path.abspath(token_file), crt=a("client.crt"),
           key=a("client.key"), crtdata=b64file(a("client.crt")),
           keydata=b64file(a("client.key")))
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)


def main():
    global QUIET, BOOKMARK_INTERVAL, GZIP
    ap = argparse.ArgumentParser(
        description="A fake Kubernetes API server (Nodes) for tests.")
    ap.add_argument("--listen", action="append", type=parse_listen)
    ap.add_argument("--certdir", required=True)
    ap.add_argument("--san", action="append", default=[])
    ap.add_argument("--token-file")
    ap.add_argument("--kubeconfig")
    ap.add_argument("--ready")
    ap.add_argument("--control")
    ap.add_argument("--nodes")
    ap.add_argument("--generate", type=int, default=0)
    ap.add_argument("--pod-cidr-base", default="10.244.0.0")
    ap.add_argument("--address-base", default="192.168.0.0")
    ap.add_argument("--dual-stack", action="store_true")
    ap.add_argument("--bulk", action="store_true")
    ap.add_argument("--bookmark-interval", type=float, default=5.0)
    ap.add_argument("--history", type=int, default=100000)
    ap.add_argument("--no-gzip", action="store_true")
    ap.add_argument("-q", action="store_true")
    o = ap.parse_args()
    QUIET = o.q
    BOOKMARK_INTERVAL = o.bookmark_interval
    GZIP = not o.no_gzip
    listens = o.listen or [("127.0.0.1", 0)]
    if len(listens) > 2:
        ap.error("--listen at most twice")

    state = State(max(1, o.history))
    t = time.monotonic()
    nodes = []
    if o.nodes:
        try:
            nodes += load_nodes_file(o.nodes, o.bulk)
        except (OSError, ValueError) as e:
            sys.exit("fake_apiserver: %s: %s" % (o.nodes, e))
    if o.generate:
        nodes += generate_nodes(o.generate, o.pod_cidr_base,
                                o.address_base, o.dual_stack, o.bulk)
    state.load(nodes)
    if nodes:
        log("%d nodes loaded in %.2f s (%d bytes the first)" % (
            len(nodes), time.monotonic() - t,
            len(state.nodes[nodes[0]["metadata"]["name"]][1])))

    sans = ["localhost", "127.0.0.1", "::1"]
    for h, _ in listens:
        if h not in sans and h not in ("0.0.0.0", "::"):
            sans.append(h)
    sans += [s for s in o.san if s not in sans]
    make_certs(o.certdir, sans)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(o.certdir, "server.crt"),
                        os.path.join(o.certdir, "server.key"))
    ctx.load_verify_locations(os.path.join(o.certdir, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    tokens = Tokens(o.token_file or os.path.join(o.certdir, "token"))

    servers = []
    for host, port in listens:
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            servers.append(ApiServer((host, port), fam, ctx, state, tokens))
        except OSError as e:
            sys.exit("fake_apiserver: listen %s:%d: %s" % (host, port, e))
    if o.control:
        try:
            os.unlink(o.control)
        except FileNotFoundError:
            pass
        servers.append(ControlServer(o.control, state, tokens, o.bulk))
    urls = [url_of(s.server_address) for s in servers
            if isinstance(s, ApiServer)]
    if o.kubeconfig:
        write_kubeconfig(o.kubeconfig, urls[0], o.certdir, tokens.path)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = []
    for s in servers:
        th = threading.Thread(target=s.serve_forever, args=(0.2,),
                              daemon=True)
        th.start()
        threads.append(th)
    for u in urls:
        log("listening on %s" % u)
    if o.ready:
        with open(o.ready + ".new", "w") as f:
            f.write("".join(u + "\n" for u in urls))
        os.rename(o.ready + ".new", o.ready)
    while not stop.wait(1):
        pass
    log("stopping")
    with state.cond:
        state.stopping = True
        state.cond.notify_all()
    for s in servers:
        s.shutdown()
        s.server_close()
    if o.control:
        try:
            os.unlink(o.control)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
