"""The public pages in Vietnamese and English."""

from __future__ import annotations

import re
from pathlib import Path

from factdesk.web import i18n

PUBLIC = Path(i18n.__file__).parent / "templates" / "public"


def test_public_templates_every_string_has_a_vietnamese_translation() -> None:
    pattern = re.compile(r"""_\((["'])(.+?)\1\)""")
    missing = {
        f"{template.name}: {text}"
        for template in PUBLIC.glob("*.html")
        for _, text in pattern.findall(template.read_text(encoding="utf-8"))
        if text not in i18n.VI
    }
    assert not missing, sorted(missing)
