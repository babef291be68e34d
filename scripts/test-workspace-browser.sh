#!/usr/bin/env bash
# The officer workspace (`/officer/`) in a REAL headless browser, end to end: the demo data (the
# sample partners, a campaign, the demo answers, scored) and one officer account (Dana Roy) are
# served by the real `partner-risk serve` on a free loopback port; one partner's reply (.eml)
# carries its answer file, revised so that an answer holds a <script>, and a PDF, kept as pending
# evidence; one more partner is imported whose name and contact are HTML with scripts and event
# handlers. Debian's headless `chromium` is driven through the Chrome DevTools Protocol (an inline
# /usr/bin/python3 with python3-websocket): the workspace sends a signed-out browser to the login
# page; the login form is filled and submitted with real mouse clicks (Input.dispatchMouseEvent on
# the button, checked to be what is under the pointer); the ranking shows the partners, tiers and
# the officer's name; filtering by the evidence partner's sector shrinks the list to that sector;
# its link opens the partner page with every section; the evidence file's Accept button accepts it
# and the "Add corrective action" form adds one, each time back on the partner page with a notice,
# and `evidence list` / `actions list` show the decision and the action made by Dana Roy. On every
# page no inline <script> and no event-handler attribute comes from the data (the injected text
# shows as text, and none of it ran). The test fails on any console error, uncaught exception or
# browser log error in the run (Content-Security-Policy violations are log errors: "Refused to ...",
# or in newer Chromium "... violates the following Content Security Policy directive"); a control at
# the end makes such a violation on purpose and must see it recorded.
# Needs /usr/bin/chromium (apt-get install chromium) and python3-websocket; without chromium it
# prints SKIP and passes, so it never breaks a CI machine that has no browser.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/partner-risk}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then echo "SKIP: chromium not installed"; exit 0; fi
if ! /usr/bin/python3 -c 'import websocket' 2>/dev/null; then echo "FAIL: python3-websocket is not installed (apt-get install python3-websocket)"; exit 1; fi
WORK=$(mktemp -d)
SERVER=""
BROWSER=""
cleanup() {
    [ -n "$BROWSER" ] && { kill -- -"$BROWSER" 2>/dev/null || kill "$BROWSER" 2>/dev/null; wait "$BROWSER" 2>/dev/null; }
    [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
    rm -rf "$WORK"
}
trap cleanup EXIT
export PARTNER_RISK_HOME=$PWD
export PARTNER_RISK_DB="$WORK/db.sqlite"
source scripts/check.sh
OFFICER="Dana Roy"
PASSWORD="correct horse battery staple"

# 1. The demo data: sample partners and one whose own data is markup (it must show as text, never
# run), a campaign, the demo answers (a seed where that partner answers: the ranking lists only
# partners with a score), imported and scored.
$BIN partners import Surveys/samples/partners.csv >/dev/null 2>&1
cat > "$WORK/markup.csv" <<'CSV'
name,email,country,sector,contact,language
"Evil <script>window.__prInjected='name'</script> Freight <img src=x onerror=""window.__prInjected='img'"">",evil@markup.example.com,CA,courier,"<b onmouseover=""window.__prInjected='contact'"">Mallory</b>",en
CSV
$BIN partners import "$WORK/markup.csv" >/dev/null 2>&1
$BIN partners list --format json > "$WORK/partners.json"
MARKUP=$(/usr/bin/python3 -c 'import json,sys; print(next(p["id"] for p in json.load(open(sys.argv[1])) if p["email"] == "evil@markup.example.com"))' "$WORK/partners.json" 2>/dev/null)
ID=$($BIN campaign create --survey pip-partner-security --deadline 2099-12-31 --from "Acme Compliance <compliance@acme.example.com>" 2>/dev/null)
$BIN campaign send "$ID" --drop "$WORK/drop" >/dev/null
for SEED in $(seq 1 20); do
    rm -rf "$WORK/answers"
    $BIN demo-respond --outbox "$WORK/drop" --out "$WORK/answers" --seed "$SEED" >/dev/null 2>&1
    grep -l -q "\"partner_id\" *: *${MARKUP:-0}," "$WORK"/answers/*.json 2>/dev/null && break
done
$BIN responses import "$WORK/answers" >/dev/null 2>&1
check "setup: the partner with markup in its data (${MARKUP:-?}) answered (demo seed $SEED) and is ranked" \
    bash -c '"$0" ranking --format json | /usr/bin/python3 -c "import json,sys; sys.exit(0 if any(str(r[\"partner_id\"]) == sys.argv[1] for r in json.load(sys.stdin)) else 1)" "$1"' "$BIN" "${MARKUP:-0}"
# One partner's reply by mail: its answer file, with a <script> in an answer (a revision; checksum
# made again after CanonicalJSON.swift), and a PDF beside it, kept as pending evidence.
PARTNER=$(/usr/bin/python3 - "$WORK/answers" "$WORK/partners.json" "$WORK/reply.eml" "${MARKUP:-0}" <<'PY'
import hashlib, json, os, sys
from email.message import EmailMessage
folder, partners, out, markup = sys.argv[1:]
sys.path.insert(0, "scripts")
from canonical_json import canonical
files = {n: json.load(open(os.path.join(folder, n), encoding="utf-8")) for n in sorted(os.listdir(folder))}
name = next(n for n, d in files.items() if d["partner_id"] != int(markup))
doc = files[name]
partner = next(p for p in json.load(open(partners, encoding="utf-8")) if p["id"] == doc["partner_id"])
doc["answers"]["A12_owners"] = "Holding <script>window.__prInjected='answer'</script> inc."
doc["checksum"] = "sha256:" + hashlib.sha256(canonical(doc["answers"]).encode("utf-8")).hexdigest()
message = EmailMessage()
message["From"], message["To"], message["Subject"] = partner["email"], "compliance@acme.example.com", "RE: questionnaire"
message.set_content("Our corrected answers and the seal certificate are attached.")
message.add_attachment(json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"), maintype="application", subtype="json", filename=name)
message.add_attachment(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", maintype="application", subtype="pdf", filename="seal-certificate.pdf")
open(out, "wb").write(bytes(message))
print(doc["partner_id"])
PY
)
REPLY=$($BIN responses import "$WORK/reply.eml" 2>&1 | tail -1)
EVIDENCE=$($BIN evidence list --format json | /usr/bin/python3 -c 'import json,sys; print(next((r["id"] for r in json.load(sys.stdin) if r["partner_id"] == int(sys.argv[1]) and r["name"] == "seal-certificate.pdf" and r["status"] == "pending"), ""))' "${PARTNER:-0}" 2>/dev/null)
check "setup: partner ${PARTNER:-?}'s reply is imported as a revision with one pending evidence file ${EVIDENCE:-(none)} ($REPLY)" \
    bash -c '[ -n "$1" ] && grep -q "revised 1, .*rejected 0, evidence 1" <<<"$2"' _ "$EVIDENCE" "$REPLY"
printf '%s\n' "$PASSWORD" | $BIN officer add "$OFFICER" >/dev/null 2>&1
check "setup: the officer account exists (officer list)" \
    bash -c '"$0" officer list --format json | /usr/bin/python3 -c "import json,sys; sys.exit(0 if any(o[\"name\"] == \"Dana Roy\" and o[\"active\"] for o in json.load(sys.stdin)) else 1)"' "$BIN"

# 2. serve on a free loopback port; chromium with its DevTools on a port of its choosing.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
$BIN serve --port "$PORT" --drop "$WORK/thanks" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
check "serve answers on 127.0.0.1:$PORT (the workspace sends a signed-out client to the login page)" \
    bash -c '[[ "$(curl -s -o /dev/null -w "%{http_code} %{redirect_url}" "http://127.0.0.1:$1/officer/")" == 30?" "*"/officer/login"* ]]' _ "$PORT"
mkdir -p "$WORK/profile"
setsid "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --disable-extensions \
    --disable-sync --disable-component-update --disable-background-networking --password-store=basic --use-mock-keychain \
    --user-data-dir="$WORK/profile" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 --window-size=1280,900 \
    about:blank > "$WORK/chromium.log" 2>&1 &
BROWSER=$!
DEVTOOLS=""
for _ in $(seq 300); do # up to 30 s: chromium writes the port it listens on into the profile
    [ -s "$WORK/profile/DevToolsActivePort" ] && DEVTOOLS=$(head -1 "$WORK/profile/DevToolsActivePort") && [ -n "$DEVTOOLS" ] \
        && curl -s "http://127.0.0.1:$DEVTOOLS/json/list" 2>/dev/null | grep -q '"type": *"page"' && break
    DEVTOOLS=""; kill -0 "$BROWSER" 2>/dev/null || break # it quit: no use waiting
    sleep 0.1
done
check "headless chromium started with its DevTools protocol on 127.0.0.1:${DEVTOOLS:-?}" test -n "$DEVTOOLS"

# 3. The officer's session in the browser. The Python part prints one line per check,
# "ok|NAME" or "FAIL|NAME|WHY"; every step it did not reach is a FAIL too.
timeout 100 /usr/bin/python3 - "${DEVTOOLS:-0}" "$PORT" "$OFFICER" "$PASSWORD" "${PARTNER:-0}" "${EVIDENCE:-0}" > "$WORK/browser.txt" 2> "$WORK/browser.err" <<'PY'
import json, sys, time, urllib.request
import websocket

devtools, port, officer, password, partner_id, evidence_id = sys.argv[1:]
BASE = "http://127.0.0.1:%s" % port
STEP_TIMEOUT = 20.0
ACTION = {"finding": "F1_iso17712_seals", "due": "2099-06-30", "owner": "Shipping manager", "note": "send the ISO 17712 certificate of the seals in use"}
SECTIONS = ["Score", "Sanctions screening", "Evidence", "Memberships", "Corrective actions", "Sign-off", "Answers", "History"]
STEPS = [
    "the browser opens /officer/ signed out and lands on the login page (/officer/login)",
    "signing in (name and password typed, Sign in clicked) loads the ranking with the partners, tiers and the officer's name",
    "filtering by one sector (Filter clicked) shrinks the count and every row shows that sector",
    "the partner's link opens its page with the sections " + ", ".join(SECTIONS) + " and the pending file",
    "the evidence file's Accept button accepts it: back on the partner page with a notice, the file shown accepted",
    "the Add corrective action form adds one: back on the partner page with a notice, the action listed",
    "markup in the data (a partner's name and contact, an answer) shows as text on every page: no inline <script>, no event handler, nothing ran",
    "no console error, uncaught exception or browser log error (CSP violation) in the whole session",
    "control: a CSP violation made on purpose afterwards (an <img> from another origin) is recorded as such an error",
]
results = []
def report(ok, why=""):
    name = STEPS[len(results)]
    results.append(name)
    line = ("ok|%s" % name) if ok else ("FAIL|%s|%s" % (name, " ".join(str(why).split())[:600]))
    print(line, flush=True)

class Failure(Exception):
    pass

def expect(condition, why):
    if not condition:
        raise Failure(why)

# --- the DevTools connection ------------------------------------------------------------------
problems = []  # console errors, exceptions, log errors, as they come
visited = []   # every page the session loaded: (url, markup report)

def note_event(message):
    method, params = message.get("method"), message.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        text = " ".join(str(a.get("value", a.get("description", a.get("type")))) for a in params.get("args", []))
        problems.append("console.%s: %s" % (params["type"], text))
    elif method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        problems.append("exception: %s %s (%s)" % (details.get("text", ""), details.get("exception", {}).get("description", ""), details.get("url", "")))
    elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        problems.append("log %s: %s (%s)" % (entry.get("source"), entry.get("text"), entry.get("url", "")))

ws = None
counter = [0]

def connect():
    """The websocket of the browser's page (the about:blank tab it started with)."""
    global ws
    targets = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/list" % devtools, timeout=10))
    page = next((t for t in targets if t.get("type") == "page"), None)
    expect(page, "the browser lists no page: %s" % targets)
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=STEP_TIMEOUT, suppress_origin=True)

def cdp(method, params=None, timeout=STEP_TIMEOUT):
    counter[0] += 1
    ident = counter[0]
    ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
    deadline = time.time() + timeout
    while True:
        ws.settimeout(max(0.1, deadline - time.time()))
        try:
            message = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            raise Failure("no answer from the browser to %s within %.0f s" % (method, timeout))
        if message.get("id") == ident:
            if "error" in message:
                raise Failure("%s: %s" % (method, message["error"].get("message")))
            return message.get("result", {})
        note_event(message)

def js(expression, timeout=STEP_TIMEOUT):
    """The value of an expression in the page (Runtime.evaluate, by value; promises awaited)."""
    result = cdp("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout)
    if "exceptionDetails" in result:
        raise Failure("evaluating %r: %s" % (expression[:80], result["exceptionDetails"].get("exception", {}).get("description", result["exceptionDetails"].get("text"))))
    return result.get("result", {}).get("value")

def drain(seconds):
    """Reads the events that come in for a while (console messages logged after a load)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        ws.settimeout(max(0.05, deadline - time.time()))
        try:
            note_event(json.loads(ws.recv()))
        except websocket.WebSocketTimeoutException:
            break

MARK = "window.__prTestMark"
def arm():
    """Marks the current document: the next loaded page has no mark."""
    js(MARK + " = 1; true")

def loaded(path_prefix, what):
    """Waits until a NEW document (no mark) is complete at a URL under path_prefix; returns its URL."""
    deadline, last = time.time() + STEP_TIMEOUT, None
    while time.time() < deadline:
        try:
            state = js("[typeof %s === 'undefined', document.readyState, location.href]" % MARK, timeout=5)
        except Failure as error:  # the context went away mid-navigation: ask again
            state, last = None, str(error)
        if state:
            last = state
            fresh, ready, href = state
            if fresh and ready == "complete" and href.startswith(BASE + path_prefix):
                drain(0.3)
                visited.append((href, markup()))
                return href
        time.sleep(0.1)
    raise Failure("%s: no page under %s within %.0f s (last: %s)" % (what, path_prefix, STEP_TIMEOUT, last))

def click(selector, what):
    """A real click: the element scrolled into view, then mouse pressed and released at the centre
    of its (first) box, checked to be the element under the pointer."""
    box = js("""(() => { const e = document.querySelector(%s); if (!e) return null;
        e.scrollIntoView({block: 'center', inline: 'center'});
        const r = e.getClientRects()[0] || e.getBoundingClientRect(); /* a link wrapped on two lines: its first box */
        const x = r.left + r.width / 2, y = r.top + r.height / 2, hit = document.elementFromPoint(x, y);
        return {x: x, y: y, width: r.width, height: r.height, onTop: !!hit && (hit === e || e.contains(hit)),
                hit: hit ? hit.outerHTML.slice(0, 120) : null}; })()""" % json.dumps(selector))
    expect(box is not None, "%s: no element %s" % (what, selector))
    expect(box["width"] > 0 and box["height"] > 0, "%s: %s is not visible (%s)" % (what, selector, box))
    expect(box["onTop"], "%s: %s is covered by %s" % (what, selector, box["hit"]))
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        params = {"type": kind, "x": box["x"], "y": box["y"], "button": "left" if kind != "mouseMoved" else "none"}
        if kind != "mouseMoved":
            params["clickCount"] = 1
        cdp("Input.dispatchMouseEvent", params)

def fill(fields, scope="document"):
    """Sets form fields by name (as typing would: value, then input and change events)."""
    missing = js("""(() => { const scope = %s, fields = %s, missing = [];
        for (const [name, value] of Object.entries(fields)) {
            const e = scope.querySelector('[name="' + name + '"]');
            if (!e) { missing.push(name); continue; }
            e.focus(); e.value = value;
            e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));
        }
        return missing; })()""" % (scope, json.dumps(fields)))
    expect(not missing, "no field(s) %s" % missing)

def markup():
    """What of the injected markup the page has: inline scripts, event-handler attributes, whether it ran."""
    return js("""(() => ({
        inlineScripts: Array.from(document.scripts).filter(s => !s.src).map(s => s.outerHTML.slice(0, 100)),
        handlers: Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
            .filter(a => a.name.toLowerCase().startsWith('on')).map(a => e.tagName + ' ' + a.name + '=' + a.value.slice(0, 60))),
        injectedImages: document.querySelectorAll('img[src="x"]').length,
        ran: window.__prInjected === undefined ? null : String(window.__prInjected),
        scriptAsText: document.body.textContent.includes("<script>window.__prInjected="),
    }))()""")

def ranking_rows():
    return js("""Array.from(document.querySelectorAll('table.ranking tbody tr')).map(tr => {
        const cells = tr.querySelectorAll('td'), link = tr.querySelector('a[href^="/officer/partners/"]');
        return {href: link ? link.getAttribute('href') : null, name: link ? link.textContent : null,
                sector: cells.length > 2 ? cells[2].textContent.trim() : null, tier: tr.querySelector('.tier') ? tr.querySelector('.tier').textContent.trim() : null};
    })""")

def count():
    text = js("(document.getElementById('count') || {}).textContent || null")
    expect(text is not None and text.strip().isdigit(), "no <span id=count> with a number (got %r)" % text)
    return int(text)

def notice_and_errors():
    return js("""[(document.querySelector('p.notice') || {}).textContent || null,
                  (document.querySelector('p.errors') || {}).textContent || null]""")

def evidence_status():
    return js("""(() => { const f = document.querySelector('form[action="/officer/evidence/%s/review"]');
        const row = f ? f.closest('tr') : Array.from(document.querySelectorAll('tr')).find(tr => tr.querySelector('a[href="/officer/evidence/%s"]'));
        return row ? row.querySelector('td:nth-child(4)').textContent.trim() : null; })()""" % (evidence_id, evidence_id))

partner_path = "/officer/partners/%s" % partner_id
review_form = 'form[action="/officer/evidence/%s/review"]' % evidence_id
action_form = 'form[action="%s/actions"]' % partner_path
state = {}

def step_login_page():
    arm()
    cdp("Page.navigate", {"url": BASE + "/officer/"})
    href = loaded("/officer/login", "opening /officer/")
    form = js("""(() => { const f = document.querySelector('form[action="/officer/login"]'); return f && {
        name: !!f.querySelector('input[name=name]'), password: (f.querySelector('input[name=password]') || {}).type,
        csrf: (f.querySelector('input[name=csrf]') || {}).value, next: (f.querySelector('input[name=next]') || {}).value}; })()""")
    expect(form and form["name"] and form["password"] == "password" and form["csrf"], "no login form with name, password and csrf: %s" % form)
    expect(form["next"] == "/officer/", "the login form returns to %r, not /officer/" % form["next"])
    return href

def step_sign_in():
    fill({"name": officer, "password": password}, "document.querySelector('form[action=\"/officer/login\"]')")
    arm()
    click('form[action="/officer/login"] button[type=submit]', "Sign in")
    href = loaded("/officer/", "signing in")
    expect("/officer/login" not in href, "still on the login page after signing in: %s; error %r" % (href, js("(document.querySelector('.errors') || {}).textContent || null")))
    who = js("(document.querySelector('header .who span') || {}).textContent || ''")
    expect(officer in who, "the header does not name the officer (%r)" % who)
    total, rows = count(), ranking_rows()
    expect(total > 0 and len(rows) == min(total, 50), "count %d, %d rows shown" % (total, len(rows)))
    expect(js("document.querySelectorAll('table.ranking .tier').length") == len(rows), "not every row has a .tier element")
    expect(any((r["tier"] or "").split(" ")[0] in ("Low", "Medium", "High", "Critical") for r in rows),
           "no row with a scored tier: %s" % [r["tier"] for r in rows][:10])
    mine = [r for r in rows if r["href"] == partner_path]
    expect(mine, "the evidence partner %s is not in the ranking" % partner_id)
    state.update(total=total, rows=rows, sector=mine[0]["sector"])

def step_filter():
    sector, rows = state["sector"], state["rows"]
    expected = sum(1 for r in rows if r["sector"] == sector)
    expect(0 < expected < state["total"], "sector %r is on %d of %d partners: not a filter that shrinks" % (sector, expected, state["total"]))
    options = js("Array.from(document.querySelectorAll('form.filters select[name=sector] option')).map(o => o.value)")
    expect(sector in options, "the sector select has no option %r (%s)" % (sector, options))
    fill({"sector": sector}, "document.querySelector('form.filters')")
    arm()
    click('form.filters button[type=submit]', "Filter")
    href = loaded("/officer/", "filtering")
    expect("sector=" + sector in href, "the filter URL does not carry the sector: %s" % href)
    shown, filtered = count(), ranking_rows()
    expect(shown == expected and len(filtered) == shown, "sector %s: count %d, %d rows; expected %d of %d" % (sector, shown, len(filtered), expected, state["total"]))
    expect(all(r["sector"] == sector for r in filtered), "rows of other sectors: %s" % [r["sector"] for r in filtered])
    expect(js("document.querySelector('form.filters select[name=sector]').value") == sector, "the select does not keep the chosen sector")

def step_partner_page():
    arm()
    click('table.ranking a[href="%s"]' % partner_path, "the partner's link")
    href = loaded(partner_path, "opening the partner page")
    heads = js("Array.from(document.querySelectorAll('main h2')).map(h => h.textContent.trim())")
    missing = [s for s in SECTIONS if s not in heads]
    expect(not missing, "sections missing: %s (page has %s)" % (missing, heads))
    status = evidence_status()
    expect(status is not None and status.startswith("pending"), "the evidence file %s is not listed pending (%r)" % (evidence_id, status))
    expect(js("!!document.querySelector('%s button[name=decision][value=accept]')" % review_form), "no Accept button for evidence %s" % evidence_id)

def step_accept():
    arm()
    click(review_form + ' button[name=decision][value=accept]', "Accept")
    href = loaded(partner_path, "accepting the evidence")
    notice, error = notice_and_errors()
    expect("notice=" in href and notice and notice.strip(), "no notice after Accept (URL %s, error %r)" % (href, error))
    expect(not error, "an error after Accept: %r" % error)
    status = evidence_status()
    expect(status is not None and status.startswith("accepted") and officer in status, "the file is shown %r, not accepted by %s" % (status, officer))
    state["accept_notice"] = notice.strip()

def step_add_action():
    expect(js("!!document.querySelector('%s')" % action_form.replace("'", "\\'")), "no Add corrective action form")
    fill(ACTION, "document.querySelector('%s')" % action_form.replace("'", "\\'"))
    expect(js("document.querySelector('%s input[name=due]').type" % action_form.replace("'", "\\'")) == "date", "the due field is not a date input")
    arm()
    click(action_form + " button", "Add corrective action")
    href = loaded(partner_path, "adding the corrective action")
    notice, error = notice_and_errors()
    expect("notice=" in href and notice and "added" in notice, "no notice 'added' (URL %s, notice %r, error %r)" % (href, notice, error))
    expect(not error, "an error after adding: %r" % error)
    listed = js("""Array.from(document.querySelectorAll('tr')).some(tr => tr.textContent.includes(%s) && tr.textContent.includes(%s) && tr.textContent.includes(%s))"""
                % (json.dumps(ACTION["finding"]), json.dumps(ACTION["due"]), json.dumps(ACTION["owner"])))
    expect(listed, "the action is not in the Corrective actions table")

def step_markup():
    expect(visited, "no page loaded")
    # The partner whose name and contact are markup, on the full ranking and on its own page.
    arm()
    cdp("Page.navigate", {"url": BASE + "/officer/?sector=courier"})
    loaded("/officer/", "the courier ranking")
    link = js("""(() => { const a = Array.from(document.querySelectorAll('table.ranking a')).find(a => a.textContent.includes('Evil <script>'));
        return a ? a.getAttribute('href') : null; })()""")
    expect(link, "the ranking does not show the partner's name as text (with <script> in it)")
    arm()
    click('table.ranking a[href="%s"]' % link, "the markup partner's link")
    loaded(link, "the markup partner's page")
    expect(js("document.querySelector('main h1').textContent.includes('<img src=x onerror=')"), "the partner page does not show its name as text")
    expect(js("document.querySelector('main .meta').textContent.includes('<b onmouseover=')"), "the partner page does not show its contact as text")
    arm()
    cdp("Page.navigate", {"url": BASE + partner_path})
    loaded(partner_path, "the evidence partner's page")
    expect(js("document.querySelector('main').textContent.includes(\"Holding <script>window.__prInjected='answer'</script> inc.\")"),
           "the answer with a <script> is not shown as text on the partner page")
    bad = [(url, m) for url, m in visited if m["inlineScripts"] or m["handlers"] or m["injectedImages"] or m["ran"] is not None]
    expect(not bad, "markup from the data in the page: %s" % bad[:3])

def run():
    try:
        connect()
    except Exception as error:
        raise Failure("cannot talk to the browser on port %s: %s" % (devtools, error))
    for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
        cdp(method)
    for step in (step_login_page, step_sign_in, step_filter, step_partner_page, step_accept, step_add_action):
        try:
            step()
            report(True)
        except Exception as error:
            report(False, error)
            return
    try:
        step_markup()
        report(True)
    except Exception as error:
        report(False, error)

def control():
    """The recorder is not blind: an image from another origin (img-src is 'self' data:) must be refused and logged."""
    before = len(problems)
    js("""(() => { const i = document.createElement('img'); i.src = 'http://partner-risk-control.invalid/x.png'; document.body.appendChild(i); return true; })()""")
    deadline = time.time() + STEP_TIMEOUT
    csp = lambda p: ("Content Security Policy" in p or "Refused to" in p) and "partner-risk-control.invalid" in p
    while time.time() < deadline and not any(csp(p) for p in problems[before:]):
        drain(0.2)
    expect(any(csp(p) for p in problems[before:]),
           "the violation was not seen (new entries: %s)" % problems[before:])

try:
    run()
except Exception as error:
    print("driver: %s" % error, file=sys.stderr)
    problems.append("driver: %s" % error)
try:
    drain(0.5)
except Exception:
    pass
while len(results) < len(STEPS) - 2:
    report(False, "not reached")
report(not problems, "; ".join(problems) or "")
try:
    expect(ws is not None, "no connection to the browser")
    control()
    report(True)
except Exception as error:
    report(False, error)
print("pages: " + ", ".join(url.replace(BASE, "") for url, _ in visited), file=sys.stderr)
try:
    cdp("Browser.close", timeout=5)
except Exception:
    pass
PY
DRIVER=$?
[ "$DRIVER" = 124 ] && echo "the browser driver timed out (100 s)" >> "$WORK/browser.err"
STEPS=0
while IFS='|' read -r STATUS NAME WHY; do
    STEPS=$((STEPS + 1))
    if [ "$STATUS" = ok ]; then check "browser: $NAME" true; else check "browser: $NAME${WHY:+ -- $WHY}" false; fi
done < <(grep -E '^(ok|FAIL)\|' "$WORK/browser.txt")
check "the browser driver reported all its 9 steps (exit $DRIVER)" test "$STEPS" = 9

# 4. What the clicks did, as the command line sees it.
check "evidence list: file ${EVIDENCE:-?} is accepted, reviewed by $OFFICER" \
    bash -c '"$0" evidence list --format json | /usr/bin/python3 -c "
import json, sys
row = next((r for r in json.load(sys.stdin) if str(r[\"id\"]) == sys.argv[1]), None)
sys.exit(0 if row and row[\"status\"] == \"accepted\" and row[\"reviewed_by\"] == \"Dana Roy\" and row[\"reviewed_at\"] else 1)" "$1"' "$BIN" "${EVIDENCE:-0}"
check "actions list: the corrective action on partner ${PARTNER:-?} (F1_iso17712_seals, due 2099-06-30), created by $OFFICER" \
    bash -c '"$0" actions list --format json | /usr/bin/python3 -c "
import json, sys
rows = [r for r in json.load(sys.stdin) if r[\"partner_id\"] == int(sys.argv[1])]
sys.exit(0 if [(r[\"finding\"], r[\"due\"], r[\"owner\"], r[\"created_by\"], r[\"status\"]) for r in rows]
         == [(\"F1_iso17712_seals\", \"2099-06-30\", \"Shipping manager\", \"Dana Roy\", \"open\")] else 1)" "$1"' "$BIN" "${PARTNER:-0}"

checks_passed || {
    echo "--- browser driver"; cat "$WORK/browser.err"
    echo "--- serve log"; tail -20 "$WORK/serve.log"
    echo "--- chromium log"; grep -v -e '^\[.*:INFO:' -e 'unexpected operator' "$WORK/chromium.log" | tail -10
    exit 1
}
