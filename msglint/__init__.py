"""msglint: lint marketing copy against what a customer segment values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from msglint.errors import ConfigError, MsglintError  # noqa: E402 - light: pathlib only

if TYPE_CHECKING:
    from msglint.api import lint_paths, lint_text

__all__ = ["__version__", "lint_text", "lint_paths", "MsglintError", "ConfigError"]


def __getattr__(name: str) -> Any:
    # Lazy: `msglint --version` and cached runs must not import the analysis stack.
    if name in ("lint_text", "lint_paths"):
        from msglint import api

        return getattr(api, name)
    raise AttributeError(name)
