"""XML from outside, parsed as hostile until proven otherwise.

DUIS responses arrive from other systems and users' uploads. :func:`parse_untrusted_xml`

- refuses anything larger than a bound (default :data:`MAX_XML_BYTES`) before parsing;
- parses with entity expansion off, no DTD loading, no network, no huge-tree mode;
- refuses any document that declares a DTD (``<!DOCTYPE``): DUIS never uses one, and a DTD is
  how entity attacks come in (billion laughs, external entities reading local files or URLs).

Every refusal is a :class:`~eligibility.errors.DataError` saying which file and why; nothing
from lxml escapes.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from eligibility.errors import DataError

__all__ = ["MAX_XML_BYTES", "parse_untrusted_xml"]

#: Largest XML document read (a Read Inventory response is a few kilobytes).
MAX_XML_BYTES: Final = 16 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted_xml(data: bytes, *, source: str, max_bytes: int = MAX_XML_BYTES) -> etree._ElementTree:
    """Parse ``data`` safely; raises DataError for an oversized, malformed or DTD-bearing document.

    >>> parse_untrusted_xml(b"<a><b>1</b></a>", source="x.xml").getroot().tag
    'a'
    >>> parse_untrusted_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', source="x.xml")
    Traceback (most recent call last):
    ...
    eligibility.errors.DataError: x.xml: refused: the document declares a DTD (<!DOCTYPE ...>) ...
    """
    if len(data) > max_bytes:
        raise DataError(
            f"{source}: refused: {len(data):,} bytes is more than the {max_bytes:,} bytes an XML "
            "response may have; check the file (a DUIS response is a few kilobytes)"
        )
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise _dtd_refused(source)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise DataError(
            f"{source}: not well-formed XML ({exc}); check the file is a whole DUIS response"
        ) from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _dtd_refused(source)
    return tree


def _dtd_refused(source: str) -> DataError:
    return DataError(
        f"{source}: refused: the document declares a DTD (<!DOCTYPE ...>) and may define entities; "
        "DUIS XML never does, and entity expansion is how billion-laughs and external-entity attacks "
        "work. Ask the sender for the response as the DCC issued it"
    )
