"""The DUIS XML schemas, read from a folder the user names (never shipped with hubcheck).

The folder holds one sub-folder per schema version (``v5.1``, ``v5.3a``, ``v5.4`` ...), each with
``DUIS Schema V<version>.xsd`` and what it imports (``MMC Schema V<version>.xsd``,
``xmldsig-core-schema.xsd``). Which folder: ``--xsd-dir``, else ``$HUBCHECK_DUIS_XSD``, else
``duis/xsd`` in the shared reference data when present.

The DUIS schema imports ``MMC Schema V5.4.xsd``: a file name with spaces, which libxml2 does not
resolve. :class:`DuisSchemas` rewrites each import to a name without spaces and resolves it
itself, to a file of the same folder only (no network).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from lxml import etree

from cpl_data.real_data import shared_data_dir
from eligibility.errors import DataError

__all__ = ["XSD_ENV", "DuisSchemas", "default_xsd_dir"]

XSD_ENV: Final = "HUBCHECK_DUIS_XSD"
_XS: Final = "{http://www.w3.org/2001/XMLSchema}"
_HOW: Final = (
    "pass --xsd-dir DIR (or set HUBCHECK_DUIS_XSD) naming a folder with one sub-folder per DUIS schema "
    "version (v5.1, v5.3a, v5.4 ...), each holding 'DUIS Schema V<version>.xsd' and the files it imports "
    "('MMC Schema V<version>.xsd', 'xmldsig-core-schema.xsd'); the DCC publishes them with DUIS"
)


def default_xsd_dir() -> Path | None:
    """``$HUBCHECK_DUIS_XSD``, else the shared data's ``duis/xsd`` when it exists, else None."""
    env = os.environ.get(XSD_ENV)
    if env:
        return Path(env)
    try:
        found = shared_data_dir() / "duis" / "xsd"
    except FileNotFoundError:
        return None
    return found if found.is_dir() else None


class _FolderResolver(etree.Resolver):  # type: ignore[misc]
    """Resolves schema imports to files of one folder (names compared without spaces)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.files = {p.name.replace(" ", "_"): p for p in folder.iterdir() if p.is_file()}

    def resolve(self, url: str | None, pubid: str | None, context: object) -> object:
        name = unquote(os.path.basename(url or "")).replace(" ", "_")
        path = self.files.get(name)
        return self.resolve_filename(str(path), context) if path is not None else None


class DuisSchemas:
    """The schemas of a folder, loaded once per version on first use."""

    def __init__(self, folder: Path | None) -> None:
        if folder is None:
            raise DataError(f"DUIS XML is validated against the DUIS schemas, and none were found: {_HOW}")
        if not folder.is_dir():
            raise DataError(f"the DUIS schema folder {folder} does not exist: {_HOW}")
        self.folder = folder
        self._loaded: dict[str, etree.XMLSchema] = {}

    def versions(self) -> list[str]:
        """The schema versions the folder holds (``5.1``, ``5.3a``, ``5.4`` ...)."""
        return sorted(p.name.removeprefix("v") for p in self.folder.iterdir() if p.is_dir())

    def _folder_for(self, version: str) -> Path:
        have = self.versions()
        # a response says 5.3 where the schema is published as 5.3a: take the version's own
        # folder, else the one lettered after it
        match = [v for v in have if v == version] or [v for v in have if v.rstrip("abcdefgh") == version]
        if not match:
            raise DataError(
                f"no DUIS schema for schemaVersion {version!r} in {self.folder} (it has {', '.join(have) or 'none'}): "
                f"add its folder, v{version}; {_HOW}"
            )
        return self.folder / f"v{match[0]}"

    def schema(self, version: str) -> etree.XMLSchema:
        """The schema for a response's ``schemaVersion``; raises DataError if the folder lacks it."""
        got = self._loaded.get(version)
        if got is not None:
            return got
        folder = self._folder_for(version)
        main = sorted(folder.glob("DUIS Schema*.xsd"))
        if not main:
            raise DataError(f"{folder}: no 'DUIS Schema V{version}.xsd' in it; {_HOW}")
        # trusted local files, but still no network: the xmldsig schema names a DTD by URL
        parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=True)
        parser.resolvers.add(_FolderResolver(folder))
        try:
            doc = etree.parse(str(main[0]), parser)
            for node in doc.getroot().iter(f"{_XS}import", f"{_XS}include"):
                loc = node.get("schemaLocation")
                if loc:
                    node.set("schemaLocation", loc.replace(" ", "_"))
            got = etree.XMLSchema(doc)
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
            raise DataError(f"{main[0]}: the DUIS schema could not be loaded ({exc}); {_HOW}") from None
        self._loaded[version] = got
        return got

    def validate(self, tree: etree._ElementTree, source: str) -> list[str]:
        """The schema errors of a response (empty when valid), each with its line."""
        version = tree.getroot().get("schemaVersion")
        if not version:
            return ["the response has no schemaVersion attribute, so its schema cannot be chosen"]
        schema = self.schema(version)
        if schema.validate(tree):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]
