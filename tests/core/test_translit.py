"""Latin forms of Russian and Kazakh names (BGN/PCGN without diacritics)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.core.translit import english, latin


@pytest.mark.parametrize(("cyrillic", "expected"), [
    ("Школа №10", "Shkola No. 10"),
    ("Детский сад № 3", "Detskiy sad No. 3"),
    ("Ақсай", "Aqsay"),
    ("Аксай", "Aksay"),
    ("Шығыс көшесі", "Shyghys koshesi"),
    ("Бөрлі аудандық ауруханасы", "Borli audandyq aurukhanasy"),
    ("Әділет басқармасы", "Adilet basqarmasy"),
    ("Жаңа өмір", "Zhanga omir"),
    ("Ұлы дала", "Uly dala"),
    ("Үміт", "Umit"),
    ("Һ", "H"),
    ("Ерлан Ёлкин", "Yerlan Yolkin"),
    ("Подъезд", "Podyezd"),
    ("Объект", "Obyekt"),
    ("Щучинск", "Shchuchinsk"),
    ("Пост охраны", "Post okhrany"),
    ("Цех, Чапаев, Юрьев, Ямал, Эмба", "Tsekh, Chapayev, Yuryev, Yamal, Emba"),
    ("ЦОН г. Аксай", "TSON g. Aksay"),
    ("Шымкент", "Shymkent"),
    ("ул. Советская, 12", "ul. Sovetskaya, 12"),
    ("Ситуационный центр", "Situatsionnyy tsentr"),
    ("School No. 3", "School No. 3"),
])
def test_latin_spells_russian_and_kazakh_names(cyrillic: str, expected: str) -> None:
    assert latin(cyrillic) == expected


def test_english_prefers_the_given_form() -> None:
    assert english("School No. 10", "Школа №10") == "School No. 10"
    assert english(None, "Школа №10", "№10 мектеп") == "Shkola No. 10"
    assert english("  ", None, "№10 мектеп") == "No. 10 mektep"
    assert english(None) == ""


LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"


@given(st.text(alphabet=LETTERS + LETTERS.upper() + " -.,0123456789"))
def test_latin_leaves_no_cyrillic_and_is_stable(text: str) -> None:
    result = latin(text)
    assert all(ord(ch) < 128 for ch in result)
    assert latin(result) == result
