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
check "partners show --format csv prints one CSV row (not the table), memberships included" bash -c \
    '"$0" partners show 3 --format csv | /usr/bin/python3 -c "import csv, sys; rows = list(csv.DictReader(sys.stdin)); assert len(rows) == 1 and rows[0][\"id\"] == \"3\" and \"ctpat 12345678\" in rows[0][\"memberships\"] and rows[0][\"tier\"], rows"' "$BIN"
check "... and its history names the officer, not a bare \"officer\"" grep -q "Dana Roy  membership.verify" <<<"$SHOW"
"$BIN" partners verify-membership 2 --program aeo_eu --number EU-1 --expires 2028-01-01 >/dev/null
check "partners unverify (or unverify-membership) withdraws a verification" \
    bash -c '"$0" partners unverify 2 --program aeo_eu --note "wrong firm" | grep -q "withdrew the verification" && ! "$0" partners show 2 | grep -q "^Verified memberships"' "$BIN"
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
# A reply from partner 4 with its answer file and a PDF beside it: the PDF is kept, for no question yet.
python3 - "$WORK/answers" "$WORK/reply.eml" <<'PY'
import json, os, sys
from email.message import EmailMessage
folder, out = sys.argv[1:]
name = next(n for n in sorted(os.listdir(folder)) if json.load(open(os.path.join(folder, n)))["partner_id"] == 4)
message = EmailMessage()
message["From"], message["To"], message["Subject"] = "ohio@us.example.com", "compliance@example.com", "RE: questionnaire"
message.set_content("Our answers and the seal certificate are attached.")
message.add_attachment(open(os.path.join(folder, name), "rb").read(), maintype="application", subtype="json", filename=name)
message.add_attachment(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", maintype="application", subtype="pdf", filename="seal-certificate.pdf")
open(out, "wb").write(bytes(message))
PY
"$BIN" responses import "$WORK/reply.eml" >/dev/null 2>&1
EVID=$("$BIN" evidence list --partner 4 --status pending --format json | python3 -c 'import json,sys; rows=json.load(sys.stdin); print(next(r["id"] for r in rows if r["name"] == "seal-certificate.pdf" and r["question_id"] is None))')
check "a reply's PDF is listed as pending evidence for no question (evidence list --partner --status pending)" [ -n "$EVID" ]
set +e
OUT=$("$BIN" evidence falsified "$EVID" --reason forged 2>&1); RC=$?
set -e
check "... cannot be found falsified before it is assigned" bash -c '[ "$1" != 0 ] && grep -q "assign it first" <<<"$2"' _ "$RC" "$OUT"
check "evidence assign puts it on F1_iso17712_seals" bash -c '"$0" evidence assign "$1" --question F1_iso17712_seals | grep -q "assigned to F1_iso17712_seals"' "$BIN" "$EVID"
check "evidence reject records the reason and who decided" \
    bash -c '"$0" evidence reject "$1" --reason "certificate for another seal model" --officer "Dana Roy" >/dev/null && "$0" evidence list --partner 4 --format json | grep -q "\"reason\":\"certificate for another seal model\",\"received_at\":.*\"reviewed_by\":\"Dana Roy\",.*\"status\":\"rejected\""' "$BIN" "$EVID"
check "evidence accept turns it accepted" bash -c '"$0" evidence accept "$1" --note "checked with the lab" | grep -q "accepted" && "$0" evidence list --partner 4 --status accepted --format json | grep -q "seal-certificate.pdf"' "$BIN" "$EVID"
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
"$BIN" partners flag 2 --reason "seal breach at the border" --officer "Sam Lee" >/dev/null
env -u USER -u LOGNAME -u PARTNER_RISK_ACTOR "$BIN" partners flag 2 --reason "second breach" >/dev/null
HISTORY=$("$BIN" partners show 2)
check "any command records --officer as who acted (partners flag)" grep -q "Sam Lee  partners.flag  seal breach at the border" <<<"$HISTORY"
check "... and without --officer, officer.name or a login variable, the account's name, never a bare \"officer\"" \
    bash -c 'grep -q "  $(id -un)  partners.flag  second breach" <<<"$1" && ! grep -q "  officer  " <<<"$1"' _ "$HISTORY"
set +e
OUT=$("$BIN" review sign-off 1 --decision accept --note "looks fine" 2>&1); RC=$?
set -e
check "sign-off accept is refused while a knock-out stands, naming it" \
    bash -c '[ "$1" != 0 ] && grep -q "cannot be accepted while these stand: .*knock-out country.RU" <<<"$2"' _ "$RC" "$OUT"
set +e
OUT=$("$BIN" review sign-off 1 --decision accept --note x --override 2>&1); RC=$?
set -e
check "... --override without --reason is refused" bash -c '[ "$1" != 0 ] && grep -q -- "--override needs --reason" <<<"$2"' _ "$RC" "$OUT"
OUT=$("$BIN" review sign-off 1 --decision accept --note "board approved" --override --reason "sole supplier; CBSA informed" --officer "Dana Roy")
check "... and with --override --reason it is recorded as an override ($OUT)" grep -q "(override recorded)" <<<"$OUT"
check "... which the history shows with the officer and what stood" \
    bash -c '"$0" partners show 1 | grep -q "Dana Roy  review.sign-off  accept: OVERRIDE (.*knock-out country.RU.*): sole supplier; CBSA informed"' "$BIN"
set +e
OUT=$("$BIN" review sign-off 4 --decision action-plan --note "fix seals" 2>&1); RC=$?
set -e
check "an action plan without a corrective action is refused, saying how to add one" \
    bash -c '[ "$1" != 0 ] && grep -q "an action plan needs a corrective action: add one with .partner-risk actions add 4" <<<"$2"' _ "$RC" "$OUT"
"$BIN" actions add 4 --finding F5_broken_seal_procedure --due 2026-01-15 --owner "Ohio Parts shipping" --note "write the broken-seal procedure" >/dev/null
"$BIN" actions add 4 --finding C1_prehire_checks --due 2099-01-15 --owner "HR" >/dev/null
OVERDUE=$("$BIN" actions list --overdue --format json)
check "actions list --overdue lists the action past its due date only" python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
assert [(r["id"], r["finding"], r["status"]) for r in rows] == [(1, "F5_broken_seal_procedure", "overdue")], rows' "$OVERDUE"
check "review due names the overdue corrective action" bash -c '"$0" review due --format csv | grep -q "corrective action 1 overdue since 2026-01-15: F5_broken_seal_procedure (Ohio Parts shipping)"' "$BIN"
check "the ranking counts the partner's open and overdue actions" python3 -c '
import json, sys
rows = {r["partner_id"]: r for r in json.loads(sys.argv[1])}
assert rows[4]["open_actions"] == 2 and rows[4]["overdue_actions"] == 1, rows.get(4)' "$("$BIN" ranking --format json)"
check "sign-off action-plan is recorded once an action is open" bash -c '"$0" review sign-off 4 --decision action-plan --note "fix seals" | grep -q "action-plan"' "$BIN"
echo "procedure v1" > "$WORK/fake.pdf"
set +e
OUT=$("$BIN" actions close 1 --note "done" --evidence "$WORK/fake.pdf" 2>&1); RC=$?
set -e
check "actions close refuses a file whose content is not what its name says, in words" \
    bash -c '[ "$1" != 0 ] && grep -q "fake.pdf: not kept as evidence: its content is not a .pdf file" <<<"$2"' _ "$RC" "$OUT"
printf '%%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%%%EOF\n' > "$WORK/procedure.pdf"
OUT=$("$BIN" actions close 1 --note "procedure received and checked" --evidence "$WORK/procedure.pdf")
check "actions close keeps the file with its SHA-256 ($OUT)" grep -q "sha256 $(sha256sum "$WORK/procedure.pdf" | cut -c1-64)" <<<"$OUT"
check "... and the action is no longer overdue" [ "$("$BIN" actions list --overdue --format json)" = "[]" ]
set +e
OUT=$("$BIN" actions close 1 --note again 2>&1); RC=$?
set -e
check "a closed action cannot be closed again" bash -c '[ "$1" != 0 ] && grep -q "was closed on" <<<"$2"' _ "$RC" "$OUT"
# The closing document is in the evidence folder, so `check` looks for it and a backup carries it.
PROCEDURE_SHA=$(sha256sum "$WORK/procedure.pdf" | cut -c1-64)
"$BIN" backup --out "$WORK/actions.backup" > /dev/null
mkdir -p "$WORK/restored"
"$BIN" restore "$WORK/actions.backup" --db "$WORK/restored/db.sqlite" > /dev/null
check "a backup carries the document that closed the action: restored into a new workspace, check passes" bash -c \
    '"$0" check --db "$1/restored/db.sqlite" > /dev/null && find "$1/restored/evidence" -type f -name "*$2*" | grep -q .' "$BIN" "$WORK" "$PROCEDURE_SHA"
find "$WORK/restored/evidence" -type f -name "*$PROCEDURE_SHA*" -delete
set +e
OUT=$("$BIN" check --db "$WORK/restored/db.sqlite" 2>&1); RC=$?
set -e
check "check fails when the closing document is missing, naming it" bash -c '[ "$1" != 0 ] && grep -q "procedure.pdf" <<<"$2"' _ "$RC" "$OUT"
# Sanctions screening with the fixture lists (shaped like the official files).
LISTS=Tests/PartnerRiskTests/Fixtures/sanctions
printf 'name,email,country,sector\nGolden Crescent Exchange Co.,gold@ae.example.com,AE,customs-broker\nSeverny Put LLC,severny@ru.example.com,RU,highway-carrier\n' > "$WORK/p2.csv"
"$BIN" partners import "$WORK/p2.csv" >/dev/null 2>&1
OUT=$("$BIN" screening lists import "$LISTS/un-consolidated.xml")
check "screening lists import reads the UN XML, says what was added and reports the new hit ($(tail -1 <<<"$OUT"))" \
    bash -c 'grep -q "list un-consolidated of 2025-06-02, 6 entries: added 6, changed 0, removed 0" <<<"$1" && grep -q "new hit 1: partner 5 Golden Crescent Exchange Co." <<<"$1"' _ "$OUT"
"$BIN" screening lists import "$LISTS/canada-sema-legacy.xml" >/dev/null
OUT=$("$BIN" screening lists import "$LISTS/canada-sema-bilingual.xml")
check "a newer Canadian file (bilingual tags) says what changed" grep -q "added 1, changed 1, removed 1" <<<"$OUT"
set +e
OUT=$("$BIN" screening lists import "$LISTS/malformed/truncated.xml" 2>&1); RC=$?
set -e
check "a cut-off list file is refused with FILE:LINE and changes nothing" \
    bash -c '[ "$1" != 0 ] && grep -q "truncated.xml:24: not well-formed XML" <<<"$2" && "$0" screening lists show | grep -q "canada-sema .* 6 "' "$BIN" "$RC" "$OUT"
HITS=$("$BIN" screening hits --status open --format json)
check "screening hits --format json lists the open hits with id, partner_id, partner, list, entry, matched_name, score, status" python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
assert len(rows) == 2 and all({"id", "partner_id", "partner", "list", "entry", "matched_name", "score", "status"} <= set(r) for r in rows), rows
assert {r["partner"] for r in rows} == {"Golden Crescent Exchange Co.", "Severny Put LLC"}, rows' "$HITS"
check "screening clear records a false positive" bash -c '"$0" screening clear 2 --note "different registration number" --officer "Dana Roy" | grep -q "cleared hit 2"' "$BIN"
check "screening confirm makes the unanswered partner a knock-out in the ranking" bash -c '
"$0" screening confirm 1 --note "same address and director" --officer "Dana Roy" >/dev/null
"$0" ranking --format json | python3 -c "
import json, sys
row = next(r for r in json.load(sys.stdin) if r[\"partner\"] == \"Golden Crescent Exchange Co.\")
assert row[\"knockout\"] and row[\"top_reason\"].startswith(\"Knock-out: sanctions list hit confirmed by Dana Roy\"), row"' "$BIN"
check "a confirmed hit makes the partner due in review due, the hit named" \
    bash -c '"$0" review due --format csv | grep "Golden Crescent Exchange Co." | grep -q "sanctions list hit confirmed on .*un-consolidated 6909201"' "$BIN"
check "screening run finds nothing new, and the cleared hit stays cleared" \
    bash -c '"$0" screening run | grep -q "0 new hit(s), 0 opened again, 2 already known" && "$0" screening hits --status cleared --format json | grep -q "\"id\":2"' "$BIN"
# An answer that names a listed person as an owner: screened at import, the hit says "owner".
python3 - "$WORK/answers" "$WORK/owner" <<'PY'
import hashlib, json, os, sys
folder, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
name = next(n for n in sorted(os.listdir(folder)) if json.load(open(os.path.join(folder, n)))["partner_id"] == 4)
data = json.load(open(os.path.join(folder, name)))
data["answers"]["A12_owners"] = "Ohio Parts Holdings LLC\nPak Yong Su"
canonical = json.dumps(data["answers"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
data["checksum"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
json.dump(data, open(os.path.join(out, "owners.json"), "w"), ensure_ascii=False, indent=2)
PY
"$BIN" responses import "$WORK/owner" > "$WORK/owner.out" 2> "$WORK/owner.err"
check "answers naming a listed owner are screened at import: the hit names the owner" \
    bash -c 'grep -q "warning: partner 4 Ohio Parts may be on un-consolidated: entry 6909102 “PAK YONG SU”" "$1" && "$0" screening hits --partner 4 --format json | grep -q "\"screened_as\":\"owner\""' "$BIN" "$WORK/owner.err"
"$BIN" screening lists import "$LISTS/ofac" >/dev/null
printf 'name,email,country,sector\nAndes Pacific Trading SA de CV,andes2@mx.example.com,MX,exporter\n' > "$WORK/p4.csv"
"$BIN" partners import "$WORK/p4.csv" > /dev/null 2> "$WORK/p4.err"
check "partners import screens the new partner and names its hit" grep -q "warning: partner 7 Andes Pacific Trading SA de CV may be on ofac-sdn: entry 40103" "$WORK/p4.err"
ID2=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 --sector exporter 2>/dev/null)
set +e
OUT=$("$BIN" campaign send "$ID2" --drop "$WORK/outbox2" --block-on-hits 2>&1); RC=$?
set -e
check "campaign send --block-on-hits names the partner and sends nothing" \
    bash -c '[ "$1" != 0 ] && grep -q "warning: partner 7 " <<<"$2" && grep -q "nothing sent (--block-on-hits)" <<<"$2" && [ ! -d "$3" ]' _ "$RC" "$OUT" "$WORK/outbox2"
check "partners show lists the partner's hits" bash -c '"$0" partners show 5 | grep -q "hit 1  confirmed  un-consolidated 6909201 “GOLDEN CRESCENT EXCHANGE COMPANY”.*confirmed by Dana Roy"' "$BIN"
"$BIN" report partner 5 --out "$WORK/partner-5.html" >/dev/null
check "the partner report has its sanctions screening with the decision" bash -c 'grep -q "<h2>Sanctions screening</h2>" "$1" && grep -q "<strong>confirmed</strong>" "$1" && grep -q "Dana Roy" "$1"' _ "$WORK/partner-5.html"
"$BIN" report partner 3 --out "$WORK/partner-3.html" >/dev/null
python3 - "$WORK/partner-3.html" > "$WORK/partner-3.txt" <<'PY'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(html.unescape(re.sub(r"<[^>]+>", " ", text)))
PY
check "the partner report shows answers as labels (roles by name, not [\"highway-carrier\"]; yes/no as words)" python3 - "$WORK/partner-3.html" <<'PY'
import html, re, sys
answers = open(sys.argv[1], encoding="utf-8").read().split("<h2>Answers</h2>")[1].split("<h2>")[0]
cells = {}
for row in re.findall(r"<tr>(.*?)</tr>", answers, re.S)[1:]:
    tds = [html.unescape(re.sub(r"<[^>]+>", "", td)).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    cells[tds[1]] = tds[3]
assert cells, answers[:300]
assert not any(v.startswith(("[", "{", '"')) for v in cells.values()), cells
assert cells["A1_roles"][:1].isupper() and "-" not in cells["A1_roles"].split(",")[0], cells["A1_roles"]
assert cells.get("B1_risk_assessment") in ("yes", "no", "partial"), cells.get("B1_risk_assessment")
PY
check "... the declared membership as declared, the verified one with who verified it" \
    bash -c 'grep -q "declared, not verified" "$1" && grep -q "ctpat  12345678  2027-05-31  Dana Roy" "$1"' _ "$WORK/partner-3.txt"
check "... the audit trail with named officers" grep -q "Dana Roy  membership.verify" "$WORK/partner-3.txt"
"$BIN" report partner 1 --out "$WORK/partner-1.html" >/dev/null
check "a knock-out partner's banner gives its real tier (at least High), not \"the highest tier\"" \
    bash -c 'grep -q "rates a partner at least High whatever its other answers. This partner is rated High" "$1" && ! grep -q "highest tier" "$1"' _ "$WORK/partner-1.html"
"$BIN" report partner 4 --out "$WORK/partner-4.html" >/dev/null
check "... and the partner report lists its corrective actions with their status" \
    bash -c 'grep -q "F5_broken_seal_procedure" "$1" && grep -q "<strong>closed</strong>" "$1" && grep -q "<strong>open</strong>" "$1"' _ "$WORK/partner-4.html"
"$BIN" report program --as-of 2099-12-01 --out "$WORK/program.html" >/dev/null
check "the program report lists every open flag of a partner, each marked (the Russian partner's knock-outs)" python3 - "$WORK/program.html" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
flags = text.split("Open flags")[1].split("<h2>")[0]
rows = [r for r in re.findall(r"<tr>(.*?)</tr>", flags, re.S) if re.search(r'<td class="num">1</td>', r)]
assert len(rows) >= 2, rows
assert all("flag-ko" in r for r in rows if "Knock-out" in r), rows
PY
check "... lists the possible sanctions matches still to decide" grep -q "possible sanctions-list match(es) to confirm or clear" "$WORK/program.html"
check "... stamps the real generation time and shows the as-of day as \"As of\"" \
    bash -c 'grep -q "As of 2099-12-01" "$1" && grep -q "Generated $(date -u +%Y-%m-%d)" "$1"' _ "$WORK/program.html"
# A partner whose own name is clean but who trades under a listed name (the partner file's aliases).
printf 'name,email,country,sector,aliases\nPolar Ridge Freight Inc.,polar@ca.example.com,CA,highway-carrier,Polar Ridge;Severny Put\n' > "$WORK/p5.csv"
"$BIN" partners import "$WORK/p5.csv" > /dev/null 2> "$WORK/p5.err"
check "partners import screens a partner's aliases: the hit names the alias" \
    bash -c 'grep -q "warning: partner 8 Polar Ridge Freight Inc. may be on" "$1" && "$0" screening hits --partner 8 --format json | grep -q "\"screened_as\":\"alias\",\"screened_name\":\"Severny Put\""' "$BIN" "$WORK/p5.err"
check "... and partners show lists the aliases" bash -c '"$0" partners show 8 | grep -q "aliases: *Polar Ridge; Severny Put"' "$BIN"
# Workspace accounts: passwords from standard input (never an argument), bcrypt-hashed, disable ends sign-in.
printf 'correct horse battery staple\n' | "$BIN" officer add "Dana Roy" > "$WORK/officer.out"
check "officer add reads the password from standard input and stores only a bcrypt hash" bash -c '
grep -q "officer Dana Roy added (officer)" "$1" && [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT substr(password_hash, 1, 4) FROM officer_account WHERE name = '"'"'Dana Roy'"'"'")" = "\$2b\$" ] \
  && ! sqlite3 "$PARTNER_RISK_DB" .dump | grep -q "correct horse battery staple"' _ "$WORK/officer.out"
set +e
OUT=$(printf 'short\n' | "$BIN" officer add "Eve Short" 2>&1); RC=$?
set -e
check "a password under 12 characters is refused" bash -c '[ "$1" = 2 ] && grep -q "at least 12 characters" <<<"$2"' _ "$RC" "$OUT"
printf 'viewer password long\n' | "$BIN" officer add "Val Viewer" --role viewer >/dev/null
check "officer list --format json lists the accounts with their roles" python3 -c '
import json, sys
rows = {r["name"]: r for r in json.loads(sys.argv[1])}
assert rows["Dana Roy"]["role"] == "officer" and rows["Val Viewer"]["role"] == "viewer" and "Eve Short" not in rows, rows
assert not any("hash" in key for r in rows.values() for key in r), rows' "$("$BIN" officer list --format json)"
check "officer disable records who disabled the account" bash -c '"$0" officer disable "val viewer" --officer "Dana Roy" | grep -q "officer Val Viewer disabled" \
  && [ "$(sqlite3 "$PARTNER_RISK_DB" "SELECT actor FROM audit_log WHERE action = '"'"'officer.disable'"'"'")" = "Dana Roy" ]' "$BIN"
check "officer --help says the password is never an argument" bash -c '"$0" officer add --help | grep -q "name" && "$0" officer --help | tr "\n" " " | grep -q "never given as an *argument"' "$BIN"
set +e
OUT=$("$BIN" check 2>&1); RC=$?
MISSING=$("$BIN" check --db "$WORK/none.sqlite" 2>&1); MISSING_RC=$?
set -e
check "check passes on this database: integrity, foreign keys, evidence ($(tr '\n' ' ' <<<"$OUT"))" \
  bash -c '[ "$1" = 0 ] && grep -q "^ok   integrity: ok" <<<"$2" && grep -q "^ok   foreign keys" <<<"$2" && grep -q "^ok   evidence: " <<<"$2"' _ "$RC" "$OUT"
check "check of a database file that is not there fails and creates none" \
  bash -c '[ "$1" = 1 ] && grep -q "there is no database at" <<<"$2" && [ ! -e "$3" ]' _ "$MISSING_RC" "$MISSING" "$WORK/none.sqlite"
# Backup and restore: one file with the database and its evidence, restored elsewhere and checked.
OUT=$("$BIN" backup --out "$WORK/backup.prbak")
check "backup writes one file with the database and its evidence ($OUT)" \
  bash -c 'grep -q "and 1 evidence file(s) to" <<<"$1" && [ "$(stat -c %a "$2")" = 600 ] && [ "$(sqlite3 "$2" "SELECT count(*) FROM backup_evidence")" = 1 ]' _ "$OUT" "$WORK/backup.prbak"
mkdir -p "$WORK/elsewhere"
OUT=$("$BIN" restore "$WORK/backup.prbak" --db "$WORK/elsewhere/restored.sqlite")
check "restore puts the database and its evidence file back ($OUT), and check passes there" \
  bash -c 'grep -q "with 1 evidence file(s)" <<<"$1" && "$0" check --db "$2" | grep -q "^ok   evidence: 1 of 1" \
    && [ "$(sqlite3 "$2" "SELECT count(*) FROM sqlite_master WHERE name = '"'"'backup_evidence'"'"'")" = 0 ]' "$BIN" "$OUT" "$WORK/elsewhere/restored.sqlite"
check "the restored database ranks the partners as the original does" \
  bash -c 'diff <("$0" ranking --format json) <("$0" ranking --format json --db "$1")' "$BIN" "$WORK/elsewhere/restored.sqlite"
set +e
AGAIN=$("$BIN" restore "$WORK/backup.prbak" --db "$WORK/elsewhere/restored.sqlite" 2>&1); AGAIN_RC=$?
head -c 4096 "$WORK/backup.prbak" > "$WORK/broken.prbak"
BROKEN=$("$BIN" restore "$WORK/broken.prbak" --db "$WORK/elsewhere/other.sqlite" 2>&1); BROKEN_RC=$?
set -e
check "restore over an existing database is refused without --force" bash -c '[ "$1" = 2 ] && grep -q "add --force" <<<"$2"' _ "$AGAIN_RC" "$AGAIN"
check "a cut-off backup is refused and nothing is written" bash -c '[ "$1" != 0 ] && grep -qi "backup\|integrity" <<<"$2" && [ ! -e "$3" ]' _ "$BROKEN_RC" "$BROKEN" "$WORK/elsewhere/other.sqlite"
check "restore --force replaces the database" bash -c '"$0" restore "$1" --db "$2" --force | grep -q "restored"' "$BIN" "$WORK/backup.prbak" "$WORK/elsewhere/restored.sqlite"
printf 'mail:\n  transport: smtp\n  max_per_minute: lots\n' > "$WORK/broken.yaml"
set +e
OUT=$("$BIN" config check --config "$WORK/broken.yaml" 2>&1); RC=$?
set -e
check "config check on a broken config names its line ($OUT)" bash -c '[ "$1" = 2 ] && grep -q "broken.yaml:3:19: .mail.max_per_minute.: expected a number" <<<"$2"' _ "$RC" "$OUT"
checks_passed
