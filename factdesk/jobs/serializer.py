"""JSON instead of pickle for queue messages.

Huey pickles its messages by default; a message read back from a shared Redis would then be
able to run any code in every worker. factdesk's task arguments are plain numbers, so
messages are JSON: a tampered message can at worst name a task that does not exist.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from huey.registry import Message
from huey.serializer import Serializer


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"__message__": [_encode(v) for v in value]}
    if isinstance(value, datetime.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a queue message cannot carry a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__message__" in value:
            return Message(*[_decode(v) for v in value["__message__"]])
        if "__datetime__" in value:
            return datetime.datetime.fromisoformat(value["__datetime__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


class JsonSerializer(Serializer):  # type: ignore[misc]
    """Huey serializer writing tagged JSON (messages, datetimes, tuples as lists)."""

    def _serialize(self, data: Any) -> bytes:
        return json.dumps(_encode(data), separators=(",", ":")).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        return _decode(json.loads(data))
