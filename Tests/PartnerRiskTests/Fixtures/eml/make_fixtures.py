#!/usr/bin/env python3
"""Writes the .eml corpus read by EMLCorpusTests.swift, and manifest.json, into this folder.

Replies in the shapes mail clients write (RFC 2231 and RFC 2047 names, forwards, S/MIME,
broken boundaries, Outlook attachments...), built with Python's standard `email` package only.
The output is deterministic (fixed dates, Message-IDs and boundaries), so running it again
rewrites the same bytes:

    python3 Tests/PartnerRiskTests/Fixtures/eml/make_fixtures.py

manifest.json lists, per file, the Message-ID and every leaf part that carries a file name
(decoded name, lower-case type/subtype, SHA-256 of the decoded body). The hashes are computed
from the bytes given to the builder here, not by parsing the output, so the manifest is an
expectation independent of any MIME parser.
"""

import base64
import hashlib
import json
import os
import quopri
import struct
import zlib
from email import policy
from email.message import EmailMessage, MIMEPart

HERE = os.path.dirname(os.path.abspath(__file__))

# CRLF line ends, as mail travels; headers set with set_raw are written as given.
POLICY = policy.SMTP.clone(refold_source="none")

# The answer file in every fixture (non-ASCII, so 8bit and quoted-printable really differ).
ANSWER = '{"format":"partner-risk-answers/1","answers":{"q1":"yes","q2":"Société Nordique – dépôt sécurisé"}}'.encode("utf-8")

PARTNER = "Ann Lee <ops@nordique-transports.example>"
OFFICER = "Questionnaires <questionnaires@partner-risk.example>"
COLLEAGUE = "Per Holm <per.holm@nordique-transports.example>"
MANAGER = "Kari Berg <kari.berg@nordique-transports.example>"
SUBJECT = "RE: Questionnaire sécurité PIP 2026"
DOMAIN = "nordique-transports.example"


def tiny_pdf():
    """A small PDF that looks valid (one empty page, xref offsets computed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def tiny_png():
    """A valid 1x1 RGB PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x4e\x79", 9)) + chunk(b"IEND", b"")


PDF = tiny_pdf()
PNG = tiny_png()
# TNEF starts with its signature 0x223E9F78 (little-endian); a .msg is an OLE2 compound file.
TNEF = b"\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 43
MSG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 32
# Dummy bytes shaped like the start of a DER PKCS #7 SignedData; not a real signature.
P7S = b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80\x30\x80\x02\x01\x01" + b"dummy signature bytes" + b"\x00\x00"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def b_word(text, charset):
    """An RFC 2047 B-encoded word."""
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode("ascii"))


def q_word(text, charset):
    """An RFC 2047 Q-encoded word (only letters and digits left as they are; space as _)."""
    out = []
    for byte in text.encode(charset):
        char = chr(byte)
        if char.isascii() and char.isalnum():
            out.append(char)
        elif char == " ":
            out.append("_")
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


class Fixture:
    """One message being built, and the leaf parts with a file name that it must yield."""

    def __init__(self, number, slug, shape, message_id=True):
        self.file = "%02d-%s.eml" % (number, slug)
        self.number = number
        self.shape = shape
        self.message_id = "<%02d.%s@%s>" % (number, slug, DOMAIN) if message_id else None
        self.parts = []

    def expect(self, file_name, content_type, body):
        self.parts.append({"file_name": file_name, "content_type": content_type, "sha256": sha256(body)})


def message(message_id, sender=PARTNER, to=OFFICER, subject=SUBJECT, date="Tue, 24 Nov 2026 10:15:00 +0100"):
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    return msg


def text(body, subtype="plain"):
    part = MIMEPart(policy=POLICY)
    part.set_content(body, subtype=subtype)
    return part


def attachment(fixture, data, content_type, file_name, disposition="attachment", expect=True):
    """A base64 part with a file name, as Python writes it (RFC 2231 for non-ASCII names)."""
    maintype, subtype = content_type.split("/")
    part = MIMEPart(policy=POLICY)
    part.set_content(data, maintype=maintype, subtype=subtype, disposition=disposition, filename=file_name)
    if expect:
        fixture.expect(file_name, content_type, data)
    return part


