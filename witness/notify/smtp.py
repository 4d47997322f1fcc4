"""The SMTP transport: one server, one connection reused within a sweep, errors a person can
act on (they are shown on the outbox page).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

#: last_error is shown on the outbox page: a line, not a traceback
MAX_ERROR_LENGTH = 300


class MailError(Exception):
    """A mail could not be delivered; ``message`` is fit to show on the outbox page.

    ``connection`` is true when no mail can go through this server right now (it cannot be
    reached, refused TLS or the sign-in), so the rest of a batch need not try again."""

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.message = message[:MAX_ERROR_LENGTH]
        self.connection = connection


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # none | starttls | ssl
    username: str | None
    password: str | None
    mail_from: str
    timeout: float
    #: the sender of mail to witnesses, and the domain of every Message-ID: neutral
    discreet_from: str = "Appointments <no-reply@appointments.invalid>"
    message_domain: str = "appointments.invalid"

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            security=config["SMTP_SECURITY"],
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            mail_from=config["MAIL_FROM"],
            timeout=config["SMTP_TIMEOUT"],
            discreet_from=config.get("DISCREET_MAIL_FROM") or cls.discreet_from,
            message_domain=config.get("MESSAGE_DOMAIN") or cls.message_domain,
        )


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()


class SmtpTransport:
    """Sends messages through one SMTP server (stdlib ``smtplib``), reusing the connection
    within a sweep; ``close()`` ends it."""

    def __init__(self, config: Mapping | MailSettings) -> None:
        self.settings = (
            config if isinstance(config, MailSettings) else MailSettings.from_config(config)
        )
        self._smtp: smtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except ssl.SSLError as exc:
            raise MailError(
                f"TLS with the mail server at {self._where} failed ({exc.reason or exc}); "
                "check WITNESS_SMTP_SECURITY and the port.",
                connection=True,
            ) from exc
        except TimeoutError as exc:
            raise MailError(
                f"The mail server at {self._where} did not answer within {s.timeout:g} s.",
                connection=True,
            ) from exc
        except smtplib.SMTPException as exc:
            raise MailError(
                f"The mail server at {self._where} refused the connection ({exc}).",
                connection=True,
            ) from exc
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise MailError(
                f"Could not connect to the mail server at {self._where} ({reason}).",
                connection=True,
            ) from exc
        try:
            if s.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"The mail server at {self._where} does not offer STARTTLS; "
                        "check WITNESS_SMTP_SECURITY and the port.",
                        connection=True,
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except MailError:
            smtp.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise MailError(
                f"The mail server at {self._where} refused the user name or password "
                f"({_reply(exc)}); check WITNESS_SMTP_USERNAME and WITNESS_SMTP_PASSWORD.",
                connection=True,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            smtp.close()
            raise MailError(
                f"The mail server at {self._where} does not allow signing in here; "
                "it may require STARTTLS or SSL (WITNESS_SMTP_SECURITY).",
                connection=True,
            ) from exc
        except ssl.SSLError as exc:
            smtp.close()
            raise MailError(
                f"TLS with the mail server at {self._where} failed ({exc.reason or exc}).",
                connection=True,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise MailError(
                f"The mail server at {self._where} failed while setting up ({exc}).",
                connection=True,
            ) from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise ``MailError``; the recipient's address is never part of
        the error (the outbox page shows it to more people than the address)."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = "; ".join(
                f"{code} {(text.decode('utf-8', 'replace') if isinstance(text, bytes) else text)}"
                for code, text in exc.recipients.values()
            )
            raise MailError(f"The mail server refused the recipient: {replies}") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise MailError(
                f"The mail server refused the sender address ({_reply(exc)}); "
                "check WITNESS_MAIL_FROM."
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(
                "The mail server does not accept addresses with non-ASCII characters (SMTPUTF8)."
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing this connection
                self._drop()
            raise MailError(f"The mail server refused the message ({_reply(exc)}).") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # The connection is gone: the next message opens a new one.
            self._drop()
            raise MailError(
                f"The connection to the mail server at {self._where} broke ({exc or 'closed'})."
            ) from exc

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
