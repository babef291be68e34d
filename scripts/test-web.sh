#!/usr/bin/env bash
# The partner web form served by the real binary over real HTTP on 127.0.0.1: `partner-risk serve`
# answers the personal link from a real invitation, gives unknown tokens the neutral page, takes
# a draft and a submission (a browser-style form post with the CSRF cookie), stores the response
# as a web revision, scores it, and mails the thank-you through the configured transport (here
# the local mail drop) without anyone running `campaign send`. TEST_DB names another database to
# run on (scripts/test-postgres.sh runs it on PostgreSQL); the commands run in a folder of their own.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(realpath "${BIN:-.build/debug/partner-risk}")
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export PARTNER_RISK_HOME=$PWD
export PARTNER_RISK_DB="${TEST_DB:-$WORK/db.sqlite}"
source scripts/check.sh
cd "$WORK"

cat > "$WORK/p.csv" <<'CSV'
name,email,country,sector,contact,language
Transports Bélanger & Fils inc.,securite@belanger.example.ca,CA,highway-carrier,Émilie Gagné,fr
CSV
$BIN partners import "$WORK/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme Compliance <compliance@acme.example.com>" 2>/dev/null)
$BIN campaign send "$ID" --drop "$WORK/drop" >/dev/null
for SEED in $(seq 1 20); do # the demo leaves some partners silent: take a seed where this one answers
    $BIN demo-respond --outbox "$WORK/drop" --out "$WORK/answers" --seed "$SEED" >/dev/null 2>&1
    ls "$WORK"/answers/*.json >/dev/null 2>&1 && break
done
ANSWERS=$(ls "$WORK"/answers/*.json 2>/dev/null | head -1)
TOKEN=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$ANSWERS")
$BIN screening lists import "$ROOT/Tests/PartnerRiskTests/Fixtures/sanctions/un-consolidated.xml" >/dev/null
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN serve --port "$PORT" --drop "$WORK/thanks" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/s/$TOKEN"

listening_on() { # the local addresses listening on a port, from /proc/net/tcp (no iproute2 needed)
    /usr/bin/python3 -c 'import sys; port = "%04X" % int(sys.argv[1]); print(" ".join(sorted({l.split()[1].split(":")[0] for l in open("/proc/net/tcp").readlines()[1:] if l.split()[1].endswith(":" + port) and l.split()[3] == "0A"})))' "$1"
}
check "serve listens on 127.0.0.1 only" bash -c "[ '$(listening_on "$PORT")' = 0100007F ]"
STATUS=$(curl -s -c "$WORK/jar" -o "$WORK/form.html" -w '%{http_code}' "$URL")
check "the personal link shows the French form (200)" bash -c "[ $STATUS = 200 ] && grep -q 'Soumettre les réponses' '$WORK/form.html' && grep -q 'Transports Bélanger' '$WORK/form.html'"
check "an unknown token gets the neutral page (404)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') = 404 ]"
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/form.html" | sed 's/.*value="//; s/"$//')
# The answers as a browser would post them (urlencoded, one field per value).
/usr/bin/python3 - "$ANSWERS" "$CSRF" submit > "$WORK/submit.txt" <<'PY'
import json, sys, urllib.parse
answers = json.load(open(sys.argv[1]))["answers"]
answers["A12_owners"] = "Famille Bélanger\nPak Yong Su"   # one owner on the UN list
fields = [("csrf", sys.argv[2]), ("action", sys.argv[3])]
for qid, value in sorted(answers.items()):
    if isinstance(value, dict) and "na" in value:
        fields += [("na." + qid, "1"), ("na_reason." + qid, value["na"])]
    elif isinstance(value, list):
        fields += [("q." + qid, v) for v in value]
    elif isinstance(value, float) and value.is_integer():
        fields.append(("q." + qid, str(int(value))))
    else:
        fields.append(("q." + qid, str(value)))
print(urllib.parse.urlencode(fields), end="")
PY
check "a post without the CSRF cookie is refused (403)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --data-binary @'$WORK/submit.txt' -H 'Content-Type: application/x-www-form-urlencoded' '$URL') = 403 ]"
LOCATION=$(curl -s -b "$WORK/jar" -o /dev/null -w '%{http_code} %{redirect_url}' --data-binary @"$WORK/submit.txt" -H 'Content-Type: application/x-www-form-urlencoded' "$URL")
check "submitting redirects to the confirmation page ($LOCATION)" bash -c "[[ '$LOCATION' == '303 '*'/thanks?lang=fr' ]]"
check "the confirmation page names revision 1" bash -c "curl -s '$URL/thanks' | grep -q '<td>1</td>'"
for _ in $(seq 50); do ls "$WORK"/thanks/*.eml >/dev/null 2>&1 && break; sleep 0.2; done
check "the thank-you mail went out through the mail drop" bash -c "ls '$WORK'/thanks/*.eml >/dev/null 2>&1 && grep -qi '^To:.*securite@belanger.example.ca' '$WORK'/thanks/*.eml"
check "the response is stored as a web revision" bash -c "$BIN responses list --format json | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if len(r)==1 and r[0][\"channel\"]==\"web\" and r[0][\"revision\"]==1 else 1)'"
for _ in $(seq 50); do $BIN ranking --format json 2>/dev/null | grep -q '"tier"' && break; sleep 0.2; done
check "and scored (the partner has a tier in the ranking)" bash -c "$BIN ranking --format json | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if len(r)==1 and r[0][\"tier\"] in (\"Low\",\"Medium\",\"High\",\"Critical\") else 1)'"

check "the owners the form names are screened after the submission (a hit names the owner)" bash -c '
for _ in $(seq 50); do "$0" screening hits --format json | grep -q "\"screened_as\":\"owner\"" && exit 0; sleep 0.2; done; exit 1' "$BIN"
check "... and serve's log names the hit" bash -c 'grep -q "may be on un-consolidated: entry 6909102" "$0"' "$WORK/serve.log"
check "the thank-you mail carries no personal link" bash -c "! grep -q '/s/' '$WORK'/thanks/*.eml"
# Links on the command line: reissue (old link dead, new mail with a new link), then revoke.
INVITATION=$($BIN responses list --format json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["invitation_id"])')
$BIN invitations reissue "$INVITATION" > "$WORK/reissue.txt"
check "invitations reissue kills the old link (neutral 404)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$URL') = 404 ]"
$BIN campaign send 1 --drop "$WORK/reissued" >/dev/null
NEW=$(grep -ho '/s/[A-Za-z0-9_-]\{43\}' "$WORK"/reissued/*.eml | head -1)
check "the new invitation mail carries a new link that works (200)" bash -c "[ -n '$NEW' ] && [ '$NEW' != '/s/$TOKEN' ] && [ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT$NEW') = 200 ]"
$BIN invitations revoke "$INVITATION" >/dev/null
check "invitations revoke kills the new link too (neutral 404)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT$NEW') = 404 ]"

# The officer workspace in the same server: no page without a session; a real sign-in over HTTP.
check "the workspace redirects to its login page without a session (303)" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' 'http://127.0.0.1:$PORT/officer/')\" = '303 http://127.0.0.1:$PORT/officer/login?next=/officer/' ]"
printf 'correct horse battery staple\n' | $BIN officer add "Dana Roy" >/dev/null
curl -s -c "$WORK/ojar" -o "$WORK/login.html" "http://127.0.0.1:$PORT/officer/login"
LOGIN_CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/login.html" | sed 's/.*value="//; s/"$//')
SIGNIN=$(curl -s -b "$WORK/ojar" -c "$WORK/ojar" -D "$WORK/signin.headers" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$LOGIN_CSRF" --data-urlencode "name=Dana Roy" \
    --data-urlencode "password=correct horse battery staple" --data-urlencode "next=/officer/" "http://127.0.0.1:$PORT/officer/login")
check "signing in sets an HttpOnly, SameSite=Strict session cookie (303)" bash -c "[ $SIGNIN = 303 ] && grep -i '^set-cookie: pr_officer=' '$WORK/signin.headers' | grep -q 'HttpOnly' && grep -i '^set-cookie: pr_officer=' '$WORK/signin.headers' | grep -qi 'SameSite=Strict'"
curl -s -b "$WORK/ojar" -D "$WORK/ranking.headers" -o "$WORK/ranking.html" "http://127.0.0.1:$PORT/officer/"
check "the ranking page lists the partner, with the strict CSP" bash -c "grep -q 'Transports Bélanger' '$WORK/ranking.html' && grep -qi \"^content-security-policy: default-src 'none'\" '$WORK/ranking.headers'"
checks_passed || { echo "--- serve log"; tail -20 "$WORK/serve.log"; exit 1; }
