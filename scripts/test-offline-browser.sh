#!/usr/bin/env bash
# The offline answer file in a real headless browser (Debian's `chromium`), end to end:
# invitations for an English importer and a French highway carrier are written to a drop folder,
# the HTML attachment is taken out of each .eml, and a copy of it with one extra inline <script>
# (the page's CSP allows inline scripts and nothing else) is opened in headless Chromium. The
# script fills answers through window.partnerRisk.setAnswer (multi/single choice, yes/no,
# yes/no/partial, country list, date, number, text, N/A, show_if follow-ups), checks in the page
# that an out-of-range number is reported by validate() and left out, that an answer to a
# question hidden again by its show_if is not saved, and that the page's SHA-256 (of text and of
# bytes) equals Python's. On the French page it also attaches documents through the real
# <input type="file" multiple> (DataTransfer + change event): a file over 10 MB, a kind not
# accepted and one that would take the total over 20 MB are refused with a message and not
# listed, the remove buttons work, and a small PDF is read (FileReader) and travels in the file
# (`evidence`: base64 and SHA-256 of its bytes; the checksum then covers answers + document
# list). Then it calls save(). The download is REAL:
# the browser profile's Preferences send downloads to a folder without a prompt, and
# `--dump-dom` also hands back the page's own report (<pre id="result">); `--virtual-time-budget`
# lets the page finish its asynchronous work (reading the documents) before the dump. The
# downloaded files are checked in Python (canonical JSON implemented after CanonicalJSON.swift),
# must then be accepted by `responses import` (SHA-256/canonical JSON computed by the page's
# JavaScript, verified by the Swift side), the document must be stored as one evidence row, and
# tampered copies (an answer, or a document's bytes, changed; checksum kept) must be quarantined.
# The page keeps nothing in the browser (every file:// page shares that storage): the template uses
# no localStorage, sessionStorage, IndexedDB or cookie; after filling, attaching and saving, the
# page's localStorage and sessionStorage are empty; and a second local page, written next to it and
# opened afterwards in the same browser profile, finds no key (none with the partner's token), no
# cookie and no IndexedDB database. A control run shows that the profile does carry a key set by
# one local page over to the next (given the few seconds headless Chromium needs to write it).
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

# The document the French "user" attaches to F1 (ISO 17712 seals, evidence required); the
# canonical JSON of the answer file's checksum is scripts/canonical_json.py.
cat > "$WORK/offline_lib.py" <<'PY'
import hashlib
from canonical_json import canonical, sha256_text, expected_checksum

EVIDENCE_QUESTION = "F1_iso17712_seals"
EVIDENCE_NAME = "seal-certificate.pdf"
EVIDENCE_BYTES = b"%PDF-1.4\n" + bytes((i * 37 + 11) & 255 for i in range(2000)) + b"\n%%EOF\n"
EVIDENCE_SHA256 = hashlib.sha256(EVIDENCE_BYTES).hexdigest()
PY
export PYTHONPATH="$WORK:$PWD/scripts"

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

storage_free() { # storage_free FILE...: none of the browser's storage APIs is named in the page
    ! grep -n -i -E 'localStorage|sessionStorage|indexedDB|document\.cookie|openDatabase|caches\.open' "$@"
}
check "the page uses no localStorage, sessionStorage, indexedDB or document.cookie (template and both generated pages)" \
    storage_free Templates/offline/answer-file.html.mustache "$WORK/en.html" "$WORK/fr.html"

# 3. Fill and save each page in Chromium. The injected script is the "user"; it reports to <pre id="result">.
fill_and_save() { # fill_and_save LANG SECTOR OWNERSHIP_CHANGE ATTACH(yes|no)
    local lang=$1 dir="$WORK/browser-$1"
    mkdir -p "$dir/profile/Default" "$dir/downloads"
    printf '{"download":{"default_directory":"%s","prompt_for_download":false,"directory_upgrade":true}}\n' "$dir/downloads" \
        > "$dir/profile/Default/Preferences"
    /usr/bin/python3 - "$WORK/$lang.html" "$dir/page.html" "$2" "$3" "$4" <<'PY'
import hashlib, json, sys
import offline_lib as lib
src, dst, sector, change, attach = sys.argv[1:]
# SHA-256 the page must agree on: bytes at block boundaries, and texts (UTF-8, escapes, emoji).
byte_cases = {str(n): hashlib.sha256(bytes((i * 7 + 3) & 255 for i in range(n))).hexdigest()
              for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4097)}
