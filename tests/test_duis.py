"""DUIS responses: validated by their schema version, mapped to inventory rows, firmware reads applied."""

from __future__ import annotations

import base64
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from cpl_data.duis import read_duis
from cpl_data.duis_schema import DuisSchemas, default_xsd_dir
from cpl_data.gbcs import firmware_from_payload
from cpl_data.safe_xml import parse_untrusted_xml
from eligibility.errors import DataError
from tests.conftest import DUIS_DIR

RESPONSES = DUIS_DIR / "responses"
SR = "{http://www.dccinterface.co.uk/ServiceUserGateway}"


@pytest.fixture(scope="module")
def schemas() -> DuisSchemas:
    return DuisSchemas(DUIS_DIR / "xsd")


@pytest.mark.parametrize(
    ("name", "version", "valid"),
    [
        ("signing-tool__read-inventory-response-5.4.xml", "5.4", True),
        # schemaVersion 5.3 is validated by the schema published as 5.3a
        ("signing-tool__read-inventory-response-4g.xml", "5.3", True),
        ("signing-tool__readfw-response.xml", "5.1", True),
        ("duis-templates__ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML", "5.1", True),
        ("signing-tool__readfw-response-resigned.xml", "5.4", True),
        # ServiceReference 11.2.11.2 is not one the schema allows
        ("signing-tool__readfw-response-invalid.xml", "5.1", False),
    ],
)
def test_each_response_against_its_own_schema_version(
    schemas: DuisSchemas, name: str, version: str, valid: bool
) -> None:
    tree = parse_untrusted_xml((RESPONSES / name).read_bytes(), source=name)
    assert tree.getroot().get("schemaVersion") == version
    errors = schemas.validate(tree, name)
    assert (errors == []) == valid
    if not valid:
        assert "11.2.11.2" in errors[0]


@pytest.mark.parametrize(
    ("name", "firmware"),
    [
        # real Toshiba CHF reads, and DCC Boxed's
        ("duis-sign-wrap__readfw-version-response.xml", "0C230000"),
        ("signing-tool__readfw-response.xml", "0C230000"),
        ("signing-tool__readfw-response-invalid.xml", "0C150000"),
        ("duis-templates__ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML", "00020000"),
        ("signing-tool__readfw-response-resigned.xml", "00020000"),
        ("signing-tool__message.xml", "05150509"),
    ],
)
def test_firmware_in_real_gbcs_payloads(name: str, firmware: str) -> None:
    payload = etree.parse(str(RESPONSES / name)).getroot().findtext(f".//{SR}GBCSPayload")
    assert payload is not None
    assert firmware_from_payload(payload) == firmware


@given(
    header=st.binary(max_size=80).filter(lambda b: b"\x09\x04" not in b),
    version=st.binary(min_size=4, max_size=4),
    mac=st.binary(min_size=12, max_size=12),
)
def test_firmware_found_after_any_header(header: bytes, version: bytes, mac: bytes) -> None:
    payload = base64.b64encode(
        header + b"\x00\x00\x01\x09\x04" + version + b"\x01\x01\x00\x00" + mac
    ).decode()
    assert firmware_from_payload(payload) == version.hex().upper()


