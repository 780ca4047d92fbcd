"""The members' console pages: 会员 (persons: list, search, detail with identities, level and
tags) and 短信记录 (the SMS log). Importing this package registers them."""

from yima.members.console import person, persons, sms

__all__ = ["person", "persons", "sms"]
