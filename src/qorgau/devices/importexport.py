"""Bulk import and export of devices as CSV or GeoJSON, keyed by device code.

An import is all-or-nothing: every row is parsed and checked (alone, then against the file and the registry)
before anything is written, and every problem is reported with its CSV line or GeoJSON feature index. Columns
or properties left out of the file keep their stored values; an empty cell clears an optional field.
Credentials may be imported (`username`, `password`, `dc09_key`) but are never exported.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context
from qorgau.core.errors import QorgauError
from qorgau.devices.checks import Problem, check, from_validation
from qorgau.devices.enums import DeviceAction
from qorgau.devices.queries import all_devices
from qorgau.devices.schemas import SECRET_FIELDS, DeviceFields, DeviceSecrets, ImportResult
from qorgau.devices.service import Progress, Spec, apply, counted, existing, fields_of

Format = Literal["csv", "geojson"]
COLUMNS = ("code", "kind", "purpose", "name_kk", "name_ru", "site_code", "lon", "lat", "heading_deg", "fov_deg",
           "range_m", "stream_main", "stream_sub", "lifecycle", "supervision_interval_s", "dc09_receiver",
           "dc09_line", "dc09_account", "dc09_local_time", "mqtt_client_id", "sip_user", "zones", "generated",
           "simulated", "name_en")
ACCEPTED = frozenset(COLUMNS) | frozenset(SECRET_FIELDS)
DC09 = ("dc09_receiver", "dc09_line", "dc09_account")
NUMERIC = frozenset({"lon", "lat", "heading_deg", "fov_deg", "range_m", "supervision_interval_s"})
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@dataclass(frozen=True)
class Row:
    """One device of a file: its locator and the flat values it gives (absent columns are absent here)."""

    locator: int
    values: dict[str, Any]


class ImportRejected(QorgauError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem], locator: str) -> None:
        super().__init__("devices.import_rejected", status=422, params={"count": len({p.locator for p in problems})})
        self.problems = problems
        self.locator = locator


# --- reading ------------------------------------------------------------------------------------------------


def parse_csv(text: str) -> tuple[list[Row], list[Problem]]:
    """Rows of a CSV file (comma or semicolon, optional BOM); line numbers count the header as line 1."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [Problem(1, None, None, "empty_file")]
    except csv.Error as exc:
        return [], [Problem(1, None, None, "bad_file", {"detail": str(exc)})]
    problems = [Problem(1, None, name, "unknown_column") for name in header if name not in ACCEPTED]
    if "code" not in header:
        problems.append(Problem(1, None, "code", "missing_column"))
    if problems:
        return [], problems
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) != len(header):
                    problems.append(Problem(line, None, None, "wrong_cell_count",
                                            {"detail": f"{len(record)} ≠ {len(header)}"}))
                else:
                    rows.append(Row(line, {k: _cell(k, v, delimiter) for k, v in zip(header, record, strict=True)}))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(line, None, None, "bad_file", {"detail": str(exc)}))
    return rows, problems


# A cell a spreadsheet would run as a formula starts with one of these; the export prefixes such text cells with
# one quote (OWASP's advice for CSV injection) and the import removes exactly that quote again. A text that
# already starts with a quote gets one more, so that every text comes back as it was.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = (*FORMULA_LEADS, "'")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show rather than evaluate: a formula- (or quote-) leading cell gets one quote."""
    return "'" + text if text.startswith(_ESCAPED) else text


