// aftercare-load: a load generator for any unary RPC of the suite, built from
// the suite's protos (docs/BENCHMARKS.md). Requests are JSON templates turned
// into messages with the generated descriptors; calls go out through
// grpc::GenericStub's callback API, `--concurrency` in flight over
// `--connections` channels.
//
//   aftercare-load --target=127.0.0.1:50061 --token_file=admin.token
//     --call=aftercare.inventory.v1.InventoryService/GetUnit
//     --data='{"serialNumber":"BN{{rand:1000000:10}}"}'
//     --concurrency=64 --duration=20s --json_out=get_unit.json
//
// Run with --help for every option and the template placeholders.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "aftercare/licensing/v1/licensing_service.grpc.pb.h"
#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "aftercare/testing/v1/echo.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.pb.h"

namespace {

namespace gp = ::google::protobuf;
using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) this process has used so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

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

// ---------------------------------------------------------------- options

struct Entry {
  std::string method;  // "/pkg.Service/Method"
  std::string data = "{}";
  int weight = 1;
  const gp::MethodDescriptor* desc = nullptr;
};

struct Options {
  std::string target = "127.0.0.1:50051";
  std::vector<Entry> entries;
  int concurrency = 16;
  int connections = 4;
  double duration_s = 10;
  int64_t requests = 0;
  double rate = 0;
  double warmup_s = 0;
  double deadline_s = 10;
  std::string token;
  std::vector<std::pair<std::string, std::string>> metadata;
  int64_t seq_start = 1;
  int walk_pages = 0;
  std::string save_responses;
  int save_limit = 1000;
  std::vector<int> pids;
  std::string label;
  std::string json_out;
  bool quiet = false;
  int self_check = 0;
};

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "aftercare-load: " << msg << "\n";
  std::exit(2);
}

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

// ---------------------------------------------------------------- templates

struct Piece {
  enum Kind { kText, kSeq, kRand, kSerial, kLine, kNextLine, kRun, kPageToken } kind = kText;
  std::string text;  // literal text, or the serial prefix
  int64_t lo = 0, hi = 0;
  int width = 0;
  const std::vector<std::string>* lines = nullptr;
};

std::map<std::string, std::unique_ptr<std::vector<std::string>>>& LineFiles() {
  static auto* files = new std::map<std::string, std::unique_ptr<std::vector<std::string>>>;
  return *files;
}

const std::vector<std::string>* LoadLines(const std::string& path) {
  auto& slot = LineFiles()[path];
  if (!slot) {
    slot = std::make_unique<std::vector<std::string>>();
    std::stringstream ss(ReadFile(path));
    std::string line;
    while (std::getline(ss, line)) if (!Trim(line).empty()) slot->push_back(Trim(line));
    if (slot->empty()) Die(path + " has no lines");
  }
  return slot.get();
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  return out;
}

void ParseRange(const std::string& r, Piece& p) {
  const size_t dash = r.find('-');
  if (dash == std::string::npos) {
    p.lo = 1;
    p.hi = std::stoll(r);
  } else {
    p.lo = std::stoll(r.substr(0, dash));
    p.hi = std::stoll(r.substr(dash + 1));
  }
  if (p.hi < p.lo) Die("empty range " + r);
}

