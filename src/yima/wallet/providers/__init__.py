"""Payout providers behind one interface (``base.PayoutProvider``): ``sandbox`` (pays at once,
deterministically; the demo's) and ``wechat`` (WeChat Pay v3 merchant transfer to balance,
商家转账到零钱). A brand's settings name its provider; tests put their own in with ``use_provider``."""

from __future__ import annotations

from collections.abc import Callable

from yima.wallet.providers.base import Opener, PayoutProvider

Factory = Callable[[Opener], PayoutProvider]
_overrides: dict[str, Factory] = {}


def _default(name: str) -> Factory:
    if name == "sandbox":
        from yima.wallet.providers.sandbox import SandboxProvider

        return SandboxProvider
    if name == "wechat":
        from yima.wallet.providers.wechat import default_wechat_provider

        return lambda open_ctx: default_wechat_provider()
    raise LookupError(f"no payout provider {name!r}")


def build_provider(name: str, open_ctx: Opener) -> PayoutProvider:
    """The provider ``name``, for work that opens its transactions with ``open_ctx``."""
    return (_overrides.get(name) or _default(name))(open_ctx)


def configuration_problem(name: str) -> str | None:
    """Why the provider ``name`` could not pay in this process (None: it can try)."""
    if name in _overrides or name != "wechat":
        return None
    from yima.wallet.providers.wechat import default_wechat_provider

    missing = default_wechat_provider().config.missing()
    return f"WeChat Pay is not configured: {', '.join(missing)} unset" if missing else None


def use_provider(name: str, factory: Factory | None) -> None:
    """Replace a provider (tests: a WeChat provider pointed at a local fake); None restores it."""
    if factory is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = factory
