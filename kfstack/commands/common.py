"""Shared CLI helpers: consoles, exit codes, config-error rendering."""

from __future__ import annotations

from rich.console import Console

from stacks.config.errors import ConfigError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def report_config_error(error: ConfigError) -> int:
    """Print every config problem (file:line: key path: message) and return the bad-input code."""
    count = len(error.problems)
    where = f" in {error.file}" if error.file else ""
    err_console.print(f"[bold red]{count} problem{'s' if count != 1 else ''}{where}[/]")
    for problem in error.problems:
        err_console.print(f"  - {problem.render(error.file)}", markup=False)
    return EXIT_BAD_INPUT
