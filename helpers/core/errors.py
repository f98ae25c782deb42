"""One exception family for every expected problem, with messages written for people.

The command line catches `NeedsError` and prints its message without a traceback; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class NeedsError(Exception):
    """An expected problem: bad input, a missing file, an invalid parameter."""

    def __init__(self, problem: str, *, path: str | Path | None = None, fix: str | None = None):
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{_display(self.path)}: " if self.path is not None else ""
        fix = f"\n  What to do: {self.fix}" if self.fix else ""
        return f"{where}{self.problem}{fix}"


class DataError(NeedsError):
    """A data file is missing, unreadable or not shaped as expected."""


class ManifestError(DataError):
    """A raw file does not match data/sources.yaml."""


class ParamsError(NeedsError):
    """A parameter file or a parameter value is invalid."""


class StatsInputError(NeedsError, ValueError):
    """Input a statistic cannot be computed from (negative counts, zero denominators, ...)."""


class DisclosureError(NeedsError, ValueError):
    """A table, chart label or file about to be published still holds a count of 1 to 4, or a
    figure built on one."""


class NarrativeError(NeedsError, ValueError):
    """Inputs a sentence cannot honestly be written from (e.g. an outcome against its values)."""


class FetchError(NeedsError):
    """A download failed; nothing in data/ was changed."""


class ReportError(NeedsError):
    """A report cannot be made as asked: an unknown priority, or content the store lacks."""


class RunError(NeedsError):
    """The batch runner could not run a report (a kernel that will not start or reset)."""


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
