// Callers for unit tests, built the way the auth interceptor builds them
// from a verified token (common/auth.h): a role, a subject and, for the
// account-scoped roles (customer, partner), the accounts in scope.
#ifndef AFTERCARE_COMMON_TESTING_PRINCIPALS_H_
#define AFTERCARE_COMMON_TESTING_PRINCIPALS_H_

#include <string>
#include <utility>
#include <vector>

#include "common/auth.h"

namespace aftercare::testing {

inline Principal TestCaller(Role role, std::string subject,
                            std::vector<std::string> accounts = {}) {
  Principal p;
  p.role = role;
  p.subject = std::move(subject);
  p.account_ids = std::move(accounts);
  return p;
}

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_PRINCIPALS_H_
