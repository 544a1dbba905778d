// Authorization by construction: every RPC of a service has exactly one
// declared policy — the roles that may call it and the kind of scope that
// limits what a scoped caller reaches — in one table per service
// (<svc>/<svc>_policy.cc). The server interceptor applies the role part
// before any handler runs (a method without a policy is denied to
// everyone), ServiceRuntime refuses to start when the table and the
// service's descriptor disagree, and docs/<svc>.md carries the table
// generated from the same source (`aftercare-policy --markdown`).
//
// The scope part is enforced where aggregates are loaded: a scoped caller
// (customer, partner) reaches units, cases, RMAs, licenses, contracts and
// reservations only through the services' load-for-caller functions, which
// answer OutOfScope() — NOT_FOUND, exactly as for a resource that does not
// exist.
//
//   const ServicePolicy& InventoryPolicy() {
//     static const ServicePolicy policy("aftercare.inventory.v1.InventoryService", {
//         {"GetProduct", kAnyRole, ScopeKind::kNone, "the catalog is public"},
//         {"CertifyUnit", {Role::kLogistics}, ScopeKind::kNone, "depot work"},
//     });
//     return policy;
//   }
#ifndef AFTERCARE_COMMON_POLICY_H_
#define AFTERCARE_COMMON_POLICY_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/auth.h"

namespace aftercare {

// What limits a scoped caller (customer, partner) once its role is allowed.
enum class ScopeKind {
  // Nothing account-owned is reached (catalog, offers, depot stock), or only
  // unscoped roles are allowed.
  kNone,
  // The aggregate belongs to an account: scoped callers reach only the
  // accounts listed in their token; others are NOT_FOUND.
  kAccount,
  // The aggregate belongs to a partner (a CPO reservation): a partner reaches
  // only its own partner_id; others are NOT_FOUND.
  kPartner,
};

// "none", "account", "partner".
std::string_view ScopeKindName(ScopeKind kind);

// A set of roles, as a bit mask of Role values.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles);
  bool Contains(Role role) const { return (bits_ >> static_cast<int>(role)) & 1u; }
  bool empty() const { return bits_ == 0; }
  // "customer, partner, admin" in the order of the Role enum.
  std::string Names() const;
  static RoleSet All();

 private:
  uint32_t bits_ = 0;
};

// The seven roles.
RoleSet AnyRole();

struct MethodPolicy {
  std::string method;  // short name: "GetUnit"
  RoleSet roles;
  ScopeKind scope = ScopeKind::kNone;
  // One line for the docs: what a caller reaches ("customer/partner: units
  // of their accounts").
  std::string rule;
};

class ServicePolicy {
 public:
  ServicePolicy(std::string service_full_name, std::vector<MethodPolicy> methods);

  const std::string& service() const { return service_; }
  const std::vector<MethodPolicy>& methods() const { return methods_; }
  // The policy of `method` (short name); nullptr when none is declared.
  const MethodPolicy* Find(std::string_view method) const;
  // Whether `role` may call `method` (false when it has no policy).
  bool Allows(std::string_view method, Role role) const;

  // OK when the table and the generated descriptor of the service agree:
  // every RPC has exactly one entry, no entry names an RPC that does not
  // exist, and no entry allows nobody. FAILED_PRECONDITION naming the RPC
  // otherwise.
  absl::Status CheckComplete() const;

  // The markdown table of docs/<svc>.md ("| RPC | roles | scope | rule |").
  std::string Markdown() const;

 private:
  std::string service_;
  std::vector<MethodPolicy> methods_;
  absl::flat_hash_map<std::string, size_t> index_;
  std::vector<std::string> duplicates_;
};

// The policies of every service a server exposes, by full method name
// ("/aftercare.inventory.v1.InventoryService/GetUnit").
class PolicyIndex {
 public:
  PolicyIndex() = default;
  explicit PolicyIndex(const std::vector<const ServicePolicy*>& policies);

  // The policy of a full method name; nullptr when none is declared.
  const MethodPolicy* Find(std::string_view full_method) const;

  // OK when `caller` may call `full_method`. PERMISSION_DENIED "role
  // 'customer' may not call CertifyUnit; allowed: logistics" when its role is
  // not listed, or "no authorization policy for <method>" when the method has
  // none (deny by default).
  absl::Status Authorize(std::string_view full_method, const Principal& caller) const;

 private:
  absl::flat_hash_map<std::string, const MethodPolicy*> by_method_;
};

// The answer for an aggregate the caller may not reach: NOT_FOUND
// "<resource> not found", the same code and message as a resource that does
// not exist.
absl::Status OutOfScope(std::string_view resource);
// Whether `status` is an authorization failure: PERMISSION_DENIED or
// UNAUTHENTICATED (idempotency never answers those from a stored response).
bool IsAuthorizationFailure(const absl::Status& status);

// Returns OK when `caller` may reach an aggregate owned by `account_id`
// (Principal::CanAccessAccount), otherwise OutOfScope(resource).
absl::Status CheckAccountScope(const Principal& caller, std::string_view account_id,
                               std::string_view resource);

// A stable fingerprint (32 hex digits) of everything that decides what the
// caller may do: subject, role, accounts (in any order), partner and CPO
// channel. Two tokens with the same fingerprint have the same rights.
std::string ScopeFingerprint(const Principal& caller);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_POLICY_H_
