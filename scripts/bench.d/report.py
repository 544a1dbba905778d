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


def per_call(name):
    """CPU seconds and statements of a run per call answered (calls over the
    whole run, warm-up included, at the measured rate), or None."""
    r = load("list") if name.startswith("list_") else load(name)
    c = cpu("list" if name.startswith("list_") else name)
    if r is None or c is None or not c.get("wall_s"):
        return None
    calls = r["total"]["throughput"] * c["wall_s"]
    if calls <= 0:
        return None
    idle = float(env.get("BENCH_IDLE_QPS") or 0) * c["wall_s"]
    return {k: c[k] / calls for k in ("service_cpu_s", "other_services_cpu_s", "db_cpu_s", "statements")} | {
        "generator_cpu_s": r.get("client_cpu_seconds", 0) / calls,
        "own_statements": max(0.0, c["statements"] - idle) / calls}


L("### Where the CPU goes, per call")
L("")
L("CPU used during each run (warm-up included) by the called service, the other services (rma-svc calls "
  "inventory-svc), MariaDB and the generator, divided by the calls answered; statements: MariaDB's "
  "`Questions` counter over the run per call, and in brackets with the services' background polls (outbox "
  "and delivery polls, sweepers, leases) included: the net figure takes out the rate the idle services "
  "sent over %s s before the load runs (%s statements/s). "
  "The sum of the four CPU columns is what one call costs the 2 cores: throughput ≈ 2 cores ÷ that sum "
  "when the machine is saturated." % (env.get("BENCH_IDLE_SECONDS", "?"), env.get("BENCH_IDLE_QPS", "?")))
L("")
L("| what | service µs | other services µs | MariaDB µs | generator µs | total µs | statements |")
L("|---|---:|---:|---:|---:|---:|---:|")
for name, what in rows:
    p = per_call(name)
    if p is None:
        continue
    us = lambda k: 1e6 * p[k]
    L("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f (%.2f) |"
      % (what, us("service_cpu_s"), us("other_services_cpu_s"), us("db_cpu_s"), us("generator_cpu_s"),
         sum(us(k) for k in ("service_cpu_s", "other_services_cpu_s", "db_cpu_s", "generator_cpu_s")),
         p["own_statements"], p["statements"]))
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
h2_rows = [
    ("bare", "bare gRPC C++: EchoService/Echo on `aftercare-bare-echo-server` (plain ServerBuilder, no common/)"),
    ("echo", "baseline: EchoService/Echo on `aftercare-echo-server` (common/ bootstrap, interceptors)"),
    ("get_unit", "inventory GetUnit of BN0000000001 (admin)"),
    ("entitlement", "inventory GetEntitlement of BN0000000003, an installed unit (admin)"),
    ("verify", "licensing VerifyLicenseKey of one issued key (customer)"),
]
h2_shapes = [("16x32", "16 conn × 32 streams"), ("64x1", "64 conn × 1 stream")]


def h2(name, shape):
    return load("h2load_%s_%s" % (name, shape))


def h2_ok_rate(r):
    """Calls per second that answered OK: what h2load counted as succeeded,
    times the share of OK among the calls the server handled by code (servers
    on common/), or 0 when the check call did not answer OK."""
    if not r or r.get("check_grpc_status") != "0":
        return 0
    codes = r.get("server_codes") or {}
    total = sum(codes.values())
    share = codes.get("OK", 0) / total if r.get("server_counted") and total else 1
    return r.get("ok_per_s", 0) * share


def h2_server_us(name, shape):
    r, c = h2(name, shape), cpu("h2load_%s_%s" % (name, shape))
    calls = (r or {}).get("req_per_s", 0) * (c or {}).get("wall_s", 0)
    return 1e6 * c["service_cpu_s"] / calls if calls > 0 else None


L("### h2load against a bare gRPC server")
L("")
L("The same kind of calls driven by `h2load` (nghttp2-client from Debian, `-t 1`, `-D %s "
  "--warm-up-time=1`, a fixed request body: the 5-byte gRPC frame prefix and the serialized message), and the "
  "ceiling of gRPC C++ itself on this machine: EchoService on a bare `grpc::ServerBuilder` with the callback "
  "API and generated code, no interceptors, no auth, no database." % env.get("BENCH_DURATION"))
