"""The catalog's errors."""

from __future__ import annotations

# A spreadsheet with problems (every one by row and column): nothing was imported.
from yima.platform.sheets import ImportRejected as ImportRejected  # re-exported
