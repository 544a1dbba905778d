#include "tests/e2e/e2e_env.h"

#include <grpcpp/generic/generic_stub.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <future>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "aftercare/notify/v1/notify_service.pb.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/status.h"
#include "grpc/health/v1/health.pb.h"
#include "tests/harness/test_service.h"

namespace aftercare::e2e {
namespace {

namespace pb = google::protobuf;

// Keeps the generated descriptors of every service linked in.
const pb::Descriptor* const kLinked[] = {
    aftercare::inventory::v1::GetUnitRequest::descriptor(),
    aftercare::cases::v1::GetCaseRequest::descriptor(),
    aftercare::rma::v1::GetRmaRequest::descriptor(),
    aftercare::licensing::v1::GetLicenseRequest::descriptor(),
    aftercare::notify::v1::ListDeliveriesRequest::descriptor(),
    grpc::health::v1::HealthCheckRequest::descriptor(),
};

const char* const kFullNames[][2] = {
    {"inventory", "aftercare.inventory.v1.InventoryService"},
    {"case", "aftercare.cases.v1.CaseService"},
    {"rma", "aftercare.rma.v1.RmaService"},
    {"licensing", "aftercare.licensing.v1.LicensingService"},
};

absl::Status RunShell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (rc != 0) return absl::InternalError(absl::StrCat("`", cmd, "` exited ", rc));
  return absl::OkStatus();
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

std::string CallResult::str() const {
  if (status.ok()) return absl::StrCat("OK ", body.dump());
  return absl::StrCat("code ", status.error_code(), ": ", status.error_message());
}

Env& Env::Get() {
  static Env* env = [] {
    (void)kLinked;
    auto* e = new Env();
    e->status_ = e->Start();
    std::atexit([] {
      Env& self = Env::Get();
      for (auto& [name, s] : self.services_) {
        if (s->process) s->process->Terminate(absl::Seconds(5));
      }
      self.services_.clear();
      self.mail_sink_.reset();
      self.mariadb_.reset();
      self.cluster_.reset();
      // Keep the service logs only when a test failed.
      if (::testing::UnitTest::GetInstance()->Passed() && !self.dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(self.dir_, ec);
      } else if (!self.dir_.empty()) {
        std::fprintf(stderr, "e2e: service logs kept in %s\n", self.dir_.c_str());
      }
    });
    return e;
  }();
  return *env;
}

std::string Env::Token(Role role, const std::string& subject, std::vector<std::string> accounts,
                       const std::string& partner, bool cpo, absl::Time issued_at,
                       absl::Duration ttl, const std::string& secret) {
  TokenClaims claims;
  claims.subject = subject;
  claims.role = role;
  claims.account_ids = std::move(accounts);
  claims.partner_id = partner;
  claims.cpo_channel = cpo;
  claims.issuer = "aftercare-dev";
  claims.audience = "aftercare";
  claims.ttl = ttl;
  auto token = MintHs256(claims, secret.empty() ? testing::kTestJwtSecret : secret, issued_at);
  return token.ok() ? *token : std::string("bad-token");
}

std::vector<std::string> Env::Flags(const std::string& name) {
  Service& s = *services_.at(name);
  const auto& server = server_;
  std::vector<std::string> f = {
      "--grpc_host=127.0.0.1",
      absl::StrCat("--grpc_port=", s.grpc_port),
      "--metrics_host=127.0.0.1",
      "--metrics_port=0",
      cluster_ ? "--mysql_host=" + cluster_->Hosts() : std::string("--mysql_host=127.0.0.1"),
      absl::StrCat("--mysql_port=", server.port),
      absl::StrCat("--mysql_user=", server.user),
      absl::StrCat("--mysql_database=", s.db->name()),
      absl::StrCat("--jwt_hs256_secret=", testing::kTestJwtSecret),
      "--enable_test_clock",
      absl::StrCat("--test_clock_offset_file=", clock_file_),
      "--shutdown_grace=2s",
      "--readiness_interval=200ms",
      "--db_pool_size=4",
      "--db_acquire_timeout=2s",
  };
  if (!server.password.empty()) f.push_back("--mysql_password=" + server.password);
  const std::string inv = services_.at("inventory")->address();
  if (name != "inventory") {
    // Notifications go to the test's mail sink; webhooks to loopback
    // receivers over http; retries and lapsed claims come within seconds.
    f.push_back(absl::StrCat("--smtp_url=smtp://127.0.0.1:", mail_port_));
    f.push_back("--smtp_tls=none");
    f.push_back("--smtp_timeout=3s");
    f.push_back("--webhook_timeout=3s");
    f.push_back("--webhook_allow_http=true");
    f.push_back("--notify_poll_interval=200ms");
    f.push_back("--notify_base_backoff=500ms");
    f.push_back("--notify_max_backoff=2s");
    f.push_back("--notify_claim_timeout=4s");
    f.push_back("--notify_max_attempts=4");
  }
  if (name == "case") {
    f.push_back("--inventory_target=" + inv);
  } else if (name == "rma") {
    f.push_back("--inventory_target=" + inv);
    f.push_back("--case_target=" + services_.at("case")->address());
    f.push_back("--return_sweep_interval=500ms");
  } else if (name == "licensing") {
    f.push_back("--rma_target=" + services_.at("rma")->address());
    f.push_back("--license_signing_key_files=" + key_file_);
  }
  return f;
}

absl::Status Env::Start() {
  const char* build = std::getenv("AFTERCARE_BUILD_DIR");
  if (build == nullptr) return absl::FailedPreconditionError("AFTERCARE_BUILD_DIR is not set");
  char tmpl[] = "/tmp/aftercare-e2e-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp");
  dir_ = tmpl;
  clock_file_ = dir_ + "/clock-offset";
  key_file_ = dir_ + "/license-key.pem";
  SetClockOffset("0h");
  if (auto s = RunShell(absl::StrCat("openssl genpkey -algorithm ed25519 -out ", key_file_,
                                     " 2>/dev/null"));
      !s.ok()) {
    return s;
  }
  const char* galera = std::getenv("AFTERCARE_E2E_GALERA");
  if (galera != nullptr && std::string(galera) == "1") {
    auto cluster = testing::GaleraCluster::Start();
    if (!cluster.ok()) return cluster.status();
    cluster_ = std::move(*cluster);
    server_ = cluster_->node(1);
  } else {
    auto db = testing::PrivateMariaDb::Start();
    if (!db.ok()) return db.status();
    mariadb_ = std::move(*db);
    server_ = mariadb_->address();
  }
  if (auto s = StartMailSink(); !s.ok()) return s;
  for (const auto& [name, full] : kFullNames) {
    auto s = std::make_unique<Service>();
    s->name = name;
    s->full_name = full;
    s->grpc_port = testing::PickFreePort();
    auto tdb = testing::TestDatabase::CreateOn(server_);
    if (!tdb.ok()) return tdb.status();
    s->db = std::move(*tdb);
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
    s->channel = grpc::CreateCustomChannel(s->address(), grpc::InsecureChannelCredentials(), args);
    services_[name] = std::move(s);
  }
  for (const auto& [name, full] : kFullNames) {
    Service& s = *services_.at(name);
    s.process = std::make_unique<testing::ServiceProcess>(
        absl::StrCat(build, "/", name, "-svc/", name, "-svc"), Flags(name),
        absl::StrCat(dir_, "/", name, "-svc.log"));
    if (auto st = s.process->Start(); !st.ok()) return st;
  }
  for (const auto& [name, full] : kFullNames) {
    if (auto st = WaitReady(name); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status Env::StartMailSink() {
  const char* source = std::getenv("AFTERCARE_SOURCE_DIR");
  if (source == nullptr) return absl::FailedPreconditionError("AFTERCARE_SOURCE_DIR is not set");
  mail_dir_ = dir_ + "/mail";
  const std::string port_file = dir_ + "/mail-port";
  mail_port_ = testing::PickFreePort();
  mail_sink_ = std::make_unique<testing::ServiceProcess>(
      "/usr/bin/python3",
      std::vector<std::string>{absl::StrCat(source, "/scripts/tooling/mail_sink.py"), "--dir",
                               mail_dir_, "--port", absl::StrCat(mail_port_), "--port-file",
                               port_file, "--delay-rcpt-suffix", kSlowMailSuffix,
                               "--delay-seconds", "2"},
      dir_ + "/mail-sink.log");
  if (auto s = mail_sink_->Start(); !s.ok()) return s;
  if (!Eventually([&] { return std::filesystem::exists(port_file); }, absl::Seconds(30))) {
    return absl::UnavailableError("the mail sink did not start: " + mail_sink_->LogTail());
  }
  return absl::OkStatus();
}

std::vector<Json> Env::Mails() {
  std::vector<Json> out;
  std::ifstream in(mail_dir_ + "/index.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

void Env::SetClockOffset(const std::string& offset) {
  std::string tmp = clock_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << offset << "\n";
  }
  std::rename(tmp.c_str(), clock_file_.c_str());
}

CallResult Env::CallRaw(const std::string& service, const std::string& full_method,
                        const std::string& token, const std::string& bytes,
                        absl::Duration deadline) {
  return CallRaw(*services_.at(service), full_method, token, bytes, deadline);
}

CallResult Env::CallRaw(Service& s, const std::string& full_method, const std::string& token,
                        const std::string& bytes, absl::Duration deadline) {
  CallResult result;
  absl::Time start = absl::Now();
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(start + deadline));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  grpc::GenericStub stub(s.channel);
  std::string name = full_method.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  const pb::MethodDescriptor* m = pb::DescriptorPool::generated_pool()->FindMethodByName(name);
  grpc::ByteBuffer request = ToBuffer(bytes);
  grpc::ByteBuffer response;
  if (m == nullptr || (!m->client_streaming() && !m->server_streaming())) {
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, full_method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status st) { done.set_value(std::move(st)); });
    result.status = done.get_future().get();
  } else {
    // Streaming: one message, half-close, read everything, finish.
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(&ctx, full_method, &cq);
    void* tag;
    bool ok;
    auto step = [&](int t) {
      (void)t;
      cq.Next(&tag, &ok);
      return ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    if (step(1)) {
      call->Write(request, reinterpret_cast<void*>(2));
      if (step(2)) {
        call->WritesDone(reinterpret_cast<void*>(3));
        step(3);
      }
      for (int i = 0; i < 10000; ++i) {
        grpc::ByteBuffer part;
        call->Read(&part, reinterpret_cast<void*>(4));
        if (!step(4)) break;
        response = part;
      }
    }
    call->Finish(&result.status, reinterpret_cast<void*>(5));
    step(5);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
  result.elapsed = absl::Now() - start;
  if (result.status.ok() && m != nullptr) {
    const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(m->output_type());
    std::unique_ptr<pb::Message> out(proto->New());
    if (out->ParseFromString(FromBuffer(response))) {
      std::string json;
      (void)pb::util::MessageToJsonString(*out, &json);
      result.body = Json::parse(json, nullptr, false);
    }
  }
  return result;
}

CallResult Env::Call(const std::string& service, const std::string& method,
                     const std::string& token, const Json& request, absl::Duration deadline) {
  return CallOn(*services_.at(service), method, token, request, deadline);
}

CallResult Env::CallOn(Service& s, const std::string& method, const std::string& token,
                       const Json& request, absl::Duration deadline) {
  // "Method" on the service's own gRPC service, or "pkg.Service/Method" on
  // another one the same process serves (NotificationService).
  std::string full_service = s.full_name;
  std::string short_method = method;
  if (const size_t slash = method.find('/'); slash != std::string::npos) {
    full_service = method.substr(0, slash);
    short_method = method.substr(slash + 1);
  }
  const pb::MethodDescriptor* m =
      pb::DescriptorPool::generated_pool()->FindMethodByName(full_service + "." + short_method);
  if (m == nullptr) {
    CallResult r;
    r.status = grpc::Status(grpc::StatusCode::INTERNAL, "test: unknown method " + method);
    return r;
  }
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  std::unique_ptr<pb::Message> in(proto->New());
  auto st = pb::util::JsonStringToMessage(request.dump(), in.get());
  if (!st.ok()) {
    CallResult r;
    r.status = grpc::Status(grpc::StatusCode::INTERNAL,
                            absl::StrCat("test: bad request JSON for ", method, ": ", st.ToString()));
    return r;
  }
  return CallRaw(s, absl::StrCat("/", full_service, "/", short_method), token,
                 in->SerializeAsString(), deadline);
}

std::string Env::Readiness(const std::string& service, absl::Duration deadline) {
  return Readiness(*services_.at(service), deadline);
}

std::string Env::Readiness(Service& s, absl::Duration deadline) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("readiness");
  CallResult r = CallRaw(s, "/grpc.health.v1.Health/Check", "", req.SerializeAsString(), deadline);
  if (!r.ok()) return absl::StrCat("error ", r.status.error_code());
  return r.body.value("status", std::string("UNKNOWN"));
}

absl::Status Env::WaitReady(const std::string& service, absl::Duration timeout) {
  Service& s = *services_.at(service);
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (!s.process->Alive()) {
      return absl::InternalError(absl::StrCat(service, "-svc exited; log:\n", s.process->LogTail()));
    }
    if (Readiness(service, absl::Milliseconds(500)) == "SERVING") return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(service, "-svc not ready; log:\n", s.process->LogTail()));
}

void Env::KillService(const std::string& service) { services_.at(service)->process->Kill(); }

absl::StatusOr<std::unique_ptr<Service>> Env::StartInstance(
    const std::string& base, const std::vector<std::string>& extra_flags) {
  const char* build = std::getenv("AFTERCARE_BUILD_DIR");
  if (build == nullptr) return absl::FailedPreconditionError("AFTERCARE_BUILD_DIR is not set");
  auto s = std::make_unique<Service>();
  s->name = base;
  s->full_name = services_.at(base)->full_name;
  s->grpc_port = testing::PickFreePort();
  ASSIGN_OR_RETURN(s->db, testing::TestDatabase::CreateOn(server_));
  std::vector<std::string> flags;
  for (std::string f : Flags(base)) {
    if (absl::StartsWith(f, "--grpc_port=")) f = absl::StrCat("--grpc_port=", s->grpc_port);
    if (absl::StartsWith(f, "--mysql_database=")) f = "--mysql_database=" + s->db->name();
    flags.push_back(std::move(f));
  }
  flags.insert(flags.end(), extra_flags.begin(), extra_flags.end());
  s->channel = grpc::CreateChannel(s->address(), grpc::InsecureChannelCredentials());
  static int instances = 0;
  s->process = std::make_unique<testing::ServiceProcess>(
      absl::StrCat(build, "/", base, "-svc/", base, "-svc"), std::move(flags),
      absl::StrCat(dir_, "/", base, "-svc.instance", ++instances, ".log"));
  RETURN_IF_ERROR(s->process->Start());
  return s;
}

absl::Status Env::StartService(const std::string& service) {
  if (auto s = services_.at(service)->process->Start(); !s.ok()) return s;
  return WaitReady(service);
}

absl::Status Env::RestartMariaDb() {
  if (mariadb_ == nullptr) return absl::FailedPreconditionError("not on a single MariaDB");
  return mariadb_->Restart();
}

absl::Status Env::KillNode(int n) {
  if (cluster_ == nullptr) return absl::FailedPreconditionError("not on a Galera cluster");
  RETURN_IF_ERROR(cluster_->Kill(n));
  if (server_.port == cluster_->node(n).port) {
    server_ = cluster_->node(n % 3 + 1);
    for (auto& [name, s] : services_) s->db->MoveTo(server_);
  }
  return absl::OkStatus();
}

absl::Status Env::RestartNode(int n) {
  if (cluster_ == nullptr) return absl::FailedPreconditionError("not on a Galera cluster");
  return cluster_->Restart(n);
}

int64_t Env::Count(const std::string& service, const std::string& table, const std::string& where) {
  std::string sql = absl::StrCat("SELECT COUNT(*) FROM ", table);
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", where);
  auto v = services_.at(service)->db->QueryValue(sql);
  if (!v.ok()) return -1;
  return std::stoll(*v);
}

std::map<std::string, int64_t> Env::Snapshot() {
  // Background work of earlier tests writes rows of its own: rma-svc's
  // outbox publishes notification deliveries, and a technical-case note
  // delivery adds a note in case-svc. Wait (bounded) until none is owed, so
  // that "nothing was written" compares the calls under test only.
  Eventually(
      [&] {
        auto owed = services_.at("rma")->db->QueryValue(
            "SELECT (SELECT COUNT(*) FROM outbox_events WHERE delivered_at_us IS NULL"
            " AND event_type = 'rma.Notification') + (SELECT COUNT(*) FROM notification_deliveries"
            " WHERE state = 'pending' AND channel = 'case_note')");
        return owed.ok() && *owed == "0";
      },
      absl::Seconds(10));
  std::map<std::string, int64_t> out;
  for (auto& [name, s] : services_) {
    auto tables = s->db->QueryValue(
        "SELECT GROUP_CONCAT(table_name) FROM information_schema.tables "
        "WHERE table_schema = DATABASE()");
    if (!tables.ok()) continue;
    // One round trip per service: CONCAT_WS of one COUNT(*) per table.
    std::vector<std::string> names = absl::StrSplit(*tables, ',');
    std::vector<std::string> counts;
    for (const auto& t : names) counts.push_back(absl::StrCat("(SELECT COUNT(*) FROM `", t, "`)"));
    auto values = s->db->QueryValue(absl::StrCat("SELECT CONCAT_WS(',', ", absl::StrJoin(counts, ", "), ")"));
    std::vector<std::string> parts;
    if (values.ok()) parts = absl::StrSplit(*values, ',');
    for (size_t i = 0; i < names.size(); ++i) {
      out[absl::StrCat(name, ".", names[i])] =
          parts.size() == names.size() ? std::stoll(parts[i]) : Count(name, names[i]);
    }
  }
  return out;
}

std::string Env::Logs() {
  std::string out;
  for (auto& [name, s] : services_) {
    absl::StrAppend(&out, "==== ", name, "-svc log (tail) ====\n", s->process->LogTail(4000), "\n");
  }
  return out;
}

bool Env::AllAlive() {
  for (auto& [name, s] : services_) {
    if (!s->process->Alive()) return false;
  }
  return true;
}

bool Eventually(const std::function<bool()>& pred, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (pred()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
}

std::string Unique(const std::string& prefix) {
  static std::atomic<int> n{0};
  return absl::StrCat(prefix, getpid() % 10000, "X", ++n);
}

std::string Tokens::Customer(const std::string& account) const {
  return Env::Token(Role::kCustomer, "cust-" + account, {account});
}

const Tokens& Tokens::Get() {
  static Tokens* t = [] {
    auto* x = new Tokens();
    x->admin = Env::Token(Role::kAdmin, "e2e-admin");
    x->care = Env::Token(Role::kCareAgent, "e2e-care");
    x->tse = Env::Token(Role::kTse, "e2e-tse");
    x->logistics = Env::Token(Role::kLogistics, "e2e-lab");
    x->partner = Env::Token(Role::kPartner, "e2e-partner", {}, "CPO-RESELLER-1", true);
    x->service = Env::Token(Role::kService, "svc:e2e");
    return x;
  }();
  return *t;
}

}  // namespace aftercare::e2e
