"""A push campaign (送策入企): per policy, the enterprises to contact, best first, with reasons.

Enterprises stream in chunks. Per chunk every (enterprise, item) pair is scored at once
(:meth:`ChunkScorer.score`: a matrix product and numpy rule masks); only pairs whose relevance
can still beat the current N-th entry of a policy's list are judged in full (eligibility,
verdict, reasons), best first, until none can. The lists stay bounded (``top`` entries each),
so memory does not grow with the input; after each chunk the lists, the offset and the counts
go to a checkpoint so an interrupted run resumes where it stopped.

The same function processes a chunk on the driver (``engine="local"``) and inside Ray actors
(:mod:`policymatch.push.ray_engine`); lists are merged by score then enterprise id, so both give
the same output for the same inputs.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from policymatch.match.results import Match
from policymatch.profile.models import EnterpriseProfile
from policymatch.push import checkpoint
from policymatch.push.checkpoint import CheckpointState, Counters, ErrorLog
from policymatch.push.models import CampaignOptions, Engine, PushEntry, RowError, Target
from policymatch.push.profile_cache import ProfileCache
from policymatch.push.rows import ParsedChunk, parse_chunk, skipped_rows
from policymatch.push.scoring import ChunkScorer, ScorerFactory
from policymatch.push.sources import EnterpriseSource, RawChunk
from policymatch.push.topn import ROUNDING_SLACK, SCORE_DECIMALS, floor_of, merge_top
from policymatch.push.writers import CampaignOutput, write_outputs

logger = logging.getLogger(__name__)

# Pairs judged per round while a list fills; a round's worst survivor raises the bar for the next.
JUDGE_BLOCK = 256
_REASON_CONDITIONS = 3  # conditions named in a reason line; the columns list them all
ProgressCallback = Callable[[int, int | None], None]  # (records done, records in all or None)


@dataclass
class ChunkOutcome:
    """What one chunk adds: candidate entries per policy, row errors and counts."""

    offset: int
    size: int
    lists: dict[str, list[PushEntry]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)


@dataclass
class CampaignResult:
    """A finished campaign: its lists, counts and where it wrote them."""

    targets: list[Target]
    lists: dict[str, list[PushEntry]]
    counters: Counters
    output: CampaignOutput
    resumed_from: int = 0
    seconds: float = 0.0


def process_chunk(
    chunk: RawChunk,
    scorer: ChunkScorer,
    targets: Sequence[Target],
    options: CampaignOptions,
    floors: dict[str, float] | None = None,
    profile_cache: ProfileCache | None = None,
    parsed: ParsedChunk | None = None,
) -> ChunkOutcome:
    """Score, prefilter and judge one chunk.

    Args:
        chunk: Raw records.
        scorer: Scores and judges.
        targets: Policies, each with its (known) item ids.
        options: ``top``, ``min_score``, ``verdicts``.
        floors: Per policy, the score the current list's N-th entry has (from
            :func:`~policymatch.push.topn.floor_of`); pairs below it are not judged. None or a
            missing policy means no list yet.
        profile_cache: Normalised profiles of records seen in earlier runs.
        parsed: The chunk already normalised (by a read-ahead thread); None parses it here.

    Returns:
        Per policy at most ``top`` new entries, best first; the chunk's row errors and counts.
    """
    if parsed is None:
        parsed = parse_chunk(chunk, options.as_of, profile_cache, scorer)
    outcome = ChunkOutcome(offset=chunk.offset, size=chunk.size, errors=parsed.errors)
    outcome.counters.read = chunk.size
    outcome.counters.skipped = skipped_rows(parsed.errors)
    outcome.counters.scored = len(parsed)
    if not len(parsed):
        return outcome
    item_ids = list(dict.fromkeys(i for t in targets for i in t.item_ids))
    column = {item_id: j for j, item_id in enumerate(item_ids)}
    if parsed.columns is not None:
        scores = scorer.score_columns(parsed.columns, item_ids)  # type: ignore[attr-defined]
    else:
        scores = scorer.score(parsed.profiles, item_ids)
    relevance = np.where(scores.possible, scores.relevance, -np.inf).astype(np.float32)
    if options.min_score is not None:
        relevance[relevance < options.min_score] = -np.inf  # a judged score never exceeds it
    ids = np.array(parsed.ids, dtype=object)
    for target in targets:
        columns = [column[i] for i in target.item_ids]
        sub = relevance[:, columns]
        outcome.counters.prefilter_passed[target.policy_id] = int(
            np.isfinite(sub).any(axis=1).sum()
        )
        floor = (floors or {}).get(target.policy_id, float("-inf"))
        entries, judged = _judge_target(target, sub, ids, parsed, scorer, options, floor)
        outcome.lists[target.policy_id] = entries
        outcome.counters.judged[target.policy_id] = judged
    return outcome


def _judge_target(
    target: Target,
    relevance: np.ndarray,
    ids: np.ndarray,
    parsed: ParsedChunk,
    scorer: ChunkScorer,
    options: CampaignOptions,
    floor: float,
) -> tuple[list[PushEntry], int]:
    """Judge the pairs of one policy best first until none can enter; returns (entries, judged).

    A document's enterprise is listed with its best item, so once one of its items is judged
    eligible, its other items are judged only if their bound could still beat that score.
    """
    rows, cols = np.nonzero(relevance >= floor)
    values = relevance[rows, cols]
    finite = np.isfinite(values)
    rows, cols, values = rows[finite], cols[finite], values[finite]
    # best first; equal relevance in enterprise-id order, so a run judges the same pairs each time
    pending = deque(np.lexsort((cols, ids[rows], -values)).tolist())
    entries: list[PushEntry] = []
    best: dict[int, float] = {}  # row -> score of its best listed-kind entry so far
    judged = 0
    while pending:
        bar = max(floor, floor_of(entries, options.top))
        block = _next_block(pending, rows, values, bar, best)
        if not block:
            break  # sorted: nothing further can reach the bar
        judged += len(block)
        new: list[PushEntry] = []
        block_cols = cols[block]
        profile_of = dict(zip(rows[block].tolist(), parsed.profiles_at(rows[block]), strict=True))
        for col in np.unique(block_cols):
            pairs = [p for p, c in zip(block, block_cols, strict=True) if c == col]
            item_id = target.item_ids[int(col)]
            profiles = [profile_of[int(rows[p])] for p in pairs]
            matches = scorer.judge(item_id, profiles, values[pairs])
            for match, pair in zip(matches, pairs, strict=True):
                row = int(rows[pair])
                entry = _entry(match, profile_of[row], options)
                if entry is not None:
                    new.append(entry)
                    best[row] = max(best.get(row, float("-inf")), entry.score)
        entries = merge_top([*entries, *new], options.top)
    return entries, judged


def _next_block(
    pending: deque[int],
    rows: np.ndarray,
    values: np.ndarray,
    bar: float,
    best: dict[int, float],
) -> list[int]:
    """Up to JUDGE_BLOCK pairs from the front of ``pending``, one per enterprise.

    Drops pairs that cannot matter (bound under the bar, or under their enterprise's best
    entry); pairs of an enterprise already in the block wait, in order, for the next block.
    """
    block: list[int] = []
    in_block: set[int] = set()
    waiting: list[int] = []
    while pending and len(block) < JUDGE_BLOCK:
        pair = pending[0]
        value = values[pair]
        if value < bar:
            pending.clear()  # sorted: the rest are lower still
            break
        pending.popleft()
        row = int(rows[pair])
        if value < best.get(row, float("-inf")) - ROUNDING_SLACK:
            continue  # cannot beat the entry the enterprise already has
        if row in in_block:
            waiting.append(pair)
            continue
        block.append(pair)
        in_block.add(row)
    pending.extendleft(reversed(waiting))
    return block


def _entry(match: Match, profile: EnterpriseProfile, options: CampaignOptions) -> PushEntry | None:
    score = round(float(match.score), SCORE_DECIMALS)
    if match.verdict not in options.verdicts:
        return None
    if options.min_score is not None and score < options.min_score:
        return None
    province, city = region_names(profile)
    return PushEntry(
        enterprise_id=profile.id,
        name=profile.name,
        item_id=match.item_id,
        score=score,
        verdict=match.verdict,
        checks=match.checks,
        reason=reason_line(match),
        contact=dict(profile.contact),
        province=province,
        city=city,
        industry_section=industry_section(profile.industry_code),
    )


def reason_line(match: Match) -> str:
    """One short line a caller can read out: what to confirm or what fails, then why it fits.

    推荐: how many conditions it meets; 可能符合: the conditions to confirm with the enterprise
    (at most three); 不符合: the conditions it fails; then the weightiest explanation that is
    not the bare similarity figure (a need the item serves, the region, the industry).
    """
    unmet = [c.condition for c in match.checks if c.status == "unmet"]
    unknown = [c.condition for c in match.checks if c.status == "unknown"]
    met = [c for c in match.checks if c.status == "met"]
    if unmet:
        head = "不满足：" + "；".join(unmet[:_REASON_CONDITIONS])
    elif unknown:
        more = f"等{len(unknown)}项" if len(unknown) > _REASON_CONDITIONS else ""
        head = "需向企业确认：" + "；".join(unknown[:_REASON_CONDITIONS]) + more
        if met:
            head += f"（其余{len(met)}项已满足）"
    elif met:
        head = f"符合全部{len(met)}项条件"
    else:
        head = "无硬性条件"
    why = next((line for line in match.explanations if "相似度" not in line), None)
    return f"{head}。{why}" if why else head


def region_names(profile: EnterpriseProfile) -> tuple[str, str]:
    """(province name, city name) of the profile's 区划, "" where unknown."""
    codes = profile.region_path or ([profile.region_code] if profile.region_code else [])
    if not codes:
        return "", ""
    path = _region_path(codes[-1])
    province = path[0] if path else ""
    city = path[1] if len(path) > 1 else ""
    return province, city


