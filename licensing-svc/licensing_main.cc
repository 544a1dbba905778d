// licensing-svc: see README.md and docs/ for what it serves and its settings.
#include "licensing-svc/licensing_spec.h"

int main(int argc, char** argv) { return aftercare::RunServiceMain(aftercare::licensing::Spec(), argc, argv); }
