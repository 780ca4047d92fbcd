"""The catalog's errors."""

from __future__ import annotations

from collections.abc import Sequence

from yima.catalog.schemas import RowProblem
from yima.platform.errors import FieldError, Invalid


class ImportRejected(Invalid):
    """A spreadsheet with problems: nothing was imported. ``problems`` lists every one by row and
    column; ``details`` carries them too (field ``rows.<row>.<field>``) for the API's error shape."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the file; nothing was imported",
            [
                FieldError(
                    f"rows.{p.row}.{p.field}" if p.row else p.field,
                    f"row {p.row}, {p.column}: {p.message}" if p.row else p.message,
                    p.code,
                )
                for p in self.problems
            ],
        )
