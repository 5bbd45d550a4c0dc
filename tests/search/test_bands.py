"""Bands: thresholds per language, and the guards that can only lower a band."""

from __future__ import annotations

from datetime import UTC, datetime

from factdesk.search.bands import BandPolicy, band_rank

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_band_policy_thresholds_depend_on_language() -> None:
    policy = BandPolicy(auto={"en": 0.8, "*": 0.95}, suggest={"*": 0.3})
    assert policy.band(0.85, language="en", words=20) == "auto"
    assert policy.band(0.85, language="vi", words=20) == "suggest"
    assert policy.band(0.85, language=None, words=20) == "suggest"
    assert policy.band(0.2, language="en", words=20) == "hidden"


def test_band_policy_short_text_is_at_most_suggested() -> None:
    policy = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1}, short_text_words=6)
    assert policy.band(0.99, language="en", words=3) == "suggest"
    assert policy.band(0.99, language="en", words=6) == "auto"


def test_band_policy_recency_window_demotes_old_fact_checks() -> None:
    policy = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1}, recency_days=365)
    old = datetime(2020, 1, 1, tzinfo=UTC)
    recent = datetime(2025, 1, 1, tzinfo=UTC)
    assert policy.band(0.9, language="en", words=10, published=old, now=NOW) == "suggest"
    assert policy.band(0.9, language="en", words=10, published=recent, now=NOW) == "auto"
    assert policy.band(0.9, language="en", words=10, published=None, now=NOW) == "auto"
    no_window = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1})
    assert no_window.band(0.9, language="en", words=10, published=old, now=NOW) == "auto"


def test_band_rank_orders_bands() -> None:
    assert band_rank("auto") < band_rank("suggest") < band_rank("hidden")


def test_band_policy_cross_lingual_match_is_suggested_unless_allowed() -> None:
    strict = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1})
    assert strict.band(0.99, language="vi", words=10, cross_lingual=True) == "suggest"
    allowed = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1}, cross_lingual_auto=True)
    assert allowed.band(0.99, language="vi", words=10, cross_lingual=True) == "auto"


def test_band_policy_long_post_is_auto_only_in_calibrated_languages() -> None:
    policy = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1})
    for language in ("vi",):
        assert policy.band(0.99, language=language, words=200, long_text=True) == "auto"
    for language in ("en", "ar", "de", "ms", None):
        assert policy.band(0.99, language=language, words=200, long_text=True) == "suggest"
        # the length in words alone never makes a post long: the caller says (is_long)
        assert policy.band(0.99, language=language, words=200) == "auto"
    wider = BandPolicy(auto={"*": 0.5}, suggest={"*": 0.1}, long_text_auto=frozenset({"de"}))
    assert wider.band(0.99, language="de", words=200, long_text=True) == "auto"
    assert wider.band(0.99, language="en", words=200, long_text=True) == "suggest"
