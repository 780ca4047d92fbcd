"""Scans' HTTP edges."""

from yima.scans.api import staff

routers = [*staff.routers]
