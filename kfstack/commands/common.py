"""Shared CLI helpers: consoles, exit codes, config-error rendering."""

from __future__ import annotations

from rich.console import Console, ConsoleDimensions

from stacks.config.errors import ConfigError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

UNCONSTRAINED_WIDTH = 2000
"""Columns a table may use when output is not a terminal (CI logs, pipes): nothing is cut or wrapped."""


class OutputConsole(Console):
    """A rich Console that, writing to anything but a terminal, lays tables out at full width.

    Rich otherwise assumes 80 columns off a terminal and wraps or truncates names, paths and
    values in a CI log; checked at each print, so a test runner's captured output is covered too.
    """

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if self.is_terminal or self._width is not None:
            return size
        return ConsoleDimensions(UNCONSTRAINED_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


# emoji off: `file.yaml:100:` and `:100:`-like user text must print as written, not as an emoji.
console = OutputConsole(highlight=False, soft_wrap=True, emoji=False)
err_console = OutputConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def report_config_error(error: ConfigError) -> int:
    """Print every config problem (file:line: key path: message) and return the bad-input code."""
    count = len(error.problems)
    where = f" in {error.file}" if error.file else ""
    err_console.print(f"[bold red]{count} problem{'s' if count != 1 else ''}{where}[/]")
    for problem in error.problems:
        err_console.print(f"  - {problem.render(error.file)}", markup=False)
    return EXIT_BAD_INPUT
