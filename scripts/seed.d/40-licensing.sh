#!/usr/bin/env bash
# Seeds licensing-svc with a small demo data set (run by scripts/up once the
# services serve):
#   - ACME-001 buys a 12-month Junos subscription (S-EX-A-C2-P, feature
#     advanced-routing, 48 ports) and activates it on JN11DEMO0001, the demo
#     unit sold by inventory-svc's seed: the unit holds a signed license key,
#     ready for an RMA transfer;
#   - ACME-001 buys a perpetual non-Junos key (S-SRX-IDP, feature idp) and
#     activates it on the same unit (both licensing systems move together);
#   - ACME-001 buys a right-to-use product (no key: an RTU record).
# Activation codes and keys are never printed (only ids). Every call has a
# fixed request_id, so a rerun changes nothing; after the request_id
# retention, purchases already present (found by order reference) are
# skipped.
#
# licensing-svc needs a signing key: scripts/up must pass
# --license_signing_key_files (or, development only,
# AFTERCARE_LICENSE_DEV_EPHEMERAL_KEY=true); see docs/licensing-svc.md.
#
# Environment: BUF, LICENSING_URL, ADMIN_TOKEN, CUSTOMER_TOKEN (account ACME-001).
set -euo pipefail
: "${BUF:?path of buf}" "${LICENSING_URL:?}" "${ADMIN_TOKEN:?}" "${CUSTOMER_TOKEN:?}"

svc=aftercare.licensing.v1.LicensingService

# rpc TOKEN METHOD JSON: prints the response on stdout, errors on stderr.
rpc() {
  "$BUF" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $1" \
    -d "$3" "$LICENSING_URL/$svc/$2"
}

# Purchases of ACME-001 already recorded, by order reference.
existing=$(rpc "$ADMIN_TOKEN" ListEntitlements '{"accountId":"ACME-001","pageSize":500}' |
  jq -r '.entitlements[]?.orderReference')

# buy_and_activate ORDER_REF SKU FEATURE CAPACITY TERM MONTHS SYSTEM KEY_REQUIRED [SERIAL]
buy_and_activate() {
  local ref=$1 sku=$2 feature=$3 cap=$4 term=$5 months=$6 system=$7 key=$8 serial=${9:-}
  if printf '%s\n' "$existing" | grep -qxF "$ref"; then
    echo "CreateEntitlement $ref: already done"
    return 0
  fi
  local out code ent
  out=$(rpc "$ADMIN_TOKEN" CreateEntitlement "{\"requestId\":\"seed-lic-$ref\",\"accountId\":\"ACME-001\",
    \"orderReference\":\"$ref\",\"product\":{\"sku\":\"$sku\",\"feature\":\"$feature\",
    \"capacity\":\"$cap\",\"termType\":\"$term\",\"termMonths\":$months,
    \"licensingSystem\":\"$system\",\"unlockKeyRequired\":$key,\"maxDevices\":1}}")
  ent=$(printf '%s' "$out" | jq -r .entitlement.entitlementId)
  echo "CreateEntitlement $ref: $ent ($(printf '%s' "$out" | jq -r .entitlement.kind))"
  [ -n "$serial" ] || return 0
  code=$(printf '%s' "$out" | jq -r '.activationCode // empty')
  [ -n "$code" ] || return 0
  out=$(rpc "$CUSTOMER_TOKEN" ActivateLicense "{\"requestId\":\"seed-lic-act-$ref\",
    \"activationCode\":\"$code\",\"deviceSerial\":\"$serial\"}")
  echo "ActivateLicense $ref on $serial: $(printf '%s' "$out" | jq -r .license.licenseId)"
}

buy_and_activate SEED-SO-1001 S-EX-A-C2-P advanced-routing 48 TERM_TYPE_SUBSCRIPTION 12 \
  LICENSING_SYSTEM_JUNOS true JN11DEMO0001
buy_and_activate SEED-SO-1002 S-SRX-IDP idp 0 TERM_TYPE_PERPETUAL 0 \
  LICENSING_SYSTEM_NON_JUNOS true JN11DEMO0001
buy_and_activate SEED-SO-1003 S-MIST-RTU-WIFI wifi-assurance 100 TERM_TYPE_SUBSCRIPTION 36 \
  LICENSING_SYSTEM_NON_JUNOS false
