"""``POST /v1/cpl/imports``, ``/v1/catalogue/imports``, ``/v1/inventory/imports``; ``GET /v1/imports/{id}``.

Each import takes the file as the raw body (by Content-Type) or as the multipart field
``file``, lands whole or not at all, and answers 201 with its summary and id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.app import _imports
from api.app.bodies import read_upload
from api.app.deps import CatalogueImporter, CplImporter, ImportReader, InventoryImporter, ServiceDep
from api.app.models import ImportRecord, ImportSummary
from api.app.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["imports"], responses=PROBLEM_RESPONSES)


def _file_body(*types: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    form: dict[str, Any] = {"file": {"type": "string", "format": "binary"}, **(extra or {})}
    content: dict[str, Any] = {t: {"schema": {"type": "string", "format": "binary"}} for t in types}
    content["multipart/form-data"] = {"schema": {"type": "object", "properties": form, "required": ["file"]}}
    return {"requestBody": {"required": True, "content": content}}


def _created(summary: ImportSummary) -> JSONResponse:
    return JSONResponse(
        summary.model_dump(mode="json"),
        status_code=201 if summary.status == "committed" else 200,
        headers={"Location": f"/v1/imports/{summary.id}"},
    )


_ANSWERS: dict[int | str, dict[str, Any]] = {
    201: {"model": ImportSummary, "description": "Imported."},
    200: {"model": ImportSummary, "description": "The same content was there already; nothing changed."},
}


@router.post(
    "/cpl/imports",
    summary="Import a CPL",
    response_model=ImportSummary,
    responses=_ANSWERS,
    openapi_extra=_file_body(
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extra={"history": {"type": "string", "format": "binary"}},
    ),
)
async def import_cpl(
    request: Request,
    svc: ServiceDep,
    who: CplImporter,
    replace: Annotated[bool, Query(description="Replace a stored version with other content.")] = False,
) -> JSONResponse:
    """The CSV export, the 'Central Products List' sheet as CSV (with its Version Control sheet
    as the form field ``history``), or the workbook."""
    upload = await read_upload(request, svc.settings.max_import_bytes, "CPL", extra=("history",))
    return _created(await run_in_threadpool(_imports.import_cpl, svc, who, upload, replace))


@router.post(
    "/catalogue/imports",
    summary="Import a firmware catalogue",
    response_model=ImportSummary,
    responses=_ANSWERS,
    openapi_extra=_file_body("application/toml"),
)
async def import_catalogue(request: Request, svc: ServiceDep, who: CatalogueImporter) -> JSONResponse:
    """A TOML catalogue, checked against the newest CPL, made the active one."""
    upload = await read_upload(request, svc.settings.max_import_bytes, "catalogue")
    return _created(await run_in_threadpool(_imports.import_catalogue, svc, who, upload))


@router.post(
    "/inventory/imports",
    summary="Import hubs into the inventory",
    response_model=ImportSummary,
    responses=_ANSWERS,
    openapi_extra=_file_body("text/csv", "application/vnd.apache.parquet", "application/xml"),
)
async def import_inventory(
    request: Request,
    svc: ServiceDep,
    who: InventoryImporter,
    supplier: Annotated[
        str | None, Query(description="Supplier of rows that name none (a supplier's key: its own).")
    ] = None,
) -> JSONResponse:
    """Hubs keyed by supplier and Device ID (new ones added, the supplier's known ones updated).
    A supplier's key writes only its own rows: a row naming another supplier refuses the whole
    file (422); a Device ID another supplier holds too is the importer's own row, and neither
    touches the other (the DCC is told: ``GET /v1/quality/duplicate-devices``)."""
    upload = await read_upload(request, svc.settings.max_import_bytes, "inventory")
    return _created(await run_in_threadpool(_imports.import_inventory, svc, who, upload, supplier))


@router.get("/imports/{import_id}", response_model=ImportRecord, summary="One import, from the audit trail")
async def get_import(
    import_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The id an import answered with.")],
    svc: ServiceDep,
    who: ImportReader,
) -> ImportRecord:
    """Any import (refused ones too) for the DCC; a supplier sees only its own."""
    row = await run_in_threadpool(svc.store.get_import, import_id, party=who.supplier_scope)
    return ImportRecord.model_validate(row)
