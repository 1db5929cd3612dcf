import pytest

from qorgau.core.errors import QorgauError
from qorgau.core.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize("key", [0, 17, "abc", [3, "x"], {"seq": 9}])
def test_cursor_round_trip(key: object) -> None:
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "////"])
def test_bad_cursor_is_a_client_error(garbage: str) -> None:
    with pytest.raises(QorgauError) as caught:
        decode_cursor(garbage)
    assert caught.value.status == 400


@pytest.mark.parametrize("key", ["abc", [1], {"a": 1}, -1, 2**64, True, 1.5])
def test_integer_cursor_rejects_other_keys(key: object) -> None:
    from qorgau.core.pagination import decode_int_cursor

    with pytest.raises(QorgauError):
        decode_int_cursor(encode_cursor(key))
    assert decode_int_cursor(encode_cursor(42)) == 42
    assert decode_int_cursor(None) is None
