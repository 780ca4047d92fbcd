"""Jinja2 for the phone pages: the shared layout in platform/web/templates, and each context's
own pages in ``yima/<context>/templates/<context>/``."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

_PACKAGE = Path(__file__).resolve().parents[2]
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _template_dirs() -> list[str]:
    shared = Path(__file__).resolve().parent / "templates"
    own = sorted(p for p in _PACKAGE.glob("*/templates") if p.is_dir() and p != shared)
    return [str(shared), *map(str, own)]


templates = Jinja2Templates(directory=_template_dirs()[0])
templates.env.loader = ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()])
