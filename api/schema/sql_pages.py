"""A page of partners answered by one SQL statement: the database writes each node's answer.

For `partners` the work of an uncached list was Python's: a row object a partner, a
strawberry object a row, then a step a field to read and serialise it (about two thirds
of the request, BENCHMARKS.md, issue 25). When every field the document selects below
`edges { node }` is one the database can answer exactly (SCALARS, NESTED: columns,
the headquarters read from the partner's own row, the offices and industries as
correlated subqueries), the page's statement reads each partner as one JSON object built
by `json_build_object`, keyed by the document's response names in its order, and the
connection around the nodes (edges, cursors, pageInfo, totalCount) is put together here.
That is how PostGraphile answers every query; here it is the hot list's shape only.

The page itself is the resolver's own (queries.read_page): the same arguments, window,
order, count and refusals. Anything this path is not sure of gives up (GiveUp) and the
field runs the ordinary way, so it answers exactly as before, errors included:

- a field not in the tables (a figure, a resolver with arguments, a Float, an enum list:
  their serialisation is Python's), or more than 50 keys in one object;
- any directive in the field's selection (then what is selected depends on variables);
- SQLite (no json_build_object), or a refusal of the arguments (the ordinary way says it).

A plan is compiled once per document (the parser keeps documents: ParserCache), keyed by
the identity of its field nodes, which it holds, so an identity is not reused while kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from sqlalchemy import ColumnElement, String, cast, func, literal_column
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from api.models import Industry, Office, Partner
from api.readers.partners import Answer, related_json
from api.schema.pagination import encode_cursor
from api.schema.partners.inputs import PartnerOrder
from api.schema.partners.queries import read_page
from api.schema.plain_fields import GiveUp

log = logging.getLogger("vouch.api")
_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
_GIVE_UP = GiveUp()

SCALARS: Mapping[str, Mapping[str, Any]] = {
    "Partner": {
        "id": cast(Partner.id, String),
        "slug": Partner.slug,
        "name": Partner.name,
        "summary": Partner.summary,
        "description": Partner.description,
        "website": Partner.website,
        "version": Partner.version,
        "employeeBand": Partner.employee_band,
        "foundedYear": Partner.founded_year,
        "languages": Partner.languages,
        "hourlyRateMin": Partner.hourly_rate_min,
        "hourlyRateMax": Partner.hourly_rate_max,
        "minProjectBudget": Partner.min_project_budget,
        "deliveryCapacity": Partner.delivery_capacity,
    },
    "Location": {"city": Partner.headquarters_city, "country": Partner.headquarters_country},
    "Office": {
        "id": cast(Office.id, String),
        "city": Office.city,
        "country": Office.country,
        "isHeadquarters": Office.is_headquarters,
    },
    "Industry": {"slug": Industry.slug, "name": Industry.name},
}
"""The fields the database answers as they are stored, by GraphQL type: each is what the
type's from_row copies from that column (an ID as its text). Strings, integers, booleans
and a JSON list of strings only: PostgreSQL writes them in JSON as orjson would."""

NESTED: Mapping[tuple[str, str], Callable[[ColumnElement[Any]], Any]] = {
    ("Partner", "headquarters"): lambda location: location,
    ("Partner", "offices"): lambda office: related_json("offices", office),
    ("Partner", "industries"): lambda industry: related_json("industries", industry),
}
"""Objects below a partner, from the JSON object of their own selection: the headquarters
from the partner's row, the offices and industries as arrays in their readers' order."""

MAX_KEYS = 50
"""json_build_object takes at most 100 arguments: 50 keys and their values."""

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")


def _key(name: str) -> ColumnElement[Any]:
    # A GraphQL name (the parser admits no other), so quoting it as text is safe.
    if not _NAME.match(name):
        raise _GIVE_UP
    return literal_column(f"'{name}'")


@dataclass(frozen=True, eq=False)
class Plan:
    """How one `partners` field of one document is answered: the JSON column of its nodes
    (Answer), whether it counts, and the shape of the connection around the nodes, as
    (response name, what) pairs; `edge` and `page_info` the same for each edge and for
    pageInfo."""

    answer: Answer
    count: bool
    connection: tuple[tuple[str, str], ...]
    edge: tuple[tuple[str, str], ...]
    page_info: tuple[tuple[str, str], ...]
    fixed_arguments: dict[str, Any] | None = None
    """The resolver's arguments when the document writes them out (no variable): the
    same for every request, so converted once."""

    def run(self, execution: Any, field_details: Any) -> dict[str, Any]:
        """The field's answer; GiveUp when the ordinary way must answer it."""
        context = execution.context_value
        arguments = self.fixed_arguments
        if arguments is None:
            arguments = _arguments(execution, field_details)
        try:
            offset, page = read_page(
                context,
                filter=arguments.get("filter"),
                first=arguments.get("first"),
                after=arguments.get("after"),
                order_by=arguments.get("order_by", PartnerOrder.RANKING_SCORE),
                count=self.count,
                answer=self.answer,
            )
        except GraphQLError as refusal:  # read_page's refusals are all ClientErrors
            raise _GIVE_UP from refusal  # the ordinary way refuses it, in its own words
        answers = page.answers or []
        cursors = [encode_cursor(offset + index) for index in range(len(answers))]
        edges = [
            {name: _edge_value(what, node, cursor) for name, what in self.edge}
            for node, cursor in zip(answers, cursors, strict=True)
        ]
        end_cursor = cursors[-1] if cursors else None
        info = {"hasNextPage": page.has_next, "endCursor": end_cursor, "__typename": "PageInfo"}
        page_info = {name: info[what] for name, what in self.page_info}
        whole = {"totalCount": page.total or 0, "edges": edges, "pageInfo": page_info}
        return {
            name: "PartnerConnection" if what == "__typename" else whole[what]
            for name, what in self.connection
        }


