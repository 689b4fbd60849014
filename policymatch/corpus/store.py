"""The store as docs/architecture.md names it; it lives in :mod:`policymatch.store`."""

from policymatch.store import DocumentSummary, Feedback, PolicyStore, UpsertOutcome

__all__ = ["DocumentSummary", "Feedback", "PolicyStore", "UpsertOutcome"]
