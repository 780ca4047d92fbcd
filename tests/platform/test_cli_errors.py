"""The CLI's error lines print what was wrong as it is: a message quoting a pattern or what was
typed keeps its square brackets (they are not markup)."""

from __future__ import annotations

import pytest

from yima import cli


def test_an_invalid_value_is_named_with_its_rule_intact(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["yima", "tenant", "create", "--slug", "Bad Slug", "--name", "品牌"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    printed = capsys.readouterr().err
    assert "error: invalid input" in printed
    assert "slug: String should match pattern '^[a-z][a-z0-9-]{1,38}[a-z0-9]$'" in printed, printed
