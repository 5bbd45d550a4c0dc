"""Hypothesis profiles and checks shared by the parser fuzz tests (tests/ingest/test_fuzz_*).

Each fuzz test runs twice: ``fuzz`` (200 generated inputs, in the default suite) and
``fuzz-slow`` (10,000, marked slow: ``pytest -m slow tests/ingest``). A parser may raise
only its own errors (:class:`InputError` and its subclasses, each naming where); every
record it does not keep is a :class:`Rejected` with where and a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factdesk.errors import InputError
from factdesk.types import ParseResult, Rejected

_COMMON = {
    "deadline": None,  # a shared 2-core machine: timing is not what is tested
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": False,
}
settings.register_profile("fuzz", max_examples=200, **_COMMON)
settings.register_profile("fuzz-slow", max_examples=10_000, **_COMMON)

BUDGETS = [
    pytest.param("fuzz", id="200"),
    pytest.param("fuzz-slow", id="10000", marks=pytest.mark.slow),
]

# Text that exercises decoders and parsers: any code point but surrogates, plus the
# characters markup and CSV treat specially.
SPECIAL = st.sampled_from(
    ["<", ">", "&", "&amp;", "&#0;", "&#xD800;", "]]>", '"', "'", ",", ";", "\t", "\r", "\n",
     "\x00", "\ufeff", "\u2028", "\ud7ff", "\U0001f600", "%", "\\", "{", "}", "[", "]"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=12), SPECIAL), max_size=12).map("".join)


def run(profile: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
    """Run ``check`` on inputs drawn from ``strategy`` under the named profile."""

    def test(value: Any) -> None:
        check(value)

    settings(settings.get_profile(profile))(given(strategy)(test))()


def parsed_or_refused(parse: Callable[[], ParseResult[Any]]) -> ParseResult[Any] | None:
    """The result, or None when the parser refused the whole input with its own error
    (which must say where and why)."""
    try:
        result = parse()
    except InputError as exc:
        assert exc.message.strip(), "an InputError without a message"
        return None
    assert_quarantined(result.rejected)
    return result


def assert_quarantined(rejected: list[Rejected]) -> None:
    for record in rejected:
        assert isinstance(record, Rejected)
        assert record.where.strip() and record.reason.strip(), record
