"""Every setting, declared once.

Each field has a default and a description; the description feeds `factdesk doctor`, the
settings page of the docs and a test that fails when a setting is undocumented. Values come
from ``FACTDESK_*`` environment variables (or a ``.env`` file in the working directory).
A bad value fails at start-up with the variable's name (see :func:`load_settings`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from factdesk.errors import ConfigError

ENV_PREFIX = "FACTDESK_"


class Settings(BaseSettings):
    """factdesk's configuration. Field descriptions are user documentation."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    # --- storage -------------------------------------------------------------------------
    data_dir: Path = Field(
        Path("./factdesk-data"),
        description="Directory for the SQLite database, search indexes and archived pages.",
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL of the database. Empty means SQLite at DATA_DIR/factdesk.db; "
            "for PostgreSQL use postgresql+psycopg://user@host:5432/dbname."
        ),
    )

    # --- languages -----------------------------------------------------------------------
    languages: Annotated[list[str], NoDecode] = Field(
        ["vi", "en"],
        description=(
            "ISO 639-1 codes the language detector chooses among (comma-separated). "
            "Restricting the set keeps detection fast and accurate on short text."
        ),
    )

    # --- network -------------------------------------------------------------------------
    user_agent: str = Field(
        "factdesk/0.1 (+https://github.com/factdesk/factdesk)",
        description="User-Agent sent with every fetch and matched against robots.txt.",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds before a fetch gives up.")
    max_body_bytes: int = Field(
        10_000_000, gt=0, description="Largest response body or uploaded file accepted, in bytes."
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed before a fetch fails.")
    respect_robots: bool = Field(True, description="Obey robots.txt before fetching a URL.")

    # --- ingestion -----------------------------------------------------------------------
    ingest_batch_size: int = Field(
        2000, gt=0, description="Records parsed and written per transaction in large file imports."
    )

    # --- jobs ----------------------------------------------------------------------------
    queue: str = Field(
        "sqlite",
        description="Background job queue: 'sqlite' (in-process, default) or 'redis'.",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis URL, used when QUEUE is 'redis'."
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("queue")
    @classmethod
    def _known_queue(cls, value: str) -> str:
        if value not in ("sqlite", "redis"):
            raise ValueError("must be 'sqlite' or 'redis'")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, else SQLite inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'factdesk.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning a validation error into a ConfigError
    that names the offending ``FACTDESK_*`` variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ENV_PREFIX + str(first["loc"][0]).upper() if first["loc"] else ENV_PREFIX
        raise ConfigError(f"{name}: {first['msg']}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()``."""
    return load_settings()
