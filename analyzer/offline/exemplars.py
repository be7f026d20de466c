"""Loader of the written exemplar bank (exemplars.yaml): labelled example findings for nearest neighbours."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import ConfigError
from analyzer.taxonomy import ExceptionType, RootCause

BANK_PATH = Path(__file__).with_name("exemplars.yaml")


class Exemplar(BaseModel):
    """One labelled example finding of the bank."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Unique id within the bank.")
    type: ExceptionType = Field(description="Primary exception type of the example.")
    causes: tuple[RootCause, ...] = Field(default=(), description="Root causes its text states.")
    text: str = Field(min_length=20, description="The finding (condition) text.")
    response: str | None = Field(default=None, description="Management response, when written.")

    @property
    def full_text(self) -> str:
        """Finding and response as one passage, the way findings are embedded."""
        return f"{self.text}\n{self.response}" if self.response else self.text


class _Bank(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="Bank format version.")
    exemplars: list[Exemplar] = Field(description="The examples.")


def load_exemplars(path: Path | None = None) -> tuple[Exemplar, ...]:
    """Read and validate an exemplar bank (the packaged one by default); ids must be unique."""
    target = path or BANK_PATH
    if path is None:
        return _packaged()
    return _load(target)


@lru_cache(maxsize=1)
def _packaged() -> tuple[Exemplar, ...]:
    return _load(BANK_PATH)


def _load(target: Path) -> tuple[Exemplar, ...]:
    try:
        raw = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{target}: cannot read exemplar bank ({exc})") from exc
    try:
        bank = _Bank.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{target}: invalid exemplar bank at {where}: {first['msg']}") from exc
    seen: set[str] = set()
    for ex in bank.exemplars:
        if ex.id in seen:
            raise ConfigError(f"{target}: duplicate exemplar id {ex.id!r}")
        seen.add(ex.id)
    return tuple(bank.exemplars)