texts = ["", "abc", "Fusion avec Société Québécoise de Transport « SQT » — 30 %", "😀\u2028\"\\\n\u0001", "x" * 1000]
text_cases = [[t, lib.sha256_text(t)] for t in texts]
script = r"""<script>
(function () {
  var P = window.partnerRisk, errors = [], saved = null, waiting = false;
  function expect(cond, what) { if (!cond) { errors.push(what); } }
  /* Same values, whatever the key order (the saved file writes answers in canonical key order). */
  function sorted(value) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return Array.isArray(value) ? value.map(sorted) : value;
    }
    var out = {};
    Object.keys(value).sort().forEach(function (key) { out[key] = sorted(value[key]); });
    return out;
  }
  function same(a, b) { return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)); }
  /* What the page left in the browser's storage, read a while after the last edit and save (so that
     anything written on a timer would be there by then). */
  function browserStorage() {
    var out = {};
    try {
      out.localStorage = localStorage.length;
      out.localKeys = Object.keys(localStorage);
      out.sessionStorage = sessionStorage.length;
      out.sessionKeys = Object.keys(sessionStorage);
      out.cookie = document.cookie;
    } catch (e) { out.error = String(e); }
    return out;
  }
  function finish() {
    setTimeout(function () {
      var pre = document.createElement('pre');
      pre.id = 'result';
      pre.textContent = JSON.stringify({errors: errors, fileName: P.fileName(), saved: saved, storage: browserStorage()});
      document.body.appendChild(pre);
    }, 2000);
  }
  function saveAndCheck(manifest) {
    saved = P.save();
    expect(same(saved.answers, P.answers()), 'save() wrote answers()');
    var keys = Object.keys(saved.answers);
    expect(JSON.stringify(keys) === JSON.stringify(keys.slice().sort()), 'answers saved in canonical key order (the importer checks them on their own text)');
    expect(!('G8_cctv_retention_days' in saved.answers), 'hidden G8 not saved');
    if (manifest.length) {
      expect(saved.checksum === 'sha256:' + P.sha256(P.canonicalJSON({answers: saved.answers, evidence: manifest})), 'checksum over answers and document list');
    } else {
      expect(!('evidence' in saved), 'no evidence key without documents');
      expect(saved.checksum === 'sha256:' + P.sha256(P.canonicalJSON(saved.answers)), 'checksum');
    }
  }
  /* The French "user" attaches documents through the real file inputs. */
  function choose(input, files) {
    var dt = new DataTransfer();
    files.forEach(function (f) { dt.items.add(f); });
    input.files = dt.files;
    input.dispatchEvent(new Event('change', {bubbles: true}));
  }
  function listed(box) { return [].map.call(box.querySelectorAll('.attach-list .attach-name'), function (n) { return n.textContent; }); }
  function message(box) { var m = box.querySelector('.attach .err'); return m && !m.hidden ? m.textContent : ''; }
  function accessibleName(input) {
    return (input.getAttribute('aria-labelledby') || '').split(' ').map(function (id) {
      var n = document.getElementById(id); return n ? n.textContent : '';
    }).join(' ');
  }
  function knownPdf() {
    var head = '%PDF-1.4\n', tail = '\n%%EOF\n', b = new Uint8Array(head.length + 2000 + tail.length), i;
    for (i = 0; i < head.length; i++) { b[i] = head.charCodeAt(i); }
    for (i = 0; i < 2000; i++) { b[head.length + i] = (i * 37 + 11) & 255; }
    for (i = 0; i < tail.length; i++) { b[head.length + 2000 + i] = tail.charCodeAt(i); }
    return b;
  }
  function attachDocuments() {
    var MB = 1024 * 1024;
    expect(P.setAnswer('F1_iso17712_seals', 'yes') === 'yes', 'yes_no F1');
    var f1 = document.getElementById('q-F1_iso17712_seals'), b1 = document.getElementById('q-B1_risk_assessment');
    var input = f1.querySelector('input[type="file"]'), b1Input = b1.querySelector('input[type="file"]');
    expect(input && input.multiple && b1Input && b1Input.multiple, 'F1 and B1 (evidence required) have an <input type="file" multiple>');
    expect(!document.querySelector('#q-A9_ownership_change input[type="file"]'), 'no file input where evidence is none (A9)');
    var label = document.querySelector('label[for="' + input.id + '"]');
    expect(label && label.textContent === 'Joindre un document', 'a label "Joindre un document" for the input');
    var name = accessibleName(input), legend = f1.querySelector('legend').textContent;
    expect(name.indexOf('Joindre un document') === 0 && name.indexOf(legend.slice(0, 40)) > 0, 'accessible name has the question: ' + name);
    input.focus();
    expect(document.activeElement === input, 'the file input takes the keyboard focus');
    var exts = input.accept.split(',');
    expect(['.pdf', '.png', '.jpg', '.jpeg', '.gif', '.webp', '.tif', '.tiff', '.heic', '.doc', '.docx', '.xls', '.xlsx', '.ppt', '.pptx',
            '.odt', '.ods', '.odp', '.rtf', '.txt', '.csv'].every(function (x) { return exts.indexOf(x) >= 0; }), 'accept attribute: ' + input.accept);
    expect(document.body.textContent.indexOf('20\u00a0Mo au total au plus') >= 0, 'the limits are shown (20 Mo au total au plus)');
    expect(/Les documents sont enregistr\u00e9s dans le fichier de r\u00e9ponses/.test(document.body.textContent), 'the page says the documents are inside the answer file');

    choose(input, [new File([new Uint8Array(10 * MB + 1)], 'big.pdf')]);
    expect(/big\.pdf/.test(message(f1)) && /10\u00a0Mo/.test(message(f1)), 'a file over 10 MB is refused with a message: ' + message(f1));
    expect(!listed(f1).length && !P.attachments().length, 'and is not listed');
    choose(input, [new File(['MZ'], 'outil.exe')]);
    expect(/outil\.exe/.test(message(f1)) && !listed(f1).length, 'a kind not accepted is refused: ' + message(f1));
    choose(b1Input, [new File([new Uint8Array(9 * MB)], 'scan-1.pdf', {type: 'application/pdf'}), new File([new Uint8Array(9 * MB)], 'SCAN-2.PDF')]);
    expect(same(listed(b1), ['scan-1.pdf', 'SCAN-2.PDF']) && !message(b1), 'two 9 MB documents on B1 listed (extension case-insensitive)');
    choose(input, [new File([new Uint8Array(3 * MB)], 'scelle.jpg', {type: 'image/jpeg'})]);
    expect(/scelle\.jpg/.test(message(f1)) && /20\u00a0Mo/.test(message(f1)) && !listed(f1).length, 'a file taking the total over 20 MB is refused: ' + message(f1));
    var remove = b1.querySelector('.attach-list button');
    expect(remove && /scan-1\.pdf/.test(remove.getAttribute('aria-label') || ''), 'each document has a remove button naming it');
    remove.click();
    b1.querySelector('.attach-list button').click();
    expect(!listed(b1).length && !P.attachments().length, 'the remove buttons take the documents off');
    expect(document.activeElement === b1Input, 'focus back on the file input after the last removal');

    var pdf = knownPdf();
    choose(input, [new File([pdf], 'seal-certificate.pdf', {type: 'application/pdf'})]);
    expect(same(listed(f1), ['seal-certificate.pdf']) && !message(f1), 'seal-certificate.pdf listed');
    P.whenAttachmentsRead(function () {
      try {
        var expected = [{question_id: 'F1_iso17712_seals', name: 'seal-certificate.pdf', content_type: 'application/pdf', size: pdf.length, sha256: KNOWN_SHA, pending: false}];
        expect(same(P.attachments(), expected), 'document read, its bytes hashed: ' + JSON.stringify(P.attachments()));
        saveAndCheck([{question_id: 'F1_iso17712_seals', name: 'seal-certificate.pdf', sha256: KNOWN_SHA}]);
        expect(saved.evidence && saved.evidence.length === 1 && saved.evidence[0].size === pdf.length, 'save() wrote the document');
        P.load(saved);
        expect(same(P.attachments(), expected), 'load() of the saved file restores the document: ' + JSON.stringify(P.attachments()));
        expect(same(P.buildFile().evidence, saved.evidence), 'and saving again writes it again');
      } catch (e) { errors.push('exception: ' + e); }
      finish();
    });
    return true;
  }
  try {
    /* The page tells the partner that the browser keeps nothing, and how to continue later. */
    var says = document.getElementById('app').textContent;
    if (document.documentElement.lang === 'fr') {
      expect(/Vos r\u00e9ponses ne sont pas conserv\u00e9es par ce navigateur/.test(says), 'the page says the answers are not kept by the browser');
      expect(/Pour continuer plus tard, enregistrez vos r\u00e9ponses/.test(says) && /Ouvrir un fichier de r\u00e9ponses enregistr\u00e9/.test(says), 'and to continue later, to save the answers and open the file again');
    } else {
      expect(/Your answers are not kept by this browser/.test(says), 'the page says the answers are not kept by the browser');
      expect(/To continue later, save your answers/.test(says) && /Open a saved answer file/.test(says), 'and to continue later, to save the answers and open the file again');
    }
    expect(!/draft|brouillon/i.test(says), 'no word of a draft on the page');
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
    var n, bytes, i;
    for (n in BYTE_CASES) {
      bytes = new Uint8Array(+n);
      for (i = 0; i < bytes.length; i++) { bytes[i] = (i * 7 + 3) & 255; }
      expect(P.sha256Bytes(bytes) === BYTE_CASES[n], 'sha256Bytes of ' + n + ' bytes');
    }
    TEXT_CASES.forEach(function (c) {
      expect(P.sha256(c[0]) === c[1], 'sha256 of text ' + JSON.stringify(c[0].slice(0, 20)));
      expect(P.sha256Bytes(new TextEncoder().encode(c[0])) === c[1], 'sha256Bytes of the UTF-8 of ' + JSON.stringify(c[0].slice(0, 20)));
    });
    if (ATTACH_DOCUMENTS) { waiting = attachDocuments(); } else { saveAndCheck([]); }
  } catch (e) { errors.push('exception: ' + e); }
  if (!waiting) { finish(); }
}());
</script>
"""
for key, value in [("SECTOR", sector), ("CHANGE", change), ("ATTACH_DOCUMENTS", attach == "yes"), ("KNOWN_SHA", lib.EVIDENCE_SHA256),
                   ("BYTE_CASES", byte_cases), ("TEXT_CASES", text_cases)]:
    script = script.replace(key, json.dumps(value))
