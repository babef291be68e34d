#!/usr/bin/env bash
# The offline answer file in a real headless browser (Debian's `chromium`), end to end:
# invitations for an English importer and a French highway carrier are written to a drop folder,
# the HTML attachment is taken out of each .eml, and a copy of it with one extra inline <script>
# (the page's CSP allows inline scripts and nothing else) is opened in headless Chromium. The
# script fills answers through window.partnerRisk.setAnswer (multi/single choice, yes/no,
# yes/no/partial, country list, date, number, text, N/A, show_if follow-ups), checks in the page
# that an out-of-range number is reported by validate() and left out, and that an answer to a
# question hidden again by its show_if is not saved, then calls save(). The download is REAL:
# the browser profile's Preferences send downloads to a folder without a prompt, and
# `--dump-dom` also hands back the page's own report (<pre id="result">). The downloaded JSON
# files must then be accepted by `responses import` (SHA-256/canonical JSON computed by the
# page's JavaScript, verified by the Swift side), and a tampered copy must be quarantined.
# Needs /usr/bin/chromium (apt-get install chromium); without it the test prints SKIP and
# passes, so it runs locally and never breaks a CI machine that has no browser.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/partner-risk}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then echo "SKIP: chromium not installed"; exit 0; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_HOME=$PWD
export PARTNER_RISK_DB="$WORK/db.sqlite"
source scripts/check.sh

# 1. Two partners (English importer, French highway carrier), one campaign, invitations as .eml.
cat > "$WORK/p.csv" <<'CSV'
name,email,country,sector,contact,language
Acme Imports,ops@acme-imports.example.com,US,importer,Bob Smith,en
Transports Bélanger & Fils inc.,securite@belanger.example.ca,CA,highway-carrier,Émilie Gagné,fr
CSV
$BIN partners import "$WORK/p.csv" >/dev/null
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme Compliance <compliance@acme.example.com>" 2>/dev/null)
$BIN campaign send "$ID" --drop "$WORK/outbox" >/dev/null

# 2. The HTML attachment of each invitation -> $WORK/en.html, $WORK/fr.html.
check "each invitation carries an HTML answer file (one English, one French)" /usr/bin/python3 - "$WORK" <<'PY'
import email, email.policy, glob, json, re, sys
work = sys.argv[1]
langs = []
for f in sorted(glob.glob(work + "/outbox/*.eml")):
    msg = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    [att] = [p for p in msg.iter_attachments() if p.get_filename().endswith(".html")]
    html = att.get_content()
    form = json.loads(re.search(r'<script type="application/json" id="form-data">(.*?)</script>', html, re.S).group(1))
    open(f"{work}/{form['language']}.html", "w", encoding="utf-8").write(html)
    langs.append(form["language"])
assert sorted(langs) == ["en", "fr"], langs
PY