def raw_part(headers, payload):
    """A part whose headers are written exactly as given (set_raw bypasses Python's header model)."""
    part = MIMEPart(policy=POLICY)
    for name, value in headers:
        part.set_raw(name, value)
    part.set_payload(payload)
    return part


def b64(data):
    encoded = base64.b64encode(data).decode("ascii")
    return "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76)) + "\n"


def mixed(msg, parts, subtype="mixed"):
    msg["Content-Type"] = "multipart/" + subtype
    for part in parts:
        msg.attach(part)
    return msg


def multipart(parts, subtype):
    return mixed(MIMEPart(policy=POLICY), parts, subtype)


def forwarded(inner, file_name):
    """`inner` attached as message/rfc822 (the container is not a leaf: it lists no part)."""
    part = MIMEPart(policy=POLICY)
    part.set_content(inner, disposition="attachment", filename=file_name)
    return part


def fix_boundaries(fixture, msg):
    for index, part in enumerate(p for p in msg.walk() if p.get_content_maintype() == "multipart"):
        part.set_boundary("=_pr%02d_%d" % (fixture.number, index))


def boundaries(msg):
    return [p.get_boundary() for p in msg.walk() if p.get_content_maintype() == "multipart"]


def reply_with(fixture, *parts, intro="Bonjour,\n\nVeuillez trouver nos réponses en pièce jointe.\n\nAnn Lee\n"):
    msg = message(fixture.message_id)
    return mixed(msg, [text(intro)] + list(parts))


