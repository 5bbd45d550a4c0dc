"""The public pages in Vietnamese and English."""

from __future__ import annotations

import re
from pathlib import Path

from factdesk.publish import i18n

# The public templates: the base layout and macros every page uses, and ``public/*``.
TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_public_templates_every_string_has_a_vietnamese_translation() -> None:
    pattern = re.compile(r"""_\((["'])(.+?)\1\)""")
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert {t.name for t in templates} >= {"_base.html", "_macros.html", "factcheck.html"}
    missing = {
        f"{template.name}: {text}"
        for template in templates
        for _, text in pattern.findall(template.read_text(encoding="utf-8"))
        if text not in i18n.VI
    }
    assert not missing, sorted(missing)
