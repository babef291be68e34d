#!/usr/bin/env bash
# Benchmark: N replies as .eml files (the answer file attached, every second reply also a ~100 KB
# PDF beside it, from real invitations) parsed, stored and scored by `responses import`; then Python's
# stdlib email parser reads the same messages, extracts every attachment and writes the answer rows
# into a fresh sqlite3 database in one transaction. Prints both rates, peak memory and the ratio.
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
N=${N:-5000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
[ -x /usr/bin/time ] || { echo "bench-mail-ingest: /usr/bin/time (GNU time, Debian package 'time') is missing" >&2; exit 1; }
# About one partner in eight does not answer in demo-respond: invite more than N, wrap the first N answers.
PARTNERS=$((N + N / 5 + 20))
{ echo "name,email,country,sector"; for i in $(seq "$PARTNERS"); do echo "Partner $i,p$i@bench.example.com,CA,highway-carrier"; done; } > "$WORK/p.csv"
echo "preparing $N replies (.eml, half with a PDF) from $PARTNERS invitations (not timed)..."
"$BIN" partners import "$WORK/p.csv" >/dev/null
"$BIN" partners list --format json > "$WORK/partners.json"
ID=$("$BIN" campaign create --survey pip-partner-security --deadline 2099-12-31 2>/dev/null)
"$BIN" campaign send "$ID" --drop "$WORK/outbox" >/dev/null
"$BIN" demo-respond --outbox "$WORK/outbox" --out "$WORK/answers" --seed 11 >/dev/null
rm -rf "$WORK/outbox"
python3 - "$WORK/answers" "$WORK/replies" "$WORK/partners.json" "$N" <<'PY'
import json, os, random, sys
from email.message import EmailMessage
from email.utils import formatdate
answers, replies, partners, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
listed = json.load(open(partners))
listed = listed.get("partners", listed) if isinstance(listed, dict) else listed
email_of = {int(p["id"]): (p["name"], p["email"]) for p in listed}
names = sorted(os.listdir(answers))
if len(names) < n:
    sys.exit(f"bench-mail-ingest: only {len(names)} answer files for {n} replies")
os.makedirs(replies)
for i, name in enumerate(names[:n]):
    raw = open(os.path.join(answers, name), "rb").read()
    partner, address = email_of[json.loads(raw)["partner_id"]]
    rnd = random.Random(i)
    msg = EmailMessage()
    msg["From"] = f"{partner} <{address}>"
    msg["To"] = "Supply Chain Security <compliance@partner-risk.example>"
    msg["Subject"] = "RE: Supply Chain Security: PIP business partner supply-chain security survey"
    msg["Date"] = formatdate(1790000000 + i * 37, usegmt=True)
    msg["Message-ID"] = f"<reply-{i}-{rnd.getrandbits(64):016x}@bench.example.com>"
    msg.set_content(f"Hello,\n\nplease find our answers attached (reference {rnd.getrandbits(32):08x}).\n\n"
                    f"Best regards,\n{partner}\n")
    msg.add_attachment(raw, maintype="application", subtype="json", filename=name)
    if i % 2 == 1:
        filler = rnd.randbytes(100_000 + rnd.randrange(4096))
        pdf = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
               b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
               b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
               + f"4 0 obj\n<< /Length {len(filler)} /Filter /FlateDecode >>\nstream\n".encode()
               + filler + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 5 >>\n%%EOF\n")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"certificate-{i + 1}.pdf")
    with open(os.path.join(replies, f"reply-{i + 1:05d}.eml"), "wb") as out:
        out.write(msg.as_bytes())
PY
rm -rf "$WORK/answers"
FILES=$(ls "$WORK/replies" | wc -l)
MB=$(du -sm "$WORK/replies" | cut -f1)
status=0
/usr/bin/time -v "$BIN" responses import "$WORK/replies" > "$WORK/import.txt" 2> "$WORK/time.txt" || status=$?
if [ "$status" -ne 0 ]; then
    echo "bench-mail-ingest: FAILED: partner-risk responses import exited with $status" >&2
    tail -n 20 "$WORK/import.txt" "$WORK/time.txt" >&2
    exit 1
fi
status=0
/usr/bin/time -v python3 - "$WORK/replies" "$WORK/ref.sqlite" > "$WORK/ref.txt" 2> "$WORK/ref-time.txt" <<'PY' || status=$?
import email, json, os, sqlite3, sys
from email import policy
folder, database = sys.argv[1], sys.argv[2]
db = sqlite3.connect(database, isolation_level=None)
db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE answer (response_id INTEGER NOT NULL, "
                 "question_id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (response_id, question_id)) WITHOUT ROWID;")
replies = attachments = size = rows = 0
db.execute("BEGIN")
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as f:
        msg = email.message_from_binary_file(f, policy=policy.default)
    replies += 1
    for part in msg.iter_attachments():
        content = part.get_content()
        attachments += 1
        size += len(content)
        if part.get_content_type() == "application/json":
            answers = json.loads(content)["answers"]
            db.executemany("INSERT INTO answer VALUES (?, ?, ?)",
                           [(replies, q, json.dumps(v, ensure_ascii=False)) for q, v in answers.items()])
            rows += len(answers)
db.execute("COMMIT")
db.close()
print(replies, attachments, size, rows)
PY
if [ "$status" -ne 0 ]; then
    echo "bench-mail-ingest: FAILED: the Python reference exited with $status" >&2
    tail -n 20 "$WORK/ref.txt" "$WORK/ref-time.txt" >&2
    exit 1
fi
python3 - "$N" "$FILES" "$MB" "$WORK/import.txt" "$WORK/time.txt" "$WORK/ref.txt" "$WORK/ref-time.txt" <<'PY'
import re, sys
n, files, mb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def measured(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return max(seconds, 0.01), rss / 1024
output = open(sys.argv[4]).read().strip().splitlines()
summary = output[-1] if output else ""
print(summary)
m = re.fullmatch(r"accepted (\d+), revised 0, incomplete \d+, duplicates 0, rejected 0, evidence (\d+)", summary)
if not m or int(m.group(1)) != n or int(m.group(2)) != n // 2 or files != n:
    print(f"bench-mail-ingest: FAILED: expected all {n} replies accepted (accepted {n}, revised 0, duplicates 0, "
          f"rejected 0, evidence {n // 2}: every PDF kept, nothing skipped) from {files} files; got: {summary!r}", file=sys.stderr)
    for line in output[:10]:
        if line.startswith(("rejected ", "skipped ")): print("  " + line, file=sys.stderr)
    sys.exit(1)
replies, attachments, size, rows = map(int, open(sys.argv[6]).read().split())
if replies != n or attachments != n + n // 2:
    print(f"bench-mail-ingest: FAILED: the reference read {replies} replies and {attachments} attachments "
          f"(expected {n} and {n + n // 2})", file=sys.stderr)
    sys.exit(1)
(t1, m1), (t2, m2) = measured(sys.argv[5]), measured(sys.argv[7])
ours, ref = n / t1, n / t2
print(f"bench-mail-ingest: partner-risk responses import: {n} replies ({mb} MB of .eml, {n // 2} with a PDF) parsed, "
      f"stored and scored in {t1:.2f} s = {ours:,.0f} replies/s, peak memory {m1:,.0f} MB")
print(f"bench-mail-ingest: Python email (policy.default) + sqlite3, {attachments} attachments ({size / 1048576:.0f} MB) "
      f"extracted, {rows} answer rows in one transaction: {t2:.2f} s = {ref:,.0f} replies/s, peak memory {m2:,.0f} MB")
print(f"bench-mail-ingest: ratio = {ours / ref:.2f} (replies/s, ours/reference); peak memory ours/reference = {m1 / m2:.2f}")
PY
