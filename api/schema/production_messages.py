"""Production's error messages in the words of the request, never those of the schema.

graphql-core's messages name the types behind what a caller touched ("Value 'X' does not
exist in 'PartnerOrder' enum", "Field 'partner' of type 'Partner' must have a selection",
"Int cannot represent ...") and suggest names the caller did not ask about ("Did you
mean ...?"): enough for a tool such as clairvoyance to map the schema from the outside,
type by type. The SDL is public, but introspection is off in production, and a message
that names the argument and the field serves the client as well.

Each template of graphql-core (3.3) and strawberry that names a type is rewritten below;
whatever quoted type name is left after them is replaced too, so a template this list
does not know yet still names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    Visitor,
    visit,
)

# What each built-in scalar takes, in words.
_SCALARS = {
    "Int": "an integer",
    "Float": "a number",
    "String": "a string",
    "Boolean": "true or false",
    "ID": "a string or an integer",
}

_Replacement = str | Callable[[re.Match[str]], str]

_RULES: list[tuple[str, _Replacement]] = [
    # " Did you mean 'partners'?", " Did you mean the enum value 'NAME'?"
    (r"\s*Did you mean [^?]*\?", ""),
    # enums
    (r"does not exist in '[^']*' enum", "is not one of the values allowed here"),
    (
        r"Enum '[^']*' cannot represent non-(?:enum|string) value: (.*?)\.?$",
        r"Expected one of the values allowed here, found: \1.",
    ),
    # built-in scalars ("Int cannot represent non 32-bit signed integer value: 2e10")
    (
        r"\bInt cannot represent non 32-bit signed integer value: ",
        "Expected an integer of at most 32 bits, found: ",
    ),
    (
        r"\b(Int|Float|String|Boolean|ID) cannot represent [^:]*: ",
        lambda match: f"Expected {_SCALARS[match[1]]}, found: ",
    ),
    # strawberry's scalars: 'Value cannot represent a Date: "5". Expected a string.'
    (
        r"Value cannot represent an? (\w+): ",
        lambda match: f"Expected a {match[1].lower()}, found: ",
    ),
    # input values, in variables and in literals
    (r"Expected a value of non-null type '[^']*' to be provided", "Expected a value, found none"),
    (
        r"Expected value of non-null type '[^']*' not to be (?:None|null)",
        "Expected a value, found null",
    ),
    (r" provided to non-null type '[^']*' not to be (?:None|null)", " not to be null"),
    (r"Expected value of type '[^']*' (?=to |not )", "Expected the value "),
    (r"Expected value of type '[^']*'", "Expected a value of another type"),
    (r"Within OneOf Input Object type '[^']*', exactly", "Exactly"),
    # validation
    (r" as objects of type '[^']*' can never be of type '[^']*'", ""),
    (r" (?:of|on) (?:required |non-null )?type '[^']*'", ""),
    (r" since type '[^']*' has no subfields", ""),
    (r" used in position expecting type '[^']*'", " used where another type is expected"),
    (r" is not defined by type '[^']*'", " is not defined here"),
    (r" cannot be non-input type '[^']*'", " cannot be of that type"),
    (r" on non composite type '[^']*'", " on that type"),
    (r" conflicting types '[^']*' and '[^']*'", " conflicting types"),
    (r" (?:in a )?oneOf Input Object '[^']*'", " in a one-of input"),
    (r"'[A-Z]\w*\.(?=\w)", "'"),  # 'Query.partner(slug:)' -> 'partner(slug:)'
]
_REWRITES = [(re.compile(pattern), replacement) for pattern, replacement in _RULES]

# A type named in quotes, as graphql-core prints one: 'Partner', '[String!]!'.
_QUOTED_TYPE = re.compile(r"'\[*([A-Za-z_]\w*)[\]!]*'")


def plain_message(message: str, type_names: Collection[str]) -> str:
    """The message without "Did you mean" hints, nor any of the schema's type names."""
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)

    def unnamed(match: re.Match[str]) -> str:
        return "another type" if match[1] in type_names else match[0]

    return _QUOTED_TYPE.sub(unnamed, message)


def literal_places(document: DocumentNode) -> dict[tuple[int, int], tuple[str, str]]:
    """Where each literal value of an argument sits in the text: its argument and the path
    inside it ("filter", ".evidenceTiers[0]"). A literal's error names no argument, and
    without its type the message alone would not say which value was wrong."""
    places: dict[tuple[int, int], tuple[str, str]] = {}

    def walk(value: ValueNode, argument: str, path: str) -> None:
        if value.loc is not None:
            places[(value.loc.start, value.loc.end)] = (argument, path)
        if isinstance(value, ObjectValueNode):
            for field in value.fields:
                if field.loc is not None:  # an unknown field's error is located at it
                    places[(field.loc.start, field.loc.end)] = (argument, path)
                walk(field.value, argument, f"{path}.{field.name.value}")
        elif isinstance(value, ListValueNode):
            for index, item in enumerate(value.values):
                walk(item, argument, f"{path}[{index}]")

    class Arguments(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            walk(node.value, node.name.value, "")

    visit(document, Arguments())
    return places


def naming_the_argument(
    message: str, nodes: Sequence[object] | None, places: dict[tuple[int, int], tuple[str, str]]
) -> str:
    """The message of an error about a literal value, prefixed with where the value is."""
    loc = getattr(nodes[0], "loc", None) if nodes else None
    place = places.get((loc.start, loc.end)) if loc is not None else None
    if place is None:
        return message
    argument, path = place
    at = f" at {path}" if path else ""
    return f"Argument '{argument}' has invalid value{at}: {message}"
