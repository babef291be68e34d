#!/usr/bin/env bash
# The officer's checks of issue 16 with the real binary on a real database, as README shows them:
# country warnings at `partners import` and `campaign create`, memberships verified (and refused),
# evidence listed and reviewed, flags accepted (and refused), who decided in the history, and
# explanations in the officer's language whatever the partner's.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/partner-risk}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_HOME=$PWD
export PARTNER_RISK_DB="$WORK/db.sqlite"
source scripts/check.sh

cat > "$WORK/p.csv" <<'CSV'
name,email,country,sector,language,trusted_trader
Volga Freight,volga@ru.example.com,RU,highway-carrier,en,
Yangon Timber,yangon@mm.example.com,MM,exporter,en,
Laval Transport,laval@ca.example.com,CA,highway-carrier,fr,CTPAT:12345678
Ohio Parts,ohio@us.example.com,US,manufacturer,en,
CSV
"$BIN" partners import "$WORK/p.csv" > "$WORK/import.out" 2> "$WORK/import.err"
check "partners import names the Russian partner and the FINTRAC list (a knock-out)" \
    grep -q "warning: partner 1 Volga Freight (RU): Russia is on the fintrac_directive list of .*a knock-out" "$WORK/import.err"
check "... and the Myanmar partner, on the enhanced due diligence list (at least High)" \
    grep -q "warning: partner 2 Yangon Timber (MM): Myanmar is on the enhanced_due_diligence list .*it ranks at least High" "$WORK/import.err"
check "... and no other partner" [ "$(grep -c '^warning:' "$WORK/import.err")" = 2 ]
ID=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2> "$WORK/create.err")
check "campaign create warns about the same two invited partners" [ "$(grep -c '^warning: partner [12] ' "$WORK/create.err")" = 2 ]
"$BIN" campaign send "$ID" --drop "$WORK/outbox" >/dev/null
"$BIN" demo-respond --outbox "$WORK/outbox" --out "$WORK/answers" --seed 3 >/dev/null
"$BIN" responses import "$WORK/answers" >/dev/null 2>&1

set +e
OUT=$("$BIN" partners verify-membership 3 --program other --number 1 --expires 2027-01-01 2>&1); RC=$?
set -e
check "verify-membership refuses a program the config does not list, naming the ones it does" \
    bash -c '[ "$1" != 0 ] && grep -q "unknown program \"other\": use one of pip, ctpat" <<<"$2"' _ "$RC" "$OUT"
OUT=$("$BIN" partners verify-membership 3 --program ctpat --number 12345678 --expires 2027-05-31 --note "checked on the CTPAT portal" --officer "Dana Roy")
check "verify-membership records a CTPAT membership and rescores ($OUT)" grep -q "verified .*CTPAT.* membership 12345678 of partner 3, expires 2027-05-31 (rescored)" <<<"$OUT"
SHOW=$("$BIN" partners show 3)
check "partners show lists the verified membership with who verified it" grep -q "ctpat 12345678, expires 2027-05-31, verified by Dana Roy" <<<"$SHOW"
check "... and its history names the officer, not a bare \"officer\"" grep -q "Dana Roy  membership.verify" <<<"$SHOW"
check "a French partner's explanation is shown to an English officer in English" \
    bash -c 'grep -q "^What drove the score:" <<<"$1" && ! sed -n "/^What drove the score:/,/^[A-Z]/p" <<<"$1" | grep -q -e "réponse" -e "Critère" -e "Signal d" -e "Risque pays"' _ "$SHOW"
echo 'officer: {name: "Jeanne Roy", language: fr}' > "$WORK/partner-risk.yaml"
FR=$("$BIN" partners show 1)
rm "$WORK/partner-risk.yaml"
check "with officer.language fr the explanation is in French (Russia: critère éliminatoire)" grep -q "Critère éliminatoire : Russia (RU)" <<<"$FR"

set +e
OUT=$("$BIN" flags accept 4 no_such_flag --note x 2>&1); RC=$?
set -e
check "flags accept refuses a flag the current answers do not raise" bash -c '[ "$1" != 0 ] && grep -q "raise no red flag no_such_flag" <<<"$2"' _ "$RC" "$OUT"
LIST=$("$BIN" evidence list --format json)
check "evidence list --format json prints a plain JSON list" python3 -c 'import json,sys; assert isinstance(json.loads(sys.argv[1]), list)' "$LIST"
set +e
OUT=$("$BIN" evidence reject 999 --reason x 2>&1); RC=$?
set -e
check "evidence reject of an unknown file says where to look" bash -c '[ "$1" != 0 ] && grep -q "no evidence 999: see .partner-risk evidence list." <<<"$2"' _ "$RC" "$OUT"
RANK=$("$BIN" ranking --format json)
check "the Russian partner ranks as a knock-out and the Myanmar one at least High" python3 - "$RANK" <<'PY'
import json, sys
rows = {r["partner"]: r for r in json.loads(sys.argv[1])}
ru, mm = rows.get("Volga Freight"), rows.get("Yangon Timber")
assert ru is None or (ru["knockout"] and ru["tier"] in ("High", "Critical")), ru
assert mm is None or mm["tier"] in ("High", "Critical"), mm
assert ru or mm, "neither partner answered"
PY
checks_passed