# 3. Fill and save each page in Chromium. The injected script is the "user"; it reports to <pre id="result">.
fill_and_save() { # fill_and_save LANG SECTOR OWNERSHIP_CHANGE
    local lang=$1 dir="$WORK/browser-$1"
    mkdir -p "$dir/profile/Default" "$dir/downloads"
    printf '{"download":{"default_directory":"%s","prompt_for_download":false,"directory_upgrade":true}}\n' "$dir/downloads" \
        > "$dir/profile/Default/Preferences"
    /usr/bin/python3 - "$WORK/$lang.html" "$dir/page.html" "$2" "$3" <<'PY'
import json, sys
src, dst, sector, change = sys.argv[1:]
script = """<script>
(function () {
  var P = window.partnerRisk, errors = [], saved = null;
  function expect(cond, what) { if (!cond) { errors.push(what); } }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  try {
    expect(same(P.setAnswer('A1_roles', [SECTOR]), [SECTOR]), 'multi_choice A1_roles');
    expect(same(P.setAnswer('A2_countries_registration', 'ca, us ca'), ['CA', 'US']), 'country_list normalised');
    expect(same(P.setAnswer('A5_countries_transit', {na: 'Direct / direct – aucun transbordement'}), {na: 'Direct / direct – aucun transbordement'}), 'N/A with reason');
    expect(P.setAnswer('A7_trusted_trader_number', '12345678') === undefined, 'A7 hidden until A6 is answered');
    expect(P.setAnswer('A6_trusted_trader_program', 'pip') === 'pip', 'single_choice (select) A6');
    expect(P.setAnswer('A7_trusted_trader_number', '12345678') === '12345678', 'show_if follow-up A7 once shown');
    expect(P.setAnswer('A8_trusted_trader_expiry', '2027-06-30') === '2027-06-30', 'date A8');
    expect(P.setAnswer('A9_ownership_change', CHANGE) === CHANGE, 'yes_no A9');
    if (CHANGE === 'yes') { P.setAnswer('A10_ownership_change_details', 'Fusion avec Société Québécoise de Transport « SQT » — 30 %, 2026-03-01'); }
    expect(P.setAnswer('B1_risk_assessment', 'yes') === 'yes', 'yes_no B1');
    expect(P.setAnswer('B2_risk_assessment_reviewed', '2026-02-30') === undefined, 'impossible date refused');
    expect(P.setAnswer('B2_risk_assessment_reviewed', '2026-01-15') === '2026-01-15', 'date B2');
    expect(P.setAnswer('C6_access_removal_hours', 99999) === undefined, 'number above max refused');
    var v = P.validate();
    expect(v.invalid.some(function (i) { return i.id === 'C6_access_removal_hours' && /8760/.test(i.error); }), 'validate() reports C6 out of range: ' + JSON.stringify(v.invalid));
    expect(!('C6_access_removal_hours' in P.answers()), 'invalid C6 not in answers()');
    expect(v.missing.indexOf('B3_flow_map') >= 0, 'validate() lists unanswered required B3');
    expect(P.setAnswer('C6_access_removal_hours', 24) === 24, 'number C6');
    expect(P.setAnswer('G6_cameras', 'yes') === 'yes', 'yes_no G6');
    expect(P.setAnswer('G8_cctv_retention_days', 30) === 30, 'number G8 shown while G6 = yes');
    P.setAnswer('G6_cameras', 'no');
    expect(!('G8_cctv_retention_days' in P.answers()), 'G8 hidden by G6 = no is not in answers()');
    expect(P.setAnswer('H3_uncertified_assessed', 'partial') === 'partial', 'yes_no_partial H3');
    v = P.validate();
    expect(v.invalid.length === 0, 'no invalid answers left: ' + JSON.stringify(v.invalid));
    saved = P.save();
    expect(same(saved.answers, P.answers()), 'save() wrote answers()');
    expect(!('G8_cctv_retention_days' in saved.answers), 'hidden G8 not saved');
    expect(saved.checksum === 'sha256:' + P.sha256(P.canonicalJSON(saved.answers)), 'checksum');
  } catch (e) { errors.push('exception: ' + e); }
  var pre = document.createElement('pre');
  pre.id = 'result';
  pre.textContent = JSON.stringify({errors: errors, fileName: P.fileName(), saved: saved});
  document.body.appendChild(pre);
}());
</script>
""".replace("SECTOR", json.dumps(sector)).replace("CHANGE", json.dumps(change))
html = open(src, encoding="utf-8").read()
end = html.rindex("</body>")
open(dst, "w", encoding="utf-8").write(html[:end] + script + html[end:])
PY
    # --dump-dom returns once the page has loaded; the blob download started by save() is on disk by then.
    timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$dir/profile" \
        --dump-dom "file://$dir/page.html" > "$dir/dom.html" 2> "$dir/chromium.log"
}
check_page() { # check_page LANG: page report clean, exactly one download, equal to what save() returned
    /usr/bin/python3 - "$WORK/browser-$1" <<'PY'
import glob, html, json, re, sys
d = sys.argv[1]
m = re.search(r'<pre id="result">(.*?)</pre>', open(d + "/dom.html", encoding="utf-8").read(), re.S)
assert m, "no report in the dumped page; chromium log tail:\n" + open(d + "/chromium.log").read()[-800:]
report = json.loads(html.unescape(m.group(1)))
assert not report["errors"], report["errors"]
files = glob.glob(d + "/downloads/*")
assert [f.rsplit("/", 1)[1] for f in files] == [report["fileName"]], (files, report["fileName"])
assert json.load(open(files[0], encoding="utf-8")) == report["saved"], "downloaded file differs from save()"
PY
}
fill_and_save en importer no
check "English page in Chromium: answers, validate(), show_if, save() -> one real download" check_page en
fill_and_save fr highway-carrier yes
check "French page in Chromium: answers, validate(), show_if, save() -> one real download" check_page fr

# 4. The downloaded files are accepted, stored as sent; a tampered copy (checksum kept) is quarantined.
mkdir -p "$WORK/saved" && cp "$WORK"/browser-*/downloads/*.json "$WORK/saved/"
IMPORT=$($BIN responses import "$WORK/saved" 2>&1)
SUMMARY=$(tail -1 <<<"$IMPORT")
check "responses import accepts both browser files ($SUMMARY)" grep -q "accepted 2, .*rejected 0" <<<"$SUMMARY"
check "and queues a thank-you receipt for each partner" grep -q "queued 2 thank-you message(s)" <<<"$IMPORT"
$BIN responses list --format json > "$WORK/list.json"
check "responses list: two responses, channel file, stored answers = downloaded answers" /usr/bin/python3 - "$WORK" <<'PY'
import glob, json, os, sqlite3, sys
work = sys.argv[1]
listed = json.load(open(work + "/list.json"))
assert len(listed) == 2 and all(r["channel"] == "file" for r in listed), listed
db = sqlite3.connect(os.environ["PARTNER_RISK_DB"])
for f in glob.glob(work + "/saved/*.json"):
    sent = json.load(open(f, encoding="utf-8"))
    [rid] = [r["id"] for r in listed if r["partner_id"] == sent["partner_id"]]
    stored = {q: json.loads(v) for q, v in db.execute("SELECT question_id, value FROM answer WHERE response_id = ?", (rid,))}
    assert stored == sent["answers"], (stored, sent["answers"])
    assert ("A10_ownership_change_details" in stored) == (sent["answers"]["A9_ownership_change"] == "yes")
PY
/usr/bin/python3 - "$WORK" <<'PY'
import glob, json, sys
f = sorted(glob.glob(sys.argv[1] + "/saved/*.json"))[0]
doc = json.load(open(f, encoding="utf-8"))
doc["answers"]["C6_access_removal_hours"] = 1  # better than what the partner answered; checksum left as is
json.dump(doc, open(sys.argv[1] + "/tampered.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
SUMMARY=$($BIN responses import "$WORK/tampered.json" 2>&1 | tail -1)
check "a tampered copy is rejected ($SUMMARY)" grep -q "accepted 0, .*rejected 1" <<<"$SUMMARY"
$BIN responses rejected --format json > "$WORK/rejected.json"
check "... for its checksum, and quarantined as received" /usr/bin/python3 - "$WORK" <<'PY'
import json, sys
[r] = json.load(open(sys.argv[1] + "/rejected.json"))
assert "checksum" in r["reason"] and r["channel"] == "file", r
assert open(r["quarantine_path"], "rb").read() == open(sys.argv[1] + "/tampered.json", "rb").read()
PY

checks_passed