@pytest.mark.parametrize(
    ("payload", "message"),
    [("not base64!", "not base64"), (base64.b64encode(b"\x01\x02\x03").decode(), "no firmware version")],
)
def test_bad_payload(payload: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        firmware_from_payload(payload)


def test_real_folder(schemas: DuisSchemas) -> None:
    with pytest.raises(DataError, match="1 DUIS response") as info:
        read_duis(RESPONSES, schemas)
    assert info.value.problems[0].source == "signing-tool__readfw-response-invalid.xml"
    read = read_duis(RESPONSES, schemas, skip_invalid=True)
    assert read.files == 9
    rows = {r["device_id"]: r for r in read.frame.iter_rows(named=True)}
    assert set(rows) == {
        "88-73-84-90-6A-10-02-DB",
        "88-73-84-CC-6A-10-02-DB",
        "00-11-22-33-44-55-66-77",
        "00-11-22-33-FF-55-66-77",
    }
    chf = rows["88-73-84-90-6A-10-02-DB"]
    # the only CHF and GPF of their model and UPRN in the response: one hub
    assert chf["gpf_device_id"] == "88-73-84-CC-6A-10-02-DB"
    assert (chf["status"], chf["manufacturer"], chf["model"], chf["firmware"]) == (
        "Commissioned",
        "106C",
        "433100AC",
        "9001",
    )
    assert (chf["csp_region"], chf["han_variant"]) == ("4G Central", "Single Band")
    assert read.skipped["CAD device (not a hub)"] == 1
    assert read.skipped["error response E65 (11.2)"] == 1
    # the real firmware reads are of devices no inventory response lists
    assert read.skipped["firmware read of a device not in the inventory"] == 4
    assert read.mismatches.height == 0


def _inventory_response(devices: list[dict[str, str]]) -> bytes:
    """A Read Inventory response (schema 5.4) listing ``devices``, built from the real one."""
    tree = etree.parse(str(RESPONSES / "signing-tool__read-inventory-response-5.4.xml"))
    inventory = tree.getroot().find(f".//{SR}DSPInventory")
    assert inventory is not None
    template = inventory[0]
    for old in list(inventory):
        inventory.remove(old)
    for d in devices:
        dev = etree.fromstring(etree.tostring(template))
        for tag, value in d.items():
            node = dev.find(f"{SR}{tag}")
            assert node is not None, tag
            node.text = value
        for tag in ("DateCommissioned", "Connectivity"):
            node = dev.find(f"{SR}{tag}")
            if node is not None:
                dev.remove(node)
        inventory.append(dev)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _firmware_response(device: str, firmware: str, when: str) -> bytes:
    """A Read Firmware Version response (schema 5.4) for ``device`` reporting ``firmware``."""
    tree = etree.parse(str(RESPONSES / "signing-tool__readfw-response-resigned.xml"))
    root = tree.getroot()
    header = root.find(f"{SR}Header")
    assert header is not None
    request = header.find(f"{SR}RequestID")
    assert request is not None
    assert request.text is not None
    parts = request.text.split(":")
    request.text = ":".join([parts[0], device, parts[2]])
    stamp = header.find(f"{SR}ResponseDateTime")
    assert stamp is not None
    stamp.text = when
    payload = root.find(f".//{SR}GBCSPayload")
    assert payload is not None
    assert payload.text is not None
    raw = bytearray(base64.b64decode(payload.text))
    at = raw.index(b"\x01\x09\x04") + 3
    raw[at : at + 4] = bytes.fromhex(firmware)
    payload.text = base64.b64encode(bytes(raw)).decode()
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


CHF, GPF = "10-F0-A1-00-00-00-01-00", "10-F0-A1-00-00-00-01-01"


@pytest.fixture
def responses(tmp_path: Path) -> Path:
    folder = tmp_path / "responses"
    folder.mkdir()
    hub = {"DeviceManufacturer": "F0A1", "DeviceModel": "A1010100", "DeviceFirmwareVersion": "2020000"}
    (folder / "inventory.xml").write_bytes(
        _inventory_response(
            [
                {"DeviceID": CHF, "DeviceType": "CHF", "DeviceStatus": "Pending", **hub},
                {"DeviceID": GPF, "DeviceType": "GPF", "DeviceStatus": "Pending", **hub},
            ]
        )
    )
    # two reads of the CHF: the later one counts
    (folder / "read-1.xml").write_bytes(_firmware_response(CHF, "02010000", "2026-11-01T10:00:00.000Z"))
    (folder / "read-2.xml").write_bytes(_firmware_response(CHF, "03000000", "2026-11-02T10:00:00.000Z"))
    return folder


def test_inventory_and_firmware_reads(schemas: DuisSchemas, responses: Path, tmp_path: Path) -> None:
    side = tmp_path / "dates.csv"
    side.write_text("device_id,status_since,supplier\n10f0a10000000100,2026-06-01,Ampere Energy\n")
    read = read_duis(responses, schemas, side=side)
    rows = {r["device_id"]: r for r in read.frame.iter_rows(named=True)}
    # the device's version replaces the SMI's, for the hub's CHF and GPF alike
    assert rows[CHF]["firmware"] == rows[GPF]["firmware"] == "03000000"
    assert rows[CHF]["gpf_device_id"] == GPF
    assert rows[CHF]["status_since"] == "2026-06-01"
    assert rows[CHF]["supplier"] == "Ampere Energy"
    assert rows[GPF]["status_since"] is None  # SR 8.2 does not say: the verdict will
    assert read.mismatches.to_dicts() == [
        {"device_id": CHF, "smi_firmware": "02020000", "device_firmware": "03000000", "source": "read-2.xml"}
    ]


def test_zip_reads_as_the_folder(schemas: DuisSchemas, responses: Path, tmp_path: Path) -> None:
    archive = tmp_path / "responses.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(responses.iterdir()):
            z.write(p, p.name)
    assert read_duis(archive, schemas).frame.equals(read_duis(responses, schemas).frame)


def test_hostile_files_are_named(schemas: DuisSchemas, responses: Path, tmp_path: Path) -> None:
    (responses / "evil.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    )
    with pytest.raises(DataError) as info:
        read_duis(responses, schemas)
    assert [p.source for p in info.value.problems] == ["evil.xml"]
    assert "declares a DTD" in str(info.value)
    # an oversized member of a zip is refused without being read whole
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.xml", b"<r>" + b" " * 5000 + b"</r>")
    with pytest.raises(DataError, match="more than the 1,000 bytes"):
        read_duis(archive, schemas, max_bytes=1000)


def test_side_file_checked(schemas: DuisSchemas, responses: Path, tmp_path: Path) -> None:
    side = tmp_path / "dates.csv"
    side.write_text("device_id,status_since\n10f0a10000000100,01/06/2026\n")
    with pytest.raises(DataError, match="row 2, column status_since: value '01/06/2026': not a date"):
        read_duis(responses, schemas, side=side)


def test_schemas_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="--xsd-dir DIR"):
        DuisSchemas(None)
    with pytest.raises(DataError, match="does not exist"):
        DuisSchemas(tmp_path / "nowhere")
    (tmp_path / "v5.4").mkdir()
    schemas = DuisSchemas(tmp_path)
    with pytest.raises(DataError, match=r"no DUIS schema for schemaVersion '5.1'.*it has 5.4"):
        schemas.schema("5.1")
    with pytest.raises(DataError, match=re.escape("no 'DUIS Schema V5.4.xsd'")):
        schemas.schema("5.4")


def test_default_xsd_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HUBCHECK_DUIS_XSD", str(tmp_path))
    assert default_xsd_dir() == tmp_path
    monkeypatch.delenv("HUBCHECK_DUIS_XSD")
    assert default_xsd_dir() == DUIS_DIR / "xsd"
