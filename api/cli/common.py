"""What every command shares: settings built once, a console, and one-line errors for expected failures."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from analyzer.errors import AuditlensError
from analyzer.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Build the settings object once per command (environment + .env)."""
    return Settings()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def expected_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn AuditlensError into a one-line message and exit 1, never a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except AuditlensError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            sys.exit(130)

    return wrapper
