"""GS1 identifiers: EPC URIs and Digital Links validated, and mapped to one canonical key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yima.trace.epcis import identifiers
from yima.trace.epcis.identifiers import IdentifierError, check_digit, parse


class TestCanonicalKeys:
    @pytest.mark.parametrize(
        ("uri", "key"),
        [
            ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
            ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
            ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
            ("urn:epc:id:sgln:4012345.00001.0", "https://id.gs1.org/414/4012345000016"),
            ("urn:epc:id:grai:4012345.66666.87", "https://id.gs1.org/8003/0401234566666387"),
            ("urn:epc:id:giai:4012345.AAbb", "https://id.gs1.org/8004/4012345AAbb"),
            ("urn:epc:id:gsrn:4012345.9876540000", "https://id.gs1.org/8018/401234598765400000"),
            ("urn:epc:id:gsrnp:4012345.0000098765", "https://id.gs1.org/8017/401234500000987658"),
            ("urn:epc:id:gdti:4012345.55555.98", "https://id.gs1.org/253/401234555555498"),
            ("urn:epc:id:cpi:4012345.ABC.123", "https://id.gs1.org/8010/4012345ABC/8011/123"),
            ("urn:epc:id:sgcn:4012345.99999.44", "https://id.gs1.org/255/401234599999044"),
            ("urn:epc:id:ginc:4012345.333", "https://id.gs1.org/401/4012345333"),
            ("urn:epc:id:gsin:4012345.999987654", "https://id.gs1.org/402/40123459999876541"),
            ("urn:epc:id:itip:4012345.012345.01.02.999", "https://id.gs1.org/8006/040123451234560102/21/999"),
            ("urn:epc:id:upui:4012345.012345.AB12", "https://id.gs1.org/01/04012345123456/235/AB12"),
            ("urn:epc:id:pgln:4012345.00225", "https://id.gs1.org/417/4012345002256"),
            ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"),
            ("urn:epc:idpat:sgtin:4012345.098765.*", "https://id.gs1.org/01/04012345987652"),
            ("urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663"),
            ("urn:epc:id:sgtin:0614141.107346.A%2FB", "https://id.gs1.org/01/10614141073464/21/A%2FB"),
        ],
    )
    def test_epc_uris_become_canonical_digital_links(self, uri: str, key: str) -> None:
        assert parse(uri).key == key

    @pytest.mark.parametrize(
        ("uri", "key"),
        [
            ("https://brand.example.cn/01/10614141073464/21/2017", "https://id.gs1.org/01/10614141073464/21/2017"),
            ("https://id.gs1.org/01/10614141073464/10/LOT1/21/2017", "https://id.gs1.org/01/10614141073464/21/2017"),
            ("https://id.gs1.org/01/10614141073464/22/2A/21/7?x=1", "https://id.gs1.org/01/10614141073464/21/7"),
            ("https://example.com/shop/01/614141073467", "https://id.gs1.org/01/00614141073467"),
            ("http://id.gs1.de/00/040123451111111110", "https://id.gs1.org/00/040123451111111110"),
            ("https://id.example.com/414/4012345000054", "https://id.gs1.org/414/4012345000054"),
        ],
    )
    def test_digital_links_on_any_domain_become_canonical(self, uri: str, key: str) -> None:
        assert parse(uri).key == key

    def test_urn_and_digital_link_of_one_bottle_share_a_key(self) -> None:
        assert (
            parse("urn:epc:id:sgtin:6901234.056789.A1").key == parse("https://m.brand.cn/01/06901234567892/21/A1").key
        )

    def test_levels(self) -> None:
        assert parse("urn:epc:id:sgtin:0614141.107346.2017").level == "instance"
        assert parse("urn:epc:class:lgtin:4012345.012345.998877").level == "class"
        assert parse("https://id.gs1.org/01/04012345123456").level == "class"
        assert parse("urn:uuid:7c1f2b1e-1d5c-4b3e-9c1a-0c5f1f2d3e4a").level == "other"

    def test_yima_unit_urls_are_epcs_whatever_the_case_of_their_token(self) -> None:
        upper = parse("https://m.brand.cn/c/ABC0123456789ABCDEFG")
        assert upper == parse("https://M.Brand.cn/c/abc0123456789abcdefg/")
        assert upper.key == "https://m.brand.cn/c/ABC0123456789ABCDEFG"
        assert upper.level == "instance"

    def test_private_uris_are_kept_as_they_are(self) -> None:
        for uri in ("urn:example:thing:1", "https://example.com/things/1", "geo:31.2,121.4"):
            assert parse(uri).key == uri


class TestRefused:
    @pytest.mark.parametrize(
        ("uri", "why"),
        [
            ("https://id.gs1.org/01/10614141073465/21/2017", "check digit"),
            ("https://brand.example.cn/01/06901234567891/21/1", "check digit"),
            ("https://id.gs1.org/00/040123450000003339", "check digit"),
            ("https://id.gs1.org/414/4012345000055", "check digit"),
            ("https://id.gs1.org/01/1234567890/21/1", "8, 12, 13 or 14 digits"),
            ("https://id.gs1.org/01/10614141073464/21/" + "X" * 21, "1–20 characters"),
            ("https://id.gs1.org/01/10614141073464/21/2017/10/LOT", "cannot qualify"),
            ("https://id.gs1.org/01/10614141073464/99/1", "cannot qualify"),
            ("urn:epc:id:sgtin:0614141.10734.2017", "13 digits"),
            ("urn:epc:id:sgtin:12345.1234567.1", "6–12 digits"),
            ("urn:epc:id:sscc:4012345.000000033", "17 digits"),
            ("urn:epc:id:sgtin:0614141.107346", "3 dot-separated parts"),
            ("urn:epc:id:nonsense:1.2", "unknown EPC scheme"),
            ("urn:epc:idpat:sgtin:0614141.*.2017", "after a '*'"),
            ("urn:epc:", "urn:epc:{id|class|idpat}"),
            ("not a uri", "absolute URI"),
            ("https://x.cn/" + "a" * 600, "at most 500"),
        ],
    )
    def test_broken_gs1_identifiers(self, uri: str, why: str) -> None:
        with pytest.raises(IdentifierError, match=why):
            parse(uri)

    def test_an_ordinary_web_address_is_not_taken_for_a_digital_link(self) -> None:
        assert parse("https://blog.example.com/2021/01/15/post").level == "other"


def test_check_digits() -> None:
    assert check_digit("0690123456789") == "2"
    assert check_digit("04012345123456"[:-1]) == "6"
    assert check_digit("00000000000") == "0"


@given(st.integers(min_value=0, max_value=10**12 - 1), st.from_regex(r"[0-9A-Za-z]{1,20}", fullmatch=True))
def test_fast_and_general_paths_agree(item: int, serial: str) -> None:
    """The one-regex fast path gives exactly what the general parser gives."""
    body = f"{item:012d}"
    gtin = "0" + body + check_digit("0" + body)
    uri = f"https://brand.example.cn/01/{gtin}/21/{serial}"
    assert identifiers._fast(uri) == identifiers._digital_link(uri)
    urn = f"urn:epc:id:sgtin:{body[:7]}.0{body[7:]}.{serial}"
    assert parse(urn).key == f"https://id.gs1.org/01/{gtin}/21/{serial}"
