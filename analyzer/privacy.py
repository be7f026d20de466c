"""Offline-and-private defaults: no telemetry from any library, no tracing, no hub downloads."""

from __future__ import annotations

import os

# Each of these makes a library stay quiet on the network; the user can still override them explicitly.
_DEFAULTS = {
    "DO_NOT_TRACK": "1",  # unstructured's usage ping
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "ANONYMIZED_TELEMETRY": "False",  # chroma
    "HF_HUB_OFFLINE": "1",  # huggingface_hub / tokenizers never reach the hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "LANGCHAIN_TRACING_V2": "false",  # no LangSmith unless asked
    "LANGSMITH_TRACING": "false",
    "SCARF_NO_ANALYTICS": "true",
}


def apply_offline_defaults() -> None:
    """Set privacy environment defaults (without overriding what the user set)."""
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
