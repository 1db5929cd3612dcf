"""Geocoding: the query parser (pure) and resolution against the generated Aksai model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qorgau.city.dataset import ModelData
from qorgau.city.geocode import Gazetteer, gazetteer_of, parse_coordinates, parse_microdistrict, split_house
from qorgau.city.geometry import haversine_m
from qorgau.city.names import fold, name_key
from qorgau.core.errors import QorgauError

BURLIN = (52.715065, 51.427292)
AKSAI = (53.011478, 51.173893)


@pytest.fixture(scope="module")
def gazetteer(aksai_data: ModelData) -> Gazetteer:
    return gazetteer_of(aksai_data.boundary, aksai_data.places)


@pytest.mark.parametrize(("text", "expected"), [
    ("51.17, 53.01", (51.17, 53.01)), ("53.011478 51.173893", (53.011478, 51.173893)),
    ("51,17 53,01", (51.17, 53.01)), ("51.17;53.01", (51.17, 53.01)), ("-1.5, +2.25", (-1.5, 2.25)),
    ("Советская 12", None), ("51, 53", None), ("4 мкр", None),
])
def test_parse_coordinates(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_coordinates(text) == expected


@given(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False), st.sampled_from([", ", " ", ";"]))
def test_coordinates_round_trip(lat: float, lon: float, separator: str) -> None:
    assert parse_coordinates(f"{lat:.6f}{separator}{lon:.6f}") == (float(f"{lat:.6f}"), float(f"{lon:.6f}"))


@pytest.mark.parametrize(("text", "number"), [
    ("4 мкр", 4), ("мкр 4", 4), ("мкр. 5, д. 3", 5), ("микрорайон 10", 10), ("10-й микрорайон", 10),
    ("5 шағын аудан", 5), ("Microdistrict 4", 4), ("4мкр", 4), ("Советская 4", None), ("мкр", None),
])
def test_parse_microdistrict(text: str, number: int | None) -> None:
    assert parse_microdistrict(text) == number


@pytest.mark.parametrize(("text", "expected"), [
    ("Советская 12", ("Советская", 12, "12")), ("ул. Советская, 12", ("ул. Советская", 12, "12")),
    ("ул. Советская, д. 12а", ("ул. Советская", 12, "12а")), ("12 Sovetskaya St", ("Sovetskaya St", 12, "12")),
    ("Заводская 7/1", ("Заводская", 7, "7/1")), ("Улица 1 12", ("Улица 1", 12, "12")), ("Советская", None),
])
def test_split_house(text: str, expected: tuple[str, int, str] | None) -> None:
    assert split_house(text) == expected


LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІabcxyz-.,"


@given(st.text(alphabet=LETTERS, max_size=30))
def test_name_keys_ignore_case_and_are_stable(text: str) -> None:
    assert name_key(text.upper()) == name_key(text.lower())
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize("query", ["Советская 12", "ул. Советская, 12", "Sovetskaya St 12", "SOVETSKAYA 12",
                                   "советская көшесі 12", "12 Советская", "Ақсай, Советская 12"])
def test_street_and_house_in_any_spelling(gazetteer: Gazetteer, query: str) -> None:
    found = gazetteer.resolve(query, "ru")
    reference = gazetteer.resolve("Советская 12", "ru")
    assert (found.lon, found.lat) == (reference.lon, reference.lat)
    assert found.kind == "address" and found.generated and found.label == "Советская, 12"


def test_house_numbers_are_interpolated_along_the_street(gazetteer: Gazetteer) -> None:
    first, tenth, far = (gazetteer.resolve(f"Советская {n}") for n in (1, 10, 100))
    step = haversine_m(first.lon, first.lat, tenth.lon, tenth.lat)
    assert 0 < step < haversine_m(first.lon, first.lat, far.lon, far.lat)
    assert gazetteer.resolve("Sovetskaya 12", "en").label == "Sovetskaya Street, 12"
    with pytest.raises(QorgauError) as beyond:
        gazetteer.resolve("Советская 9999")
    assert beyond.value.code == "city.address_not_found"


@pytest.mark.parametrize("query", ["4 мкр", "микрорайон 4", "4 шағын аудан", "мкр. 4"])
def test_microdistricts(gazetteer: Gazetteer, query: str) -> None:
    found = gazetteer.resolve(query, "kk")
    assert found.kind == "microdistrict" and found.label == "4 шағын аудан" and found.generated


@pytest.mark.parametrize("query", ["Бурлин", "Бөрлі", "burlin", "БУРЛИН", "Borli"])
def test_settlements_by_kazakh_russian_or_latin_name(gazetteer: Gazetteer, query: str) -> None:
    found = gazetteer.resolve(query)
    assert (found.lon, found.lat) == BURLIN and found.kind == "settlement" and not found.generated


@pytest.mark.parametrize("query", ["Aksai", "Aksay", "Аксай", "Ақсай", "Aqsai"])
def test_aksai_in_any_spelling(gazetteer: Gazetteer, query: str) -> None:
    assert (gazetteer.resolve(query).lon, gazetteer.resolve(query).lat) == AKSAI


@pytest.mark.parametrize("query", ["51.173893, 53.011478", "53.011478, 51.173893", "51,173893 53,011478"])
def test_coordinates_in_either_order(gazetteer: Gazetteer, query: str) -> None:
    found = gazetteer.resolve(query)
    assert (found.lon, found.lat) == AKSAI and found.kind == "coordinates"


@pytest.mark.parametrize(("query", "code"), [
    ("55.75, 37.62", "city.outside_model"), ("Невская 5", "city.address_not_found"),
    ("Uralsk", "city.address_not_found"), ("  ", "city.address_not_found"), ("99 мкр", "city.address_not_found"),
])
def test_unknown_input_is_a_clear_error_naming_it(gazetteer: Gazetteer, query: str, code: str) -> None:
    with pytest.raises(QorgauError) as error:
        gazetteer.resolve(query)
    assert error.value.code == code and error.value.status == 422
    assert error.value.params["query"].strip() == query.strip()
