#include "tests/load/load_options.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "google/protobuf/descriptor.h"

namespace aftercare::load {

namespace gp = ::google::protobuf;

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "aftercare-load: " << msg << "\n";
  std::exit(2);
}

namespace {

constexpr char kUsage[] = R"(aftercare-load: drive unary RPCs of the suite and report throughput and latency.

Options (--name=value):
  --target=HOST:PORT        server address (default 127.0.0.1:50051)
  --call=SERVICE/METHOD     full method, e.g. aftercare.inventory.v1.InventoryService/GetUnit;
                            repeat for a mix: each --call starts an entry that the following
                            --data and --weight apply to
  --data=JSON | @FILE       the request as proto3 JSON, with placeholders (default {})
  --weight=N                relative weight of the entry in the mix (default 1)
  --concurrency=N           calls in flight (default 16)
  --connections=N           channels (HTTP/2 connections) the calls are spread over (default 4)
  --duration=D              how long to run, e.g. 20s, 2m (default 10s)
  --requests=N              stop after N calls instead (0: use --duration)
  --rate=R                  at most R calls per second in total (0: as fast as possible)
  --warmup=D                calls during this first period are not counted (default 0s)
  --deadline=D              per-call deadline (default 10s)
  --token=T | --token_file=F  bearer token sent as "authorization: Bearer T"
  --metadata=KEY:VALUE      extra request metadata (repeatable)
  --seq_start=N             first value of {{seq}} (default 1)
  --walk_pages=N            before the run, follow next_page_token N times with the first
                            entry's request and make the token reached available as
                            {{page_token}} (a page at depth N)
  --save_responses=FILE     write the responses of successful calls as JSON lines
  --save_limit=N            at most N of them (default 1000)
  --pids=PID[,PID...]       sample these processes' VmRSS during the run (reported as max KiB)
  --label=NAME              name of the run in the report
  --json_out=FILE           also write the report as JSON (- for stdout)
  --quiet                   no text report
  --self_check=N            no calls: render N requests of each entry both with and without
                            re-parsing the JSON (same {{seq}} and random state), compare the
                            bytes and exit (1 when they differ)

Placeholders in --data (evaluated per call):
  {{seq}} {{seq:W}}         a sequence number from --seq_start, zero-padded to W digits
  {{rand:N}} {{rand:N:W}}   uniform in 1..N, zero-padded to W digits
  {{rand:A-B}} {{rand:A-B:W}}  uniform in A..B
  {{serial:PREFIX:N}}       PREFIX + a uniform 1..N zero-padded to 10 digits (BN0000012345)
  {{line:FILE}}             a random line of FILE;  {{nextline:FILE}} lines in turn
  {{run}}                   an id unique to this process (for request ids)
  {{page_token}}            the token found by --walk_pages
Inside string values they are substituted without re-parsing the JSON; elsewhere the request is re-parsed per call.
)";

double ParseSeconds(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  std::string unit(end);
  if (end == s.c_str()) Die("bad duration " + s);
  if (unit == "ms") return v / 1000;
  if (unit == "s" || unit.empty()) return v;
  if (unit == "m") return v * 60;
  if (unit == "h") return v * 3600;
  Die("bad duration " + s);
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Die("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) Die("bad argument " + a + " (see --help)");
    const std::string k = a.substr(2, eq - 2), v = a.substr(eq + 1);
    auto need_entry = [&] {
      if (o.entries.empty()) Die("--" + k + " must follow a --call");
      return &o.entries.back();
    };
    if (k == "target") o.target = v;
    else if (k == "call") {
      Entry e;
      std::string m = v;
      if (!m.empty() && m[0] == '/') m = m.substr(1);
      size_t slash = m.find('/');
      if (slash == std::string::npos) {
        slash = m.rfind('.');
        if (slash == std::string::npos) Die("--call needs SERVICE/METHOD: " + v);
      }
      const std::string svc = m.substr(0, slash), meth = m.substr(slash + 1);
      e.desc = gp::DescriptorPool::generated_pool()->FindMethodByName(svc + "." + meth);
      if (e.desc == nullptr) Die("unknown method " + v + " (not in the suite's protos)");
      if (e.desc->client_streaming() || e.desc->server_streaming()) Die(v + " is streaming; only unary calls");
      e.method = "/" + svc + "/" + meth;
      o.entries.push_back(e);
    } else if (k == "data") need_entry()->data = (!v.empty() && v[0] == '@') ? ReadFile(v.substr(1)) : v;
    else if (k == "weight") need_entry()->weight = std::max(0, std::stoi(v));
    else if (k == "concurrency") o.concurrency = std::max(1, std::stoi(v));
    else if (k == "connections") o.connections = std::max(1, std::stoi(v));
    else if (k == "duration") o.duration_s = ParseSeconds(v);
    else if (k == "requests") o.requests = std::stoll(v);
    else if (k == "rate") o.rate = std::stod(v);
    else if (k == "warmup") o.warmup_s = ParseSeconds(v);
    else if (k == "deadline") o.deadline_s = ParseSeconds(v);
    else if (k == "token") o.token = v;
    else if (k == "token_file") o.token = Trim(ReadFile(v));
    else if (k == "metadata") {
      const size_t c = v.find(':');
      if (c == std::string::npos) Die("--metadata needs KEY:VALUE");
      o.metadata.emplace_back(v.substr(0, c), v.substr(c + 1));
    } else if (k == "seq_start") o.seq_start = std::stoll(v);
    else if (k == "walk_pages") o.walk_pages = std::stoi(v);
    else if (k == "save_responses") o.save_responses = v;
    else if (k == "save_limit") o.save_limit = std::stoi(v);
    else if (k == "pids") {
      std::stringstream ss(v);
      std::string p;
      while (std::getline(ss, p, ',')) if (!p.empty()) o.pids.push_back(std::stoi(p));
    } else if (k == "label") o.label = v;
    else if (k == "json_out") o.json_out = v;
    else if (k == "self_check") o.self_check = std::max(1, std::stoi(v));
    else Die("unknown option --" + k + " (see --help)");
  }
  if (o.entries.empty()) Die("no --call given (see --help)");
  return o;
}

}  // namespace aftercare::load
