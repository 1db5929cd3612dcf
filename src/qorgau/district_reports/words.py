"""The report's words in Kazakh, Russian and English (the exported files are read outside the web app)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Отчёт по участкам и участковым инспекторам полиции",
        "subtitle": "Сервисная модель полиции: население, пешая доступность, происшествия, обращения, "
                    "удовлетворённость жителей",
        "districts": "По участкам", "part.people": "население, доступность, происшествия",
        "part.service": "обращения и отзывы жителей",
        "inspectors": "По участковым инспекторам", "town": "Итого по городу",
        "number": "№", "district": "Участок", "inspector": "Участковый инспектор", "inspectors_col": "Инспекторы",
        "residents": "Жителей", "per_inspector": "Жителей на инспектора", "walk": "В {minutes} мин пешком",
        "incidents": "Происшествия", "received": "Обращений поступило", "answered": "Отвечено",
        "on_time": "В срок", "overdue": "Просрочено", "open": "Не закрыто", "on_time_share": "Доля в срок",
        "requests": "Запрошено отзывов", "answers": "Получено отзывов", "mean": "Средняя оценка",
        "satisfied": "Удовлетворены (4–5)", "response": "Доля ответивших", "flags": "Отметки",
        "districts_of": "Участки", "unassigned": "Не назначен",
        "flag.over_norm": "выше нормы", "flag.low_coverage": "низкая доступность",
        "flag.overdue_appeals": "просрочки", "flag.low_satisfaction": "низкая удовлетворённость",
        "note.districts": "Участки в редакции № {version}, действующей на конец периода. Норма: {norm} жителей "
                          "на инспектора.",
        "note.coverage": "Пешая доступность рассчитана по сегодняшним пунктам полиции (МОП, УПП, отдел) при "
                         "скорости {speed} км/ч.",
        "note.period": "Происшествия и обращения учтены по месту и времени поступления; отзывы — по запросам "
                       "периода и ответам до его конца.",
        "note.simulated": "В отчёт включены данные симулятора.",
    },
    "kk": {
        "title": "Учаскелер мен учаскелік полиция инспекторлары бойынша есеп",
        "subtitle": "Полицияның сервистік моделі: тұрғындар, жаяу қолжетімділік, оқиғалар, өтініштер, "
                    "тұрғындардың қанағаттануы",
        "districts": "Учаскелер бойынша", "part.people": "тұрғындар, қолжетімділік, оқиғалар",
        "part.service": "өтініштер мен тұрғындар пікірлері",
        "inspectors": "Учаскелік инспекторлар бойынша", "town": "Қала бойынша барлығы",
        "number": "№", "district": "Учаске", "inspector": "Учаскелік инспектор", "inspectors_col": "Инспекторлар",
        "residents": "Тұрғындар", "per_inspector": "Бір инспекторға тұрғын", "walk": "Жаяу {minutes} минутта",
        "incidents": "Оқиғалар", "received": "Түскен өтініштер", "answered": "Жауап берілді",
        "on_time": "Мерзімінде", "overdue": "Мерзімі өткен", "open": "Жабылмаған", "on_time_share": "Мерзімінде үлесі",
        "requests": "Сұралған пікірлер", "answers": "Алынған пікірлер", "mean": "Орташа баға",
        "satisfied": "Қанағаттанған (4–5)", "response": "Жауап бергендер үлесі", "flags": "Белгілер",
        "districts_of": "Учаскелер", "unassigned": "Тағайындалмаған",
        "flag.over_norm": "нормадан жоғары", "flag.low_coverage": "қолжетімділік төмен",
        "flag.overdue_appeals": "мерзімі өткендер", "flag.low_satisfaction": "қанағаттану төмен",
        "note.districts": "Кезең соңында қолданыста болған № {version} нұсқадағы учаскелер. Норма: бір "
                          "инспекторға {norm} тұрғын.",
        "note.coverage": "Жаяу қолжетімділік бүгінгі полиция пункттері (МПП, УПП, бөлім) бойынша {speed} км/сағ "
                         "жылдамдықпен есептелді.",
        "note.period": "Оқиғалар мен өтініштер түскен орны мен уақыты бойынша, пікірлер кезеңдегі сұраулар мен "
                       "кезең соңына дейінгі жауаптар бойынша есептелді.",
        "note.simulated": "Есепке симулятор деректері енгізілген.",
    },
    "en": {
        "title": "Report by police district and district inspector",
        "subtitle": "The service model of policing: residents, walking coverage, incidents, appeals, residents' "
                    "satisfaction",
        "districts": "By district", "part.people": "residents, coverage, incidents",
        "part.service": "appeals and residents' feedback", "inspectors": "By inspector", "town": "Town total",
        "number": "No.", "district": "District", "inspector": "District inspector", "inspectors_col": "Inspectors",
        "residents": "Residents", "per_inspector": "Residents per inspector", "walk": "Within {minutes} min walk",
        "incidents": "Incidents", "received": "Appeals received", "answered": "Answered",
        "on_time": "On time", "overdue": "Overdue", "open": "Open", "on_time_share": "On-time share",
        "requests": "Feedback asked", "answers": "Feedback given", "mean": "Mean score",
        "satisfied": "Satisfied (4–5)", "response": "Response rate", "flags": "Flags",
        "districts_of": "Districts", "unassigned": "Not assigned",
        "flag.over_norm": "over the norm", "flag.low_coverage": "low coverage",
        "flag.overdue_appeals": "overdue appeals", "flag.low_satisfaction": "low satisfaction",
        "note.districts": "Districts of version {version}, in force at the period's end. Norm: {norm} residents "
                          "per inspector.",
        "note.coverage": "Walking coverage from today's police points (posts, reception points, the department) "
                         "at {speed} km/h.",
        "note.period": "Incidents and appeals counted by where and when they came in; feedback by the period's "
                       "requests and their answers before its end.",
        "note.simulated": "The simulator's data is included.",
    },
}
