"""One ID (统一身份): a person per human per brand, the identities that lead to them, their tags,
and the phone one-time codes that prove a number is theirs.

A person merged into another (a visitor who verified a phone someone already holds) is kept,
pointing at the survivor through ``merged_into_id``, so ids stored elsewhere still resolve.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, TimestampMixin, tenant_fk, tenant_table_args, utcnow

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class Person(IdMixin, TenantScoped, TimestampMixin, Base):
    """One human as the brand knows them (会员 / 消费者, and later store owners, guides …)."""

    __tablename__ = "persons"
    __table_args__ = tenant_table_args(
        Index("ix_persons_tenant_merged_into", "tenant_id", "merged_into_id"),
        tenant_fk(["merged_into_id"], "persons"),
        CheckConstraint("level >= 0", name="level"),
    )

    # Member level (会员等级, VIP0 …): a campaign targeting input; the points ledger sets it later.
    level: Mapped[int] = mapped_column(SmallInteger, default=0)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(BigIntFK)
    merged_at: Mapped[dt.datetime | None]


class Identity(IdMixin, TenantScoped, Base):
    """A way to recognise a person (rules.IDENTITY_KINDS): a visitor id from a browser cookie, a
    verified phone (``+86…``), a WeChat openid (``<appid>:<openid>``) or unionid. Unique per brand."""

    __tablename__ = "person_identities"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "kind", "value"),
        Index("ix_person_identities_tenant_person", "tenant_id", "person_id"),
        tenant_fk(["person_id"], "persons"),
    )

    person_id: Mapped[int] = mapped_column(BigIntFK)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(128))
    verified_at: Mapped[dt.datetime | None]  # a phone: when its code was last entered
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PersonTag(IdMixin, TenantScoped, Base):
    """A tag (标签) on a person: set by hand now, from behaviour later; a campaign targeting input."""

    __tablename__ = "person_tags"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "person_id", "tag"),
        Index("ix_person_tags_tenant_tag", "tenant_id", "tag"),
        tenant_fk(["person_id"], "persons"),
    )

    person_id: Mapped[int] = mapped_column(BigIntFK)
    tag: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PhoneCode(IdMixin, TenantScoped, Base):
    """The one current one-time code (短信验证码) of a (phone, purpose), stored only as a keyed
    hash; a new code replaces it. Its row is also the lock that keeps sends and checks in order."""

    __tablename__ = "phone_codes"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "phone", "purpose"))

    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str | None] = mapped_column(String(64))  # None: nothing usable
    issued_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[dt.datetime | None]


class SmsMessage(IdMixin, TenantScoped, Base):
    """Every code handed to an SMS provider, and how it went: the daily limits count these, and
    operators see why a code never arrived. Never the code itself."""

    __tablename__ = "sms_messages"
    __table_args__ = tenant_table_args(
        Index("ix_sms_messages_tenant_phone", "tenant_id", "phone", "created_at"),
        Index("ix_sms_messages_tenant_source", "tenant_id", "source_hash", "created_at"),
    )

    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    # Keyed hash of the requesting IP (per brand), as scans keep it: enough for a limit.
    source_hash: Mapped[str | None] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))  # sending, sent, failed
    provider_ref: Mapped[str | None] = mapped_column(String(80))  # Aliyun's BizId
    error_code: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
