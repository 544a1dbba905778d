// Hostile input to every RPC of every service, enumerated from the generated
// service descriptors: empty messages, oversize strings, unknown enum
// numbers, SQL metacharacters, non-UTF-8 bytes (raw bytes through
// grpc::GenericStub, so the client's own checks do not stop them), no token,
// an expired token, a token signed with another key, a customer token for
// another account. Every answer must be an error code for a call that would
// write (never OK), never INTERNAL or UNKNOWN; no service may crash, and no
// row may be written. Every error carries its google.rpc details
// (common/errors.h): an ErrorInfo of the service's domain, and on
// INVALID_ARGUMENT a BadRequest whose fields the message names (except for
// bytes that are no request message, MALFORMED_REQUEST, and an upload stream
// that carried no message).
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {
namespace {

namespace pb = google::protobuf;

// Non-UTF-8 strings are written as this placeholder (same length) and then
// replaced in the serialized bytes, so that protobuf's serializer never sees them.
const std::string kUtf8Placeholder("JN1\x01\x02\x03\x04\x05", 8);
const std::string kNonUtf8Bytes("JN1\xff\xfe\xc3\x28\x80", 8);

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

enum class Fill { kOversize, kUnknownEnums, kSql, kNonUtf8, kPlausible };

std::string StringFor(Fill fill) {
  switch (fill) {
    case Fill::kOversize: return std::string(64 * 1024, 'A');
    case Fill::kSql: return "x' OR '1'='1'; DROP TABLE units; -- \\ %_ \" `";
    case Fill::kNonUtf8: return kUtf8Placeholder;
    default: return "JN1HOSTILE01";
  }
}

void FillMessage(pb::Message& m, Fill fill, int depth) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (f->is_repeated()) {
          r->AddString(&m, f, StringFor(fill));
        } else {
          r->SetString(&m, f, StringFor(fill));
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        if (fill == Fill::kUnknownEnums && !f->is_repeated()) r->SetEnumValue(&m, f, 9999);
        if (fill == Fill::kUnknownEnums && f->is_repeated()) r->AddEnumValue(&m, f, -7);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        if (!f->is_repeated()) r->SetInt32(&m, f, fill == Fill::kOversize ? INT32_MAX : -1);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        if (!f->is_repeated()) r->SetInt64(&m, f, fill == Fill::kOversize ? INT64_MAX : -1);
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 2 && f->message_type()->full_name().rfind("google.protobuf.", 0) != 0) {
          pb::Message* sub = f->is_repeated() ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
          FillMessage(*sub, fill, depth + 1);
        }
        break;
      default:
        break;
    }
  }
}

bool HasEnum(const pb::Descriptor* d, int depth) {
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) return true;
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && depth < 2 &&
        HasEnum(f->message_type(), depth + 1)) {
      return true;
    }
  }
  return false;
}

bool Mutating(const pb::MethodDescriptor* m) {
  return m->input_type()->FindFieldByName("request_id") != nullptr;
}

class HostileInputTest : public E2eTest {};

