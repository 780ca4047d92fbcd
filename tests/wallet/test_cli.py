"""``yima wallet …`` as an operator runs it, against the live server's database."""

from __future__ import annotations

import subprocess
import sys
import uuid

from tests.live import LiveServer


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yima", *args], env=live.env | {"COLUMNS": "200"}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_fund_balances_settings_and_reconcile(live: LiveServer) -> None:
    slug = f"wallet-{uuid.uuid4().hex[:6]}"
    live.yima("tenant", "create", "--slug", slug, "--name", "钱包 CLI 测试")
    first = live.yima("wallet", "fund", "--tenant", slug, "--amount", "1234.56", "--reference", "BANK-9")
    assert "recorded: journal" in first and "1,234.56 yuan" in first
    assert "already recorded" in live.yima(
        "wallet", "fund", "--tenant", slug, "--amount", "1234.56", "--reference", "BANK-9"
    )
    balances = live.yima("wallet", "balances", "--tenant", slug)
    assert "1,234.56" in balances and "账平 balanced" in balances
    bad = _yima(live, "wallet", "fund", "--tenant", slug, "--amount", "1.234", "--reference", "BANK-10")
    assert bad.returncode != 0 and "not an amount" in bad.stderr
    settings = ["--fee-bps", "80", "--daily-cap", "500", "--scene-id", "1005"]
    shown = live.yima("wallet", "settings", "--tenant", slug, *settings)
    assert "fee_bps: 80" in shown and "daily_cap_fen: 50000" in shown and "transfer_scene_id: 1005" in shown
    refused = _yima(live, "wallet", "settings", "--tenant", slug, "--max-transfer", "2000")
    assert refused.returncode == 1 and "must stay below 200000 fen" in refused.stderr
    unconfigured = _yima(live, "wallet", "settings", "--tenant", slug, "--provider", "wechat")
    assert unconfigured.returncode == 0 and "provider: wechat" in unconfigured.stdout
    assert "WeChat Pay is not configured: YIMA_WECHATPAY_MCHID" in unconfigured.stderr  # said, not silent
    live.yima("wallet", "settings", "--tenant", slug, "--provider", "sandbox")
    assert "reconciliation" in live.yima("wallet", "reconcile", "--tenant", slug)
    assert "fund" in live.yima("wallet", "journals", "--tenant", slug)
