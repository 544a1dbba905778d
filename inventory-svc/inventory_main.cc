// inventory-svc: see README.md and docs/ for what it serves and its settings.
#include "inventory-svc/inventory_spec.h"

int main(int argc, char** argv) { return aftercare::RunServiceMain(aftercare::inventory::Spec(), argc, argv); }
