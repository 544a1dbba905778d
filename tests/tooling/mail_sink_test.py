#!/usr/bin/python3
"""Self-test of scripts/tooling/mail_sink.py, the local SMTP sink of
scripts/up: starts it on a free port and sends with smtplib.

- one file per Message-ID: a message sent twice is kept once, listed twice
  in index.jsonl (the second time with duplicate: true), also after a
  restart of the sink on the same folder;
- the subject in the index is RFC 2047 decoded;
- STARTTLS with a self-signed certificate (openssl CLI) and AUTH: mail
  before STARTTLS and a wrong password are refused, the right session is kept;
- --fail-first 1: the first DATA answers 451, the next one is accepted.

  AFTERCARE_SOURCE_DIR=<checkout> tests/tooling/mail_sink_test.py
"""
import json
import os
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
from email.header import Header
from email.message import EmailMessage

ROOT = os.environ.get("AFTERCARE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SINK = os.path.join(ROOT, "scripts", "tooling", "mail_sink.py")


class Sink:
    """The sink as a process on a free port; stop() sends SIGTERM."""

    def __init__(self, directory, *extra):
        self.dir = directory
        port_file = os.path.join(directory, "..", f"port-{os.getpid()}-{time.monotonic_ns()}")
        self.log = open(os.path.join(directory, "..", "sink.log"), "a")
        self.proc = subprocess.Popen([SINK, "--port", "0", "--dir", directory, "--port-file", port_file, *extra],
                                     stdout=self.log, stderr=self.log)
        # Readiness only: the port file appears once the sink listens.
        for _ in range(300):
            if os.path.exists(port_file):
                break
            if self.proc.poll() is not None:
                raise AssertionError(f"mail_sink.py exited with {self.proc.returncode}: {self.log_text()}")
            time.sleep(0.1)
        else:
            self.proc.kill()
            raise AssertionError(f"mail_sink.py did not listen: {self.log_text()}")
        with open(port_file) as f:
            self.port = int(f.read())

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.log.close()
        return code


def message(message_id, subject="Hello", to="customer@example.com"):
    m = EmailMessage()
    m["From"] = "Aftercare <notifications@aftercare.invalid>"
    m["To"] = to
    m["Subject"] = subject
    if message_id:
        m["Message-ID"] = message_id
    m.set_content("RMA R-1 was approved.\n")
    return m


def eml_files(directory):
    return sorted(f for f in os.listdir(directory) if f.endswith(".eml"))


def index(directory):
    path = os.path.join(directory, "index.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class MailSinkTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="aftercare-mail-sink-")
        self.dir = os.path.join(self.tmp.name, "mail")
        os.makedirs(self.dir)
        self.sinks = []

    def tearDown(self):
        for s in self.sinks:
            if s.proc.poll() is None:
                s.stop()
        self.tmp.cleanup()

    def start(self, *extra):
        s = Sink(self.dir, *extra)
        self.sinks.append(s)
        return s

    def test_one_file_per_message_id_across_restarts(self):
        sink = self.start()
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            c.send_message(message("<n1.r1@aftercare.invalid>", "RMA R-1 approved"))
            # RFC 2047 encoded subject, decoded in the index.
            c.send_message(message("<n2.r1@aftercare.invalid>", Header("Réparation terminée", "utf-8").encode()))
            # The same notification again (a service killed mid-delivery resends).
            c.send_message(message("<n1.r1@aftercare.invalid>", "RMA R-1 approved"))
        files = eml_files(self.dir)
        self.assertEqual(len(files), 2, files)
        entries = index(self.dir)
        self.assertEqual([e["message_id"] for e in entries],
                         ["<n1.r1@aftercare.invalid>", "<n2.r1@aftercare.invalid>", "<n1.r1@aftercare.invalid>"])
        self.assertEqual([e["duplicate"] for e in entries], [False, False, True])
        self.assertEqual(entries[2]["file"], entries[0]["file"])
        self.assertIn(entries[0]["file"], files)
        self.assertIn(entries[1]["file"], files)
        self.assertTrue(entries[0]["file"].endswith("-n1.r1@aftercare.invalid.eml"), entries[0]["file"])
        self.assertEqual(entries[0]["to"], ["customer@example.com"])
        self.assertEqual(entries[0]["from"], "notifications@aftercare.invalid")
        self.assertEqual(entries[0]["subject"], "RMA R-1 approved")
        self.assertEqual(entries[1]["subject"], "Réparation terminée")
        with open(os.path.join(self.dir, entries[0]["file"]), "rb") as f:
            self.assertIn(b"Message-ID: <n1.r1@aftercare.invalid>", f.read())
        self.assertEqual(sink.stop(), 0)

        # A restarted sink on the same folder still knows n1.
        sink = self.start()
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            c.send_message(message("<n1.r1@aftercare.invalid>", "RMA R-1 approved"))
            c.send_message(message("<n3.r1@aftercare.invalid>", "RMA R-1 shipped"))
        self.assertEqual(len(eml_files(self.dir)), 3, eml_files(self.dir))
        entries = index(self.dir)
        self.assertEqual([e["duplicate"] for e in entries], [False, False, True, True, False])
        self.assertEqual(entries[3]["file"], entries[0]["file"])
        self.assertEqual(sink.stop(), 0)

    def test_messages_without_message_id_are_each_kept(self):
        sink = self.start()
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            c.send_message(message(None))
            c.send_message(message(None))
        self.assertEqual(len(eml_files(self.dir)), 2)
        self.assertEqual([e["duplicate"] for e in index(self.dir)], [False, False])
        self.assertEqual(sink.stop(), 0)

    def test_starttls_and_auth(self):
        cert = os.path.join(self.tmp.name, "cert.pem")
        key = os.path.join(self.tmp.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        sink = self.start("--tls-cert", cert, "--tls-key", key, "--require-starttls",
                          "--auth-user", "relay-user", "--auth-password", "s3cret")
        ctx = ssl.create_default_context(cafile=cert)

        # Without STARTTLS: refused.
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            with self.assertRaises(smtplib.SMTPException):
                c.send_message(message("<plain@aftercare.invalid>"))
        # Over TLS with a wrong password: refused.
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            c.starttls(context=ctx)
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                c.login("relay-user", "wrong")
        # Over TLS, authenticated, with each mechanism: kept.
        for mechanism, n in (("PLAIN", 1), ("LOGIN", 2)):
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
                c.ehlo()
                self.assertTrue(c.has_extn("starttls"))
                c.starttls(context=ctx)
                c.ehlo()
                self.assertTrue(c.has_extn("auth"))
                c.user, c.password = "relay-user", "s3cret"
                code, _ = c.auth(mechanism, getattr(c, f"auth_{mechanism.lower()}"), initial_response_ok=False)
                self.assertEqual(code, 235)
                c.send_message(message(f"<tls-{n}@aftercare.invalid>"))
        self.assertEqual(len(eml_files(self.dir)), 2)
        self.assertEqual([e["message_id"] for e in index(self.dir)],
                         ["<tls-1@aftercare.invalid>", "<tls-2@aftercare.invalid>"])
        self.assertEqual(sink.stop(), 0)

    def test_fail_first(self):
        sink = self.start("--fail-first", "1", "--fail-code", "451")
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as c:
            with self.assertRaises(smtplib.SMTPDataError) as e:
                c.send_message(message("<retry@aftercare.invalid>"))
            self.assertEqual(e.exception.smtp_code, 451)
            self.assertEqual(eml_files(self.dir), [])
            c.send_message(message("<retry@aftercare.invalid>"))
        self.assertEqual(len(eml_files(self.dir)), 1)
        entries = index(self.dir)
        self.assertEqual(len(entries), 1)
        self.assertFalse(entries[0]["duplicate"])
        self.assertEqual(sink.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
