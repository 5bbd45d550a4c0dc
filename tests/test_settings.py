from pathlib import Path

import pytest

from factdesk.errors import ConfigError
from factdesk.settings import Settings, load_settings

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


def test_load_settings_defaults_to_sqlite_in_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'factdesk.db'}"


def test_load_settings_reads_languages_as_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_LANGUAGES", "vi, EN ,fr")
    assert load_settings().languages == ["vi", "en", "fr"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FACTDESK_FETCH_TIMEOUT", "-1"),
        ("FACTDESK_QUEUE", "carrier-pigeon"),
        ("FACTDESK_MAX_BODY_BYTES", "lots"),
    ],
)
def test_load_settings_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()


def test_every_setting_has_a_description_and_is_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert f"FACTDESK_{name.upper()}" in documented, (
            f"FACTDESK_{name.upper()} missing from docs/settings.md"
        )


def test_load_settings_unknown_language_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTDESK_LANGUAGES", "vi,klingon")
    with pytest.raises(ConfigError, match="FACTDESK_LANGUAGES"):
        load_settings()


def test_vector_cache_is_one_safe_folder_per_model(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.vector_cache("intfloat/multilingual-e5 small") == (
        tmp_path / "cache" / "vectors" / "intfloat_multilingual-e5_small"
    )
    elsewhere = load_settings(data_dir=tmp_path, vector_cache_dir=tmp_path / "v")
    assert elsewhere.vector_cache("m.1") == tmp_path / "v" / "m.1"


def test_language_offset_setting_lists_the_matcher_rules() -> None:
    """Settings sit below the matcher, so the choices are spelt twice; they must agree."""
    from typing import get_args

    from factdesk.search.features import OFFSET_RULES
    from factdesk.settings import LanguageOffset

    assert get_args(LanguageOffset) == OFFSET_RULES
