"""Settings the newsroom edits from the web: rating scale, thresholds, content languages.

Deployment settings (database, limits) stay in :class:`factdesk.settings.Settings`; these
are editorial choices, stored in ``app_settings`` and changed on the settings page by an
admin, each change audited.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk import freshness
from factdesk.errors import InputError
from factdesk.services import audit
from factdesk.store.models import AppSetting
from factdesk.types import DEFAULT_SCALE, Actor, DeskSettings, ScaleStep

KEY = "desk"


def to_json(settings: DeskSettings) -> dict[str, Any]:
    """The settings as stored in ``app_settings`` (and shown in the audit log)."""
    data = asdict(settings)
    data["rating_scale"] = [asdict(s) for s in settings.rating_scale]
    data["languages"] = list(settings.languages)
    return data


def from_json(data: dict[str, Any] | None, default_languages: list[str]) -> DeskSettings:
    if not data:
        return DeskSettings(languages=tuple(default_languages))
    scale = tuple(ScaleStep(s["label"], s.get("value")) for s in data.get("rating_scale", []))
    return DeskSettings(
        rating_scale=scale or DEFAULT_SCALE,
        worthiness_high=float(data.get("worthiness_high", 0.7)),
        worthiness_low=float(data.get("worthiness_low", 0.4)),
        spread_high=int(data.get("spread_high", 10)),
        spread_low=int(data.get("spread_low", 3)),
        languages=tuple(data.get("languages") or default_languages),
    )


def load(session: Session, default_languages: list[str]) -> DeskSettings:
    row = session.scalar(select(AppSetting).where(AppSetting.key == KEY))
    return from_json(row.value if row else None, default_languages)


def parse_scale(text: str) -> tuple[ScaleStep, ...]:
    """Read a scale typed one rating per line, as ``label = value`` or just ``label``."""
    steps: list[ScaleStep] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        label, _, value = line.partition("=")
        label = label.strip()
        if not label or len(label) > 200:
            raise InputError(
                "a rating label is 1-200 characters", where=f"rating scale line {number}"
            )
        try:
            steps.append(ScaleStep(label, int(value) if value.strip() else None))
        except ValueError:
            raise InputError(
                f"{value.strip()!r} is not a whole number", where=f"rating scale line {number}"
            ) from None
    if len({s.label for s in steps}) != len(steps):
        raise InputError("two ratings have the same label", where="rating scale")
    if not steps:
        raise InputError("the scale needs at least one rating", where="rating scale")
    return tuple(steps)


def parse(form: dict[str, str]) -> DeskSettings:
    """Validate the settings form; every problem names its field."""

    def number(name: str, kind: type[float] | type[int], low: float, high: float) -> Any:
        try:
            value = kind(form.get(name, "").strip())
        except ValueError:
            raise InputError("not a number", where=name) from None
        if not low <= value <= high:
            raise InputError(f"must be between {low} and {high}", where=name)
        return value

    languages = tuple(p.strip().lower() for p in form.get("languages", "").split(",") if p.strip())
    if not languages or any(not (2 <= len(code) <= 8 and code.isalpha()) for code in languages):
        raise InputError("comma-separated language codes such as vi, en", where="languages")
    settings = DeskSettings(
        rating_scale=parse_scale(form.get("rating_scale", "")),
        worthiness_high=number("worthiness_high", float, 0, 1),
        worthiness_low=number("worthiness_low", float, 0, 1),
        spread_high=number("spread_high", int, 1, 10**9),
        spread_low=number("spread_low", int, 1, 10**9),
        languages=languages,
    )
    if settings.worthiness_low > settings.worthiness_high:
        raise InputError("must not be above the high threshold", where="worthiness_low")
    if settings.spread_low > settings.spread_high:
        raise InputError("must not be above the high threshold", where="spread_low")
    return settings


def save(session: Session, settings: DeskSettings, actor: Actor) -> dict[str, Any] | None:
    """Store ``settings`` and audit the change (``settings.change``, before and after);
    returns the previous value."""
    row = session.get(AppSetting, KEY)
    before: dict[str, Any] | None = row.value if row else None
    value = to_json(settings)
    if row is None:
        session.add(AppSetting(key=KEY, value=value, updated_by_id=actor.id))
    else:
        row.value, row.updated_by_id = value, actor.id
    audit.record(session, actor, "settings.change", "settings", None, before, value)
    freshness.after_commit(session)  # public pages show the rating scale
    return before


def scale_text(settings: DeskSettings) -> str:
    return "\n".join(
        s.label if s.value is None else f"{s.label} = {s.value}" for s in settings.rating_scale
    )
