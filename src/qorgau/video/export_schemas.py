"""API models of evidence exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from qorgau.core.i18n import translate
from qorgau.core.settings import Language
from qorgau.video.enums import ExportState
from qorgau.video.models import Export


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    cameras: list[str] = Field(min_length=1, max_length=16, description="Camera codes.")
    start_at: AwareDatetime = Field(alias="from", description="Start of the range (with a time zone).")
    end_at: AwareDatetime = Field(alias="to", description="End of the range (with a time zone).")
    reason: str = Field(min_length=5, max_length=500, description="Why the video is exported (for the record).")
    incident_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The incident it belongs to.")


class ExportFile(BaseModel):
    name: str
    bytes: int
    sha256: str


class ExportCamera(BaseModel):
    code: str
    actual: dict[str, str] | None = Field(description="The range the files hold: from the key frame at or "
                                                      "before the requested start.")
    gaps: list[dict[str, str]] = Field(description="Holes in the recording within the range.")
    files: list[ExportFile]


class ExportRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    state: ExportState
    cameras: list[str]
    start_at: datetime = Field(serialization_alias="from")
    end_at: datetime = Field(serialization_alias="to")
    reason: str
    incident_id: int | None
    created_by: str
    created_by_name: str | None
    created_at: datetime
    finished_at: datetime | None
    bytes: int | None
    manifest_sha256: str | None
    key_id: str | None = Field(description="Id of the key that signed the manifest (the audit checkpoints' key).")
    error: str | None = Field(description="The technical cause of a failure (for administrators).")
    error_message: str | None = Field(description="What went wrong, in the caller's language.")
    files: list[ExportCamera]

    @classmethod
    def of(cls, export: Export, language: Language) -> ExportRead:
        details: dict[str, Any] = export.details or {}
        code = details.get("error_code") or ("video.export_failed" if export.error else None)
        return cls(id=export.id, state=ExportState(export.state), cameras=list(export.cameras),
                   start_at=export.start_at, end_at=export.end_at, reason=export.reason,
                   incident_id=export.incident_id, created_by=export.created_by,
                   created_by_name=details.get("created_by_name"), created_at=export.created_at,
                   finished_at=export.finished_at, bytes=export.bytes, manifest_sha256=export.manifest_sha256,
                   key_id=details.get("key_id"), error=export.error,
                   error_message=translate(code, language) if code else None,
                   files=[ExportCamera.model_validate(c) for c in details.get("cameras", [])])