TEST_F(HostileInputTest, EveryRpcOfEveryServiceRefusesHostileInputAndWritesNothing) {
  // A resource of one account that another account's customer must not reach.
  const std::string sku = Unique("SKU-HI-");
  const std::string serial = Unique("JN1HI");
  const std::string owner = Unique("OWNER-");
  CreateProduct(sku);
  LoadGenuine({serial}, sku);
  ReceiveAndCertify(serial, sku);
  ReserveAndSell(serial, owner);
  auto rma = E2E_OK(CreateRma("hi-" + serial, serial, owner));
  const std::string v = rma.body.value("validationNumber", "");
  auto c = E2E_OK(env().Call("case", "CreateCase", tok().Customer(owner),
                             {{"requestId", "hic-" + serial},
                              {"case", {{"requestType", "REQUEST_TYPE_OTHER"},
                                        {"priority", "PRIORITY_P3"},
                                        {"followUpMethod", "FOLLOW_UP_METHOD_EMAIL"},
                                        {"summary", "mine"}, {"accountId", owner}}}}));
  const std::string case_id = c.body.value("caseId", "");
  auto ent = E2E_OK(env().Call(
      "licensing", "CreateEntitlement", tok().admin,
      {{"requestId", "hie-" + serial}, {"accountId", owner}, {"orderReference", "SO-HI"},
       {"product", {{"sku", "S-EX-A-C2-P"}, {"feature", "advanced-routing"}, {"capacity", "48"},
                    {"termType", "TERM_TYPE_SUBSCRIPTION"}, {"termMonths", 12},
                    {"licensingSystem", "LICENSING_SYSTEM_JUNOS"}, {"unlockKeyRequired", true}}}}));
  const std::string code = ent.body.value("activationCode", "");
  ASSERT_FALSE(HasFailure());

  // Let the outboxes settle (asynchronous effects of the setup) before counting.
  auto settled = [&] {
    for (const char* name : {"inventory", "case", "rma", "licensing"}) {
      if (env().Count(name, "outbox_events", "delivered_at_us IS NULL") != 0) return false;
    }
    return true;
  };
  EXPECT_TRUE(Eventually(settled, absl::Seconds(20)));
  const auto before = env().Snapshot();
  const std::string intruder = tok().Customer(Unique("INTRUDER-"));
  const std::string expired = Env::Token(Role::kAdmin, "old-admin", {}, "", false,
                                         absl::Now() - absl::Hours(3), absl::Hours(1));
  const std::string forged = Env::Token(Role::kAdmin, "forger", {}, "", false, absl::Now(),
                                        absl::Hours(1), "another-secret-of-at-least-32-bytes!!");
  std::vector<std::string> problems;
  std::set<std::string> without_bad_request;  // INVALID_ARGUMENT messages with no BadRequest
  int calls = 0;
  int bad_requests = 0;
  auto check = [&](const std::string& what, const pb::MethodDescriptor* m, const CallResult& r,
                   bool expect_unauthenticated) {
    ++calls;
    const auto code = r.status.error_code();
    std::string where = absl::StrCat(m->full_name(), " [", what, "]: ", r.str().substr(0, 200));
    if (code != grpc::StatusCode::OK) {
      // "aftercare.inventory.v1.InventoryService" -> "aftercare.inventory"
      const std::string& svc = m->service()->full_name();
      const std::string domain = svc.substr(0, svc.find('.', svc.find('.') + 1));
      std::optional<google::rpc::ErrorInfo> info = FindDetail<google::rpc::ErrorInfo>(r.status);
      if (!info.has_value() || info->reason().empty() ||
          info->domain().rfind(domain, 0) != 0) {
        problems.push_back("no ErrorInfo of " + domain + " " + where);
      }
    }
    if (code == grpc::StatusCode::INVALID_ARGUMENT) {
      std::optional<google::rpc::BadRequest> bad = FindDetail<google::rpc::BadRequest>(r.status);
      std::optional<google::rpc::ErrorInfo> info = FindDetail<google::rpc::ErrorInfo>(r.status);
      if (!bad.has_value() && info.has_value() && info->reason() == kReasonMalformedRequest) {
        // Bytes that are not the request message: no field to name.
      } else if (!bad.has_value()) {
        without_bad_request.insert(absl::StrCat(m->full_name(), ": ", r.status.error_message()));
      } else {
        ++bad_requests;
        for (const auto& v : bad->field_violations()) {
          if (v.field().empty() || r.status.error_message().find(v.field()) == std::string::npos) {
            problems.push_back("BadRequest field '" + v.field() + "' not in the message " + where);
          }
        }
      }
    }
    if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN) {
      problems.push_back("INTERNAL/UNKNOWN " + where);
    } else if (expect_unauthenticated && code != grpc::StatusCode::UNAUTHENTICATED) {
      problems.push_back("not UNAUTHENTICATED " + where);
    } else if (Mutating(m) && code == grpc::StatusCode::OK) {
      problems.push_back("OK for a write " + where);
    }
  };

  for (const char* name : {"inventory", "case", "rma", "licensing"}) {
    Service& svc = env().svc(name);
    const pb::ServiceDescriptor* sd =
        pb::DescriptorPool::generated_pool()->FindServiceByName(svc.full_name);
    ASSERT_NE(sd, nullptr) << svc.full_name;
    for (int i = 0; i < sd->method_count(); ++i) {
      const pb::MethodDescriptor* m = sd->method(i);
      const std::string path = absl::StrCat("/", sd->full_name(), "/", m->name());
      const pb::Message* proto =
          pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
      auto send = [&](const std::string& what, const std::string& token, const std::string& bytes,
                      bool unauth) {
        check(what, m, env().CallRaw(name, path, token, bytes, absl::Seconds(10)), unauth);
      };
      // Bad tokens, on a plausible request.
      std::unique_ptr<pb::Message> plausible(proto->New());
      FillMessage(*plausible, Fill::kPlausible, 0);
      const std::string plausible_bytes = plausible->SerializeAsString();
      send("no token", "", plausible_bytes, true);
      send("expired token", expired, plausible_bytes, true);
      send("forged token", forged, plausible_bytes, true);
      send("garbage token", "not.a.jwt", plausible_bytes, true);
      // Hostile bodies with a valid admin token and with another account's customer token.
      send("empty", tok().admin, "", false);
      send("empty, intruder", intruder, "", false);
      for (Fill fill : {Fill::kOversize, Fill::kUnknownEnums, Fill::kSql, Fill::kNonUtf8}) {
        // Without an enum anywhere, "unknown enums" would be a plausible request.
        if (fill == Fill::kUnknownEnums && !HasEnum(m->input_type(), 0)) continue;
        std::unique_ptr<pb::Message> msg(proto->New());
        FillMessage(*msg, fill, 0);
        std::string bytes;
        msg->SerializePartialToString(&bytes);
        if (fill == Fill::kNonUtf8) bytes = ReplaceAll(bytes, kUtf8Placeholder, kNonUtf8Bytes);
        const std::string what = absl::StrCat("fill ", static_cast<int>(fill));
        send(what, tok().admin, bytes, false);
        send(what + ", intruder", intruder, bytes, false);
      }
      // Not a protobuf at all.
      send("garbage bytes", tok().admin, std::string("\xff\xff\xff\xff\x0f garbage", 14), false);
    }
  }

  // Another account's customer reaches none of the owner's resources.
  struct Probe { const char* svc; const char* method; Json body; };
  const std::vector<Probe> probes = {
      {"inventory", "GetEntitlement", {{"serialNumber", serial}}},
      {"inventory", "GetUnit", {{"serialNumber", serial}}},
      {"inventory", "ListInstalledBase", {{"accountId", owner}}},
      {"inventory", "RegisterProduct", {{"requestId", "steal-1"}, {"serialNumber", serial},
                                        {"site", {{"regionCode", "US"}}}}},
      {"case", "GetCase", {{"caseId", case_id}}},
      {"case", "AddCaseNote", {{"requestId", "steal-2"}, {"caseId", case_id}, {"body", "hi"}}},
      {"case", "CloseCase", {{"requestId", "steal-3"}, {"caseId", case_id}}},
      {"rma", "GetRma", {{"name", v}}},
      {"rma", "CancelRma", {{"requestId", "steal-4"}, {"name", v}}},
      {"licensing", "ActivateLicense", {{"requestId", "steal-5"}, {"activationCode", code},
                                        {"deviceSerial", serial}}},
      {"licensing", "TransferLicenses", {{"requestId", "steal-6"}, {"rmaNumber", v}}},
  };
  for (const auto& p : probes) {
    auto r = env().Call(p.svc, p.method, intruder, p.body);
    const auto code = r.status.error_code();
    ++calls;
    if (code != grpc::StatusCode::NOT_FOUND && code != grpc::StatusCode::PERMISSION_DENIED) {
      problems.push_back(absl::StrCat("cross-account ", p.svc, ".", p.method, ": ", r.str()));
    }
    // Nothing in the details tells "someone else's" from "does not exist".
    std::optional<google::rpc::ErrorInfo> info = FindDetail<google::rpc::ErrorInfo>(r.status);
    google::rpc::Status details;
    details.ParseFromString(r.status.error_details());
    if (code == grpc::StatusCode::NOT_FOUND &&
        (!info.has_value() || info->reason() != "NOT_FOUND" || !info->metadata().empty() ||
         details.details_size() != 1)) {
      problems.push_back(absl::StrCat("cross-account details ", p.svc, ".", p.method, ": ",
                                      details.ShortDebugString()));
    }
  }

  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << calls << " calls:\n"
                                << absl::StrJoin(problems, "\n");
  // Every INVALID_ARGUMENT names its fields, except the upload stream that
  // carried no message at all (docs/ERRORS.md, "Not yet structured").
  EXPECT_GT(bad_requests, 0);
  for (const std::string& e : without_bad_request) {
    EXPECT_NE(e.find("the stream carried no message"), std::string::npos)
        << "INVALID_ARGUMENT without a BadRequest: " << e;
  }
  // Nobody crashed; everyone still serves.
  for (const char* name : {"inventory", "case", "rma", "licensing"}) {
    EXPECT_TRUE(env().svc(name).process->Alive()) << name << " died";
    EXPECT_EQ(env().Readiness(name), "SERVING") << name;
  }
  // Nothing was written.
  EXPECT_TRUE(Eventually(settled, absl::Seconds(20)));
  const auto after = env().Snapshot();
  for (const auto& [table, count] : before) {
    EXPECT_EQ(after.at(table), count) << table;
  }
  std::cerr << calls << " hostile calls\n";
}

}  // namespace
}  // namespace aftercare::e2e

