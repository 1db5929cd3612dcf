"""Clearance (раскрываемость) defined in one place: the department's reading and the named alternatives.

The official forms print counts, never a clearance rate, and the readings in use divide different cells of the
form. Each reading here names its formula in kk, ru and en so a figure is never shown without it; ADR 0036 lists
the values each gives on West Kazakhstan's 2023 form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ClearanceInputs:
    """The counts of one form (or of one slice of offence records) that the readings divide.

    ``interrupted_unidentified`` is the part of ``interrupted`` where the offender was not identified (п.1 ч.7
    ст.45 УПК); СНГ-1 does not print it, so it is None there and the readings that need it give None.
    """

    registered: int
    sent_to_court: int
    terminated_non_rehabilitating: int
    terminated_rehabilitating: int
    interrupted: int
    carried_over: int = 0
    interrupted_unidentified: int | None = None
    printed_completed: int | None = None  # "окончены" as printed by a form that does not split it (СНГ-1)

    @classmethod
    def printed(cls, *, registered: int, completed: int, interrupted: int) -> ClearanceInputs:
        """Inputs of a form that prints "окончены" without its parts: readings that need the parts give None."""
        return cls(registered=registered, sent_to_court=0, terminated_non_rehabilitating=0,
                   terminated_rehabilitating=0, interrupted=interrupted, printed_completed=completed)

    @property
    def completed(self) -> int:
        """"Окончены": sent to court plus terminated on non-rehabilitating grounds (how the forms count it)."""
        if self.printed_completed is not None:
            return self.printed_completed
        return self.sent_to_court + self.terminated_non_rehabilitating

    def knows(self, name: str) -> bool:
        """Whether the count ``name`` is known (a form may not print it)."""
        if name == "interrupted_unidentified":
            return self.interrupted_unidentified is not None
        if name in {"sent_to_court", "terminated_non_rehabilitating", "terminated_rehabilitating", "carried_over"}:
            return self.printed_completed is None
        return True


def _share(numerator: int, denominator: int) -> float | None:
    # A slice with nothing to divide by has no clearance, not a clearance of 0 or 100 %.
    return numerator / denominator if denominator > 0 else None


def _department(inputs: ClearanceInputs) -> float | None:
    return _share(inputs.completed, inputs.completed + inputs.interrupted)


def _registered(inputs: ClearanceInputs) -> float | None:
    return _share(inputs.completed, inputs.registered)


def _unidentified(inputs: ClearanceInputs) -> float | None:
    if inputs.interrupted_unidentified is None:
        return None
    return _share(inputs.completed, inputs.completed + inputs.interrupted_unidentified)


def _court(inputs: ClearanceInputs) -> float | None:
    return _share(inputs.sent_to_court, inputs.sent_to_court + inputs.interrupted)


def _caseload(inputs: ClearanceInputs) -> float | None:
    return _share(inputs.completed, inputs.registered + inputs.carried_over)


@dataclass(frozen=True)
class Reading:
    """One way of reading clearance: its code, its name and its formula in words, per language."""

    code: str
    names: Mapping[str, str]
    formula: Mapping[str, str]
    compute: Callable[[ClearanceInputs], float | None]
    needs: tuple[str, ...]

    def value(self, inputs: ClearanceInputs) -> float | None:
        """The share 0..1, or None when the denominator is 0 or a count the reading needs is missing."""
        if not all(inputs.knows(name) for name in self.needs):
            return None
        return self.compute(inputs)


def _reading(code: str, names: dict[str, str], formula: dict[str, str],
             compute: Callable[[ClearanceInputs], float | None], *needs: str) -> Reading:
    return Reading(code=code, names=MappingProxyType(names), formula=MappingProxyType(formula), compute=compute,
                   needs=needs)


_READINGS = (
    _reading(
        "department",
        {"kk": "Департамент есебі", "ru": "Расчёт департамента", "en": "Department's reading"},
        {"kk": "аяқталғандар / (аяқталғандар + мерзімі үзілгендер); аяқталғандар = сотқа жіберілгендер + "
               "ақтамайтын негіздер бойынша тоқтатылғандар",
         "ru": "окончены / (окончены + прерваны сроки); окончены = направлены в суд + прекращены по "
               "нереабилитирующим основаниям",
         "en": "completed / (completed + interrupted); completed = sent to court + terminated on "
               "non-rehabilitating grounds"},
        _department, "completed", "interrupted",
    ),
    _reading(
        "registered",
        {"kk": "Тіркелгендерден үлесі", "ru": "Доля от зарегистрированных", "en": "Share of registered"},
        {"kk": "аяқталғандар / БСТТ-да тіркелгендер",
         "ru": "окончены / зарегистрированы в ЕРДР",
         "en": "completed / registered in the ЕРДР"},
        _registered, "completed", "registered",
    ),
    _reading(
        "unidentified",
        {"kk": "Тұлғасы анықталмағандар бойынша", "ru": "По неустановленным лицам",
         "en": "Against unidentified offenders"},
        {"kk": "аяқталғандар / (аяқталғандар + тұлға анықталмағандықтан үзілгендер, ҚПК 45-б. 7-б. 1-т.)",
         "ru": "окончены / (окончены + прерваны за неустановлением лица, п.1 ч.7 ст.45 УПК)",
         "en": "completed / (completed + interrupted for want of an identified offender, CPC 45(7)(1))"},
        _unidentified, "completed", "interrupted_unidentified",
    ),
    _reading(
        "court",
        {"kk": "Сотқа жіберілгендер бойынша", "ru": "По направленным в суд", "en": "Sent to court"},
        {"kk": "сотқа жіберілгендер / (сотқа жіберілгендер + мерзімі үзілгендер)",
         "ru": "направлены в суд / (направлены в суд + прерваны сроки)",
         "en": "sent to court / (sent to court + interrupted)"},
        _court, "sent_to_court", "interrupted",
    ),
    _reading(
        "caseload",
        {"kk": "Іс жүргізудегілерден үлесі", "ru": "Доля от находившихся в производстве",
         "en": "Share of the caseload"},
        {"kk": "аяқталғандар / (тіркелгендер + бұрынғы кезеңдерден қалғандар)",
         "ru": "окончены / (зарегистрированы + остаток прошлых периодов)",
         "en": "completed / (registered + carried over from earlier periods)"},
        _caseload, "completed", "registered", "carried_over",
    ),
)

READINGS: Mapping[str, Reading] = MappingProxyType({reading.code: reading for reading in _READINGS})
DEFAULT_READING: str = "department"


def clearance(inputs: ClearanceInputs, reading: str = DEFAULT_READING) -> float | None:
    """Clearance of ``inputs`` under ``reading`` (a key of READINGS): a share 0..1, None with nothing to divide."""
    try:
        chosen = READINGS[reading]
    except KeyError:
        raise ValueError(f"unknown clearance reading {reading!r}; known: {', '.join(READINGS)}") from None
    return chosen.value(inputs)


def every_reading(inputs: ClearanceInputs) -> dict[str, float | None]:
    """Clearance of ``inputs`` under every reading, in the order READINGS lists them."""
    return {code: reading.value(inputs) for code, reading in READINGS.items()}
