#!/usr/bin/python3
"""Loopback SMTP test server for PartnerRisk's tests (aiosmtpd 1.4).

Run it with Debian's interpreter (/usr/bin/python3): a pyenv `python3` on PATH
does not see the python3-aiosmtpd package.

    /usr/bin/python3 Tests/servers/smtp_server.py --port 0 --outdir /tmp/out
    -> prints exactly one line "READY <port>" on stdout, then serves until
       SIGTERM/SIGINT.

Every accepted message is stored as <outdir>/<seq>-<first-rcpt>.eml (the DATA
bytes after dot-unstuffing, CRLF kept) and one JSON line is appended to
<outdir>/log.jsonl:
    {"seq", "mail_from", "rcpt_tos", "size", "file", "tls", "auth_user"}
Both are written before the 250 reply goes out, so a client that saw 250 can
read them at once.  Refusals (tempfail, reject, drop) are appended to
<outdir>/events.jsonl, never to log.jsonl.

`--self-test` starts this script as a child on a free port and exercises it
with smtplib (see self_test()).
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover
    sys.stderr.write(
        "smtp_server.py: cannot import aiosmtpd; run it with /usr/bin/python3 "
        "(Debian package python3-aiosmtpd), not %s\n" % sys.executable)
    sys.exit(2)

LOOPBACK = "127.0.0.1"


def sanitise(addr, limit=80):
    s = re.sub(r"[^A-Za-z0-9._@+-]", "_", addr or "none")
    s = s.lstrip(".") or "none"
    return s[:limit]


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


class Recorder:
    """Handler: applies the failure rules and stores accepted messages."""

    def __init__(self, args):
        self.outdir = os.path.abspath(args.outdir)
        os.makedirs(self.outdir, exist_ok=True)
        self.log_path = os.path.join(self.outdir, "log.jsonl")
        self.events_path = os.path.join(self.outdir, "events.jsonl")
        self.tempfail_re = re.compile(args.tempfail_rcpt_regex) if args.tempfail_rcpt_regex else None
        self.reject_re = re.compile(args.reject_rcpt_regex) if args.reject_rcpt_regex else None
        self.drop_re = re.compile(args.drop_after_data_regex) if args.drop_after_data_regex else None
        self.tempfail_times = args.tempfail_times
        self.drop_times = args.drop_times
        self.delay = max(0, args.delay_ms) / 1000.0
        self.counts = {}  # (rule, rcpt) -> times the rule fired
        self.lock = threading.Lock()
        self.seq = self._existing_lines(self.log_path)

    @staticmethod
    def _existing_lines(path):
        try:
            with open(path, "rb") as f:
                return sum(1 for line in f if line.strip())
        except FileNotFoundError:
            return 0

    def _append(self, path, record):
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def _fires(self, rule, regex, limit, rcpt):
        """True when `regex` matches `rcpt` and the rule still has budget
        (limit 0 = always)."""
        if regex is None or not regex.search(rcpt):
            return False
        key = (rule, rcpt.lower())
        n = self.counts.get(key, 0)
        if limit and n >= limit:
            return False
        self.counts[key] = n + 1
        return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_re is not None and self.reject_re.search(address):
            self._append(self.events_path, {"event": "reject", "rcpt": address,
                                             "mail_from": envelope.mail_from})
            return "550 5.1.1 No such user"
        if self._fires("tempfail", self.tempfail_re, self.tempfail_times, address):
            self._append(self.events_path, {"event": "tempfail", "rcpt": address,
                                             "mail_from": envelope.mail_from})
            return "451 4.3.0 Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content
        if isinstance(data, str):  # not with decode_data=False, but be safe
            data = data.encode("utf-8", "surrogateescape")
        if any(self._fires("drop", self.drop_re, self.drop_times, r) for r in envelope.rcpt_tos):
            self._append(self.events_path, {"event": "drop", "rcpt_tos": envelope.rcpt_tos,
                                             "mail_from": envelope.mail_from,
                                             "size": len(data)})
            self._abort(server)
            # connection_lost() cancels this coroutine; never reply.
            await asyncio.sleep(3600)
            return "421 4.4.2 dropped"  # not reached
        with self.lock:
            self.seq += 1
            seq = self.seq
        first = envelope.rcpt_tos[0] if envelope.rcpt_tos else "none"
        name = "%d-%s.eml" % (seq, sanitise(first))
        path = os.path.join(self.outdir, name)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = _text(session.auth_data.login)
        self._append(self.log_path, {
            "seq": seq,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "size": len(data),
            "file": name,
            "tls": bool(session.ssl is not None or getattr(server, "_tls_protocol", None)),
            "auth_user": auth_user,
        })
        return "250 2.0.0 OK queued as %d" % seq

    @staticmethod
    def _abort(server):
        # Underlying TCP transport (under the TLS layer after STARTTLS).
        raw = getattr(server, "_original_transport", None) or server.transport
        if raw is None:
            return
        sock = raw.get_extra_info("socket")
        if sock is not None:
            try:  # linger 0: close() sends RST, no FIN handshake, no reply.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        raw.abort()


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and _text(auth_data.login) == user
              and _text(auth_data.password) == password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticator


def build_smtp_kwargs(args):
    kw = dict(hostname="localhost", enable_SMTPUTF8=True, decode_data=False,
              timeout=args.timeout)
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        kw["tls_context"] = ctx
        kw["require_starttls"] = bool(args.require_tls)
    if args.auth:
        user, _, password = args.auth.partition(":")
        kw["authenticator"] = make_authenticator(user, password)
        kw["auth_required"] = True
        kw["auth_require_tls"] = bool(args.auth_require_tls)
    else:
        kw["auth_require_tls"] = True  # no AUTH advertised without TLS
    return kw


async def serve(args):
    import logging
    logging.getLogger("mail.log").setLevel(logging.ERROR if not args.verbose else logging.DEBUG)
    import warnings
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

    loop = asyncio.get_running_loop()
    handler = Recorder(args)
    kw = build_smtp_kwargs(args)
    # Own create_server instead of aiosmtpd.controller.Controller: it gives the
    # real port for --port 0 without a bind/close race, and no extra
    # self-connection (Controller pokes the server once to trigger it).
    server = await loop.create_server(
        lambda: SMTP(handler, loop=loop, **kw),
        host=args.host, port=args.port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()
    if args.parent_watch:
        # A test runner that crashes or is SIGKILLed cannot send SIGTERM; do
        # not outlive it (we get re-parented, so getppid() changes).
        parent = os.getppid()

        async def watch_parent():
            while not stop.done():
                await asyncio.sleep(1)
                if os.getppid() != parent and not stop.done():
                    stop.set_result(None)

        loop.create_task(watch_parent())
    if args.max_lifetime > 0:
        loop.call_later(args.max_lifetime, lambda: stop.done() or stop.set_result(None))
    try:
        await stop
    finally:
        server.close()
        await server.wait_closed()


# --------------------------------------------------------------------------
# self-test


def self_test(args):
    import smtplib

    own_outdir = not args.outdir
    outdir = args.outdir or tempfile.mkdtemp(prefix="smtp-selftest-")
    cmd = [sys.executable, os.path.abspath(__file__), "--port", "0", "--host", LOOPBACK,
           "--outdir", outdir,
           "--tempfail-rcpt-regex", r"^tempfail@",
           "--reject-rcpt-regex", r"^nouser@",
           "--drop-after-data-regex", r"^drop@"]
    if args.tls_cert:
        cmd += ["--tls-cert", args.tls_cert, "--tls-key", args.tls_key]
    if args.require_tls:
        cmd += ["--require-tls"]
    if args.auth:
        cmd += ["--auth", args.auth]
    if args.auth_require_tls:
        cmd += ["--auth-require-tls"]
    if args.delay_ms:
        cmd += ["--delay-ms", str(args.delay_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    try:
        line = proc.stdout.readline().strip()
        check(re.fullmatch(r"READY \d+", line) is not None, "ready line %r" % line)
        port = int(line.split()[1])
        cctx = ssl.create_default_context()
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE

        def connect():
            s = smtplib.SMTP(LOOPBACK, port, timeout=10)
            s.ehlo("selftest.local")
            if args.tls_cert:
                s.starttls(context=cctx)
                s.ehlo("selftest.local")
            if args.auth:
                user, _, password = args.auth.partition(":")
                s.login(user, password)
            return s

        if args.require_tls and args.tls_cert:
            s = smtplib.SMTP(LOOPBACK, port, timeout=10)
            s.ehlo("selftest.local")
            code, _ = s.mail("a@example.test")
            check(code == 530, "MAIL before STARTTLS -> %d (want 530)" % code)
            s.quit()
        if args.auth:
            s = smtplib.SMTP(LOOPBACK, port, timeout=10)
            s.ehlo("selftest.local")
            if args.tls_cert:
                s.starttls(context=cctx)
                s.ehlo("selftest.local")
            if "auth" in s.esmtp_features:
                try:
                    s.login(args.auth.partition(":")[0], "wrong-password")
                    check(False, "wrong password refused")
                except smtplib.SMTPAuthenticationError as e:
                    check(e.smtp_code == 535, "wrong password -> %d (want 535)" % e.smtp_code)
                s.rset()
            code, _ = s.mail("a@example.test")
            check(code == 530, "MAIL without AUTH -> %d (want 530)" % code)
            s.quit()

        body = ("From: a@example.test\r\nTo: ok@example.test\r\nSubject: self-test\r\n"
                "\r\nline one\r\n.leading dot\r\nlast line\r\n")
        s = connect()
        refused = s.sendmail("a@example.test", ["ok@example.test"], body.encode())
        check(refused == {}, "message to ok@ accepted")
        s.mail("a@example.test")
        code, msg = s.rcpt("tempfail@example.test")
        check(code == 451 and msg.startswith(b"4.3.0"), "RCPT tempfail@ -> %s %s" % (code, msg))
        code, msg = s.rcpt("nouser@example.test")
        check(code == 550 and msg.startswith(b"5.1.1"), "RCPT nouser@ -> %s %s" % (code, msg))
        s.rset()
        s.quit()

        s = connect()
        try:
            s.sendmail("a@example.test", ["drop@example.test"], body.encode())
            check(False, "drop@ connection closed before reply")
        except (smtplib.SMTPServerDisconnected, ConnectionError, ssl.SSLError) as e:
            check(True, "drop@ connection closed before reply (%s)" % type(e).__name__)
        try:
            s.close()
        except Exception:
            pass

        # still serving after the drop
        s = connect()
        s.sendmail("a@example.test", ["second@example.test"], b"Subject: 2\r\n\r\nsecond\r\n")
        s.quit()

        with open(os.path.join(outdir, "log.jsonl"), encoding="utf-8") as f:
            recs = [json.loads(x) for x in f if x.strip()]
        check(len(recs) == 2, "log.jsonl has 2 records (got %d)" % len(recs))
        r = recs[0]
        check(r["rcpt_tos"] == ["ok@example.test"] and r["mail_from"] == "a@example.test",
              "record 1 envelope")
        check(r["tls"] == bool(args.tls_cert), "record 1 tls=%s" % r["tls"])
        want_user = args.auth.partition(":")[0] if args.auth else None
        check(r["auth_user"] == want_user, "record 1 auth_user=%r" % r["auth_user"])
        with open(os.path.join(outdir, r["file"]), "rb") as f:
            raw = f.read()
        check(raw == body.encode()
              and b"\r\n" in raw and len(raw) == r["size"],
              "stored %s: %d bytes, CRLF preserved, dot-unstuffed" % (r["file"], len(raw)))
        check(r["file"] == "%d-ok@example.test.eml" % r["seq"], "file name %s" % r["file"])
        check(not any("drop@" in x["file"] for x in recs), "dropped message not stored")
        with open(os.path.join(outdir, "events.jsonl"), encoding="utf-8") as f:
            events = [json.loads(x)["event"] for x in f if x.strip()]
        check(sorted(events) == ["drop", "reject", "tempfail"], "events %s" % events)
    except Exception as e:  # noqa
        failures.append(repr(e))
        print("FAIL exception %r" % (e,))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        print(("ok   " if rc == 0 else "FAIL ") + "server exited with %d on SIGTERM" % rc)
        if rc != 0:
            failures.append("exit code %d" % rc)
    print("SELF-TEST %s (outdir %s)" % ("PASSED" if not failures else "FAILED", outdir))
    if own_outdir and not failures:
        shutil.rmtree(outdir, ignore_errors=True)
    return 0 if not failures else 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default=LOOPBACK, help="listen address (tests: 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--outdir", help="where .eml files, log.jsonl and events.jsonl go")
    p.add_argument("--port-file", help="also write the port to this file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-tls", action="store_true",
                   help="530 for MAIL etc. before STARTTLS (needs --tls-cert)")
    p.add_argument("--auth", metavar="USER:PASSWORD",
                   help="require AUTH PLAIN/LOGIN with these credentials")
    p.add_argument("--auth-require-tls", action="store_true",
                   help="offer AUTH only after STARTTLS (default: also in clear)")
    p.add_argument("--tempfail-rcpt-regex", metavar="RE", help="451 4.3.0 for matching RCPT TO")
    p.add_argument("--tempfail-times", type=int, default=0,
                   help="tempfail each matching recipient only this many times (0 = always)")
    p.add_argument("--reject-rcpt-regex", metavar="RE", help="550 5.1.1 for matching RCPT TO")
    p.add_argument("--drop-after-data-regex", metavar="RE",
                   help="reset the connection after DATA, before the reply, for a matching rcpt")
    p.add_argument("--drop-times", type=int, default=0,
                   help="drop for each matching recipient only this many times (0 = always)")
    p.add_argument("--delay-ms", type=int, default=0, help="delay before answering DATA")
    p.add_argument("--timeout", type=float, default=300, help="idle connection timeout, seconds")
    p.add_argument("--no-parent-watch", dest="parent_watch", action="store_false",
                   help="keep running when the parent process exits (default: exit)")
    p.add_argument("--max-lifetime", type=float, default=0,
                   help="exit after this many seconds (0 = never)")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--self-test", action="store_true")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if args.require_tls and not args.tls_cert:
        p.error("--require-tls needs --tls-cert/--tls-key")
    if args.host not in ("127.0.0.1", "::1", "localhost") and not args.host.startswith("127."):
        p.error("--host must be a loopback address (tests never listen elsewhere)")
    if args.auth and ":" not in args.auth:
        p.error("--auth wants USER:PASSWORD")
    if args.self_test:
        return self_test(args)
    if not args.outdir:
        p.error("--outdir is required")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
