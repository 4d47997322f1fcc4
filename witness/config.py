"""Settings read from the environment (``WITNESS_*``); embedded SQLite by default."""

from __future__ import annotations

import os
import re
import secrets
from datetime import time, timedelta
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path

from witness.letters.discreet import forbidden_in_any_language


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: what calendar files call the program that wrote them: nothing about a court or a product
DEFAULT_PRODID = "-//Appointments//Calendar 1.0//EN"
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


class ConfigError(ValueError):
    """A setting in the environment that cannot be used; the message names it and says why."""


def _smtp_settings() -> dict:
    """The SMTP settings, checked so a mistake stops start-up with a message, not a mail."""
    env = os.environ
    port_text = env.get("WITNESS_SMTP_PORT", "25").strip()
    # isascii: str.isdigit() also takes "²" and fullwidth digits, which int() refuses or misreads
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"WITNESS_SMTP_PORT must be a port number (1-65535), not {port_text!r}.")
    security = env.get("WITNESS_SMTP_SECURITY", "none").strip().lower()
    if security not in {"none", "starttls", "ssl"}:
        raise ConfigError(f"WITNESS_SMTP_SECURITY must be none, starttls or ssl, not {security!r}.")
    timeout_text = env.get("WITNESS_SMTP_TIMEOUT", "10").strip()
    try:
        timeout = float(timeout_text)
    except ValueError:
        timeout = 0.0
    if not 0 < timeout <= 600:
        raise ConfigError(
            f"WITNESS_SMTP_TIMEOUT must be a number of seconds (above 0, at most 600), "
            f"not {timeout_text!r}."
        )
    username = env.get("WITNESS_SMTP_USERNAME") or None
    password = env.get("WITNESS_SMTP_PASSWORD") or None
    if (username is None) != (password is None):
        raise ConfigError("Set both WITNESS_SMTP_USERNAME and WITNESS_SMTP_PASSWORD, or neither.")
    mail_from = env.get("WITNESS_MAIL_FROM", "no-reply@witness.invalid").strip()
    if any(c in mail_from for c in "\r\n\x00") or "@" not in parseaddr(mail_from)[1]:
        raise ConfigError(
            "WITNESS_MAIL_FROM must be one e-mail address, such as "
            f"'Witness <no-reply@example.org>', not {mail_from!r}."
        )
    discreet_from = env.get(
        "WITNESS_DISCREET_MAIL_FROM", "Appointments <no-reply@appointments.invalid>"
    ).strip()
    if any(c in discreet_from for c in "\r\n\x00") or "@" not in parseaddr(discreet_from)[1]:
        raise ConfigError(
            "WITNESS_DISCREET_MAIL_FROM must be one e-mail address that says nothing about a "
            f"court or a prosecution, such as 'Appointments <no-reply@example.org>', "
            f"not {discreet_from!r}."
        )
    domain = env.get("WITNESS_MESSAGE_DOMAIN", "").strip().lower()
    domain = domain or parseaddr(discreet_from)[1].rpartition("@")[2].lower()
    if not _DOMAIN.fullmatch(domain):
        raise ConfigError(f"WITNESS_MESSAGE_DOMAIN must be a domain name, not {domain!r}.")
    prodid = env.get("WITNESS_ICS_PRODID", DEFAULT_PRODID).strip()
    if not prodid or any(not c.isprintable() for c in prodid) or len(prodid) > 200:
        raise ConfigError(
            f"WITNESS_ICS_PRODID must be one printable line such as {DEFAULT_PRODID!r}, "
            f"not {prodid!r}."
        )
    host = env.get("WITNESS_SMTP_HOST", "localhost").strip()
    if not host or any(c.isspace() for c in host):
        raise ConfigError(f"WITNESS_SMTP_HOST must be a host name or address, not {host!r}.")
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": int(port_text),
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": username,
        "SMTP_PASSWORD": password,
        "SMTP_TIMEOUT": timeout,
        "MAIL_FROM": mail_from,
        #: the sender of everything a witness receives: no product, office or court in it
        "DISCREET_MAIL_FROM": discreet_from,
        #: the domain of Message-IDs (never the product's or the office's by default)
        "MESSAGE_DOMAIN": domain,
        "ICS_PRODID": prodid,
    }


