"""The members' use cases, one module per area; import as ``from yima.members import service as members``.

For other contexts (scans, wallet, rebates, the channel accounts) — no permission of their own,
the caller has checked what its use case needs: ``visitor_person`` (``visitor_person_id``,
``visitor_person_id_later``, ``new_visitor_person_id`` on the scan's hot path), ``resolve_person``,
``person_by_phone``, ``phone_person``, ``member_profile``, ``issue_visitor``, ``read_visitor``,
``send_code``, ``check_code``, ``verify_phone``; ``mask_phone`` shows a phone the way every
context does (``138****1234``).
"""

from yima.members.rules import mask_phone
from yima.members.service.codes import Outcome, check_code, send_code
from yima.members.service.persons import (
    current_person_id,
    get_person,
    list_persons,
    member_profile,
    new_visitor_person_id,
    person_by_phone,
    phone_person,
    resolve_person,
    update_person,
    verified_phone,
    visitor_person,
    visitor_person_id,
    visitor_person_id_later,
    visitor_profile,
)
from yima.members.service.phones import verify_phone, verify_visitor_phone
from yima.members.service.sms_log import list_sms
from yima.members.service.visitors import enter_as_visitor, issue_visitor, read_visitor, start_visit

__all__ = [
    "Outcome",
    "check_code",
    "current_person_id",
    "enter_as_visitor",
    "get_person",
    "issue_visitor",
    "list_persons",
    "list_sms",
    "mask_phone",
    "member_profile",
    "new_visitor_person_id",
    "person_by_phone",
    "phone_person",
    "read_visitor",
    "resolve_person",
    "send_code",
    "start_visit",
    "update_person",
    "verified_phone",
    "verify_phone",
    "verify_visitor_phone",
    "visitor_person",
    "visitor_person_id",
    "visitor_person_id_later",
    "visitor_profile",
]
