"""Small dependency-free SVG charts for the evaluation report (bars and per-query dot strips)."""

from __future__ import annotations

from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f")


def grouped_bars(
    values: dict[str, dict[str, float]], metrics: list[str], *, width: int = 760, height: int = 260
) -> str:
    """Bars of ``values[method][metric]`` (0..1), one group per metric, one colour per method.

    Returns:
        An ``<svg>`` element as text, with a legend and hover titles giving exact values.
    """
    methods = list(values)
    left, right, top, bottom = 40, 10, 10, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    group_w = plot_w / max(len(metrics), 1)
    bar_w = group_w * 0.8 / max(len(methods), 1)
    parts = [_svg_open(width, height), _y_axis(left, top, plot_w, plot_h)]
    for g, metric in enumerate(metrics):
        x0 = left + g * group_w + group_w * 0.1
        for m, method in enumerate(methods):
            value = max(0.0, min(1.0, values[method].get(metric, 0.0)))
            bar_h = value * plot_h
            x = x0 + m * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w * 0.92:.1f}" '
                f'height="{bar_h:.1f}" fill="{PALETTE[m % len(PALETTE)]}">'
                f"<title>{escape(method)} {escape(metric)} = {value:.4f}</title></rect>"
            )
        parts.append(
            f'<text x="{left + (g + 0.5) * group_w:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle" font-size="12">{escape(metric)}</text>'
        )
    parts.append(_legend(methods, left, height - 16))
    parts.append("</svg>")
    return "".join(parts)


def dot_strips(
    per_query: dict[str, dict[str, float]], *, label: str, width: int = 760, row_h: int = 34
) -> str:
    """One row per method with a dot per query at its score (0..1) and a bar at the median.

    Args:
        per_query: ``{method: {query_id: score}}``.
        label: Metric name for the axis.
    """
    methods = list(per_query)
    left, right, top = 70, 20, 10
    plot_w = width - left - right
    height = top + row_h * len(methods) + 40
    parts = [_svg_open(width, height)]
    for tick in range(0, 11, 2):
        x = left + plot_w * tick / 10
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + row_h * len(methods)}" '
            f'stroke="#ddd"/><text x="{x:.1f}" y="{top + row_h * len(methods) + 14}" '
            f'text-anchor="middle" font-size="11">{tick / 10:.1f}</text>'
        )
    for row, method in enumerate(methods):
        y_mid = top + row * row_h + row_h / 2
        colour = PALETTE[row % len(PALETTE)]
        parts.append(
            f'<text x="{left - 6}" y="{y_mid + 4:.1f}" text-anchor="end" font-size="12">'
            f"{escape(method)}</text>"
        )
        scores = sorted(per_query[method].items(), key=lambda kv: (kv[1], kv[0]))
        for i, (query_id, score) in enumerate(scores):
            # Spread equal scores vertically (fixed pattern, no randomness) so they stay visible.
            offset = ((i % 5) - 2) * 3
            x = left + plot_w * max(0.0, min(1.0, score))
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y_mid + offset:.1f}" r="3" fill="{colour}" '
                f'fill-opacity="0.6"><title>{escape(query_id)}: {score:.3f}</title></circle>'
            )
        if scores:
            median = _median([s for _, s in scores])
            x = left + plot_w * median
            parts.append(
                f'<line x1="{x:.1f}" y1="{y_mid - 12:.1f}" x2="{x:.1f}" y2="{y_mid + 12:.1f}" '
                f'stroke="#000" stroke-width="2"><title>median {median:.3f}</title></line>'
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
        f'font-size="12">{escape(label)} per query (black bar: median)</text></svg>'
    )
    return "".join(parts)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _svg_open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">'
    )


def _y_axis(left: int, top: int, plot_w: float, plot_h: float) -> str:
    parts = []
    for tick in range(0, 11, 2):
        y = top + plot_h - plot_h * tick / 10
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{tick / 10:.1f}</text>"
        )
    return "".join(parts)


def _legend(methods: list[str], x: float, y: float) -> str:
    parts = []
    for m, method in enumerate(methods):
        xm = x + m * 100
        parts.append(
            f'<rect x="{xm}" y="{y - 10}" width="12" height="12" '
            f'fill="{PALETTE[m % len(PALETTE)]}"/><text x="{xm + 16}" y="{y}" font-size="12">'
            f"{escape(method)}</text>"
        )
    return "".join(parts)
