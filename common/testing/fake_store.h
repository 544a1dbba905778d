// A RepositoryStore (common/repository_store.h) over an in-memory fake
// repository, for the use-case tests of a service: writes are all-or-nothing
// (the repository is copied before the body runs and put back when it
// fails) and idempotent by request_id as in MysqlStore (a retry gets the
// stored response; the same key with another request is INVALID_ARGUMENT).
//
//   FakeCaseRepository repo;
//   FakeStore<CaseStore, FakeCaseRepository> store(&repo);
//   class TestCaseStore : public FakeStore<CaseStore, FakeCaseRepository> {
//     ...NextCaseSequence...   // the service's own store methods
//   };
#ifndef AFTERCARE_COMMON_TESTING_FAKE_STORE_H_
#define AFTERCARE_COMMON_TESTING_FAKE_STORE_H_

#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "common/repository_store.h"

namespace aftercare::testing {

template <typename Base, typename Repo>
class FakeStore : public Base {
 public:
  using WriteBody = typename Base::WriteBody;
  using ReadBody = typename Base::ReadBody;

  explicit FakeStore(Repo* repo) : repo_(repo) {}

  absl::StatusOr<std::string> Write(const IdempotencyKey& key,
                                    const google::protobuf::Message& request,
                                    absl::string_view /*context*/, const WriteBody& body) override {
    ++writes_;
    const std::string hash = idempotency_internal::HashRequest(request);
    const auto k = std::make_tuple(key.caller, key.method, key.request_id);
    if (!key.request_id.empty()) {
      auto it = stored_.find(k);
      if (it != stored_.end()) {
        if (it->second.first != hash) {
          return absl::InvalidArgumentError("request_id was used for another request");
        }
        return it->second.second;
      }
    }
    Repo before = *repo_;
    absl::StatusOr<std::string> result = body(*repo_);
    if (!result.ok()) {
      *repo_ = std::move(before);
      return result.status();
    }
    if (!key.request_id.empty()) stored_[k] = {hash, *result};
    return result;
  }

  absl::Status Read(absl::string_view /*context*/, const ReadBody& body) override {
    return body(*repo_);
  }

  // How many writes were asked for (a refused request must ask for none).
  int writes() const { return writes_; }

 private:
  Repo* repo_;
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::string, std::string>>
      stored_;
  int writes_ = 0;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_FAKE_STORE_H_
