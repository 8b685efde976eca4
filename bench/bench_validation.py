"""The slowest documents to validate that we could build, within the limits and just past them.

    python bench/bench_validation.py [--repeat 5]

Each document is parsed once and validated (shape, cost, then every rule, as the server
does on a cache miss) `--repeat` times; the table shows the median, slowest first. The goal
(hardening issue): every document under the limits validates in under 100 ms here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphql import parse, specified_rules

from api.schema import MAX_TOKENS, create_schema
from api.schema.document_shape import (
    MAX_ALIASES,
    MAX_FIELDS,
    MAX_FRAGMENTS,
    MAX_OPERATIONS,
    MAX_SELECTION_FIELDS,
)
from api.schema.validation import validated
from bench.common import machine


def fragment_bomb(levels: int) -> str:
    """The outside tester's: each fragment spreads the previous one twice."""
    fragments = ["fragment F0 on Partner { slug }"] + [
        f"fragment F{i} on Partner {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)
    ]
    return f'{{ partner(slug: "a") {{ ...F{levels - 1} }} }}\n' + "\n".join(fragments)


def repeated(count: int, selection: str = "vendors { slug }") -> str:
    return "{ " + " ".join([selection] * count) + " }"


def repeated_nested(outer: int, inner: int) -> str:
    """The same field, each time selecting the same field many times: pairs of pairs."""
    return repeated(outer, "vendors { " + " ".join(["slug"] * inner) + " }")


def repeated_with_arguments(count: int) -> str:
    return repeated(count, 'partner(slug: "a") { slug name }')


def many_fragments(count: int, width: int) -> str:
    """Many fragments on one type, all spread in one selection: fragment pairs compared."""
    body = " ".join(["slug"] * width)
    fragments = [f"fragment G{i} on Partner {{ {body} }}" for i in range(count)]
    spreads = " ".join(f"...G{i}" for i in range(count))
    return f'{{ partner(slug: "a") {{ {spreads} }} }}\n' + "\n".join(fragments)


def lists_of_repeats(lists: int, width: int) -> str:
    """The same list many times, each node selecting one field many times."""
    leaf = " ".join(["slug"] * width)
    inner = f"edges {{ node {{ {leaf} }} }}"
    return "{ " + " ".join(["partners(first: 1) { " + inner + " }"] * lists) + " }"


def aliased_conflicts(count: int) -> str:
    return "{ " + " ".join(f'a: partner(slug: "{i}") {{ slug }}' for i in range(count)) + " }"


def many_operations(count: int, fragments: int) -> str:
    names = " ".join(f"...H{i}" for i in range(fragments))
    operations = [f"query Q{n} {{ vendors {{ {names} }} }}" for n in range(count)]
    definitions = [f"fragment H{i} on Vendor {{ slug }}" for i in range(fragments)]
    return "\n".join(operations + definitions)


def documents() -> Iterator[tuple[str, str]]:
    yield "fragment bomb, 40 levels (refused)", fragment_bomb(40)
    yield "`vendors { slug }` x 1,200 (refused)", repeated(1200)
    yield f"`vendors {{ slug }}` x {MAX_SELECTION_FIELDS}", repeated(MAX_SELECTION_FIELDS)
    width = MAX_SELECTION_FIELDS
    yield f"`__typename` x {width}", repeated(width, "__typename")
    yield "`vendors { slug x 30 }` x 30 (refused)", repeated_nested(30, 30)
    nested = repeated_nested(width // 3, width - 1)
    yield f"`vendors {{ slug x {width - 1} }}` x {width // 3}", nested
    yield f"`partner(slug) {{ slug name }}` x {width}", repeated_with_arguments(width)
    yield f"{MAX_FRAGMENTS} fragments of 1 field in one selection", many_fragments(MAX_FRAGMENTS, 1)
    lists = MAX_FIELDS // (width + 2)
    yield f"{lists} partner lists x {width - 1} slugs", lists_of_repeats(lists, width - 1)
    yield f"{MAX_ALIASES} conflicting aliases", aliased_conflicts(MAX_ALIASES)
    yield (
        f"{MAX_OPERATIONS} operations x {MAX_FRAGMENTS} fragments",
        many_operations(MAX_OPERATIONS, MAX_FRAGMENTS),
    )


def timed(document: str, repeat: int) -> tuple[float, str]:
    schema = create_schema(production=True)._schema
    rules = tuple(specified_rules)
    parsed = parse(document)
    samples, verdict = [], "ok"
    for _ in range(repeat):
        started = time.perf_counter()
        errors = validated.__wrapped__(schema, parsed, rules)
        samples.append(time.perf_counter() - started)
        verdict = errors[0].message[:60] if errors else "ok"
    return statistics.median(samples), verdict


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(machine())
    print(f"limits: {MAX_TOKENS} tokens, {MAX_FIELDS} fields, {MAX_SELECTION_FIELDS} per selection")
    rows: list[tuple[float, str, int, str]] = []
    for name, document in documents():
        seconds, verdict = timed(document, args.repeat)
        rows.append((seconds, name, len(document), verdict))
    rows.sort(reverse=True)
    print(f"{'median':>10}  {'bytes':>6}  document -> verdict")
    for seconds, name, size, verdict in rows:
        print(f"{seconds * 1000:8.1f} ms  {size:6d}  {name} -> {verdict}")


if __name__ == "__main__":
    main()
