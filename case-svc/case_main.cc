// case-svc: see README.md and docs/ for what it serves and its settings.
#include "case-svc/case_spec.h"

int main(int argc, char** argv) { return aftercare::RunServiceMain(aftercare::cases::Spec(), argc, argv); }
