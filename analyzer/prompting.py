"""Versioned prompt files: a strict loader, Jinja2 rendering with StrictUndefined and a content hash."""

from __future__ import annotations

import functools
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
RELEASED_FILE = "RELEASED.json"


class PromptExample(BaseModel):
    """A worked example shown to the model: a short input description and the answer it should give."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Short label of the example.")
    input: str = Field(description="The example finding as the model would see it.")
    output: dict[str, Any] = Field(description="The answer, as JSON matching the output schema.")


class PromptTemplate(BaseModel):
    """One released or draft prompt: id, version, templates and examples, plus its file's content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Prompt id; also the folder name under prompts/.")
    version: int = Field(ge=1, description="Version number; also the file name v<N>.yaml.")
    description: str = Field(min_length=1, description="What the prompt is for.")
    inputs: list[str] = Field(description="Names of every variable the templates may use.")
    system: str = Field(min_length=1, description="Jinja2 template of the system message (stable prefix).")
    user: str = Field(min_length=1, description="Jinja2 template of the user message (finding-specific).")
    examples: list[PromptExample] = Field(default_factory=list, description="Worked examples.")
    content_hash: str = Field(default="", description="SHA-256 of the prompt file bytes (set by the loader).")

    def render_system(self, **values: Any) -> str:
        """Render the system template; every variable must be given."""
        return _render(self, "system", self.system, values)

    def render_user(self, **values: Any) -> str:
        """Render the user template; every variable must be given."""
        return _render(self, "user", self.user, values)


def as_data(value: object) -> str:
    """Escape text that comes from documents so it cannot close our delimiters or open new tags."""
    return html.escape(str(value), quote=False)


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True, trim_blocks=True
    )
    env.filters["data"] = as_data
    env.filters["tojson_sorted"] = lambda v: json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False)
    return env


_ENV = _environment()


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    # Compiling a template costs far more than rendering it; sources are few and immutable.
    return _ENV.from_string(source)


def _render(prompt: PromptTemplate, part: str, source: str, values: dict[str, Any]) -> str:
    unknown = sorted(set(values) - set(prompt.inputs))
    if unknown:
        raise ConfigError(f"prompt {prompt.id} v{prompt.version}: unknown inputs {unknown}")
    try:
        return _compiled(source).render(**values)
    except TemplateError as exc:
        raise ConfigError(f"prompt {prompt.id} v{prompt.version} ({part}): {exc}") from exc


def content_hash(data: bytes) -> str:
    """SHA-256 hex digest of a prompt file's bytes."""
    return hashlib.sha256(data).hexdigest()


def released_hashes(prompts_dir: Path = PROMPTS_DIR) -> dict[str, str]:
    """Map of `id/vN` to the content hash it had when released (immutable from then on)."""
    path = prompts_dir / RELEASED_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of prompt hashes")
    return {str(k): str(v) for k, v in data.items()}


def parse_prompt(data: bytes, *, source: str = "<prompt>") -> PromptTemplate:
    """Parse prompt YAML bytes into a PromptTemplate, rejecting unknown keys and missing fields."""
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a prompt file must be a mapping")
    if "content_hash" in raw:
        raise ConfigError(f"{source}: content_hash is computed, not written in the file")
    try:
        return PromptTemplate.model_validate({**raw, "content_hash": content_hash(data)})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: {where}: {first['msg']}") from exc


def load_prompt(prompt_id: str, version: int, *, prompts_dir: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load prompts/<id>/v<version>.yaml; a released version must still have its released hash."""
    path = prompts_dir / prompt_id / f"v{version}.yaml"
    if not path.is_file():
        raise ConfigError(f"prompt {prompt_id} v{version} not found at {path}")
    prompt = parse_prompt(path.read_bytes(), source=str(path))
    if prompt.id != prompt_id or prompt.version != version:
        raise ConfigError(f"{path}: declares {prompt.id} v{prompt.version}, expected {prompt_id} v{version}")
    pinned = released_hashes(prompts_dir).get(f"{prompt_id}/v{version}")
    if pinned is not None and pinned != prompt.content_hash:
        raise ConfigError(
            f"{path}: released prompt was modified (hash {prompt.content_hash[:12]} != {pinned[:12]}); "
            "add a new version instead"
        )
    return prompt