@cache
def _region_path(code: str) -> tuple[str, ...]:
    from policymatch.reference import regions

    return tuple(region.name for region in regions.path(code))


@cache
def industry_section(code: str | None) -> str:
    """GB/T 4754 门类 letter of an industry code ("3911" -> "C"), "" when unknown."""
    if not code:
        return ""
    if code[0].isalpha():
        return code[0].upper()
    from policymatch.reference import industries

    try:
        ancestors = industries.ancestors(code)
    except (KeyError, ValueError):
        return ""
    return ancestors[0] if ancestors else ""


def run_campaign(
    source: EnterpriseSource,
    scorer_factory: ScorerFactory,
    targets: Sequence[Target],
    options: CampaignOptions,
    out: Path,
    *,
    resume: bool = True,
    engine: Engine = "local",
    ray_address: str | None = None,
    ray_actors: int | None = None,
    progress: ProgressCallback | None = None,
    scorer: ChunkScorer | None = None,
    profile_cache_dir: Path | None = None,
) -> CampaignResult:
    """Run (or resume) a campaign and write its lists, summary.json and errors.csv.

    Args:
        source: Enterprises, read in ``options.chunk_size`` chunks.
        scorer_factory: Builds the scorer (on the driver, or once per Ray actor).
        targets: Policies to rank enterprises for; items the scorer does not know are dropped
            (a policy left with none is an error).
        options: Top-N, filters, as-of date, chunk size.
        out: ``.xlsx`` file (one sheet per policy) or a folder (one CSV per policy).
        resume: Go on from a checkpoint of the same campaign if there is one.
        engine: ``local`` (this process) or ``ray``.
        ray_address: Cluster to join (``ray://host:10001`` or ``auto``); None starts a local one.
        ray_actors: Scoring actors for the ray engine (default: one per CPU).
        progress: Called after each chunk with (records done, records in all or None).
        scorer: A scorer already built by ``scorer_factory`` for the driver (saves a load).
        profile_cache_dir: Folder of the normalised-profile cache; None normalises every record.

    Raises:
        InputError: A policy none of whose items the index holds.
    """
    started = time.perf_counter()
    # a run resumed tomorrow must judge ages and validity on the same day as the first part
    options = options.model_copy(update={"as_of": options.as_of or dt.date.today()})
    output = CampaignOutput.for_path(out)
    scorer = scorer or scorer_factory()
    targets = resolve_known(targets, scorer)
    key = checkpoint.campaign_key(source.fingerprint(), scorer.fingerprint(), targets, options)
    state = checkpoint.load(output.checkpoint, key) if resume else None
    if state is None:
        state = CheckpointState(key=key, lists={t.policy_id: [] for t in targets})
        errors = ErrorLog(output.errors)
    else:
        errors = ErrorLog(output.errors, keep_bytes=state.errors_bytes)
        logger.info("resuming campaign at record %d", state.offset)
    resumed_from = state.offset
    total = source.count()
    if progress:
        progress(state.offset, total)

    def absorb(outcome: ChunkOutcome) -> None:
        for policy_id, entries in outcome.lists.items():
            state.lists[policy_id] = merge_top([*state.lists[policy_id], *entries], options.top)
        state.counters.add(outcome.counters)
        errors.append(outcome.errors)
        state.offset = outcome.offset + outcome.size
        state.errors_bytes = errors.size
        checkpoint.save(output.checkpoint, state)
        if progress:
            progress(state.offset, total)

    if not state.done:
        chunks = source.chunks(options.chunk_size, start=state.offset)
        if engine == "ray":
            from policymatch.push.ray_engine import run_on_ray

            run_on_ray(
                chunks,
                scorer_factory,
                targets,
                options,
                absorb,
                floors=lambda: _floors(state, options),
                address=ray_address,
                actors=ray_actors,
                profile_cache_dir=profile_cache_dir,
            )
        else:
            cache = ProfileCache(profile_cache_dir) if profile_cache_dir else None
            try:
                for chunk, parsed in _read_ahead(chunks, options.as_of, cache, scorer):
                    floors = _floors(state, options)
                    absorb(process_chunk(chunk, scorer, targets, options, floors, cache, parsed))
            finally:
                if cache is not None:
                    cache.close()
        state.done = True
        checkpoint.save(output.checkpoint, state)
    write_outputs(output, targets, state.lists, state.counters, options, errors.count)
    return CampaignResult(
        targets=list(targets),
        lists=state.lists,
        counters=state.counters,
        output=output,
        resumed_from=resumed_from,
        seconds=time.perf_counter() - started,
    )


