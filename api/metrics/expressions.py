"""What a rule needs to be written once for Python and for SQL.

A rule of api.metrics that a SQL face also needs is written with operators only (`+`,
`-`, `*`, `/`, comparisons, `&`) and the functions passed in: `pick` for a choice, `sqrt`
for a root (as `adjusted_wald` takes it). Given ints and floats it is the Python value;
given columns, the same arithmetic as a SQL expression (`api.models.figures.sql_pick`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

Pick = Callable[[Any, Any, Any], Any]
"""pick(condition, then, otherwise): `then if condition else otherwise`, or SQL CASE."""


def python_pick(condition: Any, then: Any, otherwise: Any) -> Any:
    return then if condition else otherwise


def total(items: Sequence[Any]) -> Any:
    """items[0] + items[1] + ...: an int of ints, `a + b + ...` of columns (no leading 0)."""
    return reduce(operator.add, items)
