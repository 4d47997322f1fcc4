"""Domain exceptions raised by services and turned into messages or status codes by views."""


class DomainError(Exception):
    """A request the domain refuses, with a message a person can act on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RecordedRefusal(DomainError):
    """A refusal that is itself a record to keep: the failed attempt it noted (a wrong password,
    a throttled sign-in) counts towards throttling, so the request's transaction is committed
    with it rather than rolled back (``core.web.form_transaction``)."""


class AccessDenied(DomainError):
    """The actor may not see or change this record."""


class NotFound(DomainError):
    """No such record, or one the actor may not know exists."""


class InvalidTransition(DomainError):
    """A phase change the rules do not allow."""