def _read_ahead(
    chunks: Iterator[RawChunk],
    as_of: dt.date | None,
    cache: ProfileCache | None,
    scorer: ChunkScorer,
) -> Iterator[tuple[RawChunk, ParsedChunk]]:
    """Chunks with their profiles, the next chunk read and normalised in a background thread.

    Reading, normalising and (for a scorer that scores columns) embedding new profiles then
    overlap the rules working on the current chunk (the e5 engine, SQLite and numpy release
    the GIL).
    """

    def read_next() -> tuple[RawChunk, ParsedChunk] | None:
        chunk = next(chunks, None)
        return None if chunk is None else (chunk, parse_chunk(chunk, as_of, cache, scorer))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-read") as pool:
        upcoming = pool.submit(read_next)
        while (ready := upcoming.result()) is not None:
            upcoming = pool.submit(read_next)
            yield ready


def resolve_known(targets: Sequence[Target], scorer: ChunkScorer) -> list[Target]:
    """Keep the items the scorer's index holds; a policy with none left is an InputError."""
    from policymatch.errors import InputError

    known = []
    for target in targets:
        items = scorer.known_items(target.item_ids)
        if not items:
            raise InputError(
                f"policy {target.policy_id} has no item in the index (rebuild it with"
                " `policymatch index`)",
                field="policy",
            )
        dropped = len(target.item_ids) - len(items)
        if dropped:
            logger.warning("%s: %d item(s) not in the index, left out", target.policy_id, dropped)
        known.append(target.model_copy(update={"item_ids": items}))
    return known


def _floors(state: CheckpointState, options: CampaignOptions) -> dict[str, float]:
    return {pid: floor_of(entries, options.top) for pid, entries in state.lists.items()}
