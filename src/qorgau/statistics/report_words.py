"""The words of the offence report in kk, ru and en: titles, section and column names, classes, severities."""

# The report prints the department's own vocabulary (АППГ, раскрываемость, окончены), so its words live beside
# the report rather than in the API's message catalogue, which holds error messages.

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")

_WORDS: Mapping[str, Mapping[str, str]] = {
    "ru": {
        "title": "Сведения о зарегистрированных правонарушениях и их раскрываемости за {period} в сравнении с АППГ",
        "subtitle": "Территория: {area}. Источник: реестр правонарушений Qorgau (ЕРДР, протоколы об АП).",
        "area_all": "весь район",
        "generated_included": "Включены сгенерированные (демонстрационные) записи.",
        "generated_excluded": "Сгенерированные (демонстрационные) записи не учтены.",
        "appg_period": "АППГ: {period}.",
        "s_totals": "1. Общие показатели",
        "s_groups": "2. По группам статей",
        "s_districts": "3. По участкам",
        "s_settlements": "4. По населённым пунктам",
        "s_severity": "5. По тяжести (уголовные правонарушения)",
        "s_clearance": "6. Раскрываемость уголовных правонарушений",
        "c_indicator": "Показатель", "c_current": "{year} г.", "c_previous": "АППГ ({year} г.)",
        "c_change": "+/−", "c_change_pct": "+/− %", "c_share": "Удельный вес", "c_rate": "На 10 тыс. населения",
        "c_group": "Группа статей", "c_district": "Участок", "c_settlement": "Населённый пункт",
        "c_severity": "Категория тяжести",
        "registered": "Зарегистрировано правонарушений, всего",
        "criminal": "уголовных правонарушений",
        "crime": "в т.ч. преступлений", "misdemeanour": "в т.ч. уголовных проступков",
        "administrative": "административных правонарушений",
        "rate": "Уголовных правонарушений на 10 тыс. населения",
        "sent_to_court": "Направлено в суд",
        "terminated_non_rehabilitating": "Прекращено по нереабилитирующим основаниям",
        "completed": "Окончено (в суд + прекращено по нереабилитирующим)",
        "interrupted": "Прерваны сроки",
        "clearance": "Раскрываемость, % ({reading})",
        "clearance_note": "Раскрываемость по расчёту «{reading}»: {formula}. "
                          "Учтены уголовные правонарушения, зарегистрированные в периоде, по их текущему состоянию.",
        "points_note": "Изменение раскрываемости в графе «+/−» — в процентных пунктах.",
        "no_district": "не привязано к участку", "no_settlement": "не указан",
        "minor": "небольшой тяжести", "medium": "средней тяжести", "grave": "тяжкие",
        "especially_grave": "особо тяжкие", "no_severity": "уголовные проступки (без категории)",
    },
    "kk": {
        "title": "{period} ішінде тіркелген құқық бұзушылықтар және олардың ашылуы туралы мәліметтер "
                 "(өткен жылдың сәйкес кезеңімен салыстырғанда)",
        "subtitle": "Аумақ: {area}. Дереккөз: Qorgau құқық бұзушылықтар тізілімі (БСТТ, ӘҚБ хаттамалары).",
        "area_all": "бүкіл аудан",
        "generated_included": "Генерацияланған (көрсетілім) жазбалар қосылған.",
        "generated_excluded": "Генерацияланған (көрсетілім) жазбалар есепке алынбаған.",
        "appg_period": "Өткен жылдың сәйкес кезеңі (ӨЖСК): {period}.",
        "s_totals": "1. Жалпы көрсеткіштер",
        "s_groups": "2. Баптар топтары бойынша",
        "s_districts": "3. Учаскелер бойынша",
        "s_settlements": "4. Елді мекендер бойынша",
        "s_severity": "5. Ауырлығы бойынша (қылмыстық құқық бұзушылықтар)",
        "s_clearance": "6. Қылмыстық құқық бұзушылықтардың ашылуы",
        "c_indicator": "Көрсеткіш", "c_current": "{year} ж.", "c_previous": "ӨЖСК ({year} ж.)",
        "c_change": "+/−", "c_change_pct": "+/− %", "c_share": "Үлес салмағы", "c_rate": "10 мың тұрғынға",
        "c_group": "Баптар тобы", "c_district": "Учаске", "c_settlement": "Елді мекен",
        "c_severity": "Ауырлық санаты",
        "registered": "Тіркелген құқық бұзушылықтар, барлығы",
        "criminal": "қылмыстық құқық бұзушылықтар",
        "crime": "оның ішінде қылмыстар", "misdemeanour": "оның ішінде қылмыстық теріс қылықтар",
        "administrative": "әкімшілік құқық бұзушылықтар",
        "rate": "10 мың тұрғынға шаққандағы қылмыстық құқық бұзушылықтар",
        "sent_to_court": "Сотқа жіберілді", "terminated_non_rehabilitating": "Ақтамайтын негіздер бойынша тоқтатылды",
        "completed": "Аяқталды (сотқа + ақтамайтын негіздер бойынша тоқтатылды)",
        "interrupted": "Мерзімі үзілді",
        "clearance": "Ашылуы, % ({reading})",
        "clearance_note": "«{reading}» есебі бойынша ашылуы: {formula}. "
                          "Кезеңде тіркелген қылмыстық құқық бұзушылықтар қазіргі жай-күйі бойынша есептелді.",
        "points_note": "Ашылудың «+/−» бағанындағы өзгерісі — пайыздық тармақпен.",
        "no_district": "учаскеге байланбаған", "no_settlement": "көрсетілмеген",
        "minor": "онша ауыр емес", "medium": "ауырлығы орташа", "grave": "ауыр",
        "especially_grave": "аса ауыр", "no_severity": "қылмыстық теріс қылықтар (санатсыз)",
    },
    "en": {
        "title": "Registered offences and their clearance for {period} compared with the same period last year",
        "subtitle": "Area: {area}. Source: Qorgau's registry of offences (ЕРДР entries, administrative protocols).",
        "area_all": "the whole district",
        "generated_included": "Generated (demonstration) records are included.",
        "generated_excluded": "Generated (demonstration) records are not counted.",
        "appg_period": "Same period last year: {period}.",
        "s_totals": "1. Totals",
        "s_groups": "2. By article group",
        "s_districts": "3. By police district",
        "s_settlements": "4. By settlement",
        "s_severity": "5. By severity (criminal offences)",
        "s_clearance": "6. Clearance of criminal offences",
        "c_indicator": "Indicator", "c_current": "{year}", "c_previous": "Last year ({year})",
        "c_change": "+/−", "c_change_pct": "+/− %", "c_share": "Share", "c_rate": "Per 10,000 residents",
        "c_group": "Article group", "c_district": "Police district", "c_settlement": "Settlement",
        "c_severity": "Severity",
        "registered": "Offences registered, total",
        "criminal": "criminal offences",
        "crime": "of which crimes", "misdemeanour": "of which criminal misdemeanours",
        "administrative": "administrative offences",
        "rate": "Criminal offences per 10,000 residents",
        "sent_to_court": "Sent to court", "terminated_non_rehabilitating": "Terminated on non-rehabilitating grounds",
        "completed": "Completed (to court + terminated on non-rehabilitating grounds)",
        "interrupted": "Interrupted",
        "clearance": "Clearance, % ({reading})",
        "clearance_note": "Clearance by the reading \"{reading}\": {formula}. "
                          "Counts the criminal offences registered in the period, by their status now.",
        "points_note": "The change of clearance in the \"+/−\" column is in percentage points.",
        "no_district": "no police district", "no_settlement": "not given",
        "minor": "minor", "medium": "medium", "grave": "grave",
        "especially_grave": "especially grave", "no_severity": "criminal misdemeanours (no category)",
    },
}


