#!/usr/bin/python3
# (Debian's python3 on purpose: python3-aiosmtpd installs for it, and a
# pyenv or venv python3 earlier on PATH would not find aiosmtpd.)
"""A local SMTP sink for development and tests: accepts every message and
keeps it as a file, once per Message-ID.

Each accepted message is written to <dir>/<UTC timestamp>-<Message-ID>.eml
(the Message-ID made safe for a file name) unless a message with the same
Message-ID was written before: the services send a notification again with
the same Message-ID after a crash mid-delivery, and receivers de-duplicate
on it, as this sink does. <dir>/.seen lists the Message-IDs already written
(one JSON object a line), so that holds across restarts of the sink.
Every accepted message, duplicate or not, appends one JSON line to
<dir>/index.jsonl: message_id, from, to (envelope recipients), subject
(RFC 2047 decoded), file (the .eml, the first copy's for a duplicate),
duplicate (true/false) and received_at.

  scripts/tooling/mail_sink.py --dir .data/mail [--host 127.0.0.1] [--port 0]
      [--port-file FILE] [--tls-cert CERT --tls-key KEY [--require-starttls]]
      [--auth-user USER --auth-password PASSWORD] [--fail-first N --fail-code 451]
      [--delay-rcpt-suffix SUFFIX [--delay-seconds 2]]

--port 0 binds a free port; --port-file receives the bound port once the
sink listens. --tls-cert/--tls-key offer STARTTLS (--require-starttls refuses
mail before it); --auth-user/--auth-password require AUTH PLAIN or LOGIN,
over TLS only. --fail-first N answers the first N DATA commands with
--fail-code (451 by default), for retry tests. Runs in the foreground until
SIGTERM or SIGINT; logs one line per message to stderr. --delay-rcpt-suffix
keeps a message to a recipient ending with SUFFIX at once but answers 250
only --delay-seconds later: the e2e test kills the sending service in that
window and checks the resend is de-duplicated.
"""
import argparse
import asyncio
import datetime
import email.parser
import email.policy
import hashlib
import json
import logging
import os
import re
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def log(msg):
    print(f"mail-sink: {msg}", file=sys.stderr, flush=True)


