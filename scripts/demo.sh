#!/usr/bin/env bash
# The demo: a fresh database in demo-out/, the sample partners, and a listing.
set -euo pipefail
BIN=${1:-.build/debug/partner-risk}
OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
export PARTNER_RISK_DB="$OUT/partner-risk.sqlite"
echo "== partner-risk doctor"
"$BIN" doctor
echo
echo "== partner-risk partners import Surveys/samples/partners.csv"
"$BIN" partners import Surveys/samples/partners.csv
echo
echo "== partner-risk partners list"
"$BIN" partners list
echo
echo "== partner-risk campaign create --survey pip-partner-security --deadline $(date -d '+30 days' +%F)"
ID=$("$BIN" campaign create --survey pip-partner-security --deadline "$(date -d '+30 days' +%F)" --from "Demo Imports Compliance <compliance@demo-imports.example.com>")
echo "campaign $ID"
echo
echo "== partner-risk campaign send $ID   (no SMTP server configured: the local mail drop $OUT/outbox)"
"$BIN" campaign send "$ID"
echo
echo "== partner-risk campaign status $ID"
"$BIN" campaign status "$ID"
echo
echo "Invitations written as .eml files: $(ls "$OUT/outbox" | wc -l) in $OUT/outbox/"
echo "Each carries the personal link and the offline answer file (open one in a mail client or a text editor)."
echo
echo "== partner-risk demo-respond   (the demo plays the partners: most fill in the attached answer file)"
"$BIN" demo-respond --outbox "$OUT/outbox" --out "$OUT/answers" --seed 7
echo
echo "== partner-risk responses import $OUT/answers   (validated, stored as revisions, scored)"
"$BIN" responses import "$OUT/answers"
echo
echo "== partner-risk campaign remind $ID, twice   (the partners who have not answered get two reminders)"
for round in 1 2; do
    "$BIN" campaign remind "$ID" --max-reminders 2 --min-days 0
    "$BIN" campaign send "$ID" >/dev/null
done
echo
AS_OF=$(date -d '+61 days' +%F)
echo "== partner-risk ranking --as-of $AS_OF   (31 days after the deadline and two reminders: partners who never answered count as knock-outs)"
"$BIN" ranking --as-of "$AS_OF"
echo
TOP=$("$BIN" ranking --as-of "$AS_OF" --format json | python3 -c 'import json,sys; print(next(r["partner_id"] for r in json.load(sys.stdin) if r["overall_risk"] is not None))')
echo "== partner-risk partners show $TOP   (the riskiest partner that answered, and what drove its score)"
"$BIN" partners show "$TOP"
echo
"$BIN" report program --as-of "$AS_OF" --out "$OUT/program-report.html" >/dev/null
"$BIN" report partner "$TOP" --out "$OUT/partner-$TOP-report.html" >/dev/null
echo "HTML program report (tier counts, overdue reviews, flags, ranking): $OUT/program-report.html"
echo "HTML evidence record for partner $TOP:                              $OUT/partner-$TOP-report.html"
echo
echo "To answer as a partner in the browser: $BIN serve --db $PARTNER_RISK_DB"
echo "then open the link (http://127.0.0.1:8080/s/...) from any invitation in $OUT/outbox/."
echo "The officer's workspace is in the same server: make an account first with"
echo "  $BIN officer add \"Your Name\" --db $PARTNER_RISK_DB   (asks for a password of 12 characters or more)"
echo "then open http://127.0.0.1:8080/officer/ and sign in."
