// The request templates of aftercare-load: a --data template with its
// placeholders ({{seq}}, {{rand:…}}, {{serial:…}}, {{line:FILE}}, …) parsed
// into pieces, rendered to JSON per call, or — the fast path — set straight
// into the string fields of a request parsed once. Both paths give the same
// bytes; load_template_test.cc and `aftercare-load --self_check` check it.
#ifndef AFTERCARE_TESTS_LOAD_LOAD_TEMPLATE_H_
#define AFTERCARE_TESTS_LOAD_LOAD_TEMPLATE_H_

#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "tests/load/load_options.h"

namespace aftercare::load {

namespace gp = ::google::protobuf;

struct Piece {
  enum Kind { kText, kSeq, kRand, kSerial, kLine, kNextLine, kRun, kPageToken } kind = kText;
  std::string text;  // literal text, or the serial prefix
  int64_t lo = 0, hi = 0;
  int width = 0;
  const std::vector<std::string>* lines = nullptr;
};

struct Shared {
  std::atomic<int64_t> seq{1};
  std::atomic<int64_t> next_line{0};
  std::string run_id;
  std::string page_token;
};

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

// The pieces of template `t`; exits (Die) naming a malformed placeholder.
std::vector<Piece> ParseTemplate(const std::string& t);

// The request's JSON for one call. With `escape_values`, the values of the
// placeholders are escaped as JSON strings (what the fast path amounts to).
std::string Render(const std::vector<Piece>& pieces, Shared& sh, std::mt19937_64& rng,
                   bool escape_values = false);

// The factory of the request and response messages (the generated pool).
gp::DynamicMessageFactory& Factory();

// `json` parsed as a request of `p` and serialized; false with `error` when
// it does not parse.
bool Serialize(const Prepared& p, const std::string& json, std::string* bytes, std::string* error);

// Sets up the fast path of `p` when each placeholder of its template is found
// exactly once in the value of a string field; otherwise leaves the JSON path.
void PrepareFastPath(Prepared& p);

// One call's request of `p`, serialized; false with `error` when its JSON
// does not parse.
bool Build(const Prepared& p, Shared& sh, std::mt19937_64& rng, std::string* bytes, std::string* error);

grpc::ByteBuffer ToBuffer(const std::string& bytes);
bool ParseBuffer(const grpc::ByteBuffer& buf, gp::Message* msg);

}  // namespace aftercare::load

#endif  // AFTERCARE_TESTS_LOAD_LOAD_TEMPLATE_H_
