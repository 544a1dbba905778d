#!/usr/bin/env bash
# Seeds inventory-svc with a small demo data set (run by scripts/up once the
# services serve):
#   - products: EX4300-48T and SRX345 (current line), MX480 (end of production);
#   - genuine serials for all demo units (one client-streaming call);
#   - certified, available CPO units: three EX4300-48T, one MX480, one SRX345;
#   - JN11DEMO0001 sold to ACME-001 through the CPO reseller, with a
#     Next Business Day contract (advance replacement) and registered at a site;
#   - two depot spares of EX4300-48T for RMA replacements.
# Every call has a fixed request_id, so running it again changes nothing; a
# call refused because the data is already there (ALREADY_EXISTS,
# FAILED_PRECONDITION after the request_id retention) is reported and skipped.
#
# Environment: BUF, INVENTORY_URL, ADMIN_TOKEN, LOGISTICS_TOKEN, PARTNER_TOKEN,
# CUSTOMER_TOKEN (account ACME-001), SERVICE_TOKEN.
set -euo pipefail
: "${BUF:?path of buf}" "${INVENTORY_URL:?}" "${ADMIN_TOKEN:?}" "${LOGISTICS_TOKEN:?}"
: "${PARTNER_TOKEN:?}" "${CUSTOMER_TOKEN:?}" "${SERVICE_TOKEN:?}"

svc=aftercare.inventory.v1.InventoryService

