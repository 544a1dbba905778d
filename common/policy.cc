#include "common/policy.h"

#include <google/protobuf/descriptor.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"

namespace aftercare {
namespace {

constexpr Role kAllRoles[] = {Role::kCustomer, Role::kPartner,   Role::kCareAgent, Role::kTse,
                              Role::kLogistics, Role::kAdmin, Role::kService};

}  // namespace

std::string_view ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kNone: return "none";
    case ScopeKind::kAccount: return "account";
    case ScopeKind::kPartner: return "partner";
  }
  return "none";
}

RoleSet::RoleSet(std::initializer_list<Role> roles) {
  for (Role r : roles) bits_ |= 1u << static_cast<int>(r);
}

RoleSet RoleSet::All() {
  RoleSet s;
  for (Role r : kAllRoles) s.bits_ |= 1u << static_cast<int>(r);
  return s;
}

RoleSet AnyRole() { return RoleSet::All(); }

std::string RoleSet::Names() const {
  std::vector<std::string_view> names;
  for (Role r : kAllRoles) {
    if (Contains(r)) names.push_back(RoleName(r));
  }
  if (names.empty()) return "none";
  return absl::StrJoin(names, ", ", [](std::string* out, std::string_view n) {
    out->append(n.data(), n.size());
  });
}

ServicePolicy::ServicePolicy(std::string service_full_name, std::vector<MethodPolicy> methods)
    : service_(std::move(service_full_name)), methods_(std::move(methods)) {
  for (size_t i = 0; i < methods_.size(); ++i) {
    if (!index_.emplace(methods_[i].method, i).second) duplicates_.push_back(methods_[i].method);
  }
}

const MethodPolicy* ServicePolicy::Find(std::string_view method) const {
  auto it = index_.find(absl::string_view(method.data(), method.size()));
  return it == index_.end() ? nullptr : &methods_[it->second];
}

bool ServicePolicy::Allows(std::string_view method, Role role) const {
  const MethodPolicy* p = Find(method);
  return p != nullptr && p->roles.Contains(role);
}

absl::Status ServicePolicy::CheckComplete() const {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_);
  if (service == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("authorization policy names service ", service_, ", which is not linked in"));
  }
  if (!duplicates_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "authorization policy of ", service_, " declares ", duplicates_.front(), " twice"));
  }
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string& name = service->method(i)->name();
    const MethodPolicy* p = Find(name);
    if (p == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("RPC ", service_, "/", name, " has no authorization policy"));
    }
    if (p->roles.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("authorization policy of ", service_, "/", name, " allows no role"));
    }
  }
  for (const MethodPolicy& p : methods_) {
    if (service->FindMethodByName(p.method) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("authorization policy names ", service_,
                                                        "/", p.method, ", which does not exist"));
    }
  }
  return absl::OkStatus();
}

std::string ServicePolicy::Markdown() const {
  std::string out = "| RPC | roles | scope | what a caller reaches |\n|---|---|---|---|\n";
  for (const MethodPolicy& p : methods_) {
    absl::StrAppend(&out, "| `", p.method, "` | ", p.roles.Names(), " | ", std::string(ScopeKindName(p.scope)),
                    " | ", p.rule, " |\n");
  }
  return out;
}

PolicyIndex::PolicyIndex(const std::vector<const ServicePolicy*>& policies) {
  for (const ServicePolicy* service : policies) {
    for (const MethodPolicy& m : service->methods()) {
      by_method_.emplace(absl::StrCat("/", service->service(), "/", m.method), &m);
    }
  }
}

const MethodPolicy* PolicyIndex::Find(std::string_view full_method) const {
  auto it = by_method_.find(absl::string_view(full_method.data(), full_method.size()));
  return it == by_method_.end() ? nullptr : it->second;
}

absl::Status PolicyIndex::Authorize(std::string_view full_method, const Principal& caller) const {
  const MethodPolicy* policy = Find(full_method);
  if (policy == nullptr) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "no authorization policy for ", std::string(full_method),
                          "; nothing is allowed by default")),
                      kReasonNoPolicy);
  }
  if (policy->roles.Contains(caller.role)) return absl::OkStatus();
  const std::string_view role = RoleName(caller.role);
  return WithReason(absl::PermissionDeniedError(absl::StrCat("role '", std::string(role),
                                                             "' may not call ", policy->method,
                                                             "; allowed: ", policy->roles.Names())),
                    kReasonRoleNotAllowed, {{"role", std::string(role)}});
}

absl::Status OutOfScope(std::string_view resource) {
  return absl::NotFoundError(absl::StrCat(std::string(resource), " not found"));
}

bool IsAuthorizationFailure(const absl::Status& status) {
  return status.code() == absl::StatusCode::kPermissionDenied ||
         status.code() == absl::StatusCode::kUnauthenticated;
}

absl::Status CheckAccountScope(const Principal& caller, std::string_view account_id,
                               std::string_view resource) {
  if (caller.CanAccessAccount(account_id)) return absl::OkStatus();
  return OutOfScope(resource);
}

std::string ScopeFingerprint(const Principal& caller) {
  std::vector<std::string> accounts = caller.account_ids;
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  // Length-prefixed fields: no two different principals serialize alike.
  std::string text;
  auto add = [&text](std::string_view field) {
    absl::StrAppend(&text, field.size(), ":", std::string(field), ";");
  };
  add(caller.subject);
  add(RoleName(caller.role));
  add(caller.partner_id);
  add(caller.cpo_channel ? "cpo" : "");
  for (const std::string& a : accounts) add(a);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), text.data(), text.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), std::min<unsigned int>(length, 16)));
}

}  // namespace aftercare