std::vector<Piece> ParseTemplate(const std::string& t) {
  std::vector<Piece> out;
  size_t pos = 0;
  while (pos < t.size()) {
    const size_t open = t.find("{{", pos);
    if (open == std::string::npos) {
      out.push_back({Piece::kText, t.substr(pos)});
      break;
    }
    if (open > pos) out.push_back({Piece::kText, t.substr(pos, open - pos)});
    const size_t close = t.find("}}", open);
    if (close == std::string::npos) Die("unclosed {{ in template");
    const std::string body = t.substr(open + 2, close - open - 2);
    const std::vector<std::string> f = Split(body, ':');
    Piece p;
    const std::string& name = f.empty() ? body : f[0];
    if (name == "seq") {
      p.kind = Piece::kSeq;
      if (f.size() > 1) p.width = std::stoi(f[1]);
    } else if (name == "rand" && f.size() >= 2) {
      p.kind = Piece::kRand;
      ParseRange(f[1], p);
      if (f.size() > 2) p.width = std::stoi(f[2]);
    } else if (name == "serial" && f.size() == 3) {
      p.kind = Piece::kSerial;
      p.text = f[1];
      ParseRange(f[2], p);
      p.width = 10;
    } else if ((name == "line" || name == "nextline") && f.size() >= 2) {
      p.kind = name == "line" ? Piece::kLine : Piece::kNextLine;
      p.lines = LoadLines(body.substr(name.size() + 1));
    } else if (name == "run") {
      p.kind = Piece::kRun;
    } else if (name == "page_token") {
      p.kind = Piece::kPageToken;
    } else {
      Die("unknown placeholder {{" + body + "}}");
    }
    out.push_back(p);
    pos = close + 2;
  }
  return out;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

struct Shared {
  std::atomic<int64_t> seq{1};
  std::atomic<int64_t> next_line{0};
  std::string run_id;
  std::string page_token;
};

// Appends the value of `p` for one call.
void Evaluate(const Piece& p, Shared& sh, std::mt19937_64& rng, std::string* out) {
  switch (p.kind) {
    case Piece::kText: *out += p.text; break;
    case Piece::kSeq: *out += Pad(sh.seq.fetch_add(1), p.width); break;
    case Piece::kRand: *out += Pad(std::uniform_int_distribution<int64_t>(p.lo, p.hi)(rng), p.width); break;
    case Piece::kSerial:
      *out += p.text + Pad(std::uniform_int_distribution<int64_t>(p.lo, p.hi)(rng), p.width);
      break;
    case Piece::kLine:
      *out += (*p.lines)[std::uniform_int_distribution<size_t>(0, p.lines->size() - 1)(rng)];
      break;
    case Piece::kNextLine:
      *out += (*p.lines)[static_cast<size_t>(sh.next_line.fetch_add(1)) % p.lines->size()];
      break;
    case Piece::kRun: *out += sh.run_id; break;
    case Piece::kPageToken: *out += sh.page_token; break;
  }
}

// The request's JSON for one call. With `escape_values`, the values of the
// placeholders are escaped as JSON strings (what the fast path amounts to).
std::string Render(const std::vector<Piece>& pieces, Shared& sh, std::mt19937_64& rng,
                   bool escape_values = false) {
  std::string out, value;
  for (const Piece& p : pieces) {
    if (!escape_values || p.kind == Piece::kText) {
      Evaluate(p, sh, rng, &out);
      continue;
    }
    value.clear();
    Evaluate(p, sh, rng, &value);
    for (char c : value) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char u[8];
        std::snprintf(u, sizeof(u), "\\u%04x", c);
        out += u;
      } else {
        out += c;
      }
    }
  }
  return out;
}

// The fast path. Parsing the rendered JSON costs the generator 50-160 us of
// CPU per call (a CreateCase request with 10 placeholders: ~110 of ~150 us),
// so when every placeholder sits inside the value of a string field,
// the template is parsed once with each placeholder replaced by a sentinel
// (Sentinel() + its index + "@@") into a filled request, and each call copies
// it and sets those string fields directly (the values are set raw: a quote in
// a {{line:FILE}} needs no JSON escaping). The placeholders are still
// evaluated in the order of the template, as Render() does, so {{seq}} and the
// random draws advance exactly as on the JSON path. --self_check compares the
// two paths.

// The sentinel's random part keeps a template from spelling it (as a JSON
// escape, say) where a placeholder would then be assumed.
const std::string& Sentinel() {
  static const std::string* s = [] {
    std::random_device rd;
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%08x%08x", rd(), rd());
    return new std::string(std::string("@@ACLOAD") + hex + "P");
  }();
  return *s;
}

// One step from a message down to a field: `index` is the element of a
// repeated field, -1 for a singular one.
struct PatchStep {
  const gp::FieldDescriptor* field;
  int index;
};

// A string field of the filled request that holds placeholders.
struct Patch {
  struct Segment {
    std::string text;      // literal text, when placeholder < 0
    int placeholder = -1;  // index among the template's placeholders
  };
  std::vector<PatchStep> path;  // the last step is the string field
  std::vector<Segment> segments;
};

// A prepared entry: the template, the message prototype and, when the
// template has no placeholder that changes per call, the serialized request.
struct Prepared {
  const Entry* entry;
  std::vector<Piece> pieces;
  const gp::Message* request_proto;
  const gp::Message* response_proto;
  bool constant = false;
  std::string constant_bytes;
  // The fast path; when null, the JSON is rendered and parsed per call.
  std::unique_ptr<gp::Message> filled;
  std::vector<Patch> patches;
  int placeholders = 0;
  std::string no_fast_path;  // why there is none
};

gp::DynamicMessageFactory& Factory() {
  static auto* f = new gp::DynamicMessageFactory(gp::DescriptorPool::generated_pool());
  return *f;
}