L("")
L("| what | shape | calls/s | mean ms | max ms | p99 ms | % of bare echo (same shape) | server CPU µs per call | h2load CPU µs per call | checked |")
L("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
for name, what in h2_rows:
    for shape, shape_text in h2_shapes:
        r = h2(name, shape)
        if r is None:
            L("| %s | %s | not measured | | | | | | | |" % (what, shape_text))
            continue
        bare = h2_ok_rate(h2("bare", shape))
        rate = h2_ok_rate(r)
        us = h2_server_us(name, shape)
        calls = r.get("req_per_s", 0) * (cpu("h2load_%s_%s" % (name, shape)) or {}).get("wall_s", 0)
        check = "grpc-status %s" % (r.get("check_grpc_status") or "none")
        if r.get("server_counted"):
            codes = r.get("server_codes") or {}
            check += "; server: " + ", ".join("%s %d" % (k, v) for k, v in
                                            sorted(codes.items(), key=lambda kv: (kv[0] != "OK", -kv[1])))
        L("| %s | %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s |"
          % (what, shape_text, "%.0f" % rate if rate else "**not OK** (h2load: %.0f)" % r.get("ok_per_s", 0),
             r.get("mean_ms", 0), r.get("max_ms", 0),
             "%.2f" % r["p99_ms"] if "p99_ms" in r else "—",
             "%.1f %%" % (100 * rate / bare) if bare and rate else "—", "%.0f" % us if us is not None else "—",
             "%.0f" % (1e6 * r["h2load_cpu_s"] / calls) if calls and "h2load_cpu_s" in r else "—", check))
L("")
L("calls/s: calls answered OK per second. h2load counts any HTTP 200 as a success whatever the `grpc-status` "
  "trailer says, so after each run one call of the same body goes through `nghttp` (its `grpc-status` is in "
  "the \"checked\" column; **not OK** when it is not 0), and for the servers on common/ the "
  "`grpc_server_handled_total` counters by code are read before and after the run (warm-up included, "
  "\"checked\" column): the rate is h2load's succeeded requests per second times the OK share of those. "
  "At the end of a run h2load drops the calls in flight: they show as Canceled, or as InvalidArgument "
  "(\"malformed protobuf\") when the request body had not arrived yet. mean and max: h2load's own \"time for request\"; p99: from its "
  "`--log-file` (every request of the main duration). Server CPU: the server process's clock ticks over the "
  "run (warm-up included) per call at the measured rate; h2load CPU: its user + system time the same way. "
  "Raw output: `%s/h2load_*`." % os.path.relpath(res))
L("")
L("### Targets")
L("")


def verdict(ok):
    return "**met**" if ok else "**missed**"


bare16 = h2_ok_rate(h2("bare", "16x32"))
bare_us = h2_server_us("bare", "16x32")
for name, what in (("get_unit", "GetUnit"), ("entitlement", "GetEntitlement"), ("verify", "VerifyLicenseKey")):
    r = h2(name, "16x32")
    if r is not None and bare16:
        x = h2_ok_rate(r) / bare16
        L("- %s ≥ 40 %% of the bare echo server (h2load, 16 × 32): %.0f/s vs %.0f/s = %.1f %% — %s"
          % (what, h2_ok_rate(r), bare16, 100 * x, verdict(x >= 0.4)))
    us = h2_server_us(name, "16x32")
    if us is not None and bare_us:
        L("- %s service CPU per call ≤ 2.5× the bare echo server's (h2load, 16 × 32): %.0f µs vs %.0f µs = %.2f× — %s"
          % (what, us, bare_us, us / bare_us, verdict(us <= 2.5 * bare_us)))
for name, what in (("get_unit", "get unit"), ("entitlement", "entitlement"), ("verify", "verify")):
    if name in got:
        p99 = got[name]["latency_ms"]["p99"]
        L("- %s p99 < 10 ms at %s in flight (aftercare-load): %.2f ms — %s"
          % (what, env.get("BENCH_CONCURRENCY"), p99, verdict(p99 < 10)))
if "reserve" in got:
    t = got["reserve"]["ok_throughput"]
    L("- reserve ≥ 2× 1038 calls/s (the run of 2026-11-21): %.0f/s = %.2f× — %s" % (t, t / 1038, verdict(t >= 2076)))
if "list_first" in got and "list_deep" in got:
    a, b = got["list_first"]["latency_ms"]["p50"], got["list_deep"]["latency_ms"]["p50"]
    L("- page %d within 1.5× page 1 (p50 at 64 in flight): %.2f ms vs %.2f ms = %.2f× — %s"
      % (int(env.get("BENCH_DEPTH_PAGES", "0")) + 1, b, a, b / a if a else 0, verdict(a and b <= 1.5 * a)))
if ins:
    for name, floor in (("create_case", 0.30), ("create_rma", 0.15)):
        if name in got:
            r = got[name]["ok_throughput"] / ins["tps"] if ins["tps"] else 0
            L("- %s ≥ %d %% of oltp_insert: %.0f/s vs %.0f/s = %.1f %% — %s"
              % (name, 100 * floor, got[name]["ok_throughput"], ins["tps"], 100 * r, verdict(r >= floor)))
case_per = per_call("create_case")
if case_per is not None:
    # Case numbers come in blocks of 100 (5 statements each): 0.05 per case.
    L("- create_case ≤ 3 statements per case (MariaDB `Questions` per call, the idle services' rate taken "
      "out; 3.05 allowed for the case-number blocks): %.2f (%.2f with the background polls) — %s"
      % (case_per["own_statements"], case_per["statements"], verdict(case_per["own_statements"] <= 3.05)))
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
