"""Exception family of auditlens: each error carries the context needed to explain it in one line."""

from __future__ import annotations


class AuditlensError(Exception):
    """Base of every expected auditlens failure; its message is safe to show to a user."""


class ConfigError(AuditlensError):
    """The settings are inconsistent or incomplete."""


class NotFoundError(AuditlensError):
    """An object does not exist in the caller's organization (foreign ids look exactly like this)."""


class IngestionError(AuditlensError):
    """A file could not be ingested; `path` names it, the message says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class LLMError(AuditlensError):
    """An LLM request failed; carries the attempts made and the last raw answer, if any."""

    def __init__(self, message: str, *, attempts: int = 1, last_completion: str | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_completion = last_completion


class LLMTransientError(LLMError):
    """429, 5xx, timeouts and connection errors: worth retrying."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 1,
        retry_after_s: float | None = None,
        last_completion: str | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, last_completion=last_completion)
        self.retry_after_s = retry_after_s


class LLMOutputError(LLMError):
    """The model answered, but the answer is not valid against the schema or the retrieved evidence."""


class InvalidInputError(AuditlensError):
    """A request or file is well-formed but its content is not acceptable (the message says which part)."""


class ConflictError(AuditlensError):
    """The action is not allowed in the object's current state (e.g. approving an already approved plan)."""


class StaleRevisionError(AuditlensError):
    """The caller edited an older revision than the current one (optimistic concurrency check failed)."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(message)
        self.current = current
