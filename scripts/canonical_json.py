"""Canonical JSON as PartnerRisk writes it for answer-file checksums, after
Sources/PartnerRiskCore/Responses/CanonicalJSON.swift: keys sorted by UTF-16 code units at every
level, no whitespace, integral numbers below 1e15 as integers (others as Swift prints a Double,
like Python's repr), strings with only `"`, `\\` and control characters escaped (\\b \\t \\n \\f \\r,
others \\u00xx lower-case). Shared by the test scripts that build or check answer files."""
import hashlib

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string(text):
    return '"' + "".join(_SHORT.get(c, "\\u%04x" % ord(c) if ord(c) < 0x20 else c) for c in text) + '"'


def canonical(value):
    if value is None: return "null"
    if value is True: return "true"
    if value is False: return "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if number == int(number) and abs(number) < 1e15: return str(int(number))
        return repr(number)
    if isinstance(value, str): return _string(value)
    if isinstance(value, list): return "[" + ",".join(canonical(v) for v in value) + "]"
    keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
    return "{" + ",".join(_string(k) + ":" + canonical(value[k]) for k in keys) + "}"


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_checksum(doc):
    """The `checksum` an answer file must carry: over the answers, or answers and document list."""
    if "evidence" not in doc:
        return "sha256:" + sha256_text(canonical(doc["answers"]))
    manifest = [{"question_id": e["question_id"], "name": e["name"], "sha256": e["sha256"]} for e in doc["evidence"]]
    return "sha256:" + sha256_text(canonical({"answers": doc["answers"], "evidence": manifest}))
