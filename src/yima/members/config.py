"""The members' settings, read from the environment (prefix ``YIMA_``, like yima.settings).

They live here while the context is young; they move into yima.settings unchanged (same names,
same variables) when the lead folds them in.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from yima.members.rules import OtpPolicy


class MembersSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIMA_", extra="ignore")

    sms_provider: Literal["dev", "aliyun"] = Field(
        default="dev",
        description="dev: log codes (development only); aliyun: Aliyun SMS (阿里云短信服务) with the settings below.",
    )
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: str = ""
    aliyun_sms_sign_name: str = Field(default="", description="SignName (短信签名), e.g. 一码酒业")
    aliyun_sms_template_code: str = Field(
        default="", description="TemplateCode of a verification template with one ${code}, e.g. SMS_123456789"
    )
    aliyun_sms_endpoint: str = Field(
        default="dysmsapi.aliyuncs.com", description="host[:port], or a URL (http:// for a local fake)"
    )
    otp_ttl_seconds: int = Field(default=300, ge=60, description="A code expires after this long.")
    otp_max_attempts: int = Field(default=5, ge=1, description="Wrong tries before a code is dead.")
    otp_resend_seconds: int = Field(default=60, ge=1, description="No new code for a phone before this.")
    otp_phone_daily: int = Field(default=10, ge=1, description="Codes sent to one phone a day (brand's day).")
    otp_ip_daily: int = Field(default=50, ge=1, description="Codes sent at one IP's request a day.")
    otp_rate_per_minute: int = Field(
        default=20, ge=1, description="Requests a minute one IP may make to the public code routes."
    )
    visitor_token_days: int = Field(default=400, ge=1, description="How long a visitor token (cookie) is good.")

    def otp_policy(self) -> OtpPolicy:
        return OtpPolicy(
            ttl=dt.timedelta(seconds=self.otp_ttl_seconds),
            max_attempts=self.otp_max_attempts,
            resend_after=dt.timedelta(seconds=self.otp_resend_seconds),
            phone_daily=self.otp_phone_daily,
            source_daily=self.otp_ip_daily,
        )


@lru_cache
def members_settings() -> MembersSettings:
    return MembersSettings()
