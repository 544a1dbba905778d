#!/usr/bin/env bash
# Seeds case-svc with a small demo data set (run by scripts/up once the
# services serve, after 10-inventory.sh):
#   - an admin case opened by the ACME-001 customer about JN11DEMO0001
#     (P3, installed base update; series and platform come from
#     inventory-svc), taken by the care agent, with a public answer;
#   - a P1 login-assistance case nobody has answered yet (it breaches two
#     hours after the seed ran);
#   - a TMIP phase 1 trade-in case (MX480, end of production in the demo
#     catalog) on the return path, with its trade-in form uploaded.
# Every call has a fixed request_id, so running it again changes nothing
# (within --idempotency_retention); a call refused because the data is
# already there (FAILED_PRECONDITION) is reported and skipped.
#
# Environment: BUF, CASE_URL, CARE_TOKEN, CUSTOMER_TOKEN (account ACME-001).
set -euo pipefail
: "${BUF:?path of buf}" "${CASE_URL:?}" "${CARE_TOKEN:?}" "${CUSTOMER_TOKEN:?}"

svc=aftercare.cases.v1.CaseService

# call TOKEN METHOD JSON: prints the answer (one line) on stdout.
call() {
  local token=$1 method=$2 body=$3 out
  if out=$("$BUF" curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $token" \
      -d "$body" "$CASE_URL/$svc/$method" 2>&1); then
    printf '%s' "$out" | tr -d '\n'
  elif printf '%s' "$out" | grep -qi 'failed_precondition'; then
    echo "$method: already done ($(printf '%s' "$out" | tr -d '\n' | cut -c1-160))" >&2
  else
    echo "$method failed: $out" >&2
    return 1
  fi
}

field() {  # JSON NAME: the first string value of NAME
  sed -n "s/.*\"$2\": *\"\([^\"]*\)\".*/\1/p" <<<"$1" | head -1
}

admin=$(call "$CUSTOMER_TOKEN" CreateCase '{"requestId":"seed-case-1","case":{
  "requestType":"REQUEST_TYPE_INSTALLED_BASE_UPDATE","subType":"site move",
  "priority":"PRIORITY_P3","followUpMethod":"FOLLOW_UP_METHOD_EMAIL",
  "callbackPhone":"+1 408 555 0100","summary":"Move JN11DEMO0001 to our Austin site",
  "description":"The switch moves to the new data center next month.",
  "serialNumber":"JN11DEMO0001"}}')
id=$(field "$admin" caseId)
echo "admin case $id: $(field "$admin" productSeries) / $(field "$admin" productPlatform)"
call "$CARE_TOKEN" TakeCaseOwnership "{\"requestId\":\"seed-case-1-take\",\"caseId\":\"$id\"}" >/dev/null || true
call "$CARE_TOKEN" AddCaseNote "{\"requestId\":\"seed-case-1-note\",\"caseId\":\"$id\",
  \"body\":\"Please send the full address of the new site.\"}" >/dev/null
echo "admin case $id: taken by dev-care, answered"

p1=$(call "$CUSTOMER_TOKEN" CreateCase '{"requestId":"seed-case-2","case":{
  "requestType":"REQUEST_TYPE_LOGIN_ASSISTANCE","priority":"PRIORITY_P1",
  "followUpMethod":"FOLLOW_UP_METHOD_PHONE","callbackPhone":"+1 408 555 0101",
  "summary":"Locked out of the support portal"}}')
echo "P1 case $(field "$p1" caseId), due $(field "$p1" responseDueTime)"

order_time=$(date -u -d '-1 day' +%Y-%m-%dT00:00:00Z)
tmip=$(call "$CUSTOMER_TOKEN" CreateTradeInCase "{\"requestId\":\"seed-tmip-1\",\"tradeInCase\":{
  \"accountId\":\"ACME-001\",\"orderNumber\":\"SO-DEMO-7001\",\"orderTime\":\"$order_time\",
  \"phase\":\"TMIP_PHASE_PHASE1\",\"disposition\":\"DISPOSITION_RETURN\",
  \"credit\":{\"currencyCode\":\"USD\",\"amountMinor\":\"2500000\"},
  \"lines\":[{\"sku\":\"MX480\",\"quantity\":1,\"serialNumbers\":[\"JN11TRADE001\"]}]}}")
tid=$(field "$tmip" caseId)
echo "trade-in case $tid, documents due $(field "$tmip" documentsDueTime)"
form=$(printf '%%PDF-1.4\n%% demo trade-in form\n' | base64 -w0)
call "$CUSTOMER_TOKEN" UploadAttachment "{\"requestId\":\"seed-tmip-1-form\",\"caseId\":\"$tid\",
  \"kind\":\"ATTACHMENT_KIND_TRADE_IN_FORM\",\"fileName\":\"trade-in-form.pdf\",\"chunk\":\"$form\"}" >/dev/null
echo "trade-in case $tid: trade-in form uploaded"
