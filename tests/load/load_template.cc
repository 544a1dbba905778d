#include "tests/load/load_template.h"

#include <grpcpp/support/slice.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "google/protobuf/util/json_util.h"

namespace aftercare::load {

namespace {

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

}  // namespace

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

namespace {

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

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

}  // namespace

// The request's JSON for one call. With `escape_values`, the values of the
// placeholders are escaped as JSON strings (what the fast path amounts to).
std::string Render(const std::vector<Piece>& pieces, Shared& sh, std::mt19937_64& rng,
                   bool escape_values) {
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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace aftercare::load