bool Serialize(const Prepared& p, const std::string& json, std::string* bytes, std::string* error) {
  std::unique_ptr<gp::Message> msg(p.request_proto->New());
  auto st = gp::util::JsonStringToMessage(json, msg.get());
  if (!st.ok()) {
    *error = st.ToString() + " in " + json;
    return false;
  }
  *bytes = msg->SerializeAsString();
  return true;
}

// Splits a string value into literal text and placeholders, counting each
// placeholder in `seen`; false on a sentinel that is not one of the `n`.
bool SplitSentinels(const std::string& v, int n, std::vector<int>& seen, std::vector<Patch::Segment>* out) {
  const std::string& sentinel = Sentinel();
  const size_t len = sentinel.size();
  size_t pos = 0;
  while (true) {
    const size_t at = v.find(sentinel, pos);
    if (at == std::string::npos) {
      if (pos < v.size()) out->push_back({v.substr(pos), -1});
      return true;
    }
    if (at > pos) out->push_back({v.substr(pos, at - pos), -1});
    size_t d = at + len;
    int64_t index = 0;
    while (d < v.size() && d < at + len + 9 && v[d] >= '0' && v[d] <= '9') index = index * 10 + (v[d++] - '0');
    if (d == at + len || v.compare(d, 2, "@@") != 0 || index >= n) return false;
    ++seen[index];
    out->push_back({"", static_cast<int>(index)});
    pos = d + 2;
  }
}

// Collects the string fields of `m` (and of its messages, but not of its maps)
// that hold sentinels; false on a malformed one.
bool FindPatches(const gp::Message& m, int n, std::vector<PatchStep>& path, std::vector<int>& seen,
                 std::vector<Patch>* out) {
  const gp::Reflection* r = m.GetReflection();
  std::vector<const gp::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const gp::FieldDescriptor* f : fields) {
    const int count = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < count; ++i) {
      const PatchStep step{f, f->is_repeated() ? i : -1};
      if (f->type() == gp::FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        const std::string& v = f->is_repeated() ? r->GetRepeatedStringReference(m, f, i, &scratch)
                                                : r->GetStringReference(m, f, &scratch);
        if (v.find(Sentinel()) == std::string::npos) continue;
        Patch patch;
        patch.path = path;
        patch.path.push_back(step);
        if (!SplitSentinels(v, n, seen, &patch.segments)) return false;
        out->push_back(std::move(patch));
      } else if (f->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map()) {
        path.push_back(step);
        const bool ok = FindPatches(f->is_repeated() ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f), n,
                                    path, seen, out);
        path.pop_back();
        if (!ok) return false;
      }
    }
  }
  return true;
}

// Sets up the fast path of `p` when each placeholder of its template is found
// exactly once in the value of a string field; otherwise leaves the JSON path.
void PrepareFastPath(Prepared& p) {
  std::string json;
  for (const Piece& x : p.pieces) {
    if (x.kind != Piece::kText) {
      json += Sentinel() + std::to_string(p.placeholders++) + "@@";
    } else if (x.text.find(Sentinel()) != std::string::npos) {
      p.no_fast_path = "the template contains the sentinel";
      return;
    } else {
      json += x.text;
    }
  }
  if (p.placeholders == 0) return;
  // The compiled class when the type is linked in (all of the suite's are):
  // its copy and serialization are several times cheaper than a dynamic
  // message's, which go through reflection.
  const gp::Message* proto = gp::MessageFactory::generated_factory()->GetPrototype(p.entry->desc->input_type());
  std::unique_ptr<gp::Message> msg((proto != nullptr ? proto : p.request_proto)->New());
  const auto status = gp::util::JsonStringToMessage(json, msg.get());
  if (!status.ok()) {  // a placeholder as a number, an enum or a key, or bad JSON
    p.no_fast_path = "with the placeholders as strings: " + status.ToString();
    return;
  }
  std::vector<int> seen(p.placeholders, 0);
  std::vector<PatchStep> path;
  std::vector<Patch> patches;
  if (!FindPatches(*msg, p.placeholders, path, seen, &patches) ||
      std::any_of(seen.begin(), seen.end(), [](int k) { return k != 1; })) {
    p.no_fast_path = "a placeholder is not in the value of a string field (a map, a timestamp, bytes?)";
    return;
  }
  p.filled = std::move(msg);
  p.patches = std::move(patches);
}

