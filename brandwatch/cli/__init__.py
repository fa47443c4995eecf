"""The command line: each command opens what it needs, calls one library function,
and turns library errors into one line ``Error: …`` with exit code 2.

Exit codes: 0 done (``check``: nothing matched), 3 ``check`` found hits, 4 ``run --once``: a
source's run was partial (stopped by SIGTERM or its time budget too), failed, blocked or deferred,
2 bad input or configuration (an unknown mark, source, status, severity, kind or channel
is one, and the message lists the ones there are; so is an imported page that did not
parse), 1 an unexpected failure or, for ``audit verify`` and ``evidence verify``,
something was changed.

Which config.yaml: ``--config``, else ``$BRANDWATCH_CONFIG``, else the nearest
config.yaml in this folder or a parent (config.find_config); paths in it are
relative to its folder.
"""

from __future__ import annotations

from . import crawl, matching, outputs, workflow  # noqa: F401  (each registers its commands on main)
from .common import EXIT_HITS, EXIT_SOURCE_FAILED, main, printable, shorten, when
from .web import users, web

main.add_command(web)
main.add_command(users)

__all__ = ["EXIT_HITS", "EXIT_SOURCE_FAILED", "main", "printable", "shorten", "when"]
