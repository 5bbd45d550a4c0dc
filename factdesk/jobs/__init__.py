"""Running background jobs: the worker and the bodies of the queue's tasks.

A shell, like ``web`` and ``cli``: the worker (threads in the web server, or the
``factdesk worker`` command) consumes :mod:`factdesk.queue` and runs each task by calling
the service layer. See ``docs/jobs.md`` for why Huey.
"""

from factdesk.jobs.worker import Worker

__all__ = ["Worker"]
