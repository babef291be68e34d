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