// One call's request of `p`, serialized; false with `error` when its JSON
// does not parse.
bool Build(const Prepared& p, Shared& sh, std::mt19937_64& rng, std::string* bytes, std::string* error) {
  if (!p.filled) return Serialize(p, Render(p.pieces, sh, rng), bytes, error);
  std::vector<std::string> values(p.placeholders);
  size_t i = 0;
  for (const Piece& x : p.pieces) {
    if (x.kind != Piece::kText) Evaluate(x, sh, rng, &values[i++]);
  }
  std::unique_ptr<gp::Message> msg(p.filled->New());
  msg->CopyFrom(*p.filled);
  for (const Patch& patch : p.patches) {
    gp::Message* m = msg.get();
    for (size_t k = 0; k + 1 < patch.path.size(); ++k) {
      const PatchStep& s = patch.path[k];
      m = s.index < 0 ? m->GetReflection()->MutableMessage(m, s.field)
                      : m->GetReflection()->MutableRepeatedMessage(m, s.field, s.index);
    }
    std::string v;
    for (const Patch::Segment& seg : patch.segments) v += seg.placeholder < 0 ? seg.text : values[seg.placeholder];
    const PatchStep& last = patch.path.back();
    if (last.index < 0) {
      m->GetReflection()->SetString(m, last.field, std::move(v));
    } else {
      m->GetReflection()->SetRepeatedString(m, last.field, last.index, std::move(v));
    }
  }
  if (!msg->SerializeToString(bytes)) {
    *error = "cannot serialize " + msg->ShortDebugString();
    return false;
  }
  return true;
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool ParseBuffer(const grpc::ByteBuffer& buf, gp::Message* msg) {
  std::vector<grpc::Slice> slices;
  if (!buf.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return msg->ParseFromString(bytes);
}

// ---------------------------------------------------------------- the run

struct Stats {
  std::vector<uint32_t> latency_us;  // successful and failed calls
  int64_t ok = 0;
  std::map<int, int64_t> errors;  // by status code
  std::map<int, std::string> sample_error;
};

const char* CodeName(int code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                 "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
                                 "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
                                 "DATA_LOSS", "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "?";
}

class Runner;

// One in-flight call at a time; a slot owns its buffers and its statistics.
struct Slot {
  Runner* runner = nullptr;
  int index = 0;
  std::mt19937_64 rng;
  std::unique_ptr<grpc::ClientContext> ctx;
  grpc::ByteBuffer request, response;
  size_t entry = 0;
  Clock::time_point start;
  std::vector<Stats> stats;  // per entry
};

class Runner {
 public:
  explicit Runner(Options o) : o_(std::move(o)) {
    sh_.seq = o_.seq_start;
    sh_.run_id = std::to_string(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    for (int i = 0; i < o_.connections; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.use_local_subchannel_pool", 1);
      args.SetInt("aftercare.load.channel", i);  // distinct channels, distinct connections
      args.SetMaxReceiveMessageSize(64 << 20);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(
          grpc::CreateCustomChannel(o_.target, grpc::InsecureChannelCredentials(), args)));
    }
    int total_weight = 0;
    for (const Entry& e : o_.entries) {
      Prepared p;
      p.entry = &e;
      p.pieces = ParseTemplate(e.data);
      p.request_proto = Factory().GetPrototype(e.desc->input_type());
      p.response_proto = Factory().GetPrototype(e.desc->output_type());
      p.constant = std::all_of(p.pieces.begin(), p.pieces.end(), [](const Piece& x) {
        return x.kind == Piece::kText || x.kind == Piece::kRun || x.kind == Piece::kPageToken;
      });
      PrepareFastPath(p);
      prepared_.push_back(std::move(p));
      total_weight += e.weight;
      for (int w = 0; w < e.weight; ++w) wheel_.push_back(prepared_.size() - 1);
    }
    if (total_weight == 0) Die("every --weight is 0");
    if (!o_.save_responses.empty()) {
      save_.open(o_.save_responses);
      if (!save_) Die("cannot write " + o_.save_responses);
    }
  }

  // Follows next_page_token --walk_pages times; returns false on an error.
  bool Walk() {
    if (o_.walk_pages <= 0) return true;
    Prepared& p = prepared_[0];
    const gp::FieldDescriptor* next = p.entry->desc->output_type()->FindFieldByName("next_page_token");
    if (next == nullptr) Die("--walk_pages: " + p.entry->method + " has no next_page_token");
    std::vector<double> lat;
    std::mt19937_64 rng(7);
    int pages = 0;
    for (; pages < o_.walk_pages; ++pages) {
      std::string bytes, error;
      if (!Build(p, sh_, rng, &bytes, &error)) Die(error);
      grpc::ClientContext ctx;
      Decorate(ctx);
      grpc::ByteBuffer req = ToBuffer(bytes), resp;
      std::mutex mu;
      std::condition_variable cv;
      bool done = false;
      grpc::Status status;
      const auto t0 = Clock::now();
      stubs_[0]->UnaryCall(&ctx, p.entry->method, grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
        std::lock_guard<std::mutex> l(mu);
        status = s;
        done = true;
        cv.notify_one();
      });
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return done; });
      lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!status.ok()) {
        std::cerr << "walk: page " << pages + 1 << ": " << CodeName(status.error_code()) << " "
                  << status.error_message() << "\n";
        return false;
      }
      std::unique_ptr<gp::Message> msg(p.response_proto->New());
      ParseBuffer(resp, msg.get());
      const std::string token = msg->GetReflection()->GetString(*msg, next);
      if (token.empty()) {
        ++pages;
        break;
      }
      sh_.page_token = token;
    }
    walked_pages_ = pages;
    double sum = 0;
    for (double v : lat) sum += v;
    walk_ms_ = sum;
    if (!o_.quiet) {
      std::fprintf(stderr, "walk: %d pages in %.1f s (mean %.2f ms/page); the run starts at page %d\n", pages,
                   sum / 1000, lat.empty() ? 0 : sum / lat.size(), pages + 1);
    }
    return true;
  }

  void Run() {
    for (Prepared& p : prepared_) {
      if (!p.constant) continue;
      std::mt19937_64 rng(1);
      std::string error;
      if (!Build(p, sh_, rng, &p.constant_bytes, &error)) Die(error);
    }
    slots_.resize(o_.concurrency);
    for (int i = 0; i < o_.concurrency; ++i) {
      slots_[i].runner = this;
      slots_[i].index = i;
      slots_[i].rng.seed(0x5eed + i * 7919 + std::random_device{}());
      slots_[i].stats.resize(prepared_.size());
    }
    cpu_start_ = CpuSeconds();
    start_ = Clock::now();
    measure_from_ = start_ + std::chrono::microseconds(static_cast<int64_t>(o_.warmup_s * 1e6));
    end_ = measure_from_ + std::chrono::microseconds(static_cast<int64_t>(o_.duration_s * 1e6));
    std::thread rss([this] { SampleRss(); });
    if (o_.rate > 0) {
      Pace();  // returns when every call has finished
    } else {
      {
        std::lock_guard<std::mutex> l(mu_);
        active_ = o_.concurrency;
      }
      for (Slot& s : slots_) Launch(s);
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return active_ == 0; });
    }
    finish_ = Clock::now();
    cpu_used_ = CpuSeconds() - cpu_start_;
    rss_stop_ = true;
    rss.join();
  }

  void Report();

  // --self_check: renders `n` requests of each entry on the fast path and on
  // the JSON path from the same {{seq}}, line and random state and compares
  // the bytes and the state after; returns the exit code.
  int SelfCheck(int n) {
    int failed = 0;
    for (const Prepared& p : prepared_) {
      const std::string name = p.entry->method.substr(1);
      if (!p.filled) {
        std::cout << name << ": " << (p.constant ? "constant" : "JSON parsed per call")
                  << (p.no_fast_path.empty() ? "" : " (" + p.no_fast_path + ")") << "\n";
        continue;
      }
      std::mt19937_64 rng(42);
      int differ = 0, escaped = 0;
      for (int i = 0; i < n; ++i) {
        const int64_t seq = sh_.seq, line = sh_.next_line;
        const std::mt19937_64 rng_before = rng;
        std::mt19937_64 json_rng = rng;
        std::string fast, slow, fast_error, slow_error;
        const bool fast_ok = Build(p, sh_, rng, &fast, &fast_error);
        const int64_t fast_seq = sh_.seq, fast_line = sh_.next_line;
        sh_.seq = seq;
        sh_.next_line = line;
        const bool slow_ok = Serialize(p, Render(p.pieces, sh_, json_rng), &slow, &slow_error);
        if (i == 0) std::cout << name << ": first request " << AsJson(p, fast) << "\n";
        const bool same_state = rng == json_rng && fast_seq == sh_.seq && fast_line == sh_.next_line;
        if (fast_ok && slow_ok && fast == slow && same_state) continue;
        if (fast_ok && same_state) {
          // A value with a quote, a backslash or a control character: the JSON
          // path breaks or unescapes it; the fast path sets it as it is, which
          // is the JSON path with the values escaped.
          sh_.seq = seq;
          sh_.next_line = line;
          std::mt19937_64 escaped_rng = rng_before;
          std::string escaped_bytes, escaped_error;
          if (Serialize(p, Render(p.pieces, sh_, escaped_rng, true), &escaped_bytes, &escaped_error) &&
              escaped_bytes == fast && escaped_rng == rng && sh_.seq == fast_seq && sh_.next_line == fast_line) {
            ++escaped;
            continue;
          }
        }
        if (differ++ == 0) {
          std::cout << "  request " << i + 1 << " differs: substituted "
                    << (fast_ok ? AsJson(p, fast) : fast_error) << " (seq after " << fast_seq << ")\n"
                    << "  re-parsed " << (slow_ok ? AsJson(p, slow) : slow_error) << " (seq after "
                    << sh_.seq << ")\n";
        }
      }
      std::cout << name << ": " << p.placeholders << " placeholder(s) substituted in " << p.patches.size()
                << " string field(s); " << differ << " of " << n << " requests differ from the JSON path";
      if (escaped > 0) std::cout << " (" << escaped << " more only where a value needs JSON escaping)";
      std::cout << "\n";
      if (differ > 0) ++failed;
    }
    return failed > 0 ? 1 : 0;
  }

 private:
  static std::string AsJson(const Prepared& p, const std::string& bytes) {
    std::unique_ptr<gp::Message> msg(p.request_proto->New());
    std::string json;
    if (!msg->ParseFromString(bytes) || !gp::util::MessageToJsonString(*msg, &json).ok()) return "(unparsable)";
    return json;
  }

  void Decorate(grpc::ClientContext& ctx) {
    if (!o_.token.empty()) ctx.AddMetadata("authorization", "Bearer " + o_.token);
    for (const auto& [k, v] : o_.metadata) ctx.AddMetadata(k, v);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::microseconds(static_cast<int64_t>(o_.deadline_s * 1e6)));
  }

  // Claims the right to start one more call (count mode / duration).
  bool MayStart() {
    if (o_.requests > 0) return started_.fetch_add(1) < o_.requests;
    return Clock::now() < end_;
  }

  // Starts the next call on `s`; when the run is over, retires the slot.
  void Launch(Slot& s) {
    if (!MayStart()) {
      Retire();
      return;
    }
    s.entry = wheel_[std::uniform_int_distribution<size_t>(0, wheel_.size() - 1)(s.rng)];
    const Prepared& p = prepared_[s.entry];
    std::string bytes;
    if (p.constant) {
      s.request = ToBuffer(p.constant_bytes);
    } else {
      std::string error;
      if (!Build(p, sh_, s.rng, &bytes, &error)) Die(error);
      s.request = ToBuffer(bytes);
    }
    s.ctx = std::make_unique<grpc::ClientContext>();
    Decorate(*s.ctx);
    s.response.Clear();
    s.start = Clock::now();
    stubs_[s.index % stubs_.size()]->UnaryCall(s.ctx.get(), p.entry->method, grpc::StubOptions(), &s.request,
                                               &s.response, [this, &s](grpc::Status st) { Done(s, st); });
  }

  void Done(Slot& s, const grpc::Status& st) {
    const auto now = Clock::now();
    if (s.start >= measure_from_ || o_.requests > 0) {
      Stats& stats = s.stats[s.entry];
      stats.latency_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - s.start).count()));
      if (st.ok()) {
        ++stats.ok;
        if (save_.is_open()) SaveResponse(s);
      } else {
        if (stats.errors[st.error_code()]++ == 0) stats.sample_error[st.error_code()] = st.error_message();
      }
    }
    if (o_.rate > 0) {
      std::lock_guard<std::mutex> l(mu_);
      free_.push_back(&s);
      cv_.notify_all();
      return;
    }
    Launch(s);
  }

  void SaveResponse(Slot& s) {
    std::lock_guard<std::mutex> l(save_mu_);
    if (saved_ >= o_.save_limit) return;
    std::unique_ptr<gp::Message> msg(prepared_[s.entry].response_proto->New());
    if (!ParseBuffer(s.response, msg.get())) return;
    std::string json;
    gp::util::JsonPrintOptions opts;
    if (gp::util::MessageToJsonString(*msg, &json, opts).ok()) {
      save_ << json << "\n";
      ++saved_;
    }
  }

  void Retire() {
    std::lock_guard<std::mutex> l(mu_);
    if (--active_ == 0) cv_.notify_all();
  }

  // Rate-limited mode: call i starts at start + i / rate, on a free slot.
  void Pace() {
    {
      std::lock_guard<std::mutex> l(mu_);
      for (Slot& s : slots_) free_.push_back(&s);
    }
    for (int64_t i = 0;; ++i) {
      const auto due = start_ + std::chrono::nanoseconds(static_cast<int64_t>(i * 1e9 / o_.rate));
      std::this_thread::sleep_until(due);
      Slot* s = nullptr;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return !free_.empty(); });
        s = free_.back();
        free_.pop_back();
      }
      if (!MayStart()) {
        std::lock_guard<std::mutex> l(mu_);
        free_.push_back(s);
        break;
      }
      LaunchPaced(*s);
    }
    // Wait for the calls in flight.
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return free_.size() == slots_.size(); });
  }

  void LaunchPaced(Slot& s) {
    // Like Launch, but the slot goes back to free_ when done (see Done()).
    s.entry = wheel_[std::uniform_int_distribution<size_t>(0, wheel_.size() - 1)(s.rng)];
    const Prepared& p = prepared_[s.entry];
    std::string bytes, error;
    if (p.constant) {
      bytes = p.constant_bytes;
    } else if (!Build(p, sh_, s.rng, &bytes, &error)) {
      Die(error);
    }
    s.request = ToBuffer(bytes);
    s.ctx = std::make_unique<grpc::ClientContext>();
    Decorate(*s.ctx);
    s.response.Clear();
    s.start = Clock::now();
    stubs_[s.index % stubs_.size()]->UnaryCall(s.ctx.get(), p.entry->method, grpc::StubOptions(), &s.request,
                                               &s.response, [this, &s](grpc::Status st) { Done(s, st); });
  }

  void SampleRss() {
    while (!rss_stop_) {
      for (int pid : o_.pids) {
        std::ifstream f("/proc/" + std::to_string(pid) + "/status");
        std::string line;
        while (std::getline(f, line)) {
          if (line.rfind("VmRSS:", 0) == 0) {
            const int64_t kib = std::atoll(line.c_str() + 6);
            int64_t& m = rss_max_kib_[pid];
            m = std::max(m, kib);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  Options o_;
  Shared sh_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<Prepared> prepared_;
  std::vector<size_t> wheel_;
  std::vector<Slot> slots_;
  Clock::time_point start_, measure_from_, end_, finish_;
  std::atomic<int64_t> started_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
  std::vector<Slot*> free_;
  std::mutex save_mu_;
  std::ofstream save_;
  int saved_ = 0;
  int walked_pages_ = 0;
  double walk_ms_ = 0;
  double cpu_start_ = 0, cpu_used_ = 0;
  std::atomic<bool> rss_stop_{false};
  std::map<int, int64_t> rss_max_kib_;
};

double Pct(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  return out;
}

void Runner::Report() {
  const double secs = std::chrono::duration<double>(finish_ - (o_.requests > 0 ? start_ : measure_from_)).count();
  std::ostringstream text, json;
  json << "{\"label\":\"" << JsonEscape(o_.label) << "\",\"target\":\"" << o_.target
       << "\",\"concurrency\":" << o_.concurrency << ",\"connections\":" << o_.connections
       << ",\"rate_limit\":" << o_.rate << ",\"seconds\":" << secs
       << ",\"client_cpu_seconds\":" << cpu_used_;
  if (o_.walk_pages > 0) json << ",\"walked_pages\":" << walked_pages_;
  json << ",\"methods\":[";
  Stats total;
  auto summarize = [&](const std::string& name, Stats& st, bool last) {
    std::sort(st.latency_us.begin(), st.latency_us.end());
    const int64_t n = static_cast<int64_t>(st.latency_us.size());
    int64_t errs = 0;
    for (auto& [c, k] : st.errors) errs += k;
    double mean = 0;
    for (uint32_t v : st.latency_us) mean += v;
    mean = n ? mean / n / 1000 : 0;
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%-58s %9lld calls %9.1f/s  ok %lld  err %lld  p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms\n",
                  name.c_str(), static_cast<long long>(n), n / secs, static_cast<long long>(st.ok),
                  static_cast<long long>(errs), Pct(st.latency_us, .5), Pct(st.latency_us, .9),
                  Pct(st.latency_us, .99), Pct(st.latency_us, .999),
                  n ? st.latency_us.back() / 1000.0 : 0.0);
    text << line;
    for (auto& [c, k] : st.errors) {
      text << "    " << CodeName(c) << " x" << k;
      if (st.sample_error.count(c)) text << ": " << st.sample_error[c].substr(0, 160);
      text << "\n";
    }
    json << "{\"method\":\"" << name << "\",\"calls\":" << n << ",\"ok\":" << st.ok << ",\"errors\":" << errs
         << ",\"throughput\":" << n / secs << ",\"ok_throughput\":" << st.ok / secs
         << ",\"latency_ms\":{\"mean\":" << mean << ",\"p50\":" << Pct(st.latency_us, .5)
         << ",\"p90\":" << Pct(st.latency_us, .9) << ",\"p99\":" << Pct(st.latency_us, .99)
         << ",\"p99_9\":" << Pct(st.latency_us, .999)
         << ",\"max\":" << (n ? st.latency_us.back() / 1000.0 : 0.0) << "},\"errors_by_code\":{";
    bool first = true;
    for (auto& [c, k] : st.errors) {
      json << (first ? "" : ",") << "\"" << CodeName(c) << "\":" << k;
      first = false;
    }
    json << "},\"error_samples\":{";
    first = true;
    for (auto& [c, m] : st.sample_error) {
      json << (first ? "" : ",") << "\"" << CodeName(c) << "\":\"" << JsonEscape(m.substr(0, 300)) << "\"";
      first = false;
    }
    json << "}}" << (last ? "" : ",");
  };
  for (size_t e = 0; e < prepared_.size(); ++e) {
    Stats merged;
    for (Slot& s : slots_) {
      Stats& st = s.stats[e];
      merged.latency_us.insert(merged.latency_us.end(), st.latency_us.begin(), st.latency_us.end());
      merged.ok += st.ok;
      for (auto& [c, k] : st.errors) merged.errors[c] += k;
      for (auto& [c, m] : st.sample_error) merged.sample_error[c] = m;
    }
    total.latency_us.insert(total.latency_us.end(), merged.latency_us.begin(), merged.latency_us.end());
    total.ok += merged.ok;
    for (auto& [c, k] : merged.errors) total.errors[c] += k;
    for (auto& [c, m] : merged.sample_error) total.sample_error[c] = m;
    summarize(prepared_[e].entry->method.substr(1), merged, e + 1 == prepared_.size());
  }
  json << "],\"total\":";
  // The total, reusing the per-method formatter without its trailing comma.
  std::ostringstream saved_json;
  saved_json << json.str();
  json.str("");
  json.clear();
  text << "-- total (" << o_.concurrency << " in flight, " << o_.connections << " connections, "
       << secs << " s; the generator used " << cpu_used_ << " CPU s)\n";
  summarize("total", total, true);
  std::string total_json = json.str();
  json.str("");
  json << saved_json.str() << total_json << ",\"rss_max_kib\":{";
  bool first = true;
  for (auto& [pid, kib] : rss_max_kib_) {
    json << (first ? "" : ",") << "\"" << pid << "\":" << kib;
    text << "pid " << pid << " max VmRSS " << kib << " KiB during the run\n";
    first = false;
  }
  json << "}}\n";
  if (!o_.quiet) std::cout << (o_.label.empty() ? "" : "== " + o_.label + "\n") << text.str();
  if (o_.json_out == "-") {
    std::cout << json.str();
  } else if (!o_.json_out.empty()) {
    std::ofstream f(o_.json_out);
    f << json.str();
  }
}

// Links every generated file of the suite so that its descriptors are in the
// generated pool (static libraries drop unreferenced objects).
void RegisterDescriptors() {
  (void)aftercare::inventory::v1::GetUnitRequest::descriptor();
  (void)aftercare::cases::v1::CreateCaseRequest::descriptor();
  (void)aftercare::rma::v1::CreateRmaRequest::descriptor();
  (void)aftercare::licensing::v1::ActivateLicenseRequest::descriptor();
  (void)aftercare::testing::v1::EchoRequest::descriptor();
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
}

}  // namespace

int main(int argc, char** argv) {
  RegisterDescriptors();
  Options o = ParseOptions(argc, argv);
  const int self_check = o.self_check;
  Runner runner(std::move(o));
  if (self_check > 0) return runner.SelfCheck(self_check);
  int rc = 0;
  if (runner.Walk() == false) rc = 1;
  if (rc == 0) {
    runner.Run();
    runner.Report();
  }
  return rc;
}
