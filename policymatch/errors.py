"""Errors that name the place where the input went wrong."""

from __future__ import annotations


class PolicyMatchError(Exception):
    """Base class for every error this package raises on purpose."""


class InputError(PolicyMatchError, ValueError):
    """Bad input, located by file and line (or row) and field.

    Args:
        message: What is wrong, in words a person can act on.
        source: File path or other origin of the record.
        line: 1-based line (JSONL, text) or row (CSV/XLSX, counting the header as row 1).
        field: The field that is wrong, when one is.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.source or "<input>"
        if self.line is not None:
            place += f":{self.line}"
        if self.field:
            place += f" [{self.field}]"
        return f"{place}: {self.message}"


class IndexMismatchError(PolicyMatchError):
    """An index on disk does not fit the embedder or corpus it is used with."""
