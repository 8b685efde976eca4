"""Relay-style pages over an offset, behind opaque cursors."""

from __future__ import annotations

import base64
import binascii

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, Selection

from api.schema.context import Info
from api.schema.errors import ClientError
from api.validation import whole_number

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**31 - 1
_PREFIX = "vouch:offset:"


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = whole_number(text.removeprefix(_PREFIX), maximum=MAX_OFFSET)
    if not text.startswith(_PREFIX) or number is None:
        shown = cursor if len(cursor) <= 60 else f"{cursor[:60]}..."
        raise ClientError(
            f"after: {shown!r} is not a cursor this API gave out", code="VALIDATION", field="after"
        )
    return number


def page_size(first: int | None, *, default: int, maximum: int) -> int:
    """How many rows a field's `first` asks for. Every field that takes `first` takes
    0 to its maximum: 0 is an empty page (its counts and hasNextPage still answered), as
    Relay's connections allow; anything else is refused naming `first`."""
    size = default if first is None else first
    if not 0 <= size <= maximum:
        raise ClientError(
            f"first must be between 0 and {maximum}, got {size}", code="VALIDATION", field="first"
        )
    return size


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """The offset and size of the page asked for, or a clear refusal."""
    size = page_size(first, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    offset = 0 if after is None else decode_cursor(after) + 1
    return offset, size


def selects(info: Info, name: str, *deeper: str) -> bool:
    """Whether the field being resolved asks for its subfield `name` (through fragments too),
    and below it for `deeper[0]`, and so on (`selects(info, "edges", "node", "offices")`)."""
    path = (name, *deeper)

    def within(selections: list[Selection], at: int) -> bool:
        for selection in selections:
            if isinstance(selection, (FragmentSpread, InlineFragment)):
                if within(selection.selections, at):
                    return True
            elif selection.name == path[at] and (
                at == len(path) - 1 or within(selection.selections, at + 1)
            ):
                return True
        return False

    return any(within(field.selections, 0) for field in info.selected_fields)
