// aftercare-policy-docs: prints each service's authorization policy table
// (common/policy.h) as markdown, or with --write rewrites the table between
// the "policy:begin" and "policy:end" markers of docs/<svc>-svc.md, so the
// docs come from the same source the servers enforce.
//
//   build/tests/aftercare-policy-docs            # print
//   build/tests/aftercare-policy-docs --write .  # update docs/ under the tree
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/notification_service.h"
#include "tests/policy/policy_docs.h"

int main(int argc, char** argv) {
  using aftercare::policy_docs::Services;
  std::string write_root;
  if (argc == 3 && std::string(argv[1]) == "--write") {
    write_root = argv[2];
  } else if (argc != 1) {
    std::cerr << "usage: aftercare-policy-docs [--write <source root>]\n";
    return 2;
  }
  for (const auto& s : Services()) {
    if (write_root.empty()) {
      std::cout << "## " << s.name << "-svc\n\n" << s.policy->Markdown() << "\n";
      continue;
    }
    const std::string path = write_root + "/docs/" + s.name + "-svc.md";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto updated = aftercare::policy_docs::WithTable(text.str(), *s.policy);
    if (!updated.ok()) {
      std::cerr << path << ": " << updated.status() << "\n";
      return 1;
    }
    std::ofstream(path) << *updated;
    std::cout << "wrote " << path << "\n";
  }
  // NotificationService, served by case-, rma- and licensing-svc.
  if (write_root.empty()) {
    std::cout << "## NotificationService\n\n" << aftercare::NotificationPolicy().Markdown() << "\n";
    return 0;
  }
  const std::string path = write_root + "/docs/NOTIFICATIONS.md";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto updated = aftercare::policy_docs::WithTable(text.str(), aftercare::NotificationPolicy());
  if (!updated.ok()) {
    std::cerr << path << ": " << updated.status() << "\n";
    return 1;
  }
  std::ofstream(path) << *updated;
  std::cout << "wrote " << path << "\n";
  return 0;
}