def load_or_create_secret(instance_path: Path) -> str:
    """A per-installation secret kept in the instance folder, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def build_config(instance_path: Path) -> dict:
    """Return the app configuration for this environment."""
    database_url = os.environ.get("WITNESS_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'witness.sqlite3'}"
    )
    return {
        #: None here means: use (or create) the installation's key file; see create_app
        "SECRET_KEY": os.environ.get("WITNESS_SECRET_KEY"),
        "DATABASE_URL": database_url,
        #: the owner of the tables, who runs the migrations (``flask init-db``) and grants the
        #: application's role (``DATABASE_URL``) what it needs; unset, the application's own
        "MIGRATION_DATABASE_URL": os.environ.get("WITNESS_MIGRATION_DATABASE_URL") or None,
        # Sessions: cookies never readable by scripts, not sent cross-site, and (behind TLS in
        # production) only over HTTPS. Idle sessions end; see auth.views.enforce_idle_timeout.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("WITNESS_SECURE_COOKIES", False),
        "SESSION_COOKIE_NAME": "witness_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("WITNESS_IDLE_TIMEOUT_MINUTES", "30"))
        ),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's idle timeout already bounds a token's life
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Sign-in throttling: after this many failures for one account from one address (or from
        # anywhere but the account's known addresses, or ten times as many from one address)
        # within the window, further attempts are refused until the window passes.
        "LOGIN_MAX_FAILURES": int(os.environ.get("WITNESS_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_WINDOW": timedelta(
            minutes=int(os.environ.get("WITNESS_LOGIN_WINDOW_MINUTES", "15"))
        ),
        #: a failed sign-in elsewhere never throttles an account at an address it signed in from
        #: within this many days (see auth.services.check_throttle)
        "LOGIN_KNOWN_ADDRESS": timedelta(
            days=_count_setting("WITNESS_LOGIN_KNOWN_ADDRESS_DAYS", 90)
        ),
        #: proxies in front of Witness whose X-Forwarded-For/-Proto/-Host are believed; with 0
        #: those headers are ignored (anyone can send them)
        "TRUSTED_PROXY_HOPS": _count_setting("WITNESS_TRUSTED_PROXY_HOPS", 0),
        #: admins and supervisors must sign in with a second factor (an authenticator app);
        #: an organisation's administrators can require it of everyone in it as well
        "REQUIRE_SECOND_FACTOR": _flag("WITNESS_REQUIRE_SECOND_FACTOR", True),
        "PAGE_SIZE": 25,
        "BENCHMARK_ROUTES": _flag("WITNESS_BENCHMARK_ROUTES", False),
        #: start the sweeps (mail, ...) inside this process; for the development server only
        "RUN_SCHEDULER": _flag("WITNESS_RUN_SCHEDULER", False),
        #: a disclosure PDF of more entries than this is built in the background, not at once
        "DISCLOSURE_INLINE_MAX": _count_setting("WITNESS_DISCLOSURE_INLINE_MAX", 2000),
        #: the dashboard's twelve-month charts are counted again after this many seconds
        #: (``core.figures``; 0: on every view)
        "DASHBOARD_FIGURES_SECONDS": _count_setting("WITNESS_DASHBOARD_FIGURES_SECONDS", 900),
        #: unusual reading (``audit.watch``): more than this many witness files outside one's
        #: own work opened within this many minutes alerts the office's supervisors
        "UNUSUAL_READING_COUNT": _count_setting("WITNESS_UNUSUAL_READING_COUNT", 10),
        "UNUSUAL_READING_MINUTES": _count_setting("WITNESS_UNUSUAL_READING_MINUTES", 15),
        #: a witness's correction request is due this many calendar months after it is received
        #: (GDPR article 12(3): one month)
        "CORRECTION_DUE_MONTHS": _count_setting("WITNESS_CORRECTION_DUE_MONTHS", 1),
        **_smtp_settings(),
        **_ledger_settings(),
        **_backup_settings(),
        **_notify_settings(),
        **_letter_settings(),
        **_reminder_settings(),
        **_channel_settings(),
        **_risk_settings(),
        **_hours_settings(),
        **_retention_settings(),
    }


def _retention_settings() -> dict:
    """Whole years after a witness's file is closed before its personal data is anonymised
    (``retention``); at least one, so a typo cannot erase a file the day it closes."""
    years = _count_setting("WITNESS_RETENTION_YEARS", 6)
    if years < 1:
        raise ConfigError("WITNESS_RETENTION_YEARS must be at least 1, not 0.")
    return {"RETENTION_YEARS": years}


#: support above these values (in the currency) needs approval unless configured otherwise:
#: about the same help in each of the demo's currencies
DEFAULT_APPROVAL_THRESHOLDS = {
    "GBP": Decimal("100"),
    "THB": Decimal("4000"),
    "AUD": Decimal("200"),
}


def _count_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"{name} must be a whole number of zero or more, not {raw!r}.")
    return int(raw)


def _amount_setting(name: str, raw: str) -> Decimal:
    # Plain ASCII digits only: Decimal alone also reads "1_000", fullwidth digits and "-0".
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", raw.strip(), re.ASCII):
        raise ConfigError(f"{name} must be an amount of zero or more, not {raw!r}.")
    return Decimal(raw.strip())


def _approval_thresholds(raw: str) -> dict[str, Decimal]:
    """``GBP=100,EUR=120``: the threshold per currency (three letters, each once)."""
    name = "WITNESS_LEDGER_APPROVAL_THRESHOLDS"
    thresholds: dict[str, Decimal] = {}
    for entry in raw.split(","):
        if not entry.strip():
            continue
        currency, sep, amount = entry.partition("=")
        currency = currency.strip().upper()
        if not sep or len(currency) != 3 or not currency.isascii() or not currency.isalpha():
            raise ConfigError(
                f"{name} must be CURRENCY=AMOUNT pairs separated by commas, such as "
                f"'GBP=100,EUR=120,THB=4000', not {entry.strip()!r}."
            )
        if currency in thresholds:
            raise ConfigError(f"{name} gives {currency} twice.")
        thresholds[currency] = _amount_setting(f"{name} ({currency})", amount)
    return thresholds


def _ledger_settings() -> dict:
    """Support above the threshold for its currency (and every cash item) needs a second
    person's approval; the single threshold is for currencies with none of their own."""
    single = os.environ.get("WITNESS_LEDGER_APPROVAL_THRESHOLD")
    threshold = _amount_setting("WITNESS_LEDGER_APPROVAL_THRESHOLD", single or "100")
    # An installation that set the single threshold keeps it for every currency it has not
    # given its own: the built-in ones must never loosen a control someone configured.
    built_in = DEFAULT_APPROVAL_THRESHOLDS if single is None else {}
    thresholds = {
        **built_in,
        **_approval_thresholds(os.environ.get("WITNESS_LEDGER_APPROVAL_THRESHOLDS", "")),
    }
    return {
        "LEDGER_APPROVAL_THRESHOLD": threshold,
        "LEDGER_APPROVAL_THRESHOLDS": thresholds,
        "LEDGER_DEFAULT_CURRENCY": os.environ.get("WITNESS_LEDGER_CURRENCY", "GBP").upper(),
        # The keys that sign the ledger's hashes (see witness.ledger.keys): the environment's,
        # else a key file, else instance/ledger_keys generated on first start.
        "LEDGER_KEY": os.environ.get("WITNESS_LEDGER_KEY") or None,
        "LEDGER_OLD_KEYS": os.environ.get("WITNESS_LEDGER_OLD_KEYS", ""),
        "LEDGER_KEY_FILE": os.environ.get("WITNESS_LEDGER_KEY_FILE") or None,
        # The keys that encrypt the most sensitive fields at rest (see witness.core.crypto):
        # the environment's, else a key file, else instance/data_keys generated on first start.
        "DATA_KEY": os.environ.get("WITNESS_DATA_KEY") or None,
        "DATA_OLD_KEYS": os.environ.get("WITNESS_DATA_OLD_KEYS", ""),
        "DATA_INDEX_KEY": os.environ.get("WITNESS_DATA_INDEX_KEY") or None,
        "DATA_KEY_FILE": os.environ.get("WITNESS_DATA_KEY_FILE") or None,
    }


