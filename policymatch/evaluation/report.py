"""The HTML report of an evaluation: tables, charts, and the worst queries laid open.

The worst queries show what the system ranked (top 5 with titles and grades) next to what it
missed (relevant records outside the top 10), so a person can see why a query failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2 import Environment
from markupsafe import Markup

from policymatch.evaluation.charts import dot_strips, grouped_bars
from policymatch.evaluation.metrics import MATCH_METRICS, PUSH_METRICS

if TYPE_CHECKING:
    from policymatch.evaluation.runner import EvalOutcome

WORST_QUERIES = 10
SHOWN_RANKED = 5
MISSED_CUTOFF = 10
FOCUS_METHODS = ("full", "hybrid", "rrf")


@dataclass
class RankedLine:
    rank: int
    record_id: str
    title: str
    grade: int | None  # None = not labelled (counts as 0)
    score: float
    item_id: str
    verdict: str
    why: str


@dataclass
class MissedLine:
    record_id: str
    title: str
    grade: int
    rank: int | None  # None = not in the run at all


@dataclass
class QueryView:
    enterprise_id: str
    name: str
    profile_line: str
    ndcg: float
    ranked: list[RankedLine]
    missed: list[MissedLine]


def focus_method(methods: list[str]) -> str:
    """The method whose failures the report opens up: the full system when it was run."""
    for method in FOCUS_METHODS:
        if method in methods:
            return method
    return methods[-1]


def worst_queries(outcome: EvalOutcome, method: str, n: int = WORST_QUERIES) -> list[QueryView]:
    """The ``n`` judged enterprises with the lowest nDCG@10 under ``method`` (ties by id)."""
    ndcg = outcome.per_query.get(method, {}).get("ndcg@10", {})
    worst = sorted(ndcg.items(), key=lambda kv: (kv[1], kv[0]))[:n]
    views = []
    for enterprise_id, score in worst:
        labels = outcome.qrels.get(enterprise_id, {})
        hits = outcome.runs[method].get(enterprise_id, [])
        ranked = []
        for rank, hit in enumerate(hits[:SHOWN_RANKED], start=1):
            match = hit.match
            why = ""
            if match is not None:
                reasons = [c.reason for c in match.checks if c.status != "met"][:2]
                why = "；".join(reasons or match.explanations[:2])
            ranked.append(
                RankedLine(
                    rank=rank,
                    record_id=hit.id,
                    title=outcome.titles.get(hit.id, ""),
                    grade=labels.get(hit.id),
                    score=hit.score,
                    item_id=hit.item_id or "",
                    verdict=match.verdict if match is not None else "",
                    why=why,
                )
            )
        positions = {hit.id: rank for rank, hit in enumerate(hits, start=1)}
        missed = [
            MissedLine(pid, outcome.titles.get(pid, ""), grade, positions.get(pid))
            for pid, grade in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))
            if grade >= 1 and positions.get(pid, MISSED_CUTOFF + 1) > MISSED_CUTOFF
        ]
        profile = outcome.profiles.get(enterprise_id)
        views.append(
            QueryView(
                enterprise_id=enterprise_id,
                name=profile.name if profile else "",
                profile_line=_profile_line(profile) if profile else "",
                ndcg=score,
                ranked=ranked,
                missed=missed,
            )
        )
    return views


def _profile_line(profile) -> str:
    parts = [
        profile.region or "",
        profile.industry or "",
        f"{profile.employees}人" if profile.employees is not None else "",
        f"营收{profile.revenue:g}万元" if profile.revenue is not None else "",
        "、".join(profile.qualifications),
        "需求：" + "、".join(profile.needs) if profile.needs else "",
    ]
    return " · ".join(p for p in parts if p)


def _p_cell(p: float | None) -> str:
    if p is None:
        return ""
    return f"p={p:.3f}" + (" *" if p < 0.05 else "")


def render_report(outcome: EvalOutcome) -> str:
    """The whole report as one self-contained HTML page (inline SVG, no scripts)."""
    methods = outcome.methods
    meta = outcome.metrics.get("_meta", {})
    match_p = meta.get("significance", {}).get("match", {})
    push_p = meta.get("significance", {}).get("push", {})
    focus = focus_method(methods) if methods else ""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_TEMPLATE)
    return template.render(
        meta=meta,
        methods=methods,
        match_metrics=MATCH_METRICS,
        push_metrics=PUSH_METRICS,
        values={m: outcome.metrics[m] for m in methods},
        push_values=outcome.metrics.get("push", {}),
        match_p={m: {k: _p_cell(v) for k, v in ps.items()} for m, ps in match_p.items()},
        push_p={m: {k: _p_cell(v) for k, v in ps.items()} for m, ps in push_p.items()},
        match_chart=Markup(
            grouped_bars({m: outcome.metrics[m] for m in methods}, list(MATCH_METRICS))
        ),
        push_chart=Markup(grouped_bars(outcome.metrics.get("push", {}), list(PUSH_METRICS))),
        strips=Markup(
            dot_strips(
                {m: outcome.per_query[m].get("ndcg@10", {}) for m in methods}, label="nDCG@10"
            )
        ),
        focus=focus,
        worst=worst_queries(outcome, focus) if focus else [],
        missed_cutoff=MISSED_CUTOFF,
    )


_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>PolicyMatch evaluation · {{ meta.dataset }}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:0.6em 0 1.4em}
td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.p{color:#777;font-size:11px}.g2{background:#d9f2d9}.g1{background:#fff4cc}.g0{background:#f6d6d6}
.meta{color:#555;font-size:13px}h3{margin-bottom:0.2em}
</style></head><body>
<h1>PolicyMatch evaluation · {{ meta.dataset }}</h1>
<p class="meta">{{ meta.records }} policy records ({{ meta["items"] }} items) · {{ meta.enterprises }} enterprises ·
{{ meta.queries_judged }} judged queries ({{ meta.queries_without_relevant }} without a relevant label left out) ·
{{ meta.labels }} labels, {{ meta.labels_relevant }} of grade ≥ 1 · top {{ meta.k }} records per enterprise ·
validity {% if meta.ignore_validity %}ignored{% else %}as of {{ meta.as_of }}{% endif %}.<br>
{{ meta.relevance }}. p: {{ meta.significance.test if meta.significance else "" }}; * p &lt; 0.05.</p>

<h2>Match direction: policies for each enterprise</h2>
<table><tr><th>method</th>{% for metric in match_metrics %}<th>{{ metric }}</th>{% endfor %}</tr>
{% for m in methods %}<tr><td>{{ m }}</td>{% for metric in match_metrics %}
<td class="num">{{ "%.4f"|format(values[m][metric]) }}<br><span class="p">{{ match_p.get(m, {}).get(metric, "") }}</span></td>{% endfor %}</tr>
{% endfor %}</table>
{{ match_chart }}
<h3>nDCG@10 per enterprise</h3>
{{ strips }}

<h2>Push direction: enterprises for each policy</h2>
<p class="meta">{{ meta.push_queries_judged }} policies with at least one grade ≥ 1 label; the same pair scores read by column.</p>
<table><tr><th>method</th>{% for metric in push_metrics %}<th>{{ metric }}</th>{% endfor %}</tr>
{% for m in methods %}<tr><td>{{ m }}</td>{% for metric in push_metrics %}
<td class="num">{{ "%.4f"|format(push_values.get(m, {}).get(metric, 0)) }}<br><span class="p">{{ push_p.get(m, {}).get(metric, "") }}</span></td>{% endfor %}</tr>
{% endfor %}</table>
{{ push_chart }}

<h2>Worst enterprises under {{ focus }} (lowest nDCG@10)</h2>
{% for q in worst %}
<h3>{{ q.enterprise_id }} {{ q.name }} — nDCG@10 {{ "%.3f"|format(q.ndcg) }}</h3>
<p class="meta">{{ q.profile_line }}</p>
<table><tr><th>#</th><th>record</th><th>title</th><th>grade</th><th>score</th><th>best item</th><th>verdict</th><th>why</th></tr>
{% for r in q.ranked %}<tr class="g{{ r.grade if r.grade is not none else 0 }}"><td>{{ r.rank }}</td><td>{{ r.record_id }}</td><td>{{ r.title }}</td>
<td>{{ r.grade if r.grade is not none else "–" }}</td><td class="num">{{ "%.4f"|format(r.score) }}</td><td>{{ r.item_id }}</td><td>{{ r.verdict }}</td><td>{{ r.why }}</td></tr>
{% endfor %}</table>
{% if q.missed %}<p>Missed (grade ≥ 1, not in the top {{ missed_cutoff }}):</p>
<table><tr><th>record</th><th>title</th><th>grade</th><th>rank</th></tr>
{% for r in q.missed %}<tr class="g{{ r.grade }}"><td>{{ r.record_id }}</td><td>{{ r.title }}</td><td>{{ r.grade }}</td><td>{{ r.rank if r.rank else "not ranked" }}</td></tr>
{% endfor %}</table>{% else %}<p class="meta">Nothing relevant missed from the top {{ missed_cutoff }}.</p>{% endif %}
{% endfor %}
<h2>Inputs</h2>
<table>{% for name, digest in meta.get("hashes", {}).items() %}<tr><td>{{ name }}</td><td><code>{{ digest }}</code></td></tr>{% endfor %}</table>
</body></html>
"""
