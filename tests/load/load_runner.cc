// The run of aftercare-load: calls through grpc::GenericStub's callback API,
// `--concurrency` in flight over `--connections` channels (or paced at
// `--rate`), latency and status per call, RSS of the --pid processes; the
// report is load_report.h's.
#include "tests/load/load_runner.h"

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

#include "google/protobuf/util/json_util.h"
#include "tests/load/load_report.h"
#include "tests/load/load_template.h"

namespace aftercare::load {
namespace {

using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) this process has used so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}


using Stats = CallStats;

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

void Runner::Report() {
  RunReport r;
  r.label = o_.label;
  r.target = o_.target;
  r.concurrency = o_.concurrency;
  r.connections = o_.connections;
  r.rate_limit = o_.rate;
  r.seconds =
      std::chrono::duration<double>(finish_ - (o_.requests > 0 ? start_ : measure_from_)).count();
  r.client_cpu_seconds = cpu_used_;
  if (o_.walk_pages > 0) r.walked_pages = walked_pages_;
  for (size_t e = 0; e < prepared_.size(); ++e) {
    CallStats merged;
    for (const Slot& s : slots_) merged.Merge(s.stats[e]);
    r.methods.emplace_back(prepared_[e].entry->method.substr(1), std::move(merged));
  }
  r.rss_max_kib = rss_max_kib_;
  if (!o_.quiet) std::cout << ReportText(r);
  if (o_.json_out == "-") {
    std::cout << ReportJson(r);
  } else if (!o_.json_out.empty()) {
    std::ofstream f(o_.json_out);
    f << ReportJson(r);
  }
}

}  // namespace

int RunLoad(Options o) {
  const int self_check = o.self_check;
  Runner runner(std::move(o));
  if (self_check > 0) return runner.SelfCheck(self_check);
  if (!runner.Walk()) return 1;
  runner.Run();
  runner.Report();
  return 0;
}

}  // namespace aftercare::load