def restore(text: str) -> str:
    """The text ``neutralise`` was given: the one added quote comes off again, nothing else changes."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_ESCAPED) else text


def _cell(name: str, value: str, delimiter: str) -> str | None:
    value = value.strip()
    if (original := restore(value)) != value:
        return original  # neutralised by the export: the text as it was, leading whitespace included
    if not value:
        return None
    if delimiter == ";" and name in NUMERIC:
        return value.replace(",", ".")  # spreadsheets that separate with ; write decimal commas
    return value


def parse_geojson(data: Any) -> tuple[list[Row], list[Problem]]:
    """Rows of a FeatureCollection of points; a feature's locator is its index in `features`."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        return [], [Problem(0, None, None, "not_feature_collection")]
    rows: list[Row] = []
    problems: list[Problem] = []
    for index, feature in enumerate(data["features"]):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            problems.append(Problem(index, None, None, "bad_feature"))
            continue
        values = dict(feature.get("properties") or {})
        if "code" not in values and isinstance(feature.get("id"), str):
            values["code"] = feature["id"]
        unknown = sorted(set(values) - ACCEPTED)
        problems += [Problem(index, _code(values), name, "unknown_field") for name in unknown]
        geometry = feature.get("geometry")
        if geometry is not None:
            point = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if not (isinstance(geometry, dict) and geometry.get("type") == "Point" and isinstance(point, list)
                    and len(point) in (2, 3)):
                problems.append(Problem(index, _code(values), "geometry", "bad_geometry"))
                continue
            values["lon"], values["lat"] = point[0], point[1]
        if not unknown:
            rows.append(Row(index, values))
    return rows, problems


def _code(values: dict[str, Any]) -> str | None:
    code = values.get("code")
    return code.strip().upper() if isinstance(code, str) else None