def safe_name(message_id):
    """The Message-ID as a file-name part: <> dropped, every character other
    than letters, digits, '.', '_', '@', '-' and '+' replaced by '_', at most
    120 characters (a hash of the whole id is appended when shortened)."""
    s = re.sub(r"[^A-Za-z0-9._@+-]", "_", message_id.strip().strip("<>"))
    s = s.lstrip(".") or "_"
    if len(s) > 120:
        s = s[:100] + "-" + hashlib.sha256(message_id.encode()).hexdigest()[:16]
    return s


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class SinkHandler:
    def __init__(self, directory, fail_first=0, fail_code=451, delay_suffix=None, delay_seconds=0.0):
        self.dir = directory
        self.delay_suffix = delay_suffix
        self.delay_seconds = delay_seconds
        self.fail_left = fail_first
        self.fail_code = fail_code
        self.seen_path = os.path.join(directory, ".seen")
        self.index_path = os.path.join(directory, "index.jsonl")
        self.seen = {}  # Message-ID -> file name of its first copy
        if os.path.exists(self.seen_path):
            with open(self.seen_path, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a crash
                    self.seen[entry["message_id"]] = entry["file"]

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            log(f"answering DATA with {self.fail_code} (--fail-first; {self.fail_left} left)")
            return f"{self.fail_code} 4.3.0 mail-sink: temporary failure (--fail-first)"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(content, headersonly=True)
        try:
            message_id = str(msg["Message-ID"]).strip() if msg["Message-ID"] is not None else None
        except Exception:  # an unparsable header
            message_id = msg.get_all("Message-ID", [None])[0]
        try:
            subject = str(msg["Subject"]) if msg["Subject"] is not None else None
        except Exception:
            subject = msg.get_all("Subject", [None])[0]

        now = datetime.datetime.now(datetime.timezone.utc)
        duplicate = message_id is not None and message_id in self.seen
        if duplicate:
            name = self.seen[message_id]
        else:
            stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
            base = f"{stamp}-{safe_name(message_id) if message_id else 'no-message-id'}"
            name, n = base + ".eml", 1
            while os.path.exists(os.path.join(self.dir, name)):
                n += 1
                name = f"{base}-{n}.eml"
            write_atomically(os.path.join(self.dir, name), content)
            if message_id is not None:
                self.seen[message_id] = name
                with open(self.seen_path, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"message_id": message_id, "file": name}) + "\n")
        entry = {
            "message_id": message_id,
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": subject,
            "file": name,
            "duplicate": duplicate,
            "received_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        with open(self.index_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        what = f"duplicate of {name}, not written again" if duplicate else f"wrote {name}"
        log(f"{what}: Message-ID {message_id} from {envelope.mail_from} to "
            f"{', '.join(envelope.rcpt_tos)} subject {subject!r}")
        if self.delay_suffix and any(r.endswith(self.delay_suffix) for r in envelope.rcpt_tos):
            # Kept, but the sender hears so only later: a window in which
            # tests kill the sender after the receiver took the message.
            log(f"answering in {self.delay_seconds}s (--delay-rcpt-suffix)")
            await asyncio.sleep(self.delay_seconds)
        return "250 2.0.0 OK: kept" if not duplicate else "250 2.0.0 OK: duplicate Message-ID, already kept"


def parse_args(argv):
    p = argparse.ArgumentParser(description="Local SMTP sink: keeps each message as a file, once per Message-ID.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: a free port (see --port-file)")
    p.add_argument("--dir", required=True, help="where the .eml files and index.jsonl go")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--tls-cert", help="certificate (PEM) to offer STARTTLS with")
    p.add_argument("--tls-key", help="its private key (PEM)")
    p.add_argument("--require-starttls", action="store_true", help="refuse mail before STARTTLS")
    p.add_argument("--auth-user", help="require AUTH PLAIN/LOGIN (over TLS) as this user")
    p.add_argument("--auth-password", help="the password of --auth-user")
    p.add_argument("--fail-first", type=int, default=0, help="answer the first N DATA commands with --fail-code")
    p.add_argument("--fail-code", type=int, default=451)
    p.add_argument("--delay-rcpt-suffix",
                   help="for a message to a recipient ending with this, answer 250 only "
                        "--delay-seconds after keeping it (tests kill the sender in between)")
    p.add_argument("--delay-seconds", type=float, default=2.0)
    a = p.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if a.require_starttls and not a.tls_cert:
        p.error("--require-starttls needs --tls-cert and --tls-key")
    if bool(a.auth_user) != (a.auth_password is not None):
        p.error("--auth-user and --auth-password go together")
    if a.auth_user and not a.tls_cert:
        p.error("--auth-user needs --tls-cert and --tls-key (AUTH is offered over TLS only)")
    if not 400 <= a.fail_code <= 599:
        p.error("--fail-code must be a 4xx or 5xx SMTP code")
    return a


async def serve(a):
    os.makedirs(a.dir, exist_ok=True)
    handler = SinkHandler(a.dir, a.fail_first, a.fail_code, a.delay_rcpt_suffix, a.delay_seconds)
    tls_context = None
    if a.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(a.tls_cert, a.tls_key)
    authenticator = None
    if a.auth_user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and
                  auth_data.login == a.auth_user.encode() and
                  auth_data.password == a.auth_password.encode())
            # handled=False: aiosmtpd answers a failure with 535 itself.
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(handler, hostname="mail-sink.localhost", tls_context=tls_context,
                    require_starttls=a.require_starttls, authenticator=authenticator,
                    auth_required=bool(a.auth_user), auth_require_tls=True, loop=loop)

    try:
        server = await loop.create_server(factory, host=a.host, port=a.port)
    except OSError as e:
        log(f"cannot listen on {a.host}:{a.port}: {e.strerror or e}")
        return 1
    port = server.sockets[0].getsockname()[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, a.port_file)
    features = []
    if tls_context:
        features.append("STARTTLS required" if a.require_starttls else "STARTTLS offered")
    if a.auth_user:
        features.append("AUTH required")
    if a.fail_first:
        features.append(f"first {a.fail_first} DATA answered {a.fail_code}")
    log(f"listening on {a.host}:{port}, keeping messages in {os.path.abspath(a.dir)}"
        + (f" ({', '.join(features)})" if features else ""))

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    log("stopped")
    return 0


def main(argv):
    a = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="mail-sink: %(name)s: %(message)s")
    return asyncio.run(serve(a))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
