"""What a printed string is, with GS1 Digital Link checked strictly."""

from __future__ import annotations

import pytest

from yima.codes.links import LinkError, parse_printed

TOKEN = "A7K20TE9N7B2M6NTD5V0"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (TOKEN, "token", TOKEN),
        (f" {TOKEN.lower()} ", "token", TOKEN),
        (f"https://m.brand.cn/c/{TOKEN}", "token", TOKEN),
        (f"HTTPS://M.BRAND.CN/C/{TOKEN}", "token", TOKEN),
        (f"https://m.brand.cn/01/06901234567892/21/{TOKEN}", "digital_link", TOKEN),
        (f"https://m.brand.cn/01/6901234567892/10/L1/21/{TOKEN}", "digital_link", TOKEN),
        ("8666 0554 5404", "anti_fake", "866605545404"),
        ("８６６６\u3000０５５４\u3000５４０４", "anti_fake", "866605545404"),  # typed in full-width mode
        ("²²²²²²²²²²²²"[:11] + "x", "legacy", "22222222222x"),
        ("١٢٣٤٥٦٧٨٩٠١٢", "legacy", "١٢٣٤٥٦٧٨٩٠١٢"),  # digits int() would read, but no 防伪码
        (f"ｈｔｔｐｓ://m.brand.cn/c/{TOKEN}", "token", TOKEN),
        (f"https://m.brand.cn/c/%{ord(TOKEN[0]):X}{TOKEN[1:]}", "token", TOKEN),  # percent-encoded, as URLs may be
        (f"https://m.brand.cn/01/06901234567892/21/{TOKEN}/", "digital_link", TOKEN),  # a trailing slash
        ("ZX-OLD-000123", "legacy", "ZX-OLD-000123"),
        ("https://old-vendor.example/q?id=42", "legacy", "https://old-vendor.example/q?id=42"),
    ],
)
def test_kinds(text: str, kind: str, value: str) -> None:
    printed = parse_printed(text)
    assert (printed.kind, printed.value) == (kind, value)


def test_a_digital_link_names_its_gtin_14() -> None:
    assert parse_printed(f"https://x.cn/01/6901234567892/21/{TOKEN}").gtin == "06901234567892"


@pytest.mark.parametrize(
    "url",
    [
        f"https://x.cn/01/06901234567890/21/{TOKEN}",  # wrong check digit
        f"https://x.cn/01/0690123456789/21/{TOKEN}",  # 13 digits with a leading zero: not a GTIN
        f"https://x.cn/01/06901234567892/21/{TOKEN}TOOLONGFORAI21",  # serial over 20 characters
        f"https://x.cn/01/06901234567892/21/{TOKEN}/10/L1",  # qualifiers out of order
        "https://x.cn/01/06901234567892",  # no serial
        f"https://x.cn/01/06901234567892/21/A%20B{TOKEN[:10]}",  # a space is not in set 82
    ],
)
def test_invalid_digital_links_are_refused(url: str) -> None:
    with pytest.raises(LinkError):
        parse_printed(url)
