"""Settings the newsroom edits from the web: rating scale, thresholds, content languages.

Deployment settings (database, limits) stay in :class:`factdesk.settings.Settings`; these
are editorial choices, stored in ``app_settings`` and changed on the settings page by an
admin, each change audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdesk.errors import InputError
from factdesk.store.models import AppSetting

KEY = "desk"


@dataclass(frozen=True, slots=True)
class ScaleStep:
    """One rating: its label and, when it sits on the numeric scale, its value."""

    label: str
    value: int | None = None


DEFAULT_SCALE = (
    ScaleStep("True", 5),
    ScaleStep("Mostly true", 4),
    ScaleStep("Half true", 3),
    ScaleStep("Mostly false", 2),
    ScaleStep("False", 1),
    ScaleStep("Unproven", None),
)


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """Editorial settings with their defaults. Thresholds drive the dashboard grid:
    worthiness is a claim's check-worthiness score (0-1), spread its mention count."""

    rating_scale: tuple[ScaleStep, ...] = DEFAULT_SCALE
    worthiness_high: float = 0.7
    worthiness_low: float = 0.4
    spread_high: int = 10
    spread_low: int = 3
    languages: tuple[str, ...] = ("vi", "en")

    @property
    def best(self) -> int | None:
        values = [s.value for s in self.rating_scale if s.value is not None]
        return max(values) if values else None

    @property
    def worst(self) -> int | None:
        values = [s.value for s in self.rating_scale if s.value is not None]
        return min(values) if values else None

    def step(self, label: str) -> ScaleStep:
        for step in self.rating_scale:
            if step.label == label:
                return step
        raise InputError(f"{label!r} is not on the rating scale", where="rating")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rating_scale"] = [asdict(s) for s in self.rating_scale]
        data["languages"] = list(self.languages)
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


def save(session: Session, settings: DeskSettings, user_id: int) -> dict[str, Any] | None:
    """Store ``settings``; returns the previous value (for the audit log)."""
    row = session.get(AppSetting, KEY)
    before = row.value if row else None
    if row is None:
        session.add(AppSetting(key=KEY, value=settings.to_json(), updated_by_id=user_id))
    else:
        row.value, row.updated_by_id = settings.to_json(), user_id
    return before


def scale_text(settings: DeskSettings) -> str:
    return "\n".join(
        s.label if s.value is None else f"{s.label} = {s.value}" for s in settings.rating_scale
    )
