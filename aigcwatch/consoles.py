"""The CLI's two consoles (stdout for results, stderr for progress and errors) and exit codes."""
from __future__ import annotations

import os
import sys

from rich.console import Console

EXIT_OK, EXIT_ALL_FAILED = 0, 4


class _StdoutConsole(Console):
    def on_broken_pipe(self) -> None:
        """The reader of stdout went away (`aigcwatch sources | head`): stop quietly with success,
        as the exports do (rich's own answer is exit 1)."""
        self.quiet = True
        stdout_to_devnull()
        raise SystemExit(EXIT_OK)


def stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail on the broken pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


# Wide tables when piped to a file or a log (cron); the terminal's width otherwise.
console = _StdoutConsole(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
