"""Small SVG charts, readable without colour: shapes and labels carry the meaning, and
each chart has a title and a text alternative for screen readers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from directory_site.sanitize import text

WIDTH, HEIGHT, PAD = 560, 220, 40


@dataclass(frozen=True)
class Interval:
    label: str
    value: float | None  # None: withheld
    low: float | None
    high: float | None
    n: int


def _chart_id(*content: object) -> str:
    """An id made from what the chart shows: the same on every build of the same data (an
    object's address or a counter changed from one build to the next), and two different
    charts on one page get two ids."""
    digest = hashlib.sha256(repr(content).encode()).hexdigest()
    return f"chart-{digest[:12]}"


def _y(value: float) -> float:
    """NPS -100..100 to a y coordinate."""
    return PAD + (100 - value) / 200 * (HEIGHT - 2 * PAD)


def intervals(title: str, items: Sequence[Interval], description: str) -> str:
    """NPS with its 95% interval per item: a dot on a vertical bar, n under each label; a
    cross where the figure is withheld."""
    if not items:
        return ""
    step = (WIDTH - 2 * PAD) / len(items)
    name = _chart_id(title, description, list(items))
    parts = [
        f'<svg class="vouch-chart" viewBox="0 0 {WIDTH} {HEIGHT + 30}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{name}-title">{text(title)}</title>',
        f'<desc id="{name}-desc">{text(description)}</desc>',
    ]
    for value in (100, 50, 0, -50, -100):
        y = _y(value)
        dash = "" if value == 0 else ' stroke-dasharray="2 4"'
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD / 2}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.35"{dash}/>'
            f'<text x="{PAD - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="currentColor">{value}</text>'
        )
    every = max(1, len(items) // 10)  # at most about ten labels under the axis
    for index, item in enumerate(items):
        x = PAD + step * (index + 0.5)
        if index % every:
            label = count = ""
        else:
            label = f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" font-size="11" text-anchor="middle" fill="currentColor">{text(item.label)}</text>'  # noqa: E501
            count = f'<text x="{x:.1f}" y="{HEIGHT - PAD + 30}" font-size="10" text-anchor="middle" fill="currentColor">n={item.n}</text>'  # noqa: E501
        parts += [label, count]
        if item.value is None or item.low is None or item.high is None:
            parts.append(
                f'<text x="{x:.1f}" y="{_y(0) - 6:.1f}" font-size="12" text-anchor="middle" '
                f'fill="currentColor">&#215;<title>{text(item.label)}: withheld, '
                f"n={item.n}</title></text>"
            )
            continue
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_y(item.high):.1f}" y2="{_y(item.low):.1f}" '
            f'stroke="currentColor" stroke-width="2"/>'
            f'<line x1="{x - 6:.1f}" x2="{x + 6:.1f}" y1="{_y(item.high):.1f}" '
            f'y2="{_y(item.high):.1f}" stroke="currentColor"/>'
            f'<line x1="{x - 6:.1f}" x2="{x + 6:.1f}" y1="{_y(item.low):.1f}" '
            f'y2="{_y(item.low):.1f}" stroke="currentColor"/>'
            f'<circle cx="{x:.1f}" cy="{_y(item.value):.1f}" r="5" fill="currentColor">'
            f"<title>{text(item.label)}: NPS {item.value:.0f}, 95% interval "
            f"{item.low:.0f} to {item.high:.0f}, n={item.n}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def distribution(counts: Sequence[int], title: str) -> str:
    """How many answered 0..10: detractors hatched, passives plain, promoters filled."""
    total = sum(counts)
    if not total:
        return ""
    top = max(counts)
    bar = (WIDTH - 2 * PAD) / len(counts)
    words = ", ".join(f"{score}: {count}" for score, count in enumerate(counts))
    hatch = f"{_chart_id(title, list(counts))}-hatch"
    parts = [
        f'<svg class="vouch-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{text(title)}</title>'
        f"<desc>Answers to how likely they are to recommend, by score: {words}.</desc>",
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="currentColor" stroke-width="2"/></pattern></defs>',
    ]
    for score, count in enumerate(counts):
        height = (HEIGHT - 2 * PAD) * count / top
        x, y = PAD + bar * score, HEIGHT - PAD - height
        fill = f"url(#{hatch})" if score <= 6 else ("none" if score <= 8 else "currentColor")
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{bar - 6:.1f}" height="{height:.1f}" '
            f'fill="{fill}" stroke="currentColor"><title>{score}: {count}</title></rect>'
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - PAD + 14}" font-size="11" '
            f'text-anchor="middle" fill="currentColor">{score}</text>'
        )
    parts.append(
        f'<text x="{PAD}" y="{PAD - 12}" font-size="11" fill="currentColor">hatched: detractors '
        "(0-6); outlined: passives (7-8); filled: promoters (9-10)</text></svg>"
    )
    return "".join(parts)
