"""What the members' console pages share: labels of identity kinds, translated error codes."""

from __future__ import annotations

from yima.platform.console import Text, register_error_texts

register_error_texts(
    {
        "invalid_phone": Text("不是有效的大陆手机号", "not a mainland China mobile number"),
        "person_merged": Text("该会员已合并到另一会员", "this person was merged into another"),
    }
)

IDENTITY_KINDS = {
    "visitor": Text("访客", "Visitor"),
    "phone": Text("手机号", "Phone"),
    "wechat_openid": Text("微信 openid", "WeChat openid"),
    "wechat_unionid": Text("微信 unionid", "WeChat unionid"),
}
LEVELS = {level: f"VIP{level}" for level in range(5)}
