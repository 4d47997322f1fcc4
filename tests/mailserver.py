"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests that send mail.

``smtp_server`` (a fixture, registered in conftest.py) accepts everything and keeps each message,
parsed with ``email.message_from_bytes``; add an address to ``smtp_server.rejected`` and the
server answers 550 for it. ``start_smtp_server(**server_kwargs)`` starts one with other
options (STARTTLS, sign-in) for the tests that need them.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

REJECT_REPLY = "550 5.1.1 Mailbox unavailable"


class CollectingHandler:
    """Keeps every message it is given; refuses the recipients in ``rejected``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rejected: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return REJECT_REPLY
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        # Line ends as a mail program stores them (\n); an attachment's own bytes are unchanged.
        raw = envelope.content.replace(b"\r\n", b"\n")
        self.messages.append(message_from_bytes(raw, policy=policy.default))
        return "250 Message accepted for delivery"


def password_authenticator(username: str, password: str):
    """An aiosmtpd authenticator that accepts exactly this user name and password."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == username.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """A running server: where it listens, what it received, whom it refuses."""

    def __init__(self, controller: Controller, handler: CollectingHandler) -> None:
        self.controller = controller
        self.handler = handler
        self.host = "127.0.0.1"
        self.port = controller.port

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    @property
    def rejected(self) -> set[str]:
        return self.handler.rejected

    def config(self, **overrides) -> dict:
        """Settings for ``SmtpTransport`` (the app's config keys) pointing at this server."""
        return {
            "SMTP_HOST": self.host,
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "none",
            "SMTP_USERNAME": None,
            "SMTP_PASSWORD": None,
            "SMTP_TIMEOUT": 5.0,
            "MAIL_FROM": "Witness <no-reply@witness.test>",
        } | overrides


@contextmanager
def start_smtp_server(**server_kwargs) -> Iterator[MailServer]:
    """Run an aiosmtpd server on a free loopback port for the duration of the block."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **server_kwargs)
    controller.start()
    try:
        yield MailServer(controller, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app) -> Iterator[MailServer]:
    """A real SMTP server, and the app's mail settings pointed at it for the test."""
    with start_smtp_server() as server:
        saved = {key: app.config[key] for key in server.config()}
        app.config.update(server.config())
        try:
            yield server
        finally:
            app.config.update(saved)


def self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1, and the
    certificate's file for a client to trust. Needs ``cryptography`` (skips without it)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "smtp-cert.pem"
    key_file = directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
