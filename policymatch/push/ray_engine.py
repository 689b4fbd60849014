"""Scale-out: the campaign's chunk scoring on Ray Data, an actor pool per wave of chunks.

The driver reads the enterprise source in chunks, as the local engine does (so row numbers,
errors and resume work the same), and hands a wave of chunks at a time to Ray Data:
``from_items`` (one item per chunk) -> ``map_batches`` over an actor pool whose actors each
build the scorer once (embedder, cards and item vectors loaded from the index directory) and
run :func:`~policymatch.push.campaign.process_chunk` on one chunk per call. Each chunk is sent
with the lists' current floors, so actors judge only pairs that can still enter. The driver
merges each chunk's per-policy top-N into the lists in chunk order and checkpoints after every
chunk, exactly as the local engine does.

Waves bound the driver's memory (``actors * chunks_per_actor`` chunks in flight) and let
floors rise between waves; each wave starts its own actor pool, so a wave should hold several
chunks per actor to amortise the scorer's load time.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from policymatch.push.models import CampaignOptions, Target
from policymatch.push.scoring import ScorerFactory
from policymatch.push.sources import RawChunk

logger = logging.getLogger(__name__)

INSTALL_HINT = "the ray engine needs Ray Data: pip install 'policymatch[ray]'"
CHUNKS_PER_ACTOR = 4


def import_ray() -> Any:
    """The ``ray`` module with Ray Data, or an ImportError naming the extra to install."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return ray


class ChunkActor:
    """A Ray Data actor: builds the scorer once, then scores and judges one chunk per call."""

    def __init__(
        self,
        factory: ScorerFactory,
        targets: list[Target],
        options: CampaignOptions,
        profile_cache_dir: Path | None = None,
    ) -> None:
        from policymatch.push.profile_cache import ProfileCache

        self.scorer = factory()
        self.targets = targets
        self.options = options
        self.cache = ProfileCache(profile_cache_dir) if profile_cache_dir else None

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[bytes]]:
        from policymatch.push.campaign import process_chunk

        results = []
        for payload in batch["payload"]:
            chunk, floors = pickle.loads(payload)
            outcome = process_chunk(
                chunk, self.scorer, self.targets, self.options, floors, self.cache
            )
            results.append(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        return {"outcome": results}


def run_on_ray(
    chunks: Iterator[RawChunk],
    scorer_factory: ScorerFactory,
    targets: Sequence[Target],
    options: CampaignOptions,
    absorb: Callable[[Any], None],
    *,
    floors: Callable[[], dict[str, float]],
    address: str | None = None,
    actors: int | None = None,
    chunks_per_actor: int = CHUNKS_PER_ACTOR,
    local_cpus: int = 2,
    profile_cache_dir: Path | None = None,
) -> None:
    """Score ``chunks`` on Ray and hand each chunk's outcome to ``absorb`` in chunk order.

    Args:
        chunks: Raw chunks from the source (read lazily, a wave at a time).
        scorer_factory: Picklable; called once in each actor.
        targets: Policies with their known items.
        options: Campaign options.
        absorb: Merges one :class:`~policymatch.push.campaign.ChunkOutcome` and checkpoints.
        floors: The lists' current floors, read before each wave.
        address: Ray cluster address (``auto``, ``ray://head:10001``, ``head:6379``); None
            starts a local Ray with ``local_cpus`` CPUs.
        actors: Actor pool size; default one per CPU of the cluster.
        chunks_per_actor: Chunks per actor in one wave.
        local_cpus: CPUs of a local Ray started here.
        profile_cache_dir: Normalised-profile cache folder as each node sees it.

    Raises:
        ImportError: Ray Data is not installed (names the extra).
    """
    ray = import_ray()
    started_here = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            # "local": a fresh instance even if another Ray runs on this machine
            ray.init(
                address="local",
                num_cpus=local_cpus,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        started_here = True
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.execution_options.preserve_order = True
        pool = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        logger.info("ray: %d scoring actors, %d chunks per wave", pool, pool * chunks_per_actor)
        while True:
            wave = list(islice(chunks, pool * chunks_per_actor))
            if not wave:
                break
            current = floors()
            items = [
                {"payload": pickle.dumps((chunk, current), protocol=pickle.HIGHEST_PROTOCOL)}
                for chunk in wave
            ]
            dataset = ray.data.from_items(items, override_num_blocks=len(items))
            scored = dataset.map_batches(
                ChunkActor,
                fn_constructor_kwargs={
                    "factory": scorer_factory,
                    "targets": list(targets),
                    "options": options,
                    "profile_cache_dir": profile_cache_dir,
                },
                batch_size=1,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=min(pool, len(items))),
                num_cpus=1,
            )
            outcomes = [pickle.loads(row["outcome"]) for row in scored.iter_rows()]
            for outcome in sorted(outcomes, key=lambda o: o.offset):
                absorb(outcome)
    finally:
        if started_here:
            ray.shutdown()
