"""The digest as a multipart email (plain text + HTML) and sending it over SMTP.

Security `starttls` (default, port 587), `ssl` (implicit TLS, port 465) or `none` (port 25, only
for a relay on a trusted network; refused when a login is configured, since the password would
cross the network in clear). Certificates are verified against the system's CAs or
`AIGCWATCH_SMTP_CAFILE`. The password is never part of any message, log or repr.
"""
from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid, parseaddr

from aigcwatch.errors import AigcwatchError, ConfigError

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_S = 30.0


class DeliveryError(AigcwatchError):
    """A digest could not be delivered (recorded in the delivery log; the next run retries)."""

    exit_code = 6


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    timeout: float = TIMEOUT_S

    @property
    def where(self) -> str:
        return f"SMTP {self.host}:{self.port} ({self.security})"


def smtp_settings(get: Callable[[str], str | None]) -> SmtpSettings | None:
    """Settings from `get(name)` (aigcwatch.config.setting); None when no host is configured.
    Bad values raise ConfigError naming the variable."""
    host = get("smtp_host")
    if not host:
        return None
    security = (get("smtp_security") or "starttls").lower()
    if security not in SECURITIES:
        raise ConfigError(f"AIGCWATCH_SMTP_SECURITY: {security!r} is not one of {', '.join(SECURITIES)}")
    port_text = get("smtp_port")
    try:
        port = int(port_text) if port_text else DEFAULT_PORTS[security]
    except ValueError as e:
        raise ConfigError(f"AIGCWATCH_SMTP_PORT: {port_text!r} is not a port number") from e
    if not 0 < port < 65536:
        raise ConfigError(f"AIGCWATCH_SMTP_PORT: {port} is out of range")
    user, password = get("smtp_user"), get("smtp_password")
    if password and not user:
        raise ConfigError("AIGCWATCH_SMTP_PASSWORD is set but AIGCWATCH_SMTP_USER is not")
    if user and security == "none":
        raise ConfigError("AIGCWATCH_SMTP_USER is set with AIGCWATCH_SMTP_SECURITY=none: the password "
                          "would be sent in clear; use starttls or ssl")
    return SmtpSettings(host=host, port=port, security=security, user=user or None,
                        password=password or None, cafile=get("smtp_cafile") or None)


def check_address(addr: str, what: str) -> str:
    name, email = parseaddr(addr)
    if "@" not in email or any(c.isspace() or c in "\r\n," for c in email):
        raise ConfigError(f"{what}: {addr!r} is not an email address")
    return addr.strip()


class _MailPolicy(EmailPolicy):
    """The standard policy, except for the free-text headers we write (the subject, our X-
    headers), which are folded here. Python's folder (3.11-3.14) may put a space between two
    encoded words, where RFC 2047 readers drop it ("可灵 Kling 昨日" read back as "可灵 Kling昨日",
    CPython gh-144156), and may break a long ASCII subject before its first word, so that it
    reads back with a leading space. Non-ASCII text (or text that looks like an encoded word)
    becomes encoded words that carry their own spaces; ASCII text breaks at spaces only."""

    def fold(self, name, value):
        return self._own_fold(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        own = self._own_fold(name, value)
        return own.encode("ascii") if own else super().fold_binary(name, value)

    def _own_fold(self, name: str, value) -> str | None:
        if not (name.lower() == "subject" or name.lower().startswith("x-")):
            return None
        text, limit = " ".join(str(value).split()), self.max_line_length or 78
        if not text.isascii() or "=?" in text:
            words = _encoded_words(text, first=min(limit - len(name) - 2, 75),
                                   rest=min(limit - 1, 75))   # RFC 2047: a word of 75 at most
            return f"{name}: " + (self.linesep + " ").join(words) + self.linesep
        lines, words = [f"{name}:"], 0      # words on the last line
        for word in text.split(" "):
            if words and len(lines[-1]) + 1 + len(word) > limit:
                lines, words = [*lines, ""], 0
            lines[-1] += " " + word
            words += 1
        return self.linesep.join(lines) + self.linesep


def _encoded_words(text: str, first: int, rest: int) -> list[str]:
    """`text` as RFC 2047 base64 words of at most `first` characters for the first and `rest`
    for the others, cut between characters; spaces are inside the words, so a reader that
    drops the folding space between two words loses none."""
    words, chunk, budget = [], b"", first
    for ch in text:
        b = ch.encode("utf-8")
        if chunk and len(_word(chunk + b)) > budget:
            words.append(_word(chunk))
            chunk, budget = b"", rest
        chunk += b
    return [*words, _word(chunk)]


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


MAIL_POLICY = _MailPolicy()      # email.policy.default, but for the headers above


def build_message(subject: str, text: str, html: str, *, sender: str, to: str,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """multipart/alternative: text/plain first, text/html last (the part clients prefer)."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = " ".join(subject.split())
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("aigcwatch", domain=domain)
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def _reason(exc: BaseException, settings: SmtpSettings) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        text = f"login refused ({exc.smtp_code} {_decode(exc.smtp_error)})"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        text = f"server does not support it: {exc}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "recipient refused: " + "; ".join(
            f"{rcpt} ({code} {_decode(err)})" for rcpt, (code, err) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    elif isinstance(exc, ssl.SSLError):
        text = f"TLS failed: {exc.reason or exc}"
    elif isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        text = f"cannot connect: {exc.strerror or exc}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())
    if settings.password:
        text = text.replace(settings.password, "***")
    return f"{settings.where}: {text}"[:400]


def _decode(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class SmtpSession:
    """One SMTP connection for several messages: `with SmtpSession(settings) as s: s.send(msg)`.
    Every failure is a DeliveryError with one line (never the password)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def __enter__(self) -> SmtpSession:
        s = self.settings
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                smtp.ehlo()
                if s.security == "starttls":
                    if not smtp.has_extn("starttls"):
                        raise smtplib.SMTPNotSupportedError("no STARTTLS offered (refusing to send in clear)")
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                if s.user:
                    smtp.login(s.user, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(_reason(e, s)) from None
        self._smtp = smtp
        return self

    def send(self, msg: EmailMessage) -> None:
        assert self._smtp is not None, "use SmtpSession as a context manager"
        try:
            self._smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(_reason(e, self.settings)) from None

    def __exit__(self, *exc) -> bool:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
        return False
