"""What the site's pages say about figures, on values made by hand: the withheld said once
and never shown, product names said once, signs that never read "-0"."""

from __future__ import annotations

import re

from api.metrics import Tally
from api.models import Product, Vendor
from api.readers.figures import StoredTally
from api.readers.partner_figures import SUBTRACTION_REASON, FigureSet, figure_set
from directory_site import charts
from directory_site.pages import product_name, segment_section
from directory_site.words import signed


def figures(*scores: int, hidden: bool = False) -> FigureSet:
    counts = [0] * 11
    for score in scores:
        counts[score] += 1
    stored = StoredTally(tally=Tally(partner_likelihood=tuple(counts)))
    return figure_set(stored, SUBTRACTION_REASON if hidden else None)


def test_withheld_quarters_are_named_once_and_never_drawn_or_tabled() -> None:
    # given: twelve quarters, two shown, seven under five answers, three withheld against
    # subtraction
    quarters = [f"2024-Q{q}" for q in range(1, 5)] + [f"2025-Q{q}" for q in range(1, 5)]
    quarters += [f"2026-Q{q}" for q in range(1, 5)]
    rows = [(quarters[0], figures(10, 10, 9, 8, 6)), (quarters[1], figures(9, 9, 9, 9, 2))]
    rows += [(q, figures(10, 3)) for q in quarters[2:9]]
    rows += [(q, figures(10, 9, 9, 8, 7, 3, hidden=True)) for q in quarters[9:]]
    chart = charts.intervals("Trend", [i for q, f in rows if (i := charts.shown(q, f.nps))], "d")

    # when: the section is made
    html = segment_section("Trend by quarter", "quarter", rows, chart)

    # then: the chart and the table hold the two shown quarters only, and one sentence
    # names the ten others with their reasons, without a figure of theirs
    assert chart.count("<circle") == 2
    assert "&#215;" not in html  # no cross marks at the market's level any more
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 3  # the head and two quarters
    assert "withheld" not in table
    assert html.count('class="vouch-withheld-note"') == 1
    note = html.split('class="vouch-withheld-note"', 1)[1]
    assert "10 of the 12 quarters with answers are withheld" in note
    assert all(q in note for q in quarters[2:])
    assert "fewer than 5 answers each" in note
    assert "subtracting" in note
    assert not re.search(r"[+-]\d+ \(|n=\d", note)


def test_when_every_quarter_is_withheld_no_chart_and_no_table() -> None:
    rows = [(f"2025-Q{q}", figures(10, 3)) for q in range(1, 5)]
    chart = charts.intervals("Trend", [i for q, f in rows if (i := charts.shown(q, f.nps))], "d")
    html = segment_section("Trend by quarter", "quarter", rows, chart)
    assert chart == ""
    assert "<table" not in html
    assert "All 4 quarters with answers are withheld" in html


def test_a_product_name_never_repeats_its_vendor() -> None:
    quellbrook = Vendor(slug="quellbrook", name="Quellbrook")
    tidemark = Vendor(slug="tidemark", name="Tidemark Software")
    assert product_name((Product(name="Quellbrook ERP"), quellbrook)) == "Quellbrook ERP"
    assert product_name((Product(name="Tidemark CRM"), tidemark)) == "Tidemark CRM"
    assert product_name((Product(name="Planner"), tidemark)) == "Tidemark Software Planner"


def test_signed_figures_never_read_minus_zero() -> None:
    assert [signed(v) for v in (-0.4, 0.0, 0.4, 12.6, -12.6)] == ["0", "0", "0", "+13", "-13"]
