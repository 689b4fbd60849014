"""Resume state of a campaign, written after every chunk; and the errors file it stays in step with.

The checkpoint holds the next record offset, the per-policy top-N lists so far, the running
counts, and the size of errors.csv at that moment. It is written to a temporary file and
renamed over the old one, so a run killed mid-write leaves the previous checkpoint intact; on
resume errors.csv is cut back to the recorded size, so rows of a chunk that was being processed
when the run stopped are not reported twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from policymatch.push.models import CampaignOptions, PushEntry, RowError, Target

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
ERROR_COLUMNS = ("row", "field", "message", "skipped")


class Counters(BaseModel):
    """Running counts over the records processed so far.

    Attributes:
        read: Records read (good and bad).
        skipped: Records left out for errors.
        scored: Profiles scored.
        prefilter_passed: Per policy, enterprises the vectorised rules left possible.
        judged: Per policy, (enterprise, item) pairs judged in full.
    """

    read: int = 0
    skipped: int = 0
    scored: int = 0
    prefilter_passed: dict[str, int] = Field(default_factory=dict)
    judged: dict[str, int] = Field(default_factory=dict)

    def add(self, other: Counters) -> None:
        self.read += other.read
        self.skipped += other.skipped
        self.scored += other.scored
        for mine, theirs in (
            (self.prefilter_passed, other.prefilter_passed),
            (self.judged, other.judged),
        ):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value


class CheckpointState(BaseModel):
    """Everything needed to go on after the chunk ending at ``offset``."""

    version: int = FORMAT_VERSION
    key: str
    offset: int = 0
    done: bool = False
    lists: dict[str, list[PushEntry]] = Field(default_factory=dict)
    counters: Counters = Field(default_factory=Counters)
    errors_bytes: int = 0


def campaign_key(
    source_fingerprint: str,
    scorer_fingerprint: str,
    targets: list[Target],
    options: CampaignOptions,
) -> str:
    """sha256 over what decides a campaign's output: input, index and model, policies, options."""
    payload = {
        "source": source_fingerprint,
        "scorer": scorer_fingerprint,
        "targets": [t.model_dump() for t in targets],
        "options": options.model_dump(mode="json"),
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def load(path: Path, key: str) -> CheckpointState | None:
    """The saved state when it belongs to a campaign with this ``key``, else None."""
    if not path.is_file():
        return None
    try:
        state = CheckpointState.model_validate_json(path.read_bytes())
    except ValueError as exc:
        logger.warning("ignoring unreadable checkpoint %s: %s", path, exc)
        return None
    if state.version != FORMAT_VERSION or state.key != key:
        logger.info("checkpoint %s is for other inputs or options; starting afresh", path)
        return None
    return state


def save(path: Path, state: CheckpointState) -> None:
    """Write ``state`` atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(state.model_dump_json().encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class ErrorLog:
    """errors.csv (row, field, message, skipped), appended chunk by chunk.

    Args:
        path: The CSV file.
        keep_bytes: Bytes of an existing file to keep (resume); None starts a new file.
    """

    def __init__(self, path: Path, keep_bytes: int | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if keep_bytes is None or not path.is_file() or path.stat().st_size < keep_bytes:
            path.write_bytes(self._encode([ERROR_COLUMNS], header=True))
        else:
            with path.open("r+b") as f:
                f.truncate(keep_bytes)
        self.count = self._rows_in_file()

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def append(self, errors: list[RowError]) -> None:
        """Add ``errors``, sorted by row, and flush them to disk."""
        if not errors:
            return
        rows = [
            (e.row, e.field, e.message, "yes" if e.skipped else "no")
            for e in sorted(errors, key=lambda e: (e.row, e.field))
        ]
        with self.path.open("ab") as f:
            f.write(self._encode(rows))
            f.flush()
            os.fsync(f.fileno())
        self.count += len(rows)

    @staticmethod
    def _encode(rows: list[tuple[Any, ...]], header: bool = False) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        # a BOM so that Excel opens the Chinese messages as UTF-8
        return (("\ufeff" if header else "") + buffer.getvalue()).encode("utf-8")

    def _rows_in_file(self) -> int:
        with self.path.open(encoding="utf-8-sig", newline="") as f:
            return max(sum(1 for _ in csv.reader(f)) - 1, 0)
