"""One exception tree for the whole desk.

Every error a user can cause or meet derives from :class:`FactdeskError`, so each shell
(the CLI's exit path, the web error handler) maps errors to a message in exactly one place.
Errors carry what the caller needs to act: ``where`` in the input, and whether retrying
could help (``permanent``).

::

    FactdeskError
     ├── ConfigError            a setting has a bad value (names the variable)
     ├── MissingExtra           an optional dependency is not installed ("install factdesk[x]")
     ├── InputError             the user's input is unusable (names where)
     │    ├── ParseError        a document cannot be parsed at all
     │    └── TooLarge          a body, file or field is over its size cap
     ├── FetchError             the network gave no usable answer (permanent or retryable)
     │    ├── HTTPStatusError   a non-2xx status
     │    ├── RobotsDisallowed  robots.txt forbids the URL (permanent)
     │    └── AddressRefused    the URL leads to a non-public address (permanent)
     ├── StoreError             the database refused an operation
     │    └── Conflict          a conditional update changed no row (someone else moved first)
     ├── NotFound               a named record does not exist
     ├── PermissionDenied       the actor's role does not allow the action
     ├── RateLimited            too many attempts from one client; retry after a pause
     └── WorkflowError          a verdict transition the workflow rules do not allow
"""

from __future__ import annotations


class FactdeskError(Exception):
    """Base of every error factdesk raises on purpose."""

    permanent: bool = True

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigError(FactdeskError):
    """A setting has a value factdesk cannot use; the message names the variable."""


class MissingExtra(FactdeskError):
    """An optional dependency is needed but not installed."""

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs an optional dependency: pip install 'factdesk[{extra}]'")
        self.extra = extra


class InputError(FactdeskError):
    """Input from a user or a source that cannot be used as given."""


class ParseError(InputError):
    """A whole document cannot be parsed (malformed XML/JSON, undecodable bytes)."""


class TooLarge(InputError):
    """A body, file or field exceeds its configured size cap."""


class FetchError(FactdeskError):
    """A network fetch failed. ``permanent`` says whether retrying later could help."""

    def __init__(self, message: str, *, url: str, permanent: bool = False) -> None:
        super().__init__(message, where=url)
        self.url = url
        self.permanent = permanent


class HTTPStatusError(FetchError):
    """The server answered with a non-success status."""

    def __init__(self, status: int, *, url: str) -> None:
        # 4xx (except 408/429) will not change on retry; 5xx and throttling may.
        permanent = 400 <= status < 500 and status not in (408, 429)
        super().__init__(f"HTTP {status}", url=url, permanent=permanent)
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids our user agent to fetch this URL."""

    def __init__(self, *, url: str) -> None:
        super().__init__("disallowed by robots.txt", url=url, permanent=True)


class AddressRefused(FetchError):
    """The URL names or resolves to an address the desk does not fetch from: loopback,
    private, link-local, multicast, reserved... (``FACTDESK_ALLOW_PRIVATE_FETCH`` relaxes it).

    One message for every such address and every rule, so a refusal tells a user nothing
    about what lives on the desk's own network."""

    MESSAGE = (
        "this URL leads to a private or reserved network address, which the desk does not "
        "fetch from (FACTDESK_ALLOW_PRIVATE_FETCH)"
    )

    def __init__(self, *, url: str) -> None:
        super().__init__(self.MESSAGE, url=url, permanent=True)


class StoreError(FactdeskError):
    """The database refused or could not complete an operation."""


class Conflict(StoreError):
    """A conditional update matched no row: the record moved on since it was read."""


class NotFound(FactdeskError):
    """A record named by the caller does not exist."""


class PermissionDenied(FactdeskError):
    """The acting user's role does not allow this action."""


class RateLimited(FactdeskError):
    """Too many attempts (sign-ins, tipline submissions) in a window; ``retry_after`` seconds."""

    permanent = False

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkflowError(FactdeskError):
    """A verdict transition that the workflow rules forbid, with the rule that forbids it."""
