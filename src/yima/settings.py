"""Process-wide settings, read from the environment (prefix ``YIMA_``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIMA_", extra="ignore")

    database_url: str = Field(
        default="",
        description="sqlite:///path or postgresql://user:pw@host:port/db; unset: the embedded data_dir/yima.db",
    )
    data_dir: Path = Path("var")
    secret_key: str = Field(
        default="",
        description="Master secret: wraps tenant keys, signs cookies. Generated into data_dir when unset.",
    )
    log_level: str = "INFO"
    log_json: bool = True
    cookie_secure: bool = Field(default=False, description="Mark console cookies Secure (set it behind HTTPS).")
    session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    access_token_minutes: int = 60
    run_worker_inline: bool = Field(default=True, description="Run the outbox/job runner inside the web process.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where printed code URLs point unless a brand has its own scan host.",
    )
    public_rate_per_minute: int = Field(
        default=30, description="Requests a minute one IP may make to a rate-limited public endpoint."
    )
    scan_rate_per_minute: int = Field(
        default=120,
        description="Code-page scans a minute from one IP (consumers share carrier addresses, so more than logins).",
    )
    bench_routes: bool = Field(
        default=False,
        description="Serve the benchmark's reference routes (GET /bench/hello, POST /bench/minimal); 404 when off.",
    )

    @model_validator(mode="after")
    def _embedded_in_data_dir(self) -> Self:
        # Unset, the database lives with the other files: one YIMA_DATA_DIR is one whole instance
        # (a second data dir used to share var/yima.db, whose keys its secret could not open).
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'yima.db'}"
        return self

    def resolved_secret_key(self) -> str:
        """The master secret; a development one is created once in data_dir when none is set."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
