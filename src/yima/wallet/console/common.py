"""What the wallet's console pages share: labels of kinds and statuses, error texts, amounts."""

from __future__ import annotations

from nicegui import ui

from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.wallet import rules

register_error_texts(
    {
        "insufficient_funds": Text("余额不足", "insufficient funds"),
        "brand_funds_low": Text("品牌可用余额不足，请先充值", "the brand's balance is too low; fund it first"),
        "budget_closed": Text("预算已结束", "the budget is closed"),
        "idempotency_key_reused": Text("该业务编号已用于另一笔操作", "that key was used for another movement"),
        "withdrawal_refused": Text("不符合提现规则", "the withdrawal breaks a payout rule"),
        "below_minimum": Text("低于最低提现金额", "below the minimum"),
        "above_maximum": Text("超过单笔上限", "above the per-transfer maximum"),
        "daily_cap_exceeded": Text("超过每人每日上限", "past the daily cap"),
        "openid_required": Text("微信提现需要用户的 openid", "a WeChat payout needs the openid"),
        "payout_not_retryable": Text("该提现无需重试", "this payout cannot be retried"),
        "operator_only": Text("服务费率与支付渠道由平台运营方设置", "the platform operator sets the fee and provider"),
        "out_of_range": Text("超出微信支付的规则", "outside WeChat Pay's rules"),
        "not_positive": Text("金额须大于 0", "must be more than 0"),
        "empty": Text("预算余额为 0", "the budget holds nothing"),
    }
)

ACCOUNT_KINDS = {
    "funding": Text("充值来源", "Funding"),
    "brand_cash": Text("品牌余额", "Brand cash"),
    "budget": Text("预算", "Budget"),
    "participant": Text("用户钱包", "Wallet"),
    "payout_transit": Text("提现在途", "In transit"),
    "paid_out": Text("已付出", "Paid out"),
    "fee_income": Text("平台服务费", "Platform fees"),
}
JOURNAL_KINDS = {
    "fund": Text("充值", "Funding"),
    "allocate": Text("预算分配", "Allocation"),
    "release": Text("预算回收", "Release"),
    "award": Text("奖励入账", "Award"),
    "withdraw": Text("提现申请", "Withdrawal"),
    "payout_paid": Text("提现到账", "Payout paid"),
    "payout_failed": Text("提现失败退回", "Payout failed"),
    "merge": Text("会员合并转入", "Merged member"),
    "rebalance": Text("预算分片调拨", "Budget slices evened"),
}
PAYOUT_STATUSES = {
    "requested": Text("待发送", "Requested"),
    "submitted": Text("处理中", "At the provider"),
    "succeeded": Text("已到账", "Paid"),
    "failed": Text("失败", "Failed"),
}
# Why a payout failed, as the provider says it (WeChat Pay's fail_reason, our own codes): finance
# reads the reason, the code stays beside it for WeChat's support.
FAIL_REASONS = {
    "ACCOUNT_FROZEN": Text("用户微信账户被冻结", "the WeChat account is frozen"),
    "ACCOUNT_NOT_EXIST": Text("用户微信账户不存在", "no such WeChat account"),
    "REAL_NAME_CHECK_FAIL": Text("用户未实名认证", "the payee has not verified their real name"),
    "NAME_NOT_CORRECT": Text("收款人姓名校验不通过", "the payee's name does not match"),
    "OPENID_INVALID": Text("openid 无效或不属于本应用", "the openid is invalid or not under this app"),
    "TRANSFER_QUOTA_EXCEED": Text("超过用户单笔收款额度", "above the payee's per-transfer limit"),
    "DAY_RECEIVED_QUOTA_EXCEED": Text("超过用户单日收款额度", "above the payee's daily amount"),
    "MONTH_RECEIVED_QUOTA_EXCEED": Text("超过用户单月收款额度", "above the payee's monthly amount"),
    "DAY_RECEIVED_COUNT_EXCEED": Text("超过用户单日收款次数", "above the payee's daily count"),
    "TRANSFER_RISK": Text("微信风控拦截", "stopped by WeChat's risk control"),
    "PAYEE_ACCOUNT_ABNORMAL": Text("用户账户收款异常", "the payee's account cannot receive"),
    "PAYER_ACCOUNT_ABNORMAL": Text("商户账户付款受限", "the merchant account cannot pay"),
    "PRODUCT_AUTH_CHECK_FAIL": Text("商户未开通或被冻结转账权限", "the merchant lacks the transfer product"),
    "TRANSFER_SCENE_INVALID": Text("商户未获得该转账场景", "the merchant lacks this transfer scene"),
    "TRANSFER_SCENE_UNAVAILABLE": Text("该转账场景暂不可用", "the transfer scene is unavailable"),
    "OVERDUE_CLOSE": Text("超过重试期，系统关闭", "closed after the retry period"),
    "NON_OVERDUE_CLOSE": Text("系统关闭", "closed by the system"),
    "OTHER_FAIL_REASON_TYPE": Text("其他原因", "other reason"),
    "BATCH_CLOSED": Text("渠道关闭了批次", "the provider closed the batch"),
    "PARAM_ERROR": Text("渠道拒收整批（参数错误）", "the provider refused the batch (parameters)"),
    "INVALID_REQUEST": Text("渠道拒收整批（请求无效）", "the provider refused the batch (invalid request)"),
    "SANDBOX_DECLINED": Text("沙箱模拟失败", "declined by the sandbox"),
    "FAIL": Text("渠道未说明原因", "no reason given"),
}
STATUS_COLORS = {
    **{t.zh: c for t, c in zip(PAYOUT_STATUSES.values(), ("grey-6", "warning", "positive", "negative"), strict=True)},
    **{t.en: c for t, c in zip(PAYOUT_STATUSES.values(), ("grey-6", "warning", "positive", "negative"), strict=True)},
}


def money(fen: int | None) -> str:
    return "—" if fen is None else f"¥{rules.yuan(fen)}"


def label(page: ConsolePage, texts: dict[str, Text], key: str) -> str:
    text = texts.get(key)
    return page.text(text) if text else key


def fail_reason(page: ConsolePage, code: str | None) -> str:
    """A payout's failure as finance reads it, with the provider's code (unknown codes as they are)."""
    if not code:
        return ""
    text = FAIL_REASONS.get(code)
    return f"{page.text(text)}（{code}）" if text else code


def parse_amount(page: ConsolePage, text: str | None) -> int | None:
    """Yuan typed in a form → fen; a notification and None when it is not an amount."""
    try:
        return rules.parse_yuan(text or "")
    except ValueError:
        ui.notify(
            page.t("请输入金额（元），最多两位小数", "Enter an amount in yuan, two decimals at most"), type="warning"
        )
        return None


def stat(title: str, value: str, caption: str = "", *, mark: str = "") -> None:
    """One figure of the overview."""
    with ui.card().classes("min-w-[11rem] grow gap-1").props("flat bordered") as card:
        ui.label(title).classes("text-sm text-grey-7")
        ui.label(value).classes("text-xl font-medium text-grey-9")
        if caption:
            ui.label(caption).classes("text-xs text-grey-6")
    if mark:
        card.mark(mark)
