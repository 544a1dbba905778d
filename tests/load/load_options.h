// The options of aftercare-load (--help lists them): the target, the calls
// with their templates and weights, how long and how hard to run, and where
// the report goes.
#ifndef AFTERCARE_TESTS_LOAD_LOAD_OPTIONS_H_
#define AFTERCARE_TESTS_LOAD_LOAD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace aftercare::load {

struct Entry {
  std::string method;  // "/pkg.Service/Method"
  std::string data = "{}";
  int weight = 1;
  const ::google::protobuf::MethodDescriptor* desc = nullptr;
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

// Prints "aftercare-load: <msg>" and exits with status 2.
[[noreturn]] void Die(const std::string& msg);

// The contents of the file at `path`; exits (Die) when it cannot be read.
std::string ReadFile(const std::string& path);

// `s` without its trailing newlines, carriage returns and spaces.
std::string Trim(std::string s);

// The options of the command line; exits (Die) on a bad one, and after --help.
Options ParseOptions(int argc, char** argv);

}  // namespace aftercare::load

#endif  // AFTERCARE_TESTS_LOAD_LOAD_OPTIONS_H_
