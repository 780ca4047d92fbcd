"""Identity's console edges: sign-in (``auth`` for the shell), the home page, staff, roles, API
clients and the audit log. Importing this package registers the pages."""

from yima.identity.console import audit, clients, home, notifications, password, roles, staff
from yima.identity.console.login import router
from yima.identity.console.session import StaffAuth

auth = StaffAuth(router)

__all__ = ["audit", "auth", "clients", "home", "notifications", "password", "roles", "staff"]
