"""Publishing: what the public, partners and crawlers get from the desk.

Pure builders over plain records (``records``, ``urls``, ``claimreview``, ``atom``,
``sitemap``, ``datafeed``, ``documents``, ``signing``, ``retry``) and the shell around them
(``queries`` reads the store, ``webhooks`` is the delivery outbox, ``tokens`` the partners'
read tokens, ``claims`` and ``check`` the API's reads, ``export`` the static site, ``demo``
the demo's fact-checks). ``factdesk.services.publish`` is what the workflow calls; see
``docs/publishing.md``.
"""
