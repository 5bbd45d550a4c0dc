"""`factdesk publish export DIR`: the whole public site as static files.

Every page is a directory with ``index.html`` (``/fact-checks/12/`` is
``fact-checks/12/index.html``), every ``.json`` twin, feed, the sitemap and the DataFeed a
plain file, so any web server serves the directory as it is. Pages are rendered by the same
functions as the live site (:mod:`factdesk.web.public`); only the search form and the
links that need the app (sign-in, tipline, language switch) are left out.

The site is written to a new directory beside ``DIR`` and swapped in at the end, so a web
server serving ``DIR`` never shows a half-written site. ``DIR`` must be empty, missing, or
an earlier export (it holds the marker file ``.factdesk-export``): nothing else is replaced.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from factdesk.errors import InputError
from factdesk.publish import urls
from factdesk.publish.documents import archive_document, fact_check_document, index_document
from factdesk.settings import Settings
from factdesk.store.reads import public as queries

MARKER = ".factdesk-export"


@dataclass
class ExportReport:
    """What an export wrote, for the CLI to print."""

    directory: Path
    fact_checks: int = 0
    archived_copies: int = 0
    files: int = 0
    languages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.directory}: {self.fact_checks} fact-checks, {self.archived_copies} archived "
            f"copies, feeds for {', '.join(self.languages) or 'no language'}; {self.files} files"
        )


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError("not a directory", where=str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise InputError(
            "the directory is not empty and is not an earlier factdesk export; "
            "choose an empty or new directory",
            where=str(target),
        )


def export_site(
    settings: Settings,
    factory: sessionmaker[Session],
    target: Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write the public site into ``target`` (see the module docstring for the layout)."""
    from factdesk.web import public
    from factdesk.web.render import make_env

    target = target.resolve()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    report = ExportReport(directory=target)
    env = make_env()
    docs = public.Documents(settings)
    org, base = docs.org, docs.base

    def write(path: str, data: bytes | str) -> None:
        """Write the file a URL path maps to (``/a/`` -> ``a/index.html``)."""
        relative = path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        out = staging / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        report.files += 1

    def dump(data: Any) -> str:
        return json.dumps(data, ensure_ascii=False, indent=1, default=str)

    def html(template: str, path: str, **context: Any) -> str:
        return public.render_static(env, template, settings=settings, path=path, **context)

    try:
        with factory() as session:
            everything = list(queries.iter_public(session))
            everything.sort(key=lambda fc: (fc.date_published, fc.id), reverse=True)
            languages = queries.public_languages(session)
            listing = queries.PublicPage(everything, len(everything), 0, max(len(everything), 1))
            write(
                urls.INDEX,
                html(
                    "public/index.html",
                    urls.INDEX,
                    **public.index_context(listing, query="", language=None, languages=languages),
                ),
            )
            write(
                urls.INDEX_JSON,
                dump(
                    index_document(
                        everything,
                        base_url=base,
                        total=len(everything),
                        offset=0,
                        limit=len(everything),
                    )
                ),
            )
            for fc in everything:
                path = urls.fact_check_path(fc.id)
                write(
                    path,
                    html("public/factcheck.html", path, **public.fact_check_context(fc, org, base)),
                )
                write(urls.fact_check_json_path(fc.id), dump(fact_check_document(fc, org, base)))
                report.fact_checks += 1
                if progress:
                    progress(1)
            for copy in queries.iter_archived(session):
                doc = archive_document(
                    document_id=copy.id,
                    url=copy.url,
                    title=copy.title,
                    fetched_at=copy.fetched_at,
                    content_hash=copy.content_hash,
                    text=copy.text,
                    fact_check_ids=copy.fact_check_ids,
                    base_url=base,
                )
                path = urls.archive_path(copy.id)
                write(path, html("public/archive.html", path, doc=doc))
                write(urls.archive_json_path(copy.id), dump(doc))
                report.archived_copies += 1
            write(urls.FEED, docs.feed(session))
            for language in languages:
                write(urls.language_feed_path(language), docs.feed(session, language))
            write(urls.SITEMAP, docs.sitemap(session, everything))
            write(urls.DATAFEED, dump(docs.datafeed(session, everything)))
            write(urls.ROBOTS, docs.robots())
        report.languages = languages
        from factdesk.publish.pages import STATIC as static

        shutil.copytree(static, staging / "static")
        report.files += sum(1 for p in (staging / "static").rglob("*") if p.is_file())
        (staging / MARKER).write_text("written by `factdesk publish export`\n", encoding="utf-8")
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _swap(staging: Path, target: Path) -> None:
    """Put the new site in place of the old one with two renames."""
    staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