def _backup_settings() -> dict:
    """Where ``flask backup`` writes, and the keys backups are encrypted with (see
    witness.backup.keys): kept out of the database, and away from the backups."""
    return {
        "BACKUP_DIR": os.environ.get("WITNESS_BACKUP_DIR") or None,
        "BACKUP_KEY": os.environ.get("WITNESS_BACKUP_KEY") or None,
        "BACKUP_OLD_KEYS": os.environ.get("WITNESS_BACKUP_OLD_KEYS", ""),
        "BACKUP_KEY_FILE": os.environ.get("WITNESS_BACKUP_KEY_FILE") or None,
    }


def _deadline_pair(name: str, text: str) -> tuple[int, int]:
    enhanced, _, standard = text.partition("/")
    pair = []
    for part in (enhanced, standard):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or int(part) > 60:
            raise ConfigError(
                f"{name}: a deadline is two numbers of working days (0-60), enhanced rights "
                f"first, as '1/5', not {text!r}."
            )
        pair.append(int(part))
    return pair[0], pair[1]


def _notify_settings() -> dict:
    """Deadlines to tell a victim of an event, in working days: ``*`` for every kind, or per
    kind (an event kind such as ``verdict``, ``release_date_set``), enhanced rights first:
    ``WITNESS_NOTIFY_DEADLINES="*=1/5,release_date_set=1/3"``."""
    name = "WITNESS_NOTIFY_DEADLINES"
    table: dict[str, tuple[int, int]] = {"*": (1, 5)}
    for entry in filter(str.strip, os.environ.get(name, "").split(",")):
        kind, sep, pair = entry.partition("=")
        if not sep or not kind.strip():
            raise ConfigError(f"{name} is a list of kind=enhanced/standard, not {entry.strip()!r}.")
        table[kind.strip()] = _deadline_pair(name, pair)
    return {"NOTIFY_DEADLINES": table}


