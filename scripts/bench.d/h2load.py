#!/usr/bin/env python3
"""The h2load runs of scripts/bench.

  h2load.py body OUT VALUE...   write a gRPC request body to OUT: the 5-byte
                                frame prefix (0, big-endian length) and a
                                message whose string fields 1, 2, ... are the
                                VALUEs (EchoRequest, GetUnitRequest,
                                GetEntitlementRequest, VerifyLicenseKeyRequest)
  h2load.py parse PREFIX        read PREFIX.txt (h2load's output) and
                                PREFIX.log (its --log-file: start µs, status,
                                µs per request of the main duration) and write
                                PREFIX.json with the numbers the report uses
"""
import json
import re
import struct
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def body(path, values):
    msg = b""
    for number, value in enumerate(values, 1):
        data = value.encode()
        if data:  # proto3 leaves empty strings out
            msg += varint(number << 3 | 2) + varint(len(data)) + data
    with open(path, "wb") as f:
        f.write(b"\0" + struct.pack(">I", len(msg)) + msg)


def ms(text):
    """h2load's durations ("155us", "1.23ms", "2.01s") in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def parse(prefix):
    text = open(prefix + ".txt").read()
    r = {}
    # "finished in" counts the warm-up too; req/s is over the main duration.
    m = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", text)
    if m:
        r["seconds"], r["req_per_s"] = float(m.group(1)), float(m.group(2))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", text)
    if m:
        for k, v in zip(("total", "started", "done", "succeeded", "failed", "errored", "timeout"), m.groups()):
            r[k] = int(v)
    m = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text)
    if m:
        r["min_ms"], r["max_ms"], r["mean_ms"], r["sd_ms"] = (ms(x) for x in m.groups())
    if "req_per_s" in r and r.get("done"):
        r["ok_per_s"] = r["req_per_s"] * r["succeeded"] / r["done"]
    try:
        times = sorted(int(line.split("\t")[2]) for line in open(prefix + ".log")
                       if line.count("\t") == 2 and line.split("\t")[1] == "200")
    except OSError:
        times = []
    if times:
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] / 1000.0
        r["logged"], r["p50_ms"], r["p99_ms"], r["p99_9_ms"] = len(times), pick(0.5), pick(0.99), pick(0.999)
    with open(prefix + ".json", "w") as f:
        json.dump(r, f)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "body":
        body(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "parse":
        parse(sys.argv[2])
    else:
        sys.exit(__doc__)
