"""A real SMTP server (aiosmtpd) on loopback for the delivery tests: STARTTLS or implicit TLS with
a self-signed certificate made here (cryptography), optional AUTH, every message kept.

    with smtp_server(tmp_path, tls="starttls", user="digest", password="pw") as srv:
        srv.port, srv.cafile       # point AIGCWATCH_SMTP_PORT / _CAFILE at them
        srv.messages               # email.message.EmailMessage objects received
        srv.raw                    # the same, as the bytes that came over the wire
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.net import free_port  # noqa: F401  (re-exported for the mail tests)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for localhost and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class SmtpServer:
    port: int
    cafile: Path | None
    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)          # each message as it came over the wire
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls_seen: list[bool] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        with self.lock:
            self.messages.append(msg)
            self.raw.append(raw)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.tls_seen.append(session.ssl is not None)
        return "250 OK"


@contextmanager
def smtp_server(tmp_path: Path, *, tls: str = "starttls", user: str | None = None,
                password: str | None = None, port: int | None = None) -> Iterator[SmtpServer]:
    """tls: starttls (STARTTLS required before MAIL), ssl (implicit TLS) or none."""
    cafile = None
    context = None
    if tls != "none":
        cert, key = self_signed(tmp_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        cafile = cert
    srv = SmtpServer(port=port or free_port(), cafile=cafile)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        if ok:
            srv.logins.append(user)
        return AuthResult(success=ok, handled=False)

    kwargs: dict = {"hostname": "127.0.0.1", "port": srv.port}
    if tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    elif tls == "ssl":
        kwargs.update(ssl_context=context, server_hostname="localhost")
    if user:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is encrypted from the start.
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls == "starttls")
    controller = Controller(srv, **kwargs)
    controller.start()
    try:
        yield srv
    finally:
        controller.stop()