#: the return address printed above the recipient in the envelope's window: neutral on purpose
DEFAULT_RETURN_ADDRESS = "PO Box 4021, London N1 9XX"


def _letter_settings() -> dict:
    """Letters: the return address seen through the envelope's window (refused at start-up if it
    holds a word that says what the letter is about: court, victim, ...), the line a witness
    calls, and the support services every letter names."""
    return_address = os.environ.get("WITNESS_LETTER_RETURN_ADDRESS", DEFAULT_RETURN_ADDRESS)
    found = forbidden_in_any_language(return_address)
    if found or not return_address.strip():
        raise ConfigError(
            "WITNESS_LETTER_RETURN_ADDRESS shows through the envelope's window: give a neutral "
            f"address such as {DEFAULT_RETURN_ADDRESS!r}"
            + (f", without {', '.join(found)}." if found else ".")
        )
    return {
        "LETTER_RETURN_ADDRESS": return_address.strip(),
        "LETTER_SAFE_LINE": os.environ.get("WITNESS_LETTER_SAFE_LINE", "").strip(),
        "LETTER_SUPPORT_SERVICES": os.environ.get(
            "WITNESS_LETTER_SUPPORT_SERVICES",
            "Victim Support: 08 08 16 89 111 (free, day and night).",
        ).strip(),
    }


def _days_list(name: str, default: str) -> tuple[int, ...]:
    """A list of whole numbers of days (0-3650) separated by commas, largest first."""
    raw = os.environ.get(name, default)
    days = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not (part.isascii() and part.isdigit()) or int(part) > 3650:
            raise ConfigError(
                f"{name} is a list of days before the date, such as '60,30,7,0', not {raw!r}."
            )
        days.add(int(part))
    return tuple(sorted(days, reverse=True))


