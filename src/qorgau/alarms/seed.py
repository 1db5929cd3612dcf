"""Default rules and procedures for the Aksai equipment, installed once with the database (migration 0007).

Priorities (1 highest): school panic and duress 1, fire 3, panic at another social object 5, SOS press 10,
intrusion at night 15, forced door 20 — these sound with the default QORGAU_ALARM_SOUND_MAX_PRIORITY of 20 —
then panel offline 30, a video recording volume full, missing or failing 35, tamper 40, intrusion by day 50, an
unreadable panel signal 90 (a misconfigured panel: kept and ACKed by ingest, noticed here, folded per panel), any
other device offline 100. Video analytics events (migration 0017): an object entering a zone while its rule is
armed 15 (the analytics rule's own schedule says when: a school yard at night), a crowd 40, a stopped vehicle 45,
loitering 50, a line crossing that alerts 60. A camera's picture frozen, covered, defocused or turned away 42
(migration 0019). A read plate on a wanted or stolen list 8, on another list 60 (migration 0024). Admins edit
them freely; `install_defaults` only adds what is missing, so it never overwrites an admin's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qorgau.alarms.models import AlarmRule, Procedure, ProcedureStep
from qorgau.alarms.rulebook import apply_fields
from qorgau.alarms.schemas import RuleFields, Texts
from qorgau.core.time import utcnow


def _t(kk: str, ru: str, en: str) -> Texts:
    return Texts(kk=kk, ru=ru, en=en)


STEPS: dict[str, Texts] = {
    "call_school": _t("Мектепке (күзетке немесе директорға) қоңырау шалу", "Позвонить в школу (охране или директору)",
                      "Call the school (security or the principal)"),
    "call_object": _t("Нысанға қоңырау шалу", "Позвонить на объект", "Call the site"),
    "call_owner": _t("Жауапты адамға қоңырау шалу", "Позвонить ответственному лицу", "Call the keyholder"),
    "call_fire_service": _t("112 арқылы өрт қызметіне хабарлау", "Сообщить в пожарную службу через 112",
                            "Report to the fire service via 112"),
    "answer_call": _t("Қоңырауға жауап беріп, не болғанын анықтау", "Ответить на вызов и выяснить, что случилось",
                      "Answer the call and find out what happened"),
    "view_cameras": _t("Жақын камераларды қарау", "Просмотреть ближайшие камеры", "View the nearest cameras"),
    "dispatch_unit": _t("Жақын нарядты жіберу", "Направить ближайший наряд", "Dispatch the nearest unit"),
    "notify_inspector": _t("Учаскелік полиция инспекторына хабарлау", "Сообщить участковому инспектору полиции",
                           "Notify the district inspector"),
    "record_outcome": _t("Нәтижесін жазу", "Записать итог", "Record the outcome"),
    "check_neighbours": _t("Сол нысандағы басқа құрылғыларды тексеру", "Проверить другие устройства объекта",
                           "Check the site's other devices"),
    "notify_maintenance": _t("Қызмет көрсету ұйымына хабарлау", "Сообщить обслуживающей организации",
                             "Notify the maintenance contractor"),
    "check_panel_settings": _t("Панельдің баптауларын тексеру (хабар пішімі, шот нөмірі, кілт)",
                               "Проверить настройки панели (формат сообщений, номер счёта, ключ)",
                               "Check the panel's settings (message format, account, key)"),
    "check_storage": _t("Бейне сақтау томын тексеру (диск орнында ма, бос орын, қателер)",
                        "Проверить том хранения видео (диск на месте, свободное место, ошибки)",
                        "Check the video storage volume (disk present, free space, errors)"),
    "view_snapshot": _t("Суретті қарап, жазбаны сол сәттен ашу", "Просмотреть снимок и открыть запись с этого момента",
                        "Look at the snapshot and open the recording at that moment"),
    "notify_traffic_police": _t("Жол полициясына хабарлау", "Сообщить в дорожную полицию",
                                "Notify the traffic police"),
    "check_camera_picture": _t("Камераның суретін қарап, объективін, бағытын және фокусын тексеру",
                               "Просмотреть изображение камеры, проверить объектив, направление и фокус",
                               "Look at the camera's picture; check its lens, aim and focus"),
    "check_plate_read": _t("Нөмірдің суретін тізімдегі жазбамен салыстыру (оқу қатесі ме?)",
                           "Сверить снимок номера с записью в списке (не ошибка ли распознавания?)",
                           "Compare the plate's picture with the list entry (is it a misread?)"),
    "follow_vehicle": _t("Көліктің бағытын анықтап, жолдағы камералармен бақылау",
                         "Определить направление автомобиля и вести его по камерам на маршруте",
                         "Find the vehicle's direction and follow it on the cameras along its way"),
}


@dataclass(frozen=True)
class ProcedureSeed:
    code: str
    title: Texts
    steps: tuple[str, ...]


PROCEDURES = (
    ProcedureSeed("school_panic", _t("Мектептегі дабыл", "Тревога в школе", "School alarm"),
                  ("call_school", "view_cameras", "dispatch_unit", "notify_inspector")),
    ProcedureSeed("object_panic", _t("Әлеуметтік нысандағы дабыл", "Тревога на социальном объекте",
                                     "Alarm at a social object"),
                  ("call_object", "view_cameras", "dispatch_unit", "notify_inspector")),
    ProcedureSeed("fire", _t("Өрт дабылы", "Пожарная тревога", "Fire alarm"),
                  ("call_fire_service", "call_object", "view_cameras", "dispatch_unit")),
    ProcedureSeed("sos_call", _t("SOS терминалынан шақыру", "Вызов с терминала SOS", "SOS terminal call"),
                  ("answer_call", "view_cameras", "dispatch_unit", "record_outcome")),
    ProcedureSeed("door_forced", _t("Есік бұзылды", "Взлом двери", "Door forced"),
                  ("view_cameras", "call_object", "dispatch_unit")),
    ProcedureSeed("burglary", _t("Күзет дабылы", "Охранная тревога", "Intrusion alarm"),
                  ("view_cameras", "call_owner", "dispatch_unit")),
    ProcedureSeed("tamper", _t("Құрылғыны бұзу әрекеті", "Вскрытие устройства", "Device tamper"),
                  ("view_cameras", "call_object", "notify_maintenance")),
    ProcedureSeed("device_offline", _t("Құрылғы байланыста жоқ", "Устройство не на связи", "Device offline"),
                  ("check_neighbours", "view_cameras", "call_object", "notify_maintenance")),
    ProcedureSeed("unreadable_signal", _t("Панельден оқылмайтын сигнал", "Нечитаемый сигнал с панели",
                                          "Unreadable signal from a panel"),
                  ("check_panel_settings", "call_object", "notify_maintenance")),
    ProcedureSeed("video_storage", _t("Бейне жазба сақтау орнының ақауы", "Неисправность хранилища видеозаписей",
                                      "Video recording storage trouble"),
                  ("check_storage", "notify_maintenance")),
    ProcedureSeed("video_intrusion", _t("Бейнеаналитика: аймаққа кіру", "Видеоаналитика: проникновение в зону",
                                        "Video analytics: intrusion into a zone"),
                  ("view_snapshot", "view_cameras", "call_object", "dispatch_unit", "record_outcome")),
    ProcedureSeed("video_loitering", _t("Бейнеаналитика: ұзақ тұру", "Видеоаналитика: длительное пребывание",
                                        "Video analytics: loitering"),
                  ("view_snapshot", "view_cameras", "dispatch_unit", "record_outcome")),
    ProcedureSeed("video_crowd", _t("Бейнеаналитика: адамдардың жиналуы", "Видеоаналитика: скопление людей",
                                    "Video analytics: crowd gathering"),
                  ("view_snapshot", "view_cameras", "notify_inspector", "dispatch_unit", "record_outcome")),
    ProcedureSeed("video_stopped_vehicle", _t("Бейнеаналитика: тоқтаған көлік",
                                              "Видеоаналитика: остановившийся автомобиль",
                                              "Video analytics: stopped vehicle"),
                  ("view_snapshot", "view_cameras", "notify_traffic_police", "dispatch_unit", "record_outcome")),
    ProcedureSeed("camera_picture", _t("Камера суретінің ақауы", "Неисправность изображения камеры",
                                       "Camera picture trouble"),
                  ("check_camera_picture", "view_cameras", "dispatch_unit", "notify_maintenance")),
    ProcedureSeed("plate_hit", _t("Іздеудегі көлік нөмірі", "Номер автомобиля из списка розыска",
                                  "Wanted vehicle plate"),
                  ("check_plate_read", "follow_vehicle", "dispatch_unit", "record_outcome")),
)

PANEL, ACCESS, SOS, HEALTH = "ingest.panel_event", "ingest.access_event", "ingest.sos_event", "devices.health_changed"
VOLUME = "video.volume_changed"
ANALYTICS = "video.analytics_event"
PLATE_HIT = "roads.plate_hit"  # a read plate matched a watch list (migration 0024)
# A camera whose picture is frozen, covered, out of focus or turned away (its video worker's verdict, migration 0019).
PICTURE_REASONS = ("picture_frozen", "picture_covered", "picture_defocused", "picture_moved")


def _rule(code: str, kk: str, ru: str, event: str, match: dict[str, list[str]], priority: int, alarm_kind: str,
          procedure: str, category: str | None = None, auto: bool = False, **conditions: Any) -> RuleFields:
    return RuleFields.model_validate({
        "code": code, "name_kk": kk, "name_ru": ru, "event": event, "match": match, "priority": priority,
        "alarm_kind": alarm_kind, "procedure": procedure, "incident_category": category, "auto_incident": auto,
        **conditions,
    })


SCHOOL = {"site_kind": "social_object", "site_subtype": "school"}
RULES = (
    _rule("school_panic", "Мектептегі дабыл түймесі", "Тревожная кнопка в школе", PANEL,
          {"kind": ["panic", "silent_panic"]}, 1, "panic", "school_panic", "school_alarm", True, **SCHOOL),
    _rule("school_duress", "Мектептегі мәжбүрлеу коды", "Код принуждения в школе", PANEL,
          {"kind": ["duress"]}, 1, "duress", "school_panic", "school_alarm", True, **SCHOOL),
    _rule("fire", "Өрт дабылы", "Пожарная тревога", PANEL, {"kind": ["fire"]}, 3, "fire", "fire", "fire", True),
    _rule("object_panic", "Нысандағы дабыл түймесі", "Тревожная кнопка на объекте", PANEL,
          {"kind": ["panic", "silent_panic", "duress"]}, 5, "panic", "object_panic", "public_order", True),
    _rule("sos_press", "SOS түймесі басылды", "Нажата кнопка SOS", SOS, {"action": ["button_pressed"]}, 10, "sos",
          "sos_call", "sos_call"),
    _rule("burglary_night", "Түнгі кіру дабылы", "Проникновение ночью", PANEL, {"kind": ["burglary"]}, 15,
          "burglary", "burglary", "burglary", True, active_from=time(19, 0), active_to=time(7, 0)),
    _rule("door_forced", "Есік бұзылды", "Взлом двери", ACCESS, {"action": ["forced"]}, 20, "door_forced",
          "door_forced", "burglary"),
    _rule("panel_door_forced", "Есік бұзылды (панель)", "Взлом двери (панель)", PANEL, {"kind": ["access_forced"]},
          20, "door_forced", "door_forced", "burglary"),
    _rule("panel_offline", "Дабыл панелі байланыста жоқ", "Тревожная панель не на связи", HEALTH,
          {"current": ["offline"]}, 30, "device_offline", "device_offline", device_kind="alarm_panel"),
    _rule("tamper", "Панельді бұзу әрекеті", "Вскрытие панели", PANEL, {"kind": ["tamper"]}, 40, "tamper", "tamper"),
    _rule("sos_tamper", "SOS терминалын бұзу әрекеті", "Вскрытие терминала SOS", SOS, {"action": ["tamper"]}, 40,
          "tamper", "tamper"),
    _rule("burglary", "Кіру дабылы", "Проникновение", PANEL, {"kind": ["burglary"]}, 50, "burglary", "burglary",
          "burglary"),
    _rule("unreadable_signal", "Панельден оқылмайтын сигнал", "Нечитаемый сигнал с панели", PANEL,
          {"kind": ["unknown"]}, 90, "unreadable_signal", "unreadable_signal"),
    _rule("video_storage", "Бейне жазба сақтау орнының ақауы", "Неисправность хранилища видеозаписей", VOLUME,
          {"current": ["full", "missing", "failing"]}, 35, "video_storage", "video_storage"),
    _rule("video_intrusion", "Бейнеаналитика: аймаққа кіру", "Видеоаналитика: проникновение в зону", ANALYTICS,
          {"kind": ["zone"]}, 15, "video_intrusion", "video_intrusion", "burglary"),
    _rule("video_crowd", "Бейнеаналитика: адамдардың жиналуы", "Видеоаналитика: скопление людей", ANALYTICS,
          {"kind": ["crowd"]}, 40, "video_crowd", "video_crowd", "public_order"),
    _rule("video_stopped_vehicle", "Бейнеаналитика: тоқтаған көлік", "Видеоаналитика: остановившийся автомобиль",
          ANALYTICS, {"kind": ["stopped_vehicle"]}, 45, "video_stopped_vehicle", "video_stopped_vehicle"),
    _rule("video_loitering", "Бейнеаналитика: ұзақ тұру", "Видеоаналитика: длительное пребывание", ANALYTICS,
          {"kind": ["loitering"]}, 50, "video_loitering", "video_loitering"),
    _rule("video_line", "Бейнеаналитика: сызықты кесіп өту", "Видеоаналитика: пересечение линии", ANALYTICS,
          {"kind": ["line"]}, 60, "video_line", "video_intrusion"),
    _rule("camera_picture", "Камера суретінің ақауы", "Неисправность изображения камеры", HEALTH,
          {"current": ["degraded"], "reason": list(PICTURE_REASONS)}, 42, "camera_picture", "camera_picture",
          device_kind="camera"),
    _rule("plate_hit", "Іздеудегі көлік нөмірі", "Номер автомобиля из списка розыска", PLATE_HIT,
          {"kind": ["wanted", "stolen"]}, 8, "plate_hit", "plate_hit", device_kind="camera"),
    _rule("plate_hit_other", "Тізімдегі көлік нөмірі", "Номер автомобиля из списка", PLATE_HIT,
          {}, 60, "plate_hit", "plate_hit", device_kind="camera"),
    _rule("device_offline", "Құрылғы байланыста жоқ", "Устройство не на связи", HEALTH, {"current": ["offline"]},
          100, "device_offline", "device_offline"),
)


@dataclass(frozen=True)
class DefaultRows:
    """The defaults as plain rows, so the migration can insert them without the ORM of a later version."""

    procedures: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    rules: list[dict[str, Any]]


def rows(now: datetime) -> DefaultRows:
    procedures = [{"code": p.code, "title": p.title.model_dump(), "updated_at": now} for p in PROCEDURES]
    steps = [{"procedure_code": p.code, "position": number, "key": key, "text": STEPS[key].model_dump()}
             for p in PROCEDURES for number, key in enumerate(p.steps, 1)]
    rules = []
    for fields in RULES:
        rule = AlarmRule(created_at=now, updated_at=now)
        apply_fields(rule, fields)
        rules.append({c.key: getattr(rule, c.key) for c in AlarmRule.__table__.columns if c.key != "id"})
    return DefaultRows(procedures, steps, rules)


def install_defaults(session: Session) -> tuple[int, int]:
    """Add the default procedures and rules that are missing (by code); returns how many of each were added."""
    defaults = rows(utcnow())
    have_procedures = set(session.scalars(select(Procedure.code)))
    have_rules = set(session.scalars(select(AlarmRule.code)))
    procedures = [p for p in defaults.procedures if p["code"] not in have_procedures]
    steps = [s for s in defaults.steps if s["procedure_code"] not in have_procedures]
    rules = [r for r in defaults.rules if r["code"] not in have_rules]
    if procedures:
        session.execute(insert(Procedure), procedures)
        session.execute(insert(ProcedureStep), steps)
    if rules:
        session.execute(insert(AlarmRule), rules)
    return len(procedures), len(rules)
