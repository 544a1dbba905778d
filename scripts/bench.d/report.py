#!/usr/bin/env python3
"""Writes the results of scripts/bench (RESULTS_DIR) as the "Results" section
of docs/BENCHMARKS.md (OUT): everything from the line "## Results" on is
replaced, the text above it is kept."""
import json
import os
import re
import subprocess
import sys

res, out = sys.argv[1], sys.argv[2]
env = os.environ


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def load(name):
    try:
        with open(os.path.join(res, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def kv(s):
    return dict(p.split("=", 1) for p in s.split() if "=" in p)


def sysbench(name):
    try:
        text = open(os.path.join(res, "sysbench_%s.txt" % name)).read()
    except OSError:
        return None
    tps = re.search(r"transactions:\s+\d+\s+\(([\d.]+) per sec", text)
    avg = re.search(r"avg:\s+([\d.]+)", text)
    p99 = re.search(r"99th percentile:\s+([\d.]+)", text)
    return {"tps": float(tps.group(1)) if tps else 0, "avg": float(avg.group(1)) if avg else 0,
            "p99": float(p99.group(1)) if p99 else 0}


def split_list():
    """The list run is a mix: methods[0] is the deep page, methods[1] page 1."""
    r = load("list")
    if r is None or len(r.get("methods", [])) != 2:
        return
    for name, m in (("list_deep", r["methods"][0]), ("list_first", r["methods"][1])):
        with open(os.path.join(res, name + ".json"), "w") as f:
            json.dump(dict(r, methods=[m], total=m, client_cpu_seconds=r.get("client_cpu_seconds", 0) / 2), f)


split_list()
base = load("echo")
base_tps = base["total"]["throughput"] if base else 0
pt = sysbench("oltp_point_select")
ins = sysbench("oltp_insert")
rows = [
    ("echo", "baseline: EchoService/Echo (common/ bootstrap, interceptors, no auth)"),
    ("get_unit", "inventory GetUnit by random serial"),
    ("entitlement", "inventory GetEntitlement by random installed serial"),
    ("list_first", "inventory ListUnits, page 1 (50 units; half of a mixed run)"),
    ("list_deep", "inventory ListUnits, page %s (after %s next_page_token hops; the other half)"
     % (int(env.get("BENCH_DEPTH_PAGES", "0")) + 1, env.get("BENCH_DEPTH_PAGES", "?"))),
    ("reserve", "inventory ReserveUnit by random SKU (partner; 64 callers contend on 100 SKUs)"),
    ("create_case", "case CreateCase (customer, admin case, no serial)"),
    ("create_rma", "rma CreateRma (TSE, standard warranty; entitlement read from inventory-svc)"),
    ("activate", "licensing ActivateLicense (200 activation codes, a new device each call)"),
    ("verify", "licensing VerifyLicenseKey (Ed25519 verify + revocation lookup)"),
]
lines = []
L = lines.append
L("## Results")
L("")
L("Run of %s UTC, `%s` with `BENCH_SCALE=%s BENCH_DURATION=%s BENCH_CONCURRENCY=%s`."
  % (sh("date -u '+%Y-%m-%d %H:%M'"), env.get("BENCH_CMDLINE", "scripts/bench"), env.get("BENCH_SCALE"),
     env.get("BENCH_DURATION"), env.get("BENCH_CONCURRENCY")))
L("")
L("Machine: %s CPUs (`nproc`), %s; memory %s. Load average (1, 5, 15 min) at the start "
  "of the run: %s, at the end: %s (the benchmark's own callers and MariaDB threads count as runnable during it)."
  % (sh("nproc"), sh("lscpu | sed -n 's/^Model name: *//p'"),
     sh("free -h | awk '/^Mem:/ {print $2\" total, \"$7\" available\"}'"),
     env.get("BENCH_LOAD_START", "?"), sh("cut -d' ' -f1-3 /proc/loadavg")))
L("")
L("Data: %s units, %s cases, %s RMAs, %s licenses, seeded in %.1f s."
  % (env.get("BENCH_UNITS"), env.get("BENCH_CASES"), env.get("BENCH_RMAS"), env.get("BENCH_LICENSES"),
     int(env.get("BENCH_SEED_MS", "0")) / 1000.0))
L("")
L("| what | calls/s | p50 ms | p99 ms | p99.9 ms | errors | vs baseline | generator CPU |")
L("|---|---:|---:|---:|---:|---:|---:|---:|")
got = {}
for name, what in rows:
    r = load(name)
    if r is None:
        L("| %s | not measured | | | | | | |" % what)
        continue
    t = r["total"]
    got[name] = t
    errs = ", ".join("%s %d" % kv_ for kv_ in t["errors_by_code"].items()) or "0"
    ratio = t["ok_throughput"] / base_tps if base_tps else 0
    cpu = r.get("client_cpu_seconds")
    cpu = "%.2f cores" % (cpu / (r["seconds"] + 1.0)) if cpu is not None else ""
    L("| %s | %.0f | %.2f | %.2f | %.2f | %s | %.1f %% | %s |"
      % (what, t["ok_throughput"], t["latency_ms"]["p50"], t["latency_ms"]["p99"], t["latency_ms"]["p99_9"],
         errs, 100 * ratio, cpu))
for name, s in (("oltp_point_select", pt), ("oltp_insert", ins)):
    if s:
        L("| sysbench %s (64 threads, same MariaDB) | %.0f | avg %.2f | %.2f | | | %.1f %% | |"
          % (name, s["tps"], s["avg"], s["p99"], 100 * s["tps"] / base_tps if base_tps else 0))
L("")
L("Throughput counts successful calls only (`ok_throughput`); latencies include failed calls. "
  "Generator CPU: what aftercare-load itself used on the same 2 cores (CPU seconds over the run and its "
  "1 s warm-up). Raw JSON of every run (aftercare-load `--json_out`) and sysbench output: `%s`." % os.path.relpath(res))
L("")


def cpu(name):
    return load(name + ".cpu")


L("### Where the CPU goes, per call")
L("")
L("CPU used during each run (warm-up included) by the called service, the other services (rma-svc calls "
  "inventory-svc), MariaDB and the generator, divided by the calls answered; statements: MariaDB's "
  "`Questions` counter over the run per call (the services' background polls included, a few per second). "
  "The sum of the four CPU columns is what one call costs the 2 cores: throughput ≈ 2 cores ÷ that sum "
  "when the machine is saturated.")
L("")
L("| what | service µs | other services µs | MariaDB µs | generator µs | total µs | statements |")
L("|---|---:|---:|---:|---:|---:|---:|")
for name, what in rows:
    r = load(name)
    c = cpu("list" if name.startswith("list_") else name)
    if r is None or c is None or not c.get("wall_s"):
        continue
    run = load("list") if name.startswith("list_") else r
    calls = run["total"]["throughput"] * c["wall_s"]  # calls over the whole run, at the measured rate
    if calls <= 0:
        continue
    gen = run.get("client_cpu_seconds", 0)
    per = lambda x: 1e6 * x / calls
    total = per(c["service_cpu_s"] + c["other_services_cpu_s"] + c["db_cpu_s"] + gen)
    L("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |"
      % (what, per(c["service_cpu_s"]), per(c["other_services_cpu_s"]), per(c["db_cpu_s"]), per(gen), total,
         c["statements"] / calls))
for name, s_ in (("oltp_point_select", pt), ("oltp_insert", ins)):
    c = cpu("sysbench_" + name)
    if s_ and c and c.get("wall_s"):
        stmts = c["statements"]
        L("| sysbench %s | | | %.0f per statement | | | %.1f per transaction |"
          % (name, 1e6 * c["db_cpu_s"] / stmts if stmts else 0,
             stmts / (s_["tps"] * c["wall_s"]) if s_["tps"] else 0))
L("")
cold, warm, idle, loadk, cold_log, warm_log = (
    kv(env.get(k, "")) for k in ("BENCH_COLD", "BENCH_WARM", "BENCH_IDLE", "BENCH_LOAD", "BENCH_COLD_LOG",
                                 "BENCH_WARM_LOG"))


def both(logd, polld, s):
    if s not in polld:
        return "—"
    if s in logd:
        return "%s ms (%s ms)" % (logd[s], polld[s])
    return "(%s ms)" % polld[s]


L("| service | start to serving, empty database (all migrations applied) | start to serving, seeded database | VmRSS idle | VmRSS max under load |")
L("|---|---:|---:|---:|---:|")
for s in ("inventory", "case", "rma", "licensing", "echo"):
    L("| %s | %s | %s | %.1f MiB | %.1f MiB |"
      % (s if s == "echo" else s + "-svc", both(cold_log, cold, s), both(warm_log, warm, s),
         int(idle.get(s, "0")) / 1024.0, int(loadk.get(s, "0")) / 1024.0))
L("")
L("Start to serving: from the exec to the service's own `serving` log line (the port is open and "
  "readiness answers SERVING; migrations are applied before it); in brackets, to the first readiness "
  "check seen SERVING by a client polling with a fresh `aftercare-load` process every ~10 ms — that "
  "includes the poller's own start and gRPC's reconnect back-off after a refused connection.")
L("")
L("### Targets")
L("")


def verdict(ok):
    return "**met**" if ok else "**missed**"


if "get_unit" in got and base_tps:
    g = got["get_unit"]
    r = g["ok_throughput"] / base_tps
    L("- get unit ≥ 50 %% of baseline and p99 < 10 ms at %s in flight: %.1f %%, p99 %.2f ms — %s"
      % (env.get("BENCH_CONCURRENCY"), 100 * r, g["latency_ms"]["p99"],
         verdict(r >= 0.5 and g["latency_ms"]["p99"] < 10)))
if "list_first" in got and "list_deep" in got:
    a, b = got["list_first"]["latency_ms"]["p50"], got["list_deep"]["latency_ms"]["p50"]
    L("- page %d within 1.5× page 1 (p50 at 64 in flight): %.2f ms vs %.2f ms = %.2f× — %s"
      % (int(env.get("BENCH_DEPTH_PAGES", "0")) + 1, b, a, b / a if a else 0, verdict(a and b <= 1.5 * a)))
if ins:
    for name in ("create_case", "create_rma"):
        if name in got:
            r = got[name]["ok_throughput"] / ins["tps"] if ins["tps"] else 0
            L("- %s ≥ 25 %% of oltp_insert: %.0f/s vs %.0f/s = %.1f %% — %s"
              % (name, got[name]["ok_throughput"], ins["tps"], 100 * r, verdict(r >= 0.25)))
big = [s for s in ("inventory", "case", "rma", "licensing") if int(idle.get(s, "0")) >= 64 * 1024]
L("- each service < 64 MiB idle: %s" % (verdict(not big) + ("" if not big else " (" + ", ".join(big) + ")")))
slow = [s for s in ("inventory", "case", "rma", "licensing")
        if int(cold_log.get(s, cold.get(s, "99999"))) >= 1000]
L("- start to SERVING < 1 s with migrations applied: %s"
  % (verdict(not slow) + ("" if not slow else " (" + ", ".join(slow) + ")")))
L("")

try:
    head = open(out).read()
except OSError:
    head = "# Benchmarks\n\n"
i = head.find("## Results")
if i >= 0:
    # keep what follows the generated section (the notes after "## Analysis")
    j = head.find("## Analysis", i)
    tail = head[j:] if j >= 0 else ""
    head = head[:i]
else:
    tail = ""
with open(out, "w") as f:
    f.write(head + "\n".join(lines) + "\n" + tail)
