"""The Smart Aqsai plan as seed data, with exactly the plan's numbers (`qorgau devices seed-aksai`, idempotent).

469 cameras = 293 public space and yards + 25 at 8 intersections + 7 speed points + 8 at 4 city entries
+ 113 at 36 social objects + 23 at the 5 МОП and the situation center; an alarm panel with panic buttons at
each social object; turnstiles where such institutions have them; 12 SOS terminals.

The split the plan leaves open (docs/adr/0012-device-registry.md):
- 293 = 173 public-space cameras (58 public areas: 57 × 3 + 1 × 2) + 120 yard cameras (40 yards × 3).
- 8 intersections: the main crossing 4 cameras (one per approach), the other seven 3 each (7 × 3 + 4 = 25).
- 4 entries × 2 ANPR cameras (inbound and outbound lanes); 7 speed points × 1.
- 36 social objects: 10 schools × 4 cameras, 12 kindergartens × 3, 2 colleges × 4, the district hospital 6,
  2 polyclinics × 3, the district akimat 5, 8 other state institutions 12 (4 × 2 + 4 × 1) = 113.
- Panic buttons (panel zones): school 3, kindergarten 2, college 3, hospital 3, polyclinic 2, akimat 2, other 1–2
  = 79. Turnstiles: school 2, college 2, akimat 2, court, prosecutor's office and tax office 1 = 29.
- 5 МОП × 4 cameras + situation center 3 = 23. SOS terminals at the 12 busiest public areas, each reachable
  over SIP (user 7001…) and MQTT (client id aksai-sos-001…).

Cameras look at what they guard: those of a social object stand around it and face its entrance, where the
panel's guard post and the turnstiles are; those of a public area face its middle, where the SOS terminal
stands; yard cameras face the yard, intersection cameras the crossing. (They used to face away from their
site, so no panel or terminal was in any camera's view.) Every site has its street address from the city
model, and sites and devices an English name.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context
from qorgau.devices import geo, sites
from qorgau.devices.enums import CameraPurpose as P
from qorgau.devices.enums import DeviceKind, Lifecycle, SiteKind, SiteSubtype, ZoneKind
from qorgau.devices.models import Device
from qorgau.devices.planner import SitePlanner, Spot
from qorgau.devices.schemas import DeviceFields, ImportResult, SiteFields
from qorgau.devices.service import Spec, apply, counted

S = SiteSubtype
PUBLIC_AREAS, PUBLIC_CAMERAS, YARDS, CAMERAS_PER_YARD = 58, 173, 40, 3
INTERSECTIONS, INTERSECTION_CAMERAS, SPEED_POINTS, ENTRIES, CAMERAS_PER_ENTRY = 8, 25, 7, 4, 2
POLICE_POSTS, CAMERAS_PER_POST, SITUATION_CENTER_CAMERAS, SOS_TERMINALS = 5, 4, 3, 12
RECEPTION_POINTS = 3  # УПП: generated, no cameras of their own (the plan lists none)


@dataclass(frozen=True)
class SocialObject:
    subtype: SiteSubtype
    name_kk: str
    name_ru: str
    cameras: int
    panic_buttons: int
    turnstiles: int
    name_en: str | None = None


def social_objects() -> list[SocialObject]:
    """The 36 socially significant objects and government institutions of the plan, with their equipment."""
    found = [SocialObject(S.SCHOOL, f"№{i} мектеп", f"Школа №{i}", 4, 3, 2, f"School No. {i}") for i in range(1, 11)]
    found += [SocialObject(S.KINDERGARTEN, f"№{i} балабақша", f"Детский сад №{i}", 3, 2, 0, f"Kindergarten No. {i}")
              for i in range(1, 13)]
    found += [SocialObject(S.COLLEGE, f"№{i} колледж", f"Колледж №{i}", 4, 3, 2, f"College No. {i}")
              for i in range(1, 3)]
    found.append(SocialObject(S.HOSPITAL, "Бөрлі аудандық ауруханасы", "Бурлинская районная больница", 6, 3, 0,
                              "Burli District Hospital"))
    found += [SocialObject(S.POLYCLINIC, f"№{i} емхана", f"Поликлиника №{i}", 3, 2, 0, f"Polyclinic No. {i}")
              for i in range(1, 3)]
    found.append(SocialObject(S.AKIMAT, "Бөрлі ауданының әкімдігі", "Акимат Бурлинского района", 5, 2, 2,
                              "Akimat of Burli District"))
    state = S.STATE_INSTITUTION
    found += [
        SocialObject(state, "Бөрлі аудандық соты", "Бурлинский районный суд", 2, 2, 1, "Burli District Court"),
        SocialObject(state, "Бөрлі ауданының прокуратурасы", "Прокуратура Бурлинского района", 2, 1, 1,
                     "Burli District Prosecutor's Office"),
        SocialObject(state, "Ақсай қ. ХҚКО", "ЦОН г. Аксай", 2, 2, 0, "Aksay Public Service Centre"),
        SocialObject(state, "Мемлекеттік кірістер басқармасы", "Управление государственных доходов", 2, 1, 1,
                     "State Revenue Office"),
        SocialObject(state, "Бөрлі аудандық мәслихаты", "Маслихат Бурлинского района", 1, 1, 0,
                     "Maslikhat of Burli District"),
        SocialObject(state, "Халықты жұмыспен қамту орталығы", "Центр занятости населения", 1, 1, 0,
                     "Employment Centre"),
        SocialObject(state, "Әділет басқармасы", "Управление юстиции", 1, 1, 0, "Justice Office"),
        SocialObject(state, "Әлеуметтік бағдарламалар бөлімі", "Отдел социальных программ", 1, 1, 0,
                     "Social Programmes Department"),
    ]
    return found


# Zone names in kk / ru / en: the desk shows the part of the operator's language.
_PANIC_PLACES = ("Күзет бекеті / Пост охраны / Security post",
                 "Басшы кабинеті / Кабинет руководителя / Head's office", "Қабылдау бөлмесі / Приёмная / Reception")


class _Builder:
    """Accumulates sites and devices in plan order, numbering codes and private-network addresses."""

    def __init__(self, planner: SitePlanner) -> None:
        self.planner = planner
        self.generated = planner.generated
        self.sites: list[SiteFields] = []
        self.devices: list[DeviceFields] = []
        self.counts = {kind: 0 for kind in DeviceKind}
        self.hosts: Counter[int] = Counter()  # cameras per /24 of the camera network 10.7.0.0/16

    def site(self, code: str, kind: SiteKind, spot: Spot, kk: str, ru: str, subtype: S | None = None,
             en: str | None = None) -> SiteFields:
        site = SiteFields(code=code, kind=kind, subtype=subtype, name_kk=kk, name_ru=ru, name_en=en, lon=spot.lon,
                          lat=spot.lat, address=self.planner.address(spot.lon, spot.lat), generated=self.generated)
        self.sites.append(site)
        return site

    def _code(self, kind: DeviceKind) -> str:
        self.counts[kind] += 1
        prefix, width = {DeviceKind.CAMERA: ("CAM", 4), DeviceKind.SOS_TERMINAL: ("SOS", 2),
                         DeviceKind.ALARM_PANEL: ("PNL", 2), DeviceKind.ACCESS_POINT: ("ACC", 3)}[kind]
        return f"{prefix}-{self.counts[kind]:0{width}d}"

    def cameras(self, site: SiteFields, spot: Spot, purpose: P, n: int, subnet: int, *, spread: float = 360.0,
                distance_m: float = 12.0, facing_in: bool = False) -> None:
        """``n`` cameras around the site point, headings fanned over ``spread`` degrees from the spot's."""
        for j in range(n):
            heading = (spot.heading_deg + (spread / n) * j) % 360
            lon, lat = geo.offset(spot.lon, spot.lat, *_towards(heading, distance_m))
            if facing_in:
                heading = (heading + 180) % 360
            self.hosts[subnet] += 1
            base = f"rtsp://10.7.{subnet}.{10 + self.hosts[subnet]}:554/Streaming/Channels"
            self.devices.append(DeviceFields(
                code=self._code(DeviceKind.CAMERA), kind=DeviceKind.CAMERA, purpose=purpose,
                name_kk=f"{site.name_kk}, {j + 1}-камера", name_ru=f"{site.name_ru}, камера {j + 1}",
                name_en=f"{site.name_en}, camera {j + 1}" if site.name_en else None, site_code=site.code,
                lon=round(lon, 7), lat=round(lat, 7), heading_deg=round(heading, 1),
                stream_main=f"{base}/101", stream_sub=f"{base}/102", lifecycle=Lifecycle.COMMISSIONED,
                generated=self.generated))

    def device(self, kind: DeviceKind, site: SiteFields, names: tuple[str, str, str | None], east_m: float,
               **extra: object) -> None:
        lon, lat = geo.offset(site.lon, site.lat, east_m, -6.0)
        kk, ru, en = names
        self.devices.append(DeviceFields.model_validate({
            "code": self._code(kind), "kind": kind, "name_kk": kk, "name_ru": ru, "name_en": en,
            "site_code": site.code,
            "lon": round(lon, 7), "lat": round(lat, 7), "lifecycle": Lifecycle.COMMISSIONED,
            "generated": self.generated, **extra}))


