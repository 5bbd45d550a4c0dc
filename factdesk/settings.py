"""Every setting, declared once.

Each field has a default and a description; the description feeds `factdesk doctor`, the
settings page of the docs and a test that fails when a setting is undocumented. Values come
from ``FACTDESK_*`` environment variables (or a ``.env`` file in the working directory).
A bad value fails at start-up with the variable's name (see :func:`load_settings`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from factdesk.errors import ConfigError

ENV_PREFIX = "FACTDESK_"
# factdesk.search.features.OffsetRule (settings sit below search: tests/test_settings.py
# checks the two agree)
LanguageOffset = Literal["pairs", "pairs-background", "background", "all", "none"]


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
            "ISO 639-1 codes the desk works in (comma-separated): the check-worthiness "
            "detector, the UI, a feed from day one. Records still get their true language, "
            "whatever it is (declared, else identified among all languages lingua knows)."
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
    allow_private_fetch: bool = Field(
        False,
        description=(
            "Fetch from loopback, private, link-local and other non-public addresses "
            "(citations, sources, webhooks). Off by default so no one can make the desk read "
            "its own network; turn on only for a desk whose sources live on an intranet."
        ),
    )

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

    # --- web -----------------------------------------------------------------------------
    secure_cookies: bool = Field(
        False,
        description=(
            "Mark session cookies Secure (sent over HTTPS only). Turn on behind HTTPS; "
            "requests that arrive over https get Secure cookies anyway."
        ),
    )
    session_hours: float = Field(12.0, gt=0, description="Hours a newsroom sign-in stays valid.")
    login_max_failures: int = Field(
        5,
        gt=0,
        description=(
            "Failed sign-ins from one address for one user name before each further try "
            "waits (2 s, then twice as long each time, up to LOGIN_MAX_DELAY_SECONDS)."
        ),
    )
    login_address_failures: int = Field(
        30,
        gt=0,
        description=(
            "Failed sign-ins from one address, whatever the user names, before that address "
            "waits as well. Other addresses are never slowed down by it."
        ),
    )
    login_max_delay_seconds: int = Field(
        300, gt=0, description="Longest wait imposed between two failed sign-ins, in seconds."
    )
    login_window_minutes: float = Field(
        15.0, gt=0, description="How long a failed sign-in is counted towards the waits."
    )
    tipline_per_hour: int = Field(
        10, gt=0, description="Tipline submissions accepted per client address per hour."
    )
    tipline_max_chars: int = Field(
        5000, gt=0, description="Longest claim text accepted by the tipline, in characters."
    )
    web_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="Seconds the dashboard and chart figures and the rendered queue and jobs "
        "lists are cached per process (0: never; a user's own change always shows at once).",
    )
    default_ui_language: str = Field(
        "vi", description="Interface language when the browser does not ask: 'vi' or 'en'."
    )
    queue_name: str = Field(
        "factdesk",
        description=(
            "Name of the job queue (the Redis key prefix; the queue file is "
            "DATA_DIR/jobs-<name>.db). Desks sharing one Redis need different names."
        ),
    )
    worker_threads: int = Field(
        2,
        ge=1,
        le=64,
        description="Worker threads of `factdesk worker` and of the embedded worker.",
    )
    embedded_worker: bool = Field(
        True,
        description=(
            "Run worker threads inside the web server process (the one-machine default). "
            "Turn off when separate `factdesk worker` processes consume the queue."
        ),
    )

    # --- claim detection -----------------------------------------------------------------
    detect_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "Check-worthiness score at or above which a sentence becomes a mention; empty "
            "means the threshold chosen by cross-validation when the model was trained."
        ),
    )
    detect_model_dir: Path | None = Field(
        None,
        description=(
            "A check-worthiness model folder (static.npz, scorer.json) to use instead of the "
            "one shipped in the package, e.g. one trained by `factdesk train checkworthiness --out`."
        ),
    )
    detect_batch_items: int = Field(
        500, gt=0, description="Items scored and written per transaction by `factdesk detect`."
    )
    detect_cascade: bool = Field(
        False,
        description=(
            "Check-worthiness cascade (factdesk[embed]): sentences the cheap scorer does not "
            "pass are rescored by a head over their multilingual-e5 vectors - better on "
            "unseen sources, but about 5 times slower per sentence and weaker on the Vietnamese "
            "sample (docs/detection.md); off, the cheap scorer alone scores."
        ),
    )
    cluster_threshold: float = Field(
        0.76,
        gt=0,
        le=1,
        description=(
            "Static-embedding cosine at or above which a mention joins a claim already "
            "worded in its language; lower groups more loosely (see docs/detection.md)."
        ),
    )
    cluster_dense: bool = Field(
        True,
        description=(
            "Linking stage with multilingual-e5 (factdesk[embed]): encodes each new "
            "check-worthy claim once and merges claims that are translations or looser "
            "rewordings of an earlier one."
        ),
    )
    cluster_link_budget: float = Field(
        4.0,
        ge=0,
        description=(
            "Claims the linking stage may encode per 100 sentences `factdesk detect` "
            "processes (each ~25 ms on two cores); the most check-worthy and most repeated "
            "go first and the rest wait for a run with no new items, which links them all, "
            "or for `factdesk detect --link-all`. "
            "4 keeps detection above 500 sentences/s (docs/benchmarks.md)."
        ),
    )
    cluster_dense_threshold: float = Field(
        0.6,
        gt=-1,
        le=1,
        description=(
            "Centred e5 cosine at or above which a claim is linked to one in its language "
            "(default: 1 in 1,000 random same-language Tatoeba pairs passes)."
        ),
    )
    cluster_cross_threshold: float = Field(
        0.5,
        gt=-1,
        le=1,
        description=(
            "Centred e5 cosine at or above which a claim is linked to one worded in another "
            "language (default: 1 in 1,000 random vi-en Tatoeba pairs passes)."
        ),
    )
    resurgence_quiet_days: float = Field(
        30.0,
        gt=0,
        description="Days without a mention after which a claim rated false counts as quiet.",
    )
    resurgence_window_days: float = Field(
        14.0,
        gt=0,
        description="Days after a comeback in which RESURGENCE_MIN_MENTIONS are counted.",
    )
    resurgence_min_mentions: int = Field(
        2,
        ge=1,
        description="Mentions within the window that make a comeback of a false claim an alert.",
    )

    # --- claim matching ------------------------------------------------------------------
    match_auto_threshold: Annotated[dict[str, float], NoDecode] = Field(
        {"en": 0.9, "vi": 0.95, "*": 0.95},
        description=(
            "Calibrated score from which a match is linked automatically, per query language "
            "('en=0.9,vi=0.95,*=0.95'; '*' covers other languages)."
        ),
    )
    match_suggest_threshold: Annotated[dict[str, float], NoDecode] = Field(
        {"en": 0.4, "vi": 0.4, "*": 0.4},
        description="Calibrated score from which a match is shown to a checker, per language.",
    )
    match_short_text_words: int = Field(
        6, ge=0, description="Posts with fewer words than this are never linked automatically."
    )
    match_long_text_auto: Annotated[list[str], NoDecode] = Field(
        ["vi"],
        description=(
            "Languages whose long posts (over 60 words, matched by sentence windows) may be "
            "linked automatically (comma-separated; empty: long posts are only suggested)."
        ),
    )
    match_long_fusion: Literal["hybrid", "mean", "lean", "lexical"] = Field(
        "mean",
        description=(
            "How a long post's matches are scored: hybrid (as any post), mean (with the "
            "lexical head's probability), lean (the lexical head's weighted 0.9 for "
            "same-language candidates where the language has a real lexical analysis) or lexical (BM25 features only); see "
            "docs/matching.md, 'Long-post fusion'."
        ),
    )
    match_long_post: Literal["cleaned", "written", "raw"] = Field(
        "cleaned",
        description=(
            "Which text of a post says it is long and what BM25 reads: cleaned (without "
            "links, handles and repeated lines, for both), written (length as written, BM25 "
            "on the cleaned text) or raw (both as written); see docs/matching.md, "
            "'Long-post fusion'."
        ),
    )
    match_language_offset: LanguageOffset = Field(
        "pairs-background",
        description=(
            "Which other languages' cosines are shifted to the post language's level, and by "
            "what: pairs (the calibrated pairs, vi and en, by the difference of each "
            "language's top 4 cosines), pairs-background (the same pairs, by the difference "
            "of each language's background level), background (every language, by the "
            "background level: more matches in another language, fewer in the post's own), "
            "all (every language, top 4) or none; see docs/matching.md, 'Languages'."
        ),
    )
    match_recency_days: int = Field(
        0,
        ge=0,
        description="Fact-checks older than this many days are only suggested (0: no window).",
    )
    match_cross_lingual_auto: bool = Field(
        False,
        description="Allow a match in another language than the post to be linked automatically.",
    )
    match_dense: bool = Field(
        True,
        description="Use the embedding model for matching when installed (else BM25 only).",
    )
    match_model: Path | None = Field(
        None, description="A matcher model file to use instead of the shipped one."
    )
    vector_cache_dir: Path | None = Field(
        None,
        description="Where computed embeddings are cached (default: DATA_DIR/cache/vectors).",
    )

    # --- publishing ----------------------------------------------------------------------
    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description=(
            "Absolute URL the public site is served at; canonical links, ClaimReview `url`, "
            "feeds and the sitemap are built on it."
        ),
    )
    org_name: str = Field(
        "factdesk demo desk",
        description="Name of the publishing organisation (ClaimReview `author`, feed author).",
    )
    org_url: str = Field(
        "", description="Home page of the publishing organisation; empty means PUBLIC_BASE_URL."
    )
    org_logo_url: str = Field(
        "", description="Absolute URL of the organisation's logo for ClaimReview (optional)."
    )
    feed_size: int = Field(50, ge=1, le=1000, description="Newest entries in each Atom feed.")
    webhook_timeout: float = Field(
        10.0, gt=0, le=120, description="Seconds a webhook receiver has to answer."
    )
    webhook_max_attempts: int = Field(
        8, ge=1, le=50, description="Attempts before a webhook delivery is marked failed."
    )
    webhook_backoff_base: float = Field(
        30.0,
        gt=0,
        description=(
            "Seconds before the first retry of a failed webhook delivery; each retry waits "
            "twice as long (with random jitter), up to WEBHOOK_BACKOFF_MAX."
        ),
    )
    webhook_backoff_max: float = Field(
        21600.0, gt=0, description="Longest wait between two webhook delivery attempts, in seconds."
    )
    # --- the pipeline on the job queue (services.jobtable, services.pipeline, docs/jobs.md)
    poll_interval: int = Field(
        900,
        ge=10,
        description="Seconds between two polls of a source, unless the source sets its own.",
    )
    poll_max_failures: int = Field(
        8,
        ge=1,
        description=(
            "Fetches in a row a source may fail (each retried after a doubling wait) before "
            "it is paused with its reason; `factdesk sources resume ID` starts it again."
        ),
    )
    pipeline: bool = Field(
        True,
        description=(
            "Run the pipeline on the job queue: the embedded worker (or `factdesk worker`) "
            "polls due sources and runs ingest → detect → link → match jobs."
        ),
    )
    pipeline_batch: int = Field(
        500, ge=1, le=20000, description="Items per detect job (claims per link or match job)."
    )
    job_lease_seconds: float = Field(
        900.0,
        gt=0,
        description=(
            "Seconds a claimed job may run before it is taken to be lost with its worker and "
            "queued again."
        ),
    )
    job_max_attempts: int = Field(
        5, ge=1, le=50, description="Attempts before a pipeline job becomes a dead letter."
    )
    job_backoff_base: float = Field(
        15.0,
        gt=0,
        description=(
            "Seconds before a failed pipeline job (or a failed source fetch) is tried again; "
            "each further failure doubles the wait, up to JOB_BACKOFF_MAX."
        ),
    )
    job_backoff_max: float = Field(
        21600.0, gt=0, description="Longest wait before a failed job or fetch is tried again."
    )

    # --- operations (docs/deploy.md) ----------------------------------------------------
    log_format: str = Field(
        "text",
        description=(
            "How log lines are written: 'text' for people, 'json' for one JSON object per "
            "line (time, level, logger, message, request id and route). Secrets are redacted "
            "in both."
        ),
    )
    metrics_token: str = Field(
        "",
        description=(
            "Bearer token /metrics asks for. Empty: /metrics answers only clients on the "
            "loopback address that came through no proxy (a scraper on the same host)."
        ),
    )
    db_pool_size: int = Field(
        5, ge=1, description="Connections each process keeps open to a server database."
    )
    db_max_overflow: int = Field(
        10, ge=0, description="Extra connections a process may open beyond DB_POOL_SIZE at peaks."
    )
    db_pool_timeout: float = Field(
        30.0, gt=0, description="Seconds a request waits for a free database connection."
    )
    db_pool_recycle: int = Field(
        1800,
        ge=-1,
        description=(
            "Seconds after which a server-database connection is replaced (-1: never); keep "
            "it below the server's or a proxy's idle timeout. SQLite ignores the pool settings."
        ),
    )
    public_cache_seconds: float = Field(
        5.0,
        ge=0,
        description=(
            "Public pages, feeds and /api/v1/fact-checks answers are kept in memory and "
            "re-checked against the database at most this often (seconds; the longest a "
            "second process serves the previous version). 0: no cache, no Last-Modified."
        ),
    )
    retain_item_text_days: int = Field(
        0,
        ge=0,
        description=(
            "Days the raw text of ingested items is kept (0: forever). `factdesk retention "
            "run` and the daily job blank older items' text; claims, mention counts, "
            "fact-checks and the audit trail are kept."
        ),
    )

    # --- the research desk (services.library, services.research, docs/research.md) ---------
    library_max_bytes: int = Field(
        10_000_000,
        gt=0,
        le=16 * 1024 * 1024 - 64 * 1024,
        description=(
            "Largest document the evidence library takes, in bytes: a web upload, a file "
            "added from the command line or a fetched URL alike. At most 16 MiB less 64 KiB "
            "(the web upload's request limit, less room for the form)."
        ),
    )

    @field_validator("languages", "match_long_text_auto", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        from factdesk.text.langid import supported_languages

        known = set(supported_languages())
        unknown = [code for code in value if code.split("-")[0] not in known]
        if unknown or not value:
            raise ValueError(f"unknown language code(s) {unknown}; use ISO 639-1 codes like vi,en")
        return value

    @field_validator("match_auto_threshold", "match_suggest_threshold", mode="before")
    @classmethod
    def _language_thresholds(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("{"):
            pairs = [part.split("=", 1) for part in value.split(",") if part.strip()]
            if any(len(p) != 2 for p in pairs):
                raise ValueError("use 'lang=score,...', e.g. 'en=0.9,vi=0.95,*=0.95'")
            return {k.strip().lower(): float(v) for k, v in pairs}
        if isinstance(value, str):
            import json

            return json.loads(value)
        return value

    @field_validator("match_auto_threshold", "match_suggest_threshold")
    @classmethod
    def _thresholds_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        if any(not 0.0 <= v <= 1.0 for v in value.values()):
            raise ValueError("scores must be between 0 and 1")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in ("text", "json"):
            raise ValueError("must be 'text' or 'json'")
        return value

    @field_validator("queue")
    @classmethod
    def _known_queue(cls, value: str) -> str:
        if value not in ("sqlite", "redis"):
            raise ValueError("must be 'sqlite' or 'redis'")
        return value

    @field_validator("public_base_url", "org_url", "org_logo_url")
    @classmethod
    def _absolute_http_url(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().rstrip("/")
        if (value or info.field_name == "public_base_url") and not value.startswith(
            ("http://", "https://")
        ):
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("queue_name")
    @classmethod
    def _queue_name_chars(cls, value: str) -> str:
        if not value or not all(ch.isalnum() or ch == "_" for ch in value):
            raise ValueError("use letters, digits and underscores only")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, else SQLite inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'factdesk.db').resolve()}"

    def vector_cache(self, model_id: str) -> Path:
        """The folder of ``model_id``'s cached vectors: one per model under the configured
        cache (else ``DATA_DIR/cache/vectors``), named safely for a path. Matching, research
        and stance read the same folder, so a text embedded once is never embedded again."""
        root = self.vector_cache_dir or self.data_dir / "cache" / "vectors"
        return root / re.sub(r"[^A-Za-z0-9.-]+", "_", model_id)


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