def _reminder_settings() -> dict:
    """Reminders before a date (days before it, in the court's calendar; 0: on the day)."""
    return {
        "RELEASE_REMINDER_DAYS": _days_list("WITNESS_RELEASE_REMINDER_DAYS", "60,30,7,0"),
        "PAROLE_REMINDER_DAYS": _days_list("WITNESS_PAROLE_REMINDER_DAYS", "14,1"),
        "APPEAL_REMINDER_DAYS": _days_list("WITNESS_APPEAL_REMINDER_DAYS", "7,1"),
    }


def _channel_settings() -> dict:
    """News by e-mail and phone: the fixed, discreet subject of every e-mail carrying news
    (read on a lock screen: it must say nothing about a court or a case), and the office's
    general safe line, given when the witness's officer has no line of their own."""
    subject = os.environ.get("WITNESS_NOTIFY_MAIL_SUBJECT", "A message for you").strip()
    if not subject or len(subject) > 200 or any(not c.isprintable() for c in subject):
        raise ConfigError(
            f"WITNESS_NOTIFY_MAIL_SUBJECT must be one short printable line, not {subject!r}."
        )
    if forbidden_in_any_language(subject):
        raise ConfigError(
            "WITNESS_NOTIFY_MAIL_SUBJECT is read on a lock screen: give a neutral subject, "
            f"without {', '.join(forbidden_in_any_language(subject))}."
        )
    phone = os.environ.get("WITNESS_OFFICE_PHONE", "").strip()
    if len(phone) > 40 or any(not (c.isascii() and (c.isdigit() or c in "+ ()-.")) for c in phone):
        raise ConfigError(
            f"WITNESS_OFFICE_PHONE must be a phone number such as '+44 20 7946 0000', "
            f"not {phone!r}."
        )
    return {"NOTIFY_MAIL_SUBJECT": subject, "OFFICE_PHONE": phone}


def _risk_settings() -> dict:
    """Days from a completed risk assessment to the next review, by level
    (``critical=7,high=14,medium=30,low=90``), and the days a review may be overdue before the
    office's supervisors are alerted too."""
    name = "WITNESS_RISK_REVIEW_DAYS"
    days = {"critical": 7, "high": 14, "medium": 30, "low": 90}
    for entry in os.environ.get(name, "").split(","):
        if not entry.strip():
            continue
        level, sep, count = (part.strip() for part in entry.partition("="))
        if not sep or level not in days or not (count.isascii() and count.isdigit()):
            raise ConfigError(
                f"{name} must be LEVEL=DAYS pairs separated by commas (levels critical, high, "
                f"medium, low), not {entry.strip()!r}."
            )
        days[level] = int(count)
    return {
        name: days,
        "WITNESS_RISK_ESCALATE_DAYS": _count_setting("WITNESS_RISK_ESCALATE_DAYS", 3),
    }


def _hours(name: str, default: str) -> tuple[time, time]:
    """``09:30-16:30``: a span of the day on the court's clock, start before end."""
    raw = os.environ.get(name, default).strip()
    match = re.fullmatch(
        r"([01][0-9]|2[0-3]):([0-5][0-9])\s*-\s*([01][0-9]|2[0-3]):([0-5][0-9])", raw
    )
    if match is None:
        raise ConfigError(f"{name} must be two times such as '{default}', not {raw!r}.")
    hours = (time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4])))
    if hours[0] >= hours[1]:
        raise ConfigError(f"{name} must start before it ends, not {raw!r}.")
    return hours


def _hours_settings() -> dict:
    """The hours free times are suggested in, on the court's clock: court hours for everyone,
    and for a booking with a child witness (under 18 on the day, or presumed a child) the
    hours allowed for a child as well."""
    return {
        "COURT_HOURS": _hours("WITNESS_COURT_HOURS", "09:30-16:30"),
        "CHILD_HOURS": _hours("WITNESS_CHILD_HOURS", "09:30-15:00"),
    }