namespace aftercare::e2e {
namespace {

class StructuredErrorsTest : public E2eTest {};

// A bad request to a real service answers INVALID_ARGUMENT with, in the
// grpc-status-details-bin trailer, a BadRequest naming the field and an
// ErrorInfo of the service's domain.
TEST_F(StructuredErrorsTest, ABadRequestNamesTheFieldInTheStatusDetails) {
  auto r = env().Call("case", "CreateCase", tok().Customer(Unique("ACCT-")),
                      {{"requestId", Unique("se-")},
                       {"case", {{"requestType", "REQUEST_TYPE_OTHER"},
                                 {"followUpMethod", "FOLLOW_UP_METHOD_EMAIL"},
                                 {"summary", "no priority"}}}});
  ASSERT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << r.str();
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(r.status.error_details())) << r.str();
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), r.status.error_message());
  std::optional<google::rpc::BadRequest> bad = FindDetail<google::rpc::BadRequest>(r.status);
  ASSERT_TRUE(bad.has_value()) << details.ShortDebugString();
  ASSERT_EQ(bad->field_violations_size(), 1) << details.ShortDebugString();
  EXPECT_EQ(bad->field_violations(0).field(), "case.priority");
  std::optional<google::rpc::ErrorInfo> info = FindDetail<google::rpc::ErrorInfo>(r.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), kReasonInvalidField);
  EXPECT_EQ(info->domain(), "aftercare.cases");

  // No token: UNAUTHENTICATED, reason MISSING_TOKEN, no retry advice.
  auto anon = env().Call("inventory", "GetUnit", "", {{"serialNumber", "JN1NOTOKEN"}});
  ASSERT_EQ(anon.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << anon.str();
  info = FindDetail<google::rpc::ErrorInfo>(anon.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), kReasonMissingToken);
  EXPECT_EQ(info->domain(), "aftercare.inventory");
  EXPECT_FALSE(FindDetail<google::rpc::RetryInfo>(anon.status).has_value());
}

}  // namespace
}  // namespace aftercare::e2e
