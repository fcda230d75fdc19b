"""Hostile XML is refused with a clear error; well-formed DUIS passes."""

from __future__ import annotations

import pytest

from cpl_data.safe_xml import parse_untrusted_xml
from eligibility.errors import DataError
from tests.conftest import DUIS_DIR

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&lol9;</sr:Response>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<sr:Response xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&secret;</sr:Response>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://example.invalid/evil.dtd">
<r/>
"""
# the DOCTYPE pushed past the first 4 KB by a long comment: the parser's own DTD check catches it
LATE_DTD = b"<?xml version='1.0'?><!--" + b"x" * 5000 + b"""--><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # entity expansion attacks come in through a DTD: any DTD is refused, nothing expanded
        (BILLION_LAUGHS, "declares a DTD"),
        (EXTERNAL_ENTITY, "declares a DTD"),
        (EXTERNAL_DTD, "declares a DTD"),
        (LATE_DTD, "declares a DTD"),
        # an entity with no declaration is not well-formed
        (b"<r>&undeclared;</r>", "not well-formed XML"),
        (b"PK\x03\x04 not xml at all", "not well-formed XML"),
        (b"<r>" + b"a" * 200 + b"</r>", "more than the 100 bytes"),
    ],
)
def test_refused(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message) as info:
        parse_untrusted_xml(data, source="upload.xml", max_bytes=100 if b"aaaa" in data else 1 << 20)
    assert str(info.value).startswith("upload.xml: ")


def test_refusal_says_why_and_what_to_do() -> None:
    with pytest.raises(DataError) as info:
        parse_untrusted_xml(BILLION_LAUGHS, source="a.xml")
    text = str(info.value)
    assert "billion-laughs" in text
    assert "external-entity" in text
    assert "lol" not in text  # nothing of the document is expanded into the message


def test_real_responses_parse() -> None:
    for path in sorted((DUIS_DIR / "responses").iterdir()):
        tree = parse_untrusted_xml(path.read_bytes(), source=path.name)
        assert tree.getroot().tag == "{http://www.dccinterface.co.uk/ServiceUserGateway}Response"
