"""The articles and fines table: the shipped default (data/fines.json) and the lookup of a violation's rule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from qorgau.core.errors import ValidationFailed

KINDS = ("speed", "red_light")


@dataclass(frozen=True, slots=True)
class FineRule:
    kind: str
    article: str
    part: str
    over_from_kmh: float | None
    over_to_kmh: float | None
    fine_mrp: float


def shipped() -> dict[str, Any]:
    """The table that ships with the product (its source is data/SOURCE.md)."""
    text = resources.files("qorgau.roads.enforcement").joinpath("data/fines.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


def parse(table: dict[str, Any]) -> list[FineRule]:
    """Every rule of a table, or ValidationFailed listing each bad rule by its index (nothing half-read)."""
    rules, errors = [], []
    for index, raw in enumerate(table.get("rules") or []):
        try:
            rule = FineRule(kind=str(raw["kind"]), article=str(raw["article"]), part=str(raw["part"]),
                            over_from_kmh=_number(raw.get("over_from_kmh")),
                            over_to_kmh=_number(raw.get("over_to_kmh")),
                            fine_mrp=float(raw["fine_mrp"]))
        except (KeyError, TypeError, ValueError):
            errors.append({"code": "violations.fines.bad_rule", "field": f"rules[{index}]"})
            continue
        if rule.kind not in KINDS or rule.fine_mrp <= 0:
            errors.append({"code": "violations.fines.bad_rule", "field": f"rules[{index}]"})
        elif rule.kind == "speed" and rule.over_from_kmh is None:
            errors.append({"code": "violations.fines.band_missing", "field": f"rules[{index}]"})
        else:
            rules.append(rule)
    if not rules and not errors:
        errors.append({"code": "violations.fines.empty", "field": "rules"})
    if errors:
        raise ValidationFailed("violations.fines.invalid", errors=errors)
    return rules


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def rule_for(rules: list[FineRule], kind: str, over_kmh: float | None = None) -> FineRule | None:
    """The rule of a red-light violation, or the speeding band the excess falls into (lower bound inclusive)."""
    for rule in rules:
        if rule.kind != kind:
            continue
        if kind != "speed":
            return rule
        low = rule.over_from_kmh or 0.0
        if over_kmh is not None and over_kmh >= low and (rule.over_to_kmh is None or over_kmh < rule.over_to_kmh):
            return rule
    return None
