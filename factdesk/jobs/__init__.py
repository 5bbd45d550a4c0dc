"""Background jobs: one queue library (Huey) on SQLite by default or on Redis at scale.

``get_queue(settings)`` gives the process's queue; ``Worker`` runs its tasks (threads in
the web server, or the ``factdesk worker`` command). See ``docs/jobs.md`` for why Huey.
"""

from factdesk.jobs.queue import BACKENDS, JobQueue, get_queue, nudge_deliveries
from factdesk.jobs.worker import Worker

__all__ = ["BACKENDS", "JobQueue", "Worker", "get_queue", "nudge_deliveries"]