# Article groups of the registry's article list (offences/data/articles.csv), named as the forms' rows are.
_GROUPS: Mapping[str, tuple[str, str, str]] = {
    "bribery": ("Пара алу-беру", "Взяточничество", "Bribery"),
    "brigandage": ("Қарақшылық", "Разбой", "Brigandage"),
    "domestic": ("Отбасылық-тұрмыстық құқық бұзушылықтар", "Семейно-бытовые правонарушения", "Domestic offences"),
    "drugs": ("Есірткі қылмыстары", "Наркопреступления", "Drug offences"),
    "drunk_driving": ("Мас күйінде көлік басқару", "Управление в состоянии опьянения", "Drunk driving"),
    "embezzlement": ("Иемденіп алу және ысырап ету", "Присвоение и растрата", "Embezzlement"),
    "extortion": ("Қорқытып алушылық", "Вымогательство", "Extortion"),
    "fraud": ("Алаяқтық", "Мошенничество", "Fraud"),
    "grievous_harm": ("Денсаулыққа ауыр зиян келтіру", "Тяжкий вред здоровью", "Grievous bodily harm"),
    "hooliganism": ("Бұзақылық", "Хулиганство", "Hooliganism"),
    "medium_harm": ("Денсаулыққа орташа ауырлықтағы зиян", "Вред здоровью средней тяжести", "Medium bodily harm"),
    "minor_harm": ("Денсаулыққа жеңіл зиян", "Лёгкий вред здоровью", "Minor bodily harm"),
    "murder": ("Кісі өлтіру", "Убийство", "Murder"),
    "other": ("Басқалары", "Прочие", "Other"),
    "petty_hooliganism": ("Ұсақ бұзақылық", "Мелкое хулиганство", "Petty hooliganism"),
    "petty_theft": ("Ұсақ ұрлық", "Мелкое хищение", "Petty theft"),
    "property_damage": ("Мүлікті бүлдіру", "Повреждение имущества", "Property damage"),
    "public_drunkenness": ("Қоғамдық орында мас күйде жүру", "Появление в общественном месте в состоянии опьянения",
                           "Public drunkenness"),
    "rape": ("Зорлау", "Изнасилование", "Rape"),
    "robbery": ("Тонау", "Грабёж", "Robbery"),
    "theft": ("Ұрлық", "Кража", "Theft"),
    "threat": ("Қорқыту", "Угроза", "Threat"),
    "traffic": ("Жол жүрісі қағидаларын бұзу", "Нарушение правил дорожного движения", "Traffic offences"),
    "traffic_fatal": ("Адам қазасымен аяқталған жол-көлік оқиғалары", "ДТП со смертельным исходом",
                      "Fatal road accidents"),
    "vehicle_theft": ("Көлік құралын айдап әкету", "Угон транспортных средств", "Vehicle theft"),
    "weapons": ("Қаруды заңсыз айналымға салу", "Незаконный оборот оружия", "Illegal weapons"),
}


def words(language: str) -> Mapping[str, str]:
    """The report's words in ``language`` (one of LANGUAGES)."""
    return _WORDS[language]


def group_name(code: str, language: str) -> str:
    """An article group's name in ``language``; an unknown group (an edited article list) prints its code."""
    names = _GROUPS.get(code)
    return names[LANGUAGES.index(language)] if names else code
