"""Small SVG charts, readable without colour: shapes and labels carry the meaning, and
each chart has a title, a text alternative for screen readers and a visible legend.

Labels never share a line: the interval chart puts one item on each row (its label to
the left, its n to the right), so a long label or a dozen quarters cannot run together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from api.metrics import DETRACTOR_MAX, PROMOTER_MIN, Figure, NpsBand, nps_band
from directory_site.sanitize import text
from directory_site.words import signed

# Narrow, so that a phone (about 360 px of content) shrinks the text by a quarter at most
WIDTH = 480
ROW = 26  # px per item of the interval chart: 13 px text with room above and below
FONT = 13
SMALL = 12
CHAR = 7.2  # px: the width of an average character at FONT, to size the label column
TOP, AXIS = 30, 46  # room above the first row (the market's label) and for the axis below
N_COLUMN = 56
TICKS = (-100, -50, 0, 50, 100)
HEIGHT, PAD = 240, 44  # the answers chart


@dataclass(frozen=True)
class Interval:
    label: str
    value: float
    low: float
    high: float
    n: int
    strong: bool = False  # the item the chart's sentence is about, in bold


def _chart_id(*content: object) -> str:
    """An id made from what the chart shows: the same on every build of the same data (an
    object's address or a counter changed from one build to the next), and two different
    charts on one page get two ids."""
    digest = hashlib.sha256(repr(content).encode()).hexdigest()
    return f"chart-{digest[:12]}"


def shown(label: str, nps: Figure, *, strong: bool = False) -> Interval | None:
    """The item of a published NPS figure; None for a withheld one, which no chart draws."""
    if nps.value is None or nps.low is None or nps.high is None:
        return None
    return Interval(label, nps.value, nps.low, nps.high, nps.n, strong)


def _label(
    x: float, y: float, words: str, anchor: str, *, size: int = FONT, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{weight} '
        f'fill="currentColor">{words}</text>'
    )


def _open(name: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg class="vouch-chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{name}-title">{text(title)}</title>',
        f'<desc id="{name}-desc">{text(description)}</desc>',
    ]


def _figure(svg: str, legend: str) -> str:
    return f'<figure class="vouch-figure">{svg}<figcaption>{legend}</figcaption></figure>'


def intervals(
    title: str,
    items: Sequence[Interval],
    description: str,
    *,
    axis: str = "NPS, from -100 to +100",
    market: float | None = None,
) -> str:
    """NPS with its 95% interval, one item a row: a dot on a horizontal line, the item's
    label to the left and its number of answers to the right; a dashed line at the market
    NPS if given. Only shown figures: the caller says in words which are withheld."""
    if not items:
        return ""
    label_width = min(190.0, max(80.0, CHAR * max(len(item.label) for item in items) + 16))
    left, right = label_width, WIDTH - N_COLUMN

    def x(value: float) -> float:
        return left + (value + 100) / 200 * (right - left)

    bottom = TOP + ROW * len(items)
    name = _chart_id(title, description, axis, market, list(items))
    parts = _open(name, title, description, bottom + AXIS)
    for tick in TICKS:
        dash = "" if tick == 0 else ' stroke-dasharray="2 4"'
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{TOP - 4}" y2="{bottom:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.35"{dash}/>'
            + _label(x(tick), bottom + 16, signed(tick), "middle", size=SMALL)
        )
    parts.append(_label((left + right) / 2, bottom + 36, text(axis), "middle", size=SMALL))
    parts.append(_label(WIDTH - 4, TOP - 12, "answers", "end", size=SMALL))
    if market is not None:
        at = x(market)
        anchor = "start" if at < left + 60 else "end" if at > right - 60 else "middle"
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP - 4}" y2="{bottom:.1f}" '
            'stroke="currentColor" stroke-width="1.5" stroke-dasharray="6 3"/>'
            + _label(at, TOP - 12, f"market {signed(market)}", anchor, size=SMALL)
        )
    for index, item in enumerate(items):
        y = TOP + ROW * index + ROW / 2
        parts += [
            _label(left - 10, y + 4, text(item.label), "end", bold=item.strong),
            _label(WIDTH - 4, y + 4, f"n={item.n}", "end", size=SMALL),
            f'<line x1="{x(item.low):.1f}" x2="{x(item.high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-width="2"/>'
            f'<line x1="{x(item.low):.1f}" x2="{x(item.low):.1f}" y1="{y - 5:.1f}" '
            f'y2="{y + 5:.1f}" stroke="currentColor"/>'
            f'<line x1="{x(item.high):.1f}" x2="{x(item.high):.1f}" y1="{y - 5:.1f}" '
            f'y2="{y + 5:.1f}" stroke="currentColor"/>'
            f'<circle cx="{x(item.value):.1f}" cy="{y:.1f}" r="5" fill="currentColor">'
            f"<title>{text(item.label)}: NPS {signed(item.value)}, 95% interval "
            f"{signed(item.low)} to {signed(item.high)}, n={item.n}</title></circle>",
        ]
    parts.append("</svg>")
    legend = (
        "Dot: the NPS. Line: its 95% interval, the range the true NPS most likely lies in "
        "(the fewer the answers, the wider it is). n: the number of answers."
        + (" Dashed line: the market's NPS over all partners." if market is not None else "")
    )
    return _figure("".join(parts), legend)


def distribution(counts: Sequence[int], title: str) -> str:
    """How many answered 0..10, with each bar's count above it: detractors hatched,
    passives outlined, promoters filled."""
    total = sum(counts)
    if not total:
        return ""
    top = max(counts)
    bar = (WIDTH - 2 * PAD) / len(counts)
    words = ", ".join(f"{score}: {count}" for score, count in enumerate(counts))
    name = _chart_id(title, list(counts))
    hatch = f"{name}-hatch"
    floor = HEIGHT - PAD
    parts = _open(
        name, title, f"Answers to how likely they are to recommend, by score: {words}.", HEIGHT
    )
    parts.append(
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="currentColor" stroke-width="2"/></pattern></defs>'
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{floor}" y2="{floor}" stroke="currentColor"/>'
    )
    fills: dict[NpsBand, str] = {
        "detractor": f"url(#{hatch})",
        "passive": "none",
        "promoter": "currentColor",
    }
    for score, count in enumerate(counts):
        height = (floor - PAD) * count / top
        x, y = PAD + bar * score, floor - height
        fill = fills[nps_band(score)]
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{bar - 6:.1f}" height="{height:.1f}" '
            f'fill="{fill}" stroke="currentColor"><title>{score}: {count}</title></rect>'
            + _label(x + bar / 2, y - 6, str(count), "middle", size=SMALL)
            + _label(x + bar / 2, floor + 16, str(score), "middle", size=SMALL)
        )
    parts.append(
        _label(
            WIDTH / 2,
            floor + 36,
            "score, 0 (not at all likely) to 10",
            "middle",
            size=SMALL,
        )
        + "</svg>"
    )
    legend = (
        f"The number of answers at each score to how likely they are to recommend the "
        f"partner, from 0 (not at all likely) to 10 (extremely likely), {total} in all. "
        f"Hatched: detractors (0-{DETRACTOR_MAX}); outlined: passives "
        f"({DETRACTOR_MAX + 1}-{PROMOTER_MIN - 1}); filled: promoters ({PROMOTER_MIN}-10). "
        "NPS is the share of promoters minus the share of detractors."
    )
    return _figure("".join(parts), legend)