# call TOKEN METHOD JSON
call() {
  local token=$1 method=$2 body=$3 out
  if out=$("$BUF" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $token" \
      -d "$body" "$INVENTORY_URL/$svc/$method" 2>&1); then
    printf '%s %s\n' "$method" "$(printf '%s' "$out" | tr -d '\n' | cut -c1-160)"
  elif printf '%s' "$out" | grep -qiE 'already_exists|failed_precondition'; then
    printf '%s: already done (%s)\n' "$method" "$(printf '%s' "$out" | tr -d '\n' | cut -c1-160)"
  else
    printf '%s failed: %s\n' "$method" "$out" >&2
    return 1
  fi
}

product() {  # SKU FAMILY SERIES PLATFORM LIST_MINOR LIFECYCLE [EOP_TIME]
  local eop=""
  [ -n "${7:-}" ] && eop=",\"endOfProductionTime\":\"$7\""
  call "$ADMIN_TOKEN" CreateProduct "{\"requestId\":\"seed-product-$1\",\"product\":{\"sku\":\"$1\",
    \"displayName\":\"$1\",\"family\":\"$2\",\"series\":\"$3\",\"platform\":\"$4\",
    \"listPrice\":{\"currencyCode\":\"USD\",\"amountMinor\":\"$5\"},\"lifecycle\":\"$6\"$eop,
    \"latestSoftwareRelease\":\"21.4R3-S5\",\"standardWarrantyMonths\":12}}"
}

product EX4300-48T PRODUCT_FAMILY_SWITCHING "EX Series" EX4300 1234567 LIFECYCLE_CURRENT
product SRX345 PRODUCT_FAMILY_SECURITY "SRX Series" SRX345 450000 LIFECYCLE_CURRENT
product MX480 PRODUCT_FAMILY_ROUTING "MX Series" MX480 9999900 LIFECYCLE_END_OF_PRODUCTION \
  2023-06-30T00:00:00Z

# Demo units: serial and SKU.
units=(
  "JN11DEMO0001 EX4300-48T" "JN11DEMO0002 EX4300-48T" "JN11DEMO0003 EX4300-48T"
  "JN11DEMO0004 EX4300-48T" "JN11DEMO0005 MX480" "JN11DEMO0006 SRX345"
  "JN11SPARE001 EX4300-48T" "JN11SPARE002 EX4300-48T"
)

# The genuine-serial registry: one client-streaming call, two messages.
entries=""
for u in "${units[@]}"; do
  read -r serial sku <<<"$u"
  entries+="{\"serialNumber\":\"$serial\",\"sku\":\"$sku\"},"
done
entries=${entries%,}
call "$ADMIN_TOKEN" LoadGenuineSerials \
  "{\"requestId\":\"seed-registry\",\"entries\":[$entries]} {\"entries\":[{\"serialNumber\":\"JN11GENU0001\",\"sku\":\"EX4300-48T\"}]}"

# Prints the state of a unit (UNIT_STATE_...), nothing when it is unknown.
state_of() {
  "$BUF" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $ADMIN_TOKEN" \
    -d "{\"serialNumber\":\"$1\"}" "$INVENTORY_URL/$svc/GetUnit" 2>/dev/null \
    | sed -n 's/.*"state": *"\(UNIT_STATE_[A-Z_]*\)".*/\1/p' | head -1 || true
}

certify() {  # SERIAL SKU
  local s=$1 state
  state=$(state_of "$s")
  if [ -n "$state" ]; then
    echo "$s: already known ($state)"
    return 0
  fi
  call "$LOGISTICS_TOKEN" ReceiveUnit "{\"requestId\":\"seed-receive-$s\",\"serialNumber\":\"$s\",\"sku\":\"$2\",\"source\":\"UNIT_SOURCE_DEMO_RETURN\"}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step1-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_SERIAL_VERIFICATION\"}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step2-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_COMPONENT_REPAIR\",\"noRepairNeeded\":true}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step3-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_SOFTWARE_UPDATE\",\"softwareVersion\":\"21.4R3-S5\"}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step4-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_CONFIGURATION_RESET\",\"passed\":true}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step5-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_PACKAGING_AND_LABELING\",\"passed\":true}"
  call "$LOGISTICS_TOKEN" RecordCertificationStep "{\"requestId\":\"seed-step6-$s\",\"serialNumber\":\"$s\",\"step\":\"CERTIFICATION_STEP_QUALIFICATION_TEST\",\"passed\":true,\"testReportReference\":\"QT-$s\"}"
  call "$LOGISTICS_TOKEN" CertifyUnit "{\"requestId\":\"seed-certify-$s\",\"serialNumber\":\"$s\"}"
}

for u in "${units[@]}"; do
  read -r serial sku <<<"$u"
  certify "$serial" "$sku"
done

for s in JN11SPARE001 JN11SPARE002; do
  [ "$(state_of "$s")" = UNIT_STATE_CERTIFIED ] || continue
  call "$LOGISTICS_TOKEN" MoveToSparePool "{\"requestId\":\"seed-spare-$s\",\"serialNumber\":\"$s\"}"
done

# One unit in ACME-001's installed base, with advance replacement. Each
# step runs only from the state the previous one leaves.
if [ "$(state_of JN11DEMO0001)" = UNIT_STATE_CERTIFIED ]; then
  call "$PARTNER_TOKEN" ReserveUnit '{"requestId":"seed-reserve-1","serialNumber":"JN11DEMO0001","shipToRegionCode":"US"}'
fi
if [ "$(state_of JN11DEMO0001)" = UNIT_STATE_RESERVED ]; then
  call "$PARTNER_TOKEN" SellUnit '{"requestId":"seed-sell-1","serialNumber":"JN11DEMO0001","buyerAccountId":"ACME-001",
    "supportOptions":[{"level":"SUPPORT_LEVEL_NEXT_BUSINESS_DAY","termMonths":36}]}'
fi
if [ "$(state_of JN11DEMO0001)" = UNIT_STATE_SOLD ]; then
  call "$CUSTOMER_TOKEN" RegisterProduct '{"requestId":"seed-register-1","serialNumber":"JN11DEMO0001",
    "site":{"regionCode":"US","postalCode":"94089","administrativeArea":"CA","locality":"Sunnyvale",
    "addressLines":["1133 Innovation Way"],"organization":"ACME Corp"}}'
fi
call "$CUSTOMER_TOKEN" GetEntitlement '{"serialNumber":"JN11DEMO0001"}'
echo "inventory seed done"
