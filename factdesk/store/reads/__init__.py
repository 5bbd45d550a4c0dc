"""Read queries, grouped by who reads: the newsroom (``desk``, ``desk_lists``), the public
site (``public``) and the partner API (``api``). Each returns records from
:mod:`factdesk.types`; writes go through the service layer."""