def _towards(heading: float, distance_m: float) -> tuple[float, float]:
    return distance_m * math.sin(math.radians(heading)), distance_m * math.cos(math.radians(heading))


def build(planner: SitePlanner) -> tuple[list[SiteFields], list[DeviceFields]]:
    """Every site and device of the plan, positioned by ``planner``; deterministic for a given planner."""
    b = _Builder(planner)
    areas = planner.block_points(PUBLIC_AREAS, yards=False)
    for k, spot in enumerate(areas, 1):
        site = b.site(f"PA-{k:03d}", SiteKind.PUBLIC_AREA, spot, f"№{k} қоғамдық орын", f"Общественное место №{k}",
                      en=f"Public area No. {k}")
        b.cameras(site, spot, P.PUBLIC_SPACE, 3 if k < PUBLIC_AREAS else PUBLIC_CAMERAS - 3 * (PUBLIC_AREAS - 1),
                  1 + (k - 1) // 40, spread=240.0, facing_in=True)
    for k, spot in enumerate(planner.block_points(YARDS, yards=True), 1):
        site = b.site(f"YD-{k:02d}", SiteKind.PUBLIC_AREA, spot, f"№{k} аула", f"Двор №{k}", en=f"Yard No. {k}")
        b.cameras(site, spot, P.YARD, CAMERAS_PER_YARD, 3 + (k - 1) // 40, distance_m=25.0, facing_in=True)
    for k, spot in enumerate(planner.intersections(INTERSECTIONS), 1):
        site = b.site(f"X-{k}", SiteKind.INTERSECTION, spot, spot.label_kk or f"№{k} қиылыс",
                      spot.label_ru or f"Перекрёсток №{k}", en=None if spot.label_ru else f"Intersection No. {k}")
        b.cameras(site, spot, P.INTERSECTION, 4 if k == 1 else 3, 10, distance_m=15.0, facing_in=True)
    for k, spot in enumerate(planner.speed_points(SPEED_POINTS), 1):
        site = b.site(f"SPD-{k}", SiteKind.SPEED_POINT, spot, f"№{k} жылдамдықты бақылау нүктесі",
                      f"Пункт контроля скорости №{k}", en=f"Speed check point No. {k}")
        b.cameras(site, Spot(spot.lon, spot.lat, spot.heading_deg + 180), P.SPEED, 1, 11, distance_m=3.0)
    for k, spot in enumerate(planner.city_entries(ENTRIES), 1):
        site = b.site(f"ENT-{k}", SiteKind.CITY_ENTRY, spot, spot.label_kk or f"№{k} кіреберіс",
                      spot.label_ru or f"Въезд №{k}", en=None if spot.label_ru else f"City entry No. {k}")
        b.cameras(site, spot, P.CITY_ENTRY_ANPR, CAMERAS_PER_ENTRY, 12, distance_m=5.0, spread=360.0)
    for k, (plan, spot) in enumerate(zip(social_objects(), _institution_spots(planner), strict=True), 1):
        site = b.site(f"OBJ-{k:02d}", SiteKind.SOCIAL_OBJECT, spot, plan.name_kk, plan.name_ru, plan.subtype,
                      en=plan.name_en)
        b.cameras(site, spot, P.SOCIAL_OBJECT, plan.cameras, 20 + k, distance_m=20.0, facing_in=True)
        zones = [{"number": z + 1, "kind": ZoneKind.PANIC, "name": _PANIC_PLACES[z % 3]}
                 for z in range(plan.panic_buttons)]
        b.device(DeviceKind.ALARM_PANEL, site, (f"Дабыл панелі, {plan.name_kk}", f"Тревожная панель, {plan.name_ru}",
                 f"Alarm panel, {plan.name_en}"), 0.0, zones=zones,
                 identifiers={"dc09": {"receiver": "1", "line": "1", "account": f"{1000 + k}"}})
        for t in range(1, plan.turnstiles + 1):
            b.device(DeviceKind.ACCESS_POINT, site, (f"{t}-турникет, {plan.name_kk}", f"Турникет {t}, {plan.name_ru}",
                     f"Turnstile {t}, {plan.name_en}"), 3.0 * t,
                     identifiers={"mqtt_client_id": f"aksai-acc-{b.counts[DeviceKind.ACCESS_POINT] + 1:03d}"})
    # One greedy placement for МОП and УПП together: the first five are the МОП as before, the next ones the
    # reception points where the posts leave the most residents beyond a walk.
    police_spots = planner.police_posts(POLICE_POSTS + RECEPTION_POINTS)
    for k, spot in enumerate(police_spots[:POLICE_POSTS], 1):
        site = b.site(f"MOP-{k}", SiteKind.POLICE_POST, spot, f"№{k} модульдік тірек пункті",
                      f"Модульный опорный пункт №{k}", en=f"Modular police post No. {k}")
        b.cameras(site, spot, P.POLICE_POST, CAMERAS_PER_POST, 60 + k, distance_m=6.0)
    for k, spot in enumerate(police_spots[POLICE_POSTS:], 1):
        b.site(f"UPP-{k}", SiteKind.RECEPTION_POINT, spot, f"№{k} учаскелік полиция пункті",
               f"Участковый пункт полиции №{k}", en=f"District police reception point No. {k}")
    spot = planner.situation_center()
    site = b.site("SC-1", SiteKind.SITUATION_CENTER, spot, "Жағдайлық орталық", "Ситуационный центр",
                  en="Situation centre")
    b.cameras(site, spot, P.SITUATION_CENTER, SITUATION_CENTER_CAMERAS, 70, distance_m=10.0)
    for k, area in enumerate(b.sites[:SOS_TERMINALS], 1):
        b.device(DeviceKind.SOS_TERMINAL, area, (f"SOS терминалы, {area.name_kk}", f"SOS-терминал, {area.name_ru}",
                 f"SOS terminal, {area.name_en}"), -4.0,
                 identifiers={"sip_user": f"{7000 + k}", "mqtt_client_id": f"aksai-sos-{k:03d}"})
    return b.sites, b.devices


def _institution_spots(planner: SitePlanner) -> list[Spot]:
    """One spot per social object, asked of the planner kind by kind (social_objects() is grouped by kind)."""
    wanted = Counter(o.subtype for o in social_objects())
    return [spot for subtype, n in wanted.items() for spot in planner.institutions(subtype, n)]


@dataclass(frozen=True)
class SeedResult:
    sites_changed: int
    devices: ImportResult


def seed(session: Session, planner: SitePlanner, *, actor: audit.Actor, ctx: Context,
         simulated: bool = False) -> SeedResult:
    """Bring the registry to the plan: create what is missing, correct what differs, leave the rest.

    ``simulated`` marks every device of the plan as driven by the simulator (new and existing ones alike);
    without it each existing device keeps the flag it has.
    """
    site_rows, device_rows = build(planner)
    if simulated:
        marked = {d.code for d in device_rows}
    else:
        marked = set(session.scalars(select(Device.code).where(Device.simulated.is_(True))))
    device_rows = [d.model_copy(update={"simulated": True}) if d.code in marked else d for d in device_rows]
    changed = sum(1 for fields in site_rows if sites.upsert(session, fields)[1])
    outcomes = apply(session, [Spec(d, locator=i) for i, d in enumerate(device_rows, 1)], actor=actor, ctx=ctx,
                     checked=False)
    return SeedResult(changed, counted(outcomes))