def _edge_value(what: str, node: Any, cursor: str) -> Any:
    if what == "node":
        return node
    if what == "cursor":
        return cursor
    return "PartnerEdge" if what == "__typename" else None  # snippet: search results only


def _arguments(execution: Any, field_details: Any) -> dict[str, Any]:
    """The resolver's keyword arguments, as strawberry converts them for it."""
    node = field_details[0].node
    field_def = execution.schema.query_type.fields[node.name.value]
    definition: StrawberryField = field_def.extensions[_BACKREF]
    strawberry_schema = execution.schema._strawberry_schema
    raw = get_argument_values(field_def, node, execution.variable_values)
    return convert_arguments(
        raw,
        definition.arguments,
        scalar_registry=strawberry_schema.schema_converter.scalar_registry,
        config=strawberry_schema.config,
    )


ROOTS = frozenset({"partners"})
"""The root fields a Plan answers."""

PLANS_KEPT = 512
_plans: dict[tuple[int, ...], tuple[list[FieldNode], Plan | None]] = {}


def plan_for(execution: Any, parent: GraphQLObjectType, field_details: Any) -> Plan | None:
    """The Plan of a root field of this document (None: it runs the ordinary way, as on
    SQLite, which has no json_build_object)."""
    nodes = [details.node for details in field_details]
    if parent.name != "Query" or nodes[0].name.value not in ROOTS:
        return None
    if execution.context_value.session.get_bind().dialect.name != "postgresql":
        return None
    key = (id(execution.schema), *map(id, nodes))
    kept = _plans.get(key)
    if kept is not None:
        return kept[1]
    try:
        plan = _compiled(execution, parent, field_details)
    except Exception:
        # A bug here must not cost the answer: the ordinary way gives it, and the log says.
        log.exception("could not plan %s: answered the ordinary way", nodes[0].name.value)
        plan = None
    if len(_plans) >= PLANS_KEPT:
        _plans.clear()
    _plans[key] = (nodes, plan)
    return plan


def _compiled(execution: Any, parent: GraphQLObjectType, field_details: Any) -> Plan | None:
    field_def = parent.fields[field_details[0].node.name.value]
    definition: StrawberryField | None = field_def.extensions.get(_BACKREF)
    if definition is None or definition.extensions:
        return None  # a permission or other field extension must see every call
    fragments = {name: found.definition for name, found in execution.fragments.items()}
    if not all(_undirected(details.node, fragments) for details in field_details):
        return None
    try:
        plan = _connection_plan(execution, get_named_type(field_def.type), field_details)
    except GiveUp:
        return None
    if any(_has_variable(argument.value) for argument in field_details[0].node.arguments or ()):
        return plan
    return replace(plan, fixed_arguments=_arguments(execution, field_details))


def _has_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_has_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_has_variable(field.value) for field in value.fields)
    return False


