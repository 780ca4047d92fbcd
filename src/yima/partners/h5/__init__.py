"""The channel accounts' phone pages (/m/partner): signing in and the account (account.py),
registering by a first scan (registration.py), dealer staff invited by QR code (invites.py)."""

from yima.partners.h5 import account, invites, registration

routers = [account.router, registration.router, invites.router]
