"""Typed errors raised by yalomfactors.

Every message names the argument, column or file, what was expected, what was
found and what to do. No message ever contains reflection text: rows are cited
by position or id.
"""

from __future__ import annotations

__all__ = [
    "YalomFactorsError",
    "SchemaError",
    "UnknownFactorError",
    "InputFileError",
    "ModelFileError",
    "NotFittedError",
    "MissingExtraError",
    "IdentifierFoundError",
    "InsufficientDataError",
]


class YalomFactorsError(Exception):
    """Base class of every error this library raises on purpose."""


class SchemaError(YalomFactorsError, ValueError):
    """A table or argument does not have the columns, types or values required."""


class UnknownFactorError(YalomFactorsError, KeyError):
    """A factor id that is not in the codebook."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the sentence readable
        return str(self.args[0]) if self.args else ""


class InputFileError(YalomFactorsError, ValueError):
    """An input file cannot be read: missing, empty, truncated or of an unknown format."""


class ModelFileError(YalomFactorsError, ValueError):
    """A model file is corrupt, tampered with, holds untrusted types or another codebook version."""


class NotFittedError(YalomFactorsError, ValueError):
    """The estimator was used before ``fit``."""


class MissingExtraError(YalomFactorsError, ImportError):
    """An optional dependency is missing; the message names the pip extra to install."""


class IdentifierFoundError(YalomFactorsError, ValueError):
    """Likely identifiers were found and the identifier policy is ``"raise"``."""


class InsufficientDataError(YalomFactorsError, ValueError):
    """Too few sessions or reflections to estimate what was asked."""


class DuplicateIdError(SchemaError):
    """Two or more rows share a reflection id (often a file exported twice)."""
