"""Publishing: what the public, partners and crawlers get from the desk, built from records.

Pure builders: records from :mod:`factdesk.types` in, documents out; no database, no
services, no web. ``urls`` (every public path), ``claimreview`` (the markup and its
validator), ``atom``, ``sitemap``, ``datafeed`` (the serializers), ``feeds`` (the site's
machine-readable documents from records), ``documents`` (the JSON of the public pages, the
API and webhook events), ``pages`` (the public templates, their Jinja environment and page
contexts; ``templates/``, ``static/`` and ``i18n`` ship here), ``site`` (the static site as
files), ``signing`` and ``retry`` (webhook signatures and backoff).

The reads are :mod:`factdesk.store.reads.public` and :mod:`factdesk.store.reads.api`; what
the desk runs (announcing a change, the outbox, the export) is
:mod:`factdesk.services.publish` and :mod:`factdesk.services.webhooks`; the web shell serves
it all (:mod:`factdesk.web.public`, :mod:`factdesk.web.api_public`). See
``docs/publishing.md``.
"""
