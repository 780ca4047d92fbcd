"""The HQ console shell (NiceGUI at /console): frame, navigation by area, i18n, page decorator.

No business rules and no imports from any context: a context's ``console.py`` registers pages
with ``@console_page`` and calls its own services through ``page.run``; identity supplies the
sign-in (``ConsoleAuth``). ``shell.mount`` is imported separately (it starts NiceGUI).
"""

from yima.platform.console import nav
from yima.platform.console.auth import ConsoleAuth, ConsoleUser, SessionExpired
from yima.platform.console.i18n import Locale, Text, register_error_texts
from yima.platform.console.nav import MOUNT_PATH
from yima.platform.console.page import ConsolePage, Outcome, console_page

__all__ = [
    "MOUNT_PATH",
    "ConsoleAuth",
    "ConsolePage",
    "ConsoleUser",
    "Locale",
    "Outcome",
    "SessionExpired",
    "Text",
    "console_page",
    "nav",
    "register_error_texts",
]