def _undirected(node: FieldNode, fragments: Mapping[str, Any]) -> bool:
    """Whether no directive stands anywhere in the field's selection (nor on it)."""
    if node.directives:
        return False
    return _undirected_set(node.selection_set, fragments, set())


def _undirected_set(
    selections: SelectionSetNode | None, fragments: Mapping[str, Any], seen: set[str]
) -> bool:
    for selection in selections.selections if selections else ():
        if selection.directives:
            return False
        if isinstance(selection, (FieldNode, InlineFragmentNode)):
            inner = selection.selection_set
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None or fragment.directives:
                return False
            inner = fragment.selection_set
        else:  # pragma: no cover - no other selection exists
            return False
        if not _undirected_set(inner, fragments, seen):
            return False
    return True


def _subfields(execution: Any, object_type: Any, field_details: Any) -> dict[str, Any]:
    if not isinstance(object_type, GraphQLObjectType):
        raise _GIVE_UP
    grouped, deferred, forbidden = execution.collect_subfields(object_type, field_details)
    if deferred or forbidden:
        raise _GIVE_UP
    return dict(grouped)


def _names(grouped: dict[str, Any], allowed: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(response name, field name) of each of `grouped`, all of them `allowed`."""
    pairs = []
    for response_name, details in grouped.items():
        node = details[0].node
        if node.arguments or node.name.value not in allowed:
            raise _GIVE_UP
        pairs.append((response_name, node.name.value))
    return tuple(pairs)


EDGE_FIELDS = frozenset({"node", "cursor", "snippet", "__typename"})
PAGE_INFO_FIELDS = frozenset({"hasNextPage", "endCursor", "__typename"})


def _connection_plan(execution: Any, connection: Any, field_details: Any) -> Plan:
    shape: list[tuple[str, str]] = []
    edge: tuple[tuple[str, str], ...] = ()
    page_info: tuple[tuple[str, str], ...] = ()
    node_json: ColumnElement[Any] | None = None
    for response_name, details in _subfields(execution, connection, field_details).items():
        name = details[0].node.name.value
        if details[0].node.arguments:
            raise _GIVE_UP
        if name in ("edges", "pageInfo") and any(seen == name for _, seen in shape):
            raise _GIVE_UP  # two selections of one: each would need its own shape
        if name == "edges":
            edge_type = get_named_type(connection.fields[name].type)
            grouped = _subfields(execution, edge_type, details)
            edge = _names(grouped, EDGE_FIELDS)
            nodes = [
                node_details
                for node_details in grouped.values()
                if node_details[0].node.name.value == "node"
            ]
            if len(nodes) > 1:
                raise _GIVE_UP  # two names for the node: one column only
            if nodes:
                node_type = get_named_type(edge_type.fields["node"].type)
                node_json = _object_json(execution, node_type, nodes[0])
        elif name == "pageInfo":
            page_info_type = get_named_type(connection.fields[name].type)
            page_info = _names(_subfields(execution, page_info_type, details), PAGE_INFO_FIELDS)
        elif name not in ("totalCount", "__typename"):
            raise _GIVE_UP
        shape.append((response_name, name))
    if node_json is None:
        node_json = literal_column("'{}'::json")  # no node asked for: nothing to read
    return Plan(
        answer=Answer(node_json),
        count=any(name == "totalCount" for _, name in shape),
        connection=tuple(shape),
        edge=edge,
        page_info=page_info,
    )


def _object_json(execution: Any, object_type: Any, field_details: Any) -> ColumnElement[Any]:
    """json_build_object of the selection on `object_type`, keyed by response names."""
    scalars = SCALARS.get(object_type.name)
    if scalars is None:
        raise _GIVE_UP
    arguments: list[Any] = []
    for response_name, details in _subfields(execution, object_type, field_details).items():
        node = details[0].node
        name = node.name.value
        if node.arguments:
            raise _GIVE_UP
        arguments.append(_key(response_name))
        if name == "__typename":
            arguments.append(_key(object_type.name))
        elif name in scalars:
            arguments.append(scalars[name])
        elif (object_type.name, name) in NESTED:
            inner_type = get_named_type(object_type.fields[name].type)
            inner = _object_json(execution, inner_type, details)
            arguments.append(NESTED[object_type.name, name](inner))
        else:
            raise _GIVE_UP
    if len(arguments) > 2 * MAX_KEYS:
        raise _GIVE_UP
    return func.json_build_object(*arguments)
