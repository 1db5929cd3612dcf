"""One pagination convention for every list: an opaque cursor and a limit.

A page is ``{"items": [...], "next_cursor": "..." | null}``; the cursor encodes the sort
key of the last item, so pages stay stable while new rows arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from qorgau.core.errors import QorgauError

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end.")


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc


def decode_int_cursor(cursor: str | None) -> int | None:
    """The integer sort key a cursor carries (ids, sequence numbers); anything else is a bad cursor, not a 500."""
    after = decode_cursor(cursor)
    if after is None:
        return None
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**63:
        raise QorgauError("request.bad_cursor", status=400)
    return after