html = open(src, encoding="utf-8").read()
end = html.rindex("</body>")
open(dst, "w", encoding="utf-8").write(html[:end] + script + html[end:])
PY
    # --dump-dom returns once the page has loaded and (virtual time) its timers and file reads are done;
    # the blob download started by save() is on disk by then.
    timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$dir/profile" \
        --virtual-time-budget=30000 --dump-dom "file://$dir/page.html" > "$dir/dom.html" 2> "$dir/chromium.log"
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
page_storage() { # page_storage LANG: what the filled and saved page found in its own storage; fails unless empty
    /usr/bin/python3 - "$WORK/browser-$1" <<'PY'
import html, json, re, sys
m = re.search(r'<pre id="result">(.*?)</pre>', open(sys.argv[1] + "/dom.html", encoding="utf-8").read(), re.S)
st = json.loads(html.unescape(m.group(1)))["storage"] if m else {"error": "no report"}
print("localStorage %s %s, sessionStorage %s %s, cookie %r" % (st.get("localStorage"), st.get("localKeys"),
      st.get("sessionStorage"), st.get("sessionKeys"), st.get("cookie")) if "error" not in st else st["error"])
sys.exit(0 if st.get("localStorage") == 0 and st.get("sessionStorage") == 0 and not st.get("cookie") else 1)
PY
}
page_storage_empty() { page_storage "$1" >/dev/null; }
# A second local page in the same folder, opened in the same browser profile after the answer file:
# it reports everything it can read (<pre id="result">), then sets a probe key of its own. Headless
# Chromium may quit before it has written local storage to the profile (it commits after a few
# seconds), so with HOLD the page's load is held for that long by a frame on a named pipe: the probe
# then surely reaches the profile, and the next local page ("control") must see it.
other_page() { # other_page LANG NAME [HOLD]: opens browser-LANG/NAME.html
    local dir="$WORK/browser-$1" writer=
    if [ "${3:-}" = hold ]; then
        rm -f "$dir/hold.txt" && mkfifo "$dir/hold.txt"
        timeout 40 sh -c 'sleep 10; echo held > "$1"' sh "$dir/hold.txt" & writer=$!
    fi
    /usr/bin/python3 - "$WORK/$1.html" "$dir/$2.html" "${3:-}" <<'PY'
import json, re, sys
src, dst, hold = sys.argv[1:]
form = json.loads(re.search(r'<script type="application/json" id="form-data">(.*?)</script>', open(src, encoding="utf-8").read(), re.S).group(1))
page = r"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>another local page</title></head><body>
<script>
(function () {
  var TOKEN = TOKEN_VALUE, seen = {href: location.href.replace(/^.*\//, ''), indexedDB: 'no answer before the dump'};
  var pre = document.createElement('pre');
  pre.id = 'result';
  function report() { pre.textContent = JSON.stringify(seen); }
  try {
    var keys = Object.keys(localStorage), entries = {};
    keys.forEach(function (k) { entries[k] = String(localStorage.getItem(k)).slice(0, 200); });
    seen.localStorage = localStorage.length;
    seen.localEntries = entries;
    seen.keysWithToken = keys.filter(function (k) { return k.indexOf(TOKEN) >= 0; });
    seen.valuesWithToken = keys.filter(function (k) { return String(localStorage.getItem(k)).indexOf(TOKEN) >= 0; });
    seen.sessionStorage = sessionStorage.length;
    seen.cookie = document.cookie;
  } catch (e) { seen.error = String(e); }
  report();
  document.body.appendChild(pre);
  try { localStorage.setItem('partnerRisk.test.probe', 'set by ' + seen.href); } catch (e) { /* the report says why */ }
  if (HOLD) { var frame = document.createElement('iframe'); frame.src = 'hold.txt'; document.body.appendChild(frame); }
  /* The list of IndexedDB databases comes back from the browser process, maybe after the dump. */
  if (window.indexedDB && indexedDB.databases) {
    indexedDB.databases().then(function (list) { seen.indexedDB = list.map(function (d) { return d.name; }); report(); },
                               function (e) { seen.indexedDB = 'unavailable: ' + e; report(); });
  } else { seen.indexedDB = 'unavailable'; report(); }
}());
</script>
</body></html>
"""
open(dst, "w", encoding="utf-8").write(page.replace("TOKEN_VALUE", json.dumps(form["token"])).replace("HOLD", json.dumps(hold == "hold")))
PY
    timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$dir/profile" \
        --virtual-time-budget=5000 --dump-dom "file://$dir/$2.html" > "$dir/$2.dom.html" 2> "$dir/$2.chromium.log"
    if [ -n "$writer" ]; then kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null; fi
    /usr/bin/python3 - "$dir/$2.dom.html" <<'PY'
import html, re, sys
m = re.search(r'<pre id="result">(.*?)</pre>', open(sys.argv[1], encoding="utf-8").read(), re.S)
open(sys.argv[1][:-len(".dom.html")] + ".json", "w", encoding="utf-8").write(html.unescape(m.group(1)) if m else '{"error": "no report"}')
PY
}
finds_nothing() { # finds_nothing LANG: the second page's report shows no key, no token, no cookie, no database
    /usr/bin/python3 - "$WORK/browser-$1/other.json" "$WORK/$1.html" "$WORK/browser-$1/downloads" <<'PY'
import glob, json, re, sys
seen = json.load(open(sys.argv[1], encoding="utf-8"))
form = json.loads(re.search(r'<script type="application/json" id="form-data">(.*?)</script>', open(sys.argv[2], encoding="utf-8").read(), re.S).group(1))
[saved] = [json.load(open(f, encoding="utf-8")) for f in glob.glob(sys.argv[3] + "/*.json")]
text = json.dumps(seen, ensure_ascii=False)
assert "error" not in seen, seen
assert seen["localStorage"] == 0 and seen["localEntries"] == {}, seen
assert seen["keysWithToken"] == [] and seen["valuesWithToken"] == [] and form["token"] not in text, seen
assert seen["sessionStorage"] == 0 and seen["cookie"] == "", seen
assert seen["indexedDB"] == [] or isinstance(seen["indexedDB"], str), seen  # a list only when it answered in time
leaked = [q for q, v in saved["answers"].items() if isinstance(v, str) and len(v) > 3 and v in text]
assert not leaked, ("answers readable by the other page", leaked)
PY
}
sees_probe() { # sees_probe LANG: control, the key set by the second page is seen by the next local page
    /usr/bin/python3 - "$WORK/browser-$1/control.json" <<'PY'
import json, sys
seen = json.load(open(sys.argv[1], encoding="utf-8"))
assert seen.get("localEntries", {}).get("partnerRisk.test.probe") in ("set by other.html", "set by probe.html"), seen
PY
}
seen_by() { # seen_by LANG NAME: one line of what the second page saw
    /usr/bin/python3 - "$WORK/browser-$1/$2.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
if "error" in s: print(s["error"]); sys.exit()
print("localStorage %s %s, keys with the token %s, sessionStorage %s, cookie %r, IndexedDB %s"
      % (s["localStorage"], sorted(s["localEntries"]), s["keysWithToken"], s["sessionStorage"], s["cookie"], s["indexedDB"]))
PY
}
fill_and_save en importer no no
check "English page in Chromium: answers, validate(), show_if, SHA-256, save() -> one real download" check_page en
check "English page after filling and saving keeps nothing in the browser ($(page_storage en))" page_storage_empty en
other_page en other
check "a second local page, same folder and browser profile, opened after the English page finds nothing ($(seen_by en other))" finds_nothing en
fill_and_save fr highway-carrier yes yes
check "French page in Chromium: the same, and documents attached (limits, kinds, remove) -> one real download" check_page fr
check "French page after filling, attaching a document and saving keeps nothing in the browser ($(page_storage fr))" page_storage_empty fr
other_page fr other hold
check "a second local page, same folder and browser profile, opened after the French page finds nothing ($(seen_by fr other))" finds_nothing fr
other_page fr control
# The control depends on Chromium writing local storage to the profile before it quits; on a busy
# machine it may not have, so the probe is set again (held longer) before the control counts as failed.
for attempt in 1 2; do
    sees_probe fr 2>/dev/null && break
    other_page fr probe hold
    other_page fr control
done
check "control: the profile carries a key set by one local page to the next ($(seen_by fr control))" sees_probe fr

# The downloaded files as the importer will see them.
check "English file: no documents, so no evidence key and the checksum over the answers only" /usr/bin/python3 - "$WORK" <<'PY'
import glob, json, sys
import offline_lib as lib
[f] = glob.glob(sys.argv[1] + "/browser-en/downloads/*.json")
doc = json.load(open(f, encoding="utf-8"))
assert "evidence" not in doc, sorted(doc)
assert doc["checksum"] == lib.expected_checksum(doc), (doc["checksum"], lib.expected_checksum(doc))
PY
check "French file: one evidence item for F1 (name, type, size, SHA-256 and base64 bytes), checksum over answers + document list" \
    /usr/bin/python3 - "$WORK" <<'PY'
import base64, glob, hashlib, json, sys
import offline_lib as lib
[f] = glob.glob(sys.argv[1] + "/browser-fr/downloads/*.json")
doc = json.load(open(f, encoding="utf-8"))
[item] = doc["evidence"]
assert sorted(item) == ["content_type", "data", "name", "question_id", "sha256", "size"], sorted(item)
assert (item["question_id"], item["name"], item["content_type"]) == (lib.EVIDENCE_QUESTION, lib.EVIDENCE_NAME, "application/pdf"), item
data = base64.b64decode(item["data"], validate=True)
assert data == lib.EVIDENCE_BYTES and item["size"] == len(lib.EVIDENCE_BYTES), (len(data), item["size"])
assert item["sha256"] == hashlib.sha256(data).hexdigest() == lib.EVIDENCE_SHA256, item["sha256"]
assert doc["answers"]["F1_iso17712_seals"] == "yes"
assert doc["checksum"] == lib.expected_checksum(doc), (doc["checksum"], lib.expected_checksum(doc))
PY

# 4. The downloaded files are accepted, stored as sent; the document is one evidence row; tampered copies are quarantined.
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
FR_PARTNER=$(/usr/bin/python3 -c 'import glob, json, sys; print(json.load(open(glob.glob(sys.argv[1] + "/browser-fr/downloads/*.json")[0]))["partner_id"])' "$WORK" 2>/dev/null)
FR_INVITATION=$(sqlite3 "$PARTNER_RISK_DB" "SELECT id FROM invitation WHERE campaign_id = ${ID:-0} AND partner_id = ${FR_PARTNER:-0}" 2>/dev/null)
EVIDENCE_ROWS=$(sqlite3 "$PARTNER_RISK_DB" "SELECT invitation_id, question_id, sha256, original_name FROM evidence" 2>&1)
EXPECTED_ROW="$FR_INVITATION|$(/usr/bin/python3 -c 'import offline_lib as l; print(l.EVIDENCE_QUESTION + "|" + l.EVIDENCE_SHA256 + "|" + l.EVIDENCE_NAME)')"
check "the database has exactly one evidence row: French invitation, F1, the document's SHA-256 and name (${EVIDENCE_ROWS:-no rows})" \
    test -n "$FR_INVITATION" -a "$EVIDENCE_ROWS" = "$EXPECTED_ROW"
/usr/bin/python3 - "$WORK" <<'PY'
import base64, glob, json, sys
work = sys.argv[1]
doc = json.load(open(glob.glob(work + "/browser-en/downloads/*.json")[0], encoding="utf-8"))
doc["answers"]["C6_access_removal_hours"] = 1  # better than what the partner answered; checksum left as is
json.dump(doc, open(work + "/tampered.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
doc = json.load(open(glob.glob(work + "/browser-fr/downloads/*.json")[0], encoding="utf-8"))
doc["evidence"][0]["data"] = base64.b64encode(b"%PDF-1.4\n% another certificate\n%%EOF\n").decode()  # sha256, size and checksum left as is
json.dump(doc, open(work + "/tampered-document.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
SUMMARY=$($BIN responses import "$WORK/tampered.json" 2>&1 | tail -1)
check "a tampered copy is rejected ($SUMMARY)" grep -q "accepted 0, .*rejected 1" <<<"$SUMMARY"
SUMMARY=$($BIN responses import "$WORK/tampered-document.json" 2>&1 | tail -1)
check "a copy whose document bytes were swapped is rejected ($SUMMARY)" grep -q "accepted 0, .*rejected 1" <<<"$SUMMARY"
$BIN responses rejected --format json > "$WORK/rejected.json"
check "... the answer for its checksum, the document for its SHA-256, each quarantined as received" /usr/bin/python3 - "$WORK" <<'PY'
import json, sys
rejected = json.load(open(sys.argv[1] + "/rejected.json"))
for name, why in [("tampered.json", "checksum"), ("tampered-document.json", "SHA-256")]:
    [r] = [r for r in rejected if r["source"].endswith("/" + name)]
    assert why in r["reason"] and r["channel"] == "file", r
    assert open(r["quarantine_path"], "rb").read() == open(sys.argv[1] + "/" + name, "rb").read()
PY

checks_passed