def parse_zones(value: Any) -> list[dict[str, Any]]:
    """Zones from a CSV cell `1:panic:Entrance;2:door:Back door` or a GeoJSON list of objects."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        raise ValueError("zones must be text or a list")
    zones = []
    for part in value.split(";"):
        if part.strip():
            number, kind, name = part.strip().split(":", 2)
            zones.append({"number": number.strip(), "kind": kind.strip(), "name": name.strip()})
    return zones


def structured(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]:
    """Flat row values → (DeviceFields data, identifier data, problems as (field, reason))."""
    data = {k: v for k, v in values.items() if k in COLUMNS and k not in DC09
            and k not in ("mqtt_client_id", "sip_user", "zones")}
    ids: dict[str, Any] = {k: values[k] for k in ("mqtt_client_id", "sip_user") if k in values}
    problems: list[tuple[str, str]] = []
    if any(k in values for k in DC09):
        parts = [values.get(k) for k in DC09]
        if all(p is None for p in parts):
            ids["dc09"] = None
        elif any(p is None for p in parts):
            problems.append(("dc09", "dc09_incomplete"))
        else:
            ids["dc09"] = dict(zip(("receiver", "line", "account"), parts, strict=True))
    if "zones" in values:
        try:
            data["zones"] = parse_zones(values["zones"])
        except ValueError:
            problems.append(("zones", "bad_zones"))
    return data, ids, problems


def row_fields(row: Row, base: dict[str, Any]) -> tuple[Spec | None, list[Problem]]:
    """One row over the stored state it updates (``base``, empty for a new device), validated alone."""
    code = _code(row.values)
    if not code:
        return None, [Problem(row.locator, None, "code", "missing_field")]
    data, ids, shape = structured(row.values)
    if shape:
        return None, [Problem(row.locator, code, f, reason) for f, reason in shape]
    merged = {**base, **data, "code": code, "identifiers": {**base.get("identifiers", {}), **ids}}
    try:
        fields = DeviceFields.model_validate(merged)
        secrets = DeviceSecrets.model_validate({k: row.values[k] for k in SECRET_FIELDS if k in row.values})
    except ValidationError as exc:
        return None, from_validation(row.locator, code, exc)
    return Spec(fields, secrets.model_dump(exclude_unset=True), row.locator), []


def prepare(session: Session, rows: Sequence[Row]) -> tuple[list[Spec], list[Problem]]:
    """Each row merged over the stored device it updates, validated alone, then checked as a batch."""
    codes = [c for r in rows if (c := _code(r.values))]
    stored = {code: fields_of(device) for code, device in existing(session, codes).items()}
    specs: list[Spec] = []
    problems: list[Problem] = []
    for row in rows:
        spec, found = row_fields(row, stored.get(_code(row.values) or "", {}))
        problems += found
        if spec is not None:
            specs.append(spec)
    problems += check(session, [(s.locator, s.fields) for s in specs])
    return specs, sorted(problems, key=lambda p: (p.locator, p.field or ""))


def read(payload: bytes, fmt: Format) -> tuple[list[Row], list[Problem]]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [Problem(0, None, None, "bad_file", {"detail": f"not UTF-8 at byte {exc.start}"})]
    if fmt == "csv":
        return parse_csv(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(0, None, None, "bad_file", {"detail": f"invalid JSON at line {exc.lineno}"})]
    return parse_geojson(data)


def import_devices(session: Session, payload: bytes, fmt: Format, *, actor: audit.Actor, ctx: Context,
                   progress: Progress | None = None, simulated_only: bool = False) -> ImportResult:
    """Create or update every device of the file, or nothing: raises ImportRejected listing every problem.

    ``simulated_only`` (the simulator's role): every row must be a simulated device, and no row may update a real
    one, or nothing is imported (403).
    """
    rows, problems = read(payload, fmt)
    if not problems:
        specs, problems = prepare(session, rows)
    if problems:
        raise ImportRejected(problems, "line" if fmt == "csv" else "feature")
    if simulated_only:
        real = {code for code, device in existing(session, [s.fields.code for s in specs]).items()
                if not device.simulated}
        if real or not all(s.fields.simulated for s in specs):
            raise QorgauError("auth.simulated_only", status=403)
    if progress is not None:
        progress(0, len(specs))
    result = counted(apply(session, specs, actor=actor, ctx=ctx, checked=True, progress=progress))
    audit.record(session, action=DeviceAction.IMPORT, actor=actor, target_type="device",
                 details={"format": fmt, **result.model_dump()})
    return result


# --- writing ------------------------------------------------------------------------------------------------


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) and math.isfinite(value) else str(value)


def flat(fields: dict[str, Any]) -> dict[str, Any]:
    """A device's state (as fields_of or DeviceFields.model_dump give it) in the flat names of the files."""
    out = {k: fields.get(k) for k in COLUMNS if k not in DC09 and k not in ("mqtt_client_id", "sip_user")}
    ids = fields.get("identifiers") or {}
    dc09 = ids.get("dc09") or {}
    out.update(dc09_receiver=dc09.get("receiver"), dc09_line=dc09.get("line"), dc09_account=dc09.get("account"),
               mqtt_client_id=ids.get("mqtt_client_id"), sip_user=ids.get("sip_user"))
    out["zones"] = [{"number": z["number"], "kind": str(z["kind"]), "name": z["name"]} for z in fields["zones"]]
    for key in ("kind", "purpose", "lifecycle"):
        out[key] = str(out[key]) if out[key] is not None else None
    return out


def to_csv(devices: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for fields in devices:
        row = flat(fields)
        row["zones"] = ";".join(f"{z['number']}:{z['kind']}:{z['name']}" for z in row["zones"])
        values = (row[name] for name in COLUMNS)
        writer.writerow(["true" if v is True else "false" if v is False else
                         _number(v) if isinstance(v, int | float) else neutralise(v or "") for v in values])
    return buffer.getvalue()


def to_geojson(devices: Iterable[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for fields in devices:
        properties = flat(fields)
        lon, lat = properties.pop("lon"), properties.pop("lat")
        features.append({"type": "Feature", "id": fields["code"], "properties": properties,
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    return {"type": "FeatureCollection", "features": features}


def export_devices(session: Session, fmt: Format, *, actor: audit.Actor) -> str:
    """The whole registry as CSV or GeoJSON text (credentials never included); the export is audited."""
    states = [fields_of(device) for device in all_devices(session)]
    audit.record(session, action=DeviceAction.EXPORT, actor=actor, target_type="device",
                 details={"format": fmt, "devices": len(states)})
    if fmt == "csv":
        return to_csv(states)
    return json.dumps(to_geojson(states), ensure_ascii=False, separators=(",", ":")) + "\n"
