#!/usr/bin/env bash
# Benchmark: a full `screening run` of 50,000 generated partners against 30,000 generated list
# names and aliases (an OpenSanctions-format file), timed as a whole command; beside it, in the
# same run, the same similarity computed for every pair of a 2,000-partner sample with no index.
# Prints both as pairs per second (the indexed run: all partner × list-name pairs it stands for).
set -euo pipefail
BIN=${1:-.build/release/partner-risk}
PARTNERS=${PARTNERS:-50000}
ENTRIES=${ENTRIES:-20000}   # each with half an alias on average: about 30,000 names
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PARTNER_RISK_DB="$WORK/bench.sqlite" PARTNER_RISK_HOME=$PWD
echo "generating $PARTNERS partners and $ENTRIES list entries (not timed)..."
python3 - "$WORK" "$PARTNERS" "$ENTRIES" <<'PY'
import csv, random, sys
work, partners, entries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(17)
# Names built like real ones: invented words from a few hundred syllables, and now and then the
# common words of company names (which share prefixes across many names, as in real lists).
onsets = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "kh", "l", "m", "n", "p", "pr", "r", "s", "sh", "st", "t", "tr", "v", "z", "zh"]
vowels = ["a", "e", "i", "o", "u", "ai", "ia", "ov", "en", "ar"]
codas = ["", "", "n", "r", "s", "k", "l", "m", "v", "sk"]
common = ["Trading", "Logistics", "International", "Industrial", "Transport", "Shipping", "Export", "Import", "Global", "Energy",
          "Steel", "Textile", "Metals", "Finance", "Bank", "Marine", "Services", "Technologies", "Chemicals", "Agro"]
def word():
    return "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(rng.randint(2, 3))).capitalize()
def company():
    middle = f" {rng.choice(common)}" if rng.random() < 0.6 else ""
    return f"{word()}{middle} {word() if rng.random() < 0.4 else ''} {rng.choice(forms)}".replace("  ", " ").strip()
forms = ["Inc.", "Ltd", "LLC", "GmbH", "S.A. de C.V.", "OOO", "JSC", "Co.", "Pvt Ltd", ""]
listed = []
with open(f"{work}/targets.simple.csv", "w", newline="") as out:
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers", "sanctions", "phones", "emails",
                "dataset", "first_seen", "last_seen", "last_change"])
    for i in range(entries):
        person = rng.random() < 0.5
        name = f"{word()} {word()}" if person else company()
        aliases = f"{word()} {word()}" if rng.random() < 0.5 else ""
        listed.append(name)
        w.writerow([f"NK-bench{i}", "Person" if person else "Company", name, aliases, "", "ru", "", "", "Bench list", "", "", "bench",
                    "2025-01-01T00:00:00", "2026-11-01T00:00:00", "2026-11-01T00:00:00"])
with open(f"{work}/partners.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", "email", "country", "sector"])
    for i in range(partners):
        name = rng.choice(listed) if i % 1000 == 0 else company()
        w.writerow([name, f"p{i}@bench.example.com", "CA", "importer"])
PY
"$BIN" partners import "$WORK/partners.csv" >/dev/null 2>&1
"$BIN" screening lists import "$WORK/targets.simple.csv" --list bench >/dev/null
NAMES=$(sqlite3 "$PARTNER_RISK_DB" "SELECT sum(json_array_length(names)) FROM screening_entry")
t() { python3 -c 'import time; print(time.time())'; }
[ -n "${KEEP:-}" ] && cp "$PARTNER_RISK_DB"* "$(dirname "$KEEP")/" && ls -la "$PARTNER_RISK_DB"*
s=$(t); "$BIN" screening run > "$WORK/run.txt"; e=$(t)
NAIVE=$("$BIN" bench-screen-naive --sample 2000)
python3 - "$s" "$e" "$PARTNERS" "$NAMES" "$WORK/run.txt" "$NAIVE" <<'PY'
import sys
s, e, partners, names = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
run, naive = open(sys.argv[5]).read().strip().splitlines()[-1], sys.argv[6].splitlines()
naive_rate = int(naive[-1].split()[-1])
ours = partners * names / (e - s)
print(run)
print(f"bench-screen: screening run of {partners} partners against {names} list names: {e - s:.2f} s (target under 5 s) = {ours:,.0f} pairs/s")
print(f"bench-screen: {naive[0]} = {naive_rate:,} pairs/s")
print(f"bench-screen: ratio = {ours / naive_rate:.1f}× the all-pairs comparison")
PY
