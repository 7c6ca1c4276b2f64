"""Sending a delivery as e-mail through the configured SMTP server.

The standard library's :mod:`smtplib` does the talking, in a worker thread so the event loop
goes on. Port 465 is TLS from the start; any other port is plain, upgraded with STARTTLS
when ``smtp_starttls`` is on (the default). A user name logs in with the password; the
password is never part of a message, a log line or a stored error.

Which failures retry: the server out of reach, a timeout, a 4xx reply (a temporary refusal),
and refusals that come from this side's settings (login, sender, TLS), which an operator can
fix without the alert being lost. A 5xx refusal of the recipient or the message fails at once.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial

import anyio
import anyio.to_thread

from ossgrowth.config import Settings
from ossgrowth.delivery.backoff import Attempt

__all__ = ["SMTP_TIMEOUT_SECONDS", "SmtpConfig", "send_message"]

SMTP_TIMEOUT_SECONDS = 30.0
"""The longest one e-mail's whole exchange may take (each network step: 10 s)."""
_STEP_TIMEOUT_SECONDS = 10.0
_IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where e-mail goes out: the ``smtp_*`` settings."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """The settings' SMTP server, or ``None`` when ``smtp_host`` is not set."""
        if not settings.smtp_host or not settings.smtp_from:  # settings ask for both or none
            return None
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=None if password is None else password.get_secret_value(),
            starttls=settings.smtp_starttls,
        )

    @property
    def shown(self) -> str:
        return f"SMTP {self.host}:{self.port}"


async def send_message(
    config: SmtpConfig, message: EmailMessage, *, timeout_seconds: float = SMTP_TIMEOUT_SECONDS
) -> Attempt:
    """Send ``message``; the outcome, never an exception for a failed try."""
    try:
        with anyio.fail_after(timeout_seconds):
            # abandon_on_cancel: a server that stalls past the limit keeps only the thread
            await anyio.to_thread.run_sync(
                partial(_send_blocking, config, message), abandon_on_cancel=True
            )
    except TimeoutError:
        return Attempt.retry(f"{config.shown} did not finish within {timeout_seconds:g} s")
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        text = f"{config.shown} refused the recipient ({_codes(codes)})"
        return Attempt.failure(text) if all(code >= 500 for code in codes) else Attempt.retry(text)
    except smtplib.SMTPDataError as error:
        text = f"{config.shown} refused the message: {error.smtp_code} {_reply(error, config)}"
        return Attempt.failure(text) if error.smtp_code >= 500 else Attempt.retry(text)
    except smtplib.SMTPAuthenticationError as error:
        return Attempt.retry(
            f"{config.shown} refused the login: {error.smtp_code} (check the user and password)"
        )
    except smtplib.SMTPNotSupportedError:
        return Attempt.retry(
            f"{config.shown} does not offer what the settings ask (STARTTLS or login)"
        )
    except smtplib.SMTPResponseException as error:
        return Attempt.retry(f"{config.shown} answered {error.smtp_code} {_reply(error, config)}")
    except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
        return Attempt.retry(
            f"{config.shown}: {type(error).__name__}: {_scrubbed(str(error), config)}"
        )
    return Attempt.success()


def _send_blocking(config: SmtpConfig, message: EmailMessage) -> None:
    tls = ssl.create_default_context()
    client: smtplib.SMTP
    if config.port == _IMPLICIT_TLS_PORT:
        client = smtplib.SMTP_SSL(
            config.host, config.port, timeout=_STEP_TIMEOUT_SECONDS, context=tls
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=_STEP_TIMEOUT_SECONDS)
    with client:
        if config.starttls and config.port != _IMPLICIT_TLS_PORT:
            client.starttls(context=tls)
        if config.user:
            client.login(config.user, config.password or "")
        client.send_message(message)


def _codes(codes: list[int]) -> str:
    return ", ".join(str(code) for code in sorted(set(codes))) or "no code"


def _reply(error: smtplib.SMTPResponseException, config: SmtpConfig) -> str:
    raw = error.smtp_error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return _scrubbed(text, config)


def _scrubbed(text: str, config: SmtpConfig) -> str:
    if config.password:
        text = text.replace(config.password, "***")
    return " ".join(text.split())[:300]
