// rma-svc: see README.md and docs/ for what it serves and its settings.
#include "rma-svc/rma_spec.h"

int main(int argc, char** argv) { return aftercare::RunServiceMain(aftercare::rma::Spec(), argc, argv); }