def build():
    out = []

    def add(fixture, msg, post=None):
        fix_boundaries(fixture, msg)
        data = msg.as_bytes(policy=POLICY)
        if post:
            data = post(msg, data)
        out.append((fixture, data))

    # 01: a long non-ASCII name; Python's default policy writes RFC 2231 continuations.
    f = Fixture(1, "rfc2231-continuation", "RFC 2231 continuation (filename*0*=utf-8''..., filename*1*=...) of a long non-ASCII name")
    name = "Réponses questionnaire sécurité PIP – Transports Nordique 2026.json"
    add(f, reply_with(f, attachment(f, ANSWER, "application/json", name)))

    # 02-05: RFC 2047 encoded words inside quoted parameters, as Outlook and others write them.
    for number, slug, shape, name, charset, word in [
        (2, "rfc2047-b-windows-1252", "RFC 2047 B-encoded windows-1252 name (R\\xe9ponse.json)", "Réponse.json", "windows-1252", b_word),
        (3, "rfc2047-q-iso-8859-1", "RFC 2047 Q-encoded iso-8859-1 name", "Réponse sécurité.json", "iso-8859-1", q_word),
        (4, "rfc2047-b-iso-2022-jp", "RFC 2047 B-encoded iso-2022-jp name", "回答書 2026.json", "iso-2022-jp", b_word),
        (5, "rfc2047-q-koi8-r", "RFC 2047 Q-encoded koi8-r name", "Ответы анкеты.json", "koi8-r", q_word),
    ]:
        f = Fixture(number, slug, shape)
        encoded = word(name, charset)
        f.expect(name, "application/octet-stream", ANSWER)
        add(f, reply_with(f, raw_part([("Content-Type", 'application/octet-stream;\n name="%s"' % encoded),
                                       ("Content-Disposition", 'attachment;\n filename="%s"' % encoded),
                                       ("Content-Transfer-Encoding", "base64")], b64(ANSWER))))

    f = Fixture(6, "quoted-name-with-semicolon", 'quoted file name holding ";" ("answers; final.json")')
    add(f, reply_with(f, attachment(f, ANSWER, "application/json", "answers; final.json")))

    # 07: every boundary line (nested ones too) followed by spaces and tabs (RFC 2046 allows it).
    def trailing_white_space(msg, data):
        delimiters = {b"--" + b.encode("ascii") + end for b in boundaries(msg) for end in (b"", b"--")}
        lines = data.split(b"\r\n")
        return b"\r\n".join(line + b" \t  " if line in delimiters else line for line in lines)

    f = Fixture(7, "boundary-trailing-whitespace", "boundary delimiter lines with trailing spaces and tabs, nested multipart/alternative")
    body = multipart([text("Voici nos réponses.\n"), text("<p>Voici nos réponses.</p>\n", "html")], "alternative")
    msg = mixed(message(f.message_id), [body, attachment(f, ANSWER, "application/json", "answers.json")])
    add(f, msg, trailing_white_space)

    # 08: the final --boundary-- line cut off (no Message-ID either).
    def no_closing_boundary(msg, data):
        closing = b"--" + msg.get_boundary().encode("ascii") + b"--"
        assert data.count(closing) == 1
        return data[:data.index(closing)]

    f = Fixture(8, "missing-closing-boundary", "missing closing boundary (answer file last, base64), no Message-ID", message_id=False)
    add(f, reply_with(f, attachment(f, ANSWER, "application/json", "answers.json")), no_closing_boundary)

    # 09-10: forwards. The partner's reply is the inner message; a colleague forwards it as an
    # attachment, and a manager forwards that forward.
    def partner_reply(fixture, file_name="answers.json"):
        inner = message("<reply.%02d@%s>" % (fixture.number, DOMAIN), date="Mon, 23 Nov 2026 16:40:00 +0100")
        return mixed(inner, [text("Bonjour,\n\nNos réponses sont jointes.\n"), attachment(fixture, ANSWER, "application/json", file_name)])

    f = Fixture(9, "forward-rfc822", "message/rfc822 forward: a colleague forwards the partner's reply as an attachment")
    msg = message(f.message_id, sender=COLLEAGUE, subject="Fwd: " + SUBJECT)
    add(f, mixed(msg, [text("Voir la réponse d'Ann ci-jointe.\n"), forwarded(partner_reply(f), "RE Questionnaire PIP.eml")]))

    f = Fixture(10, "forward-of-forward", "doubly nested message/rfc822 (a forward of a forward)")
    middle = message("<forward.10@%s>" % DOMAIN, sender=COLLEAGUE, subject="Fwd: " + SUBJECT, date="Mon, 23 Nov 2026 17:05:00 +0100")
    mixed(middle, [text("Voir ci-jointe.\n"), forwarded(partner_reply(f, "answers-forwarded-twice.json"), "RE Questionnaire PIP.eml")])
    msg = message(f.message_id, sender=MANAGER, subject="Fwd: Fwd: " + SUBJECT)
    add(f, mixed(msg, [text("Pour le dossier PIP.\n"), forwarded(middle, "Fwd RE Questionnaire PIP.eml")]))

    # 11: S/MIME signed: multipart/signed holding multipart/mixed (text and answer file) and smime.p7s.
    f = Fixture(11, "smime-signed", "multipart/signed (S/MIME): multipart/mixed with the answer file, then smime.p7s")
    signed = multipart([text("Nos réponses, signées.\n"), attachment(f, ANSWER, "application/json", "answers.json")], "mixed")
    signature = attachment(f, P7S, "application/pkcs7-signature", "smime.p7s")
    msg = message(f.message_id)
    msg["Content-Type"] = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256'
    msg.attach(signed)
    msg.attach(signature)
    add(f, msg)

    f = Fixture(12, "inline-disposition", "answer file with Content-Disposition: inline")
    add(f, reply_with(f, attachment(f, ANSWER, "application/json", "answers.json", disposition="inline")))

    f = Fixture(13, "application-json", "answer file as application/json (base64)")
    add(f, reply_with(f, attachment(f, ANSWER, "application/json", "Réponses PIP.json")))

    f = Fixture(14, "octet-stream-json-name", "answer file as application/octet-stream with a .json name")
    add(f, reply_with(f, attachment(f, ANSWER, "application/octet-stream", "answers.json")))

    f = Fixture(15, "text-plain-quoted-printable", "answer file as text/plain with a .json name, quoted-printable (soft line breaks)")
    f.expect("answers.json", "text/plain", ANSWER)
    qp = quopri.encodestring(ANSWER).decode("ascii")
    assert "=\n" in qp and "=C3=A9" in qp
    add(f, reply_with(f, raw_part([("Content-Type", 'text/plain; charset=utf-8; name="answers.json"'),
                                   ("Content-Disposition", 'attachment; filename="answers.json"'),
                                   ("Content-Transfer-Encoding", "quoted-printable")], qp)))

    f = Fixture(16, "text-plain-utf8-8bit", "answer file as text/plain; charset=utf-8, 8bit (raw UTF-8 bytes)")
    f.expect("answers.json", "text/plain", ANSWER)
    add(f, reply_with(f, raw_part([("Content-Type", "text/plain; charset=utf-8"),
                                   ("Content-Disposition", 'attachment; filename="answers.json"'),
                                   ("Content-Transfer-Encoding", "8bit")], ANSWER.decode("ascii", "surrogateescape"))))

    f = Fixture(17, "pdf-and-png-beside-answers", "answer file beside a PDF certificate and a PNG image (inline, with Content-ID)")
    image = attachment(f, PNG, "image/png", "image001.png", disposition="inline")
    image["Content-ID"] = "<image001.png@01DB3E2A.5F0C8D10>"
    add(f, reply_with(f, attachment(f, PDF, "application/pdf", "ISO 28000 certificate.pdf"), image,
                      attachment(f, ANSWER, "application/json", "answers.json")))

    f = Fixture(18, "tnef-winmail-dat", "TNEF-only reply: winmail.dat (application/ms-tnef), no answer file")
    add(f, reply_with(f, attachment(f, TNEF, "application/ms-tnef", "winmail.dat")))

    f = Fixture(19, "outlook-msg", "an Outlook .msg attached (application/vnd.ms-outlook), no answer file")
    add(f, reply_with(f, attachment(f, MSG, "application/vnd.ms-outlook", "RE Questionnaire PIP.msg")))

    f = Fixture(20, "plain-reply-no-attachment", "plain text reply, no attachment at all (not multipart)")
    msg = message(f.message_id)
    msg.set_content("Bonjour,\n\nNous avons bien reçu le questionnaire et répondrons cette semaine.\n\nAnn Lee\n")
    add(f, msg)

    # 21-22: names and types given only partly.
    f = Fixture(21, "attachment-without-content-type", "attachment with no Content-Type header (RFC 2045 default: text/plain)")
    f.expect("answers.json", "text/plain", ANSWER)
    add(f, reply_with(f, raw_part([("Content-Disposition", 'attachment; filename="answers.json"'),
                                   ("Content-Transfer-Encoding", "base64")], b64(ANSWER))))

    f = Fixture(22, "name-only-in-content-type", "file named only by the Content-Type name parameter (no Content-Disposition)")
    f.expect("answers.json", "application/json", ANSWER)
    add(f, reply_with(f, raw_part([("Content-Type", 'application/json; name="answers.json"'),
                                   ("Content-Transfer-Encoding", "base64")], b64(ANSWER))))
    return out


def main():
    fixtures = build()
    for old in os.listdir(HERE):
        if old.endswith(".eml"):
            os.remove(os.path.join(HERE, old))
    manifest = []
    for fixture, data in fixtures:
        with open(os.path.join(HERE, fixture.file), "wb") as handle:
            handle.write(data)
        manifest.append({"file": fixture.file, "shape": fixture.shape, "message_id": fixture.message_id, "parts": fixture.parts})
    # The continuation form is what fixture 01 is for: make sure Python really wrote it.
    first = fixtures[0][1]
    assert b"filename*0*=utf-8''" in first and b"filename*1*=" in first, "no RFC 2231 continuation in 01"
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    print("wrote %d fixtures and manifest.json to %s" % (len(fixtures), HERE))


if __name__ == "__main__":
    main()
