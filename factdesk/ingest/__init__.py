"""Ingestion parsers: bytes in, :mod:`factdesk.types` records out — no database, no network.

=================  ==================================================================
module             what it reads
=================  ==================================================================
``feeds``          RSS 0.9x / 1.0 / 2.0 and Atom → items (:func:`parse_feed`)
``pages``          an HTML page → its main text as an item, plus its ClaimReview JSON-LD
``claimreview``    schema.org ClaimReview files (object, list, DataFeed, @graph)
``exports``        CSV / JSONL exports of posts, streamed (:func:`iter_csv`, ...)
``decode``         bytes → text for mis-declared and mixed encodings
``dates``          the date forms sources write → aware UTC datetimes
``urls``           canonical URLs and the items' de-duplication key
``robots``         robots.txt rules (RFC 9309) for :mod:`factdesk.net`
``redact``         keeping people out of quarantine excerpts
=================  ==================================================================

Modules are imported where used (``from factdesk.ingest.feeds import parse_feed``), so
importing this package does not load feedparser, lxml or trafilatura.
See docs/ingestion.md.
"""
