#!/usr/bin/env bash
# Seeds rma-svc's demo (run by scripts/up after 10-inventory.sh):
#   - checks that the return locations (migration 0002) are served;
#   - registers JN11DEMO0102 (EX4300-48T) at ACME-001 in inventory-svc with a
#     Next Business Day contract, for the non-returned-unit walk-through of
#     docs/rma-svc.md (JN11DEMO0001 is left for the first walk-through).
# Every call has a fixed request_id, so running it again changes nothing; a
# call refused because the data is already there is reported and skipped.
#
# Environment: BUF, INVENTORY_URL, RMA_URL, ADMIN_TOKEN, CUSTOMER_TOKEN.
set -euo pipefail
: "${BUF:?path of buf}" "${INVENTORY_URL:?}" "${RMA_URL:?}" "${ADMIN_TOKEN:?}" "${CUSTOMER_TOKEN:?}"

# call URL SERVICE TOKEN METHOD JSON
call() {
  local url=$1 svc=$2 token=$3 method=$4 body=$5 out
  if out=$("$BUF" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $token" \
      -d "$body" "$url/$svc/$method" 2>&1); then
    printf '%s %s\n' "$method" "$(printf '%s' "$out" | tr -d '\n' | cut -c1-160)"
  elif printf '%s' "$out" | grep -qiE 'already_exists|failed_precondition'; then
    printf '%s: already done (%s)\n' "$method" "$(printf '%s' "$out" | tr -d '\n' | cut -c1-160)"
  else
    printf '%s failed: %s\n' "$method" "$out" >&2
    return 1
  fi
}
inv=aftercare.inventory.v1.InventoryService
rma=aftercare.rma.v1.RmaService

call "$RMA_URL" "$rma" "$CUSTOMER_TOKEN" ListReturnLocations '{"regionCode":"US"}'
call "$INVENTORY_URL" "$inv" "$ADMIN_TOKEN" RegisterProduct '{"requestId":"seed-rma-register-0102",
  "serialNumber":"JN11DEMO0102","sku":"EX4300-48T","accountId":"ACME-001",
  "site":{"regionCode":"US","locality":"Austin","administrativeArea":"TX","postalCode":"78701",
  "addressLines":["1 Main Street"]}}'
call "$INVENTORY_URL" "$inv" "$ADMIN_TOKEN" CreateSupportContract '{"requestId":"seed-rma-contract-0102",
  "serialNumber":"JN11DEMO0102","option":{"level":"SUPPORT_LEVEL_NEXT_BUSINESS_DAY","termMonths":12}}'
call "$INVENTORY_URL" "$inv" "$CUSTOMER_TOKEN" GetEntitlement '{"serialNumber":"JN11DEMO0102"}'
