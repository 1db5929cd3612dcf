from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select

from qorgau.core import crypto
from qorgau.core.db import Database
from qorgau.settings import Settings


def test_round_trip_and_key_identity() -> None:
    ring = crypto.Keyring([b"a" * 32], current=b"a" * 32)
    token = ring.encrypt("panel-key-0123456789abcdef")
    assert token.startswith(f"enc:v1:{ring.current_id}:")
    assert "panel-key" not in token
    assert ring.decrypt(token) == "panel-key-0123456789abcdef"
    assert ring.encrypt("x") != ring.encrypt("x")  # fresh nonce each time


def test_wrong_or_missing_key_is_a_clear_error() -> None:
    token = crypto.Keyring([b"a" * 32], current=b"a" * 32).encrypt("secret")
    with pytest.raises(ValueError, match="not loaded"):
        crypto.Keyring([b"b" * 32], current=b"b" * 32).decrypt(token)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        crypto.Keyring([b"a" * 32], current=b"a" * 32).decrypt(tampered)


def test_key_file_is_created_once_with_owner_only_mode(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = crypto.load_keyring(settings)
    second = crypto.load_keyring(settings)
    assert first.current_id == second.current_id
    assert (tmp_path / "keys" / "master.key").stat().st_mode & 0o777 == 0o600


def test_rotation_reencrypts_every_encrypted_column(settings: Settings, db: Database) -> None:
    metadata = MetaData()
    table = Table("test_vault", metadata, Column("id", Integer, primary_key=True),
                  Column("secret", crypto.EncryptedText), Column("note", Text))
    metadata.create_all(db.engine)
    try:
        with db.unit_of_work() as session:
            session.execute(insert(table), [{"id": i, "secret": f"s{i}", "note": "n"} for i in range(1, 6)])
            session.execute(insert(table).values(id=6, secret=None, note="empty"))
        old_id = crypto.keyring().current_id
        new_id, count = crypto.rotate_master_key(settings, db.sessions, [metadata])
        assert count == 5 and new_id != old_id
        assert not (settings.keys_dir / "master.key.next").exists()
        assert (settings.keys_dir / f"master.key.retired-{old_id}").exists()
        # A fresh process loads only the new key file and still reads everything.
        crypto.configure_keyring(crypto.load_keyring(settings))
        assert crypto.keyring().key_ids == [new_id]
        with db.reading() as session:
            rows = session.execute(select(table.c.id, table.c.secret).order_by(table.c.id)).all()
        assert [r.secret for r in rows] == ["s1", "s2", "s3", "s4", "s5", None]
    finally:
        metadata.drop_all(db.engine)


def test_interrupted_rotation_keeps_everything_readable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    old = crypto.load_keyring(settings)
    token = old.encrypt("credential")
    from qorgau.core.keyfiles import write_key_file

    write_key_file(settings.keys_dir / "master.key.next", b"n" * 32)  # crash after writing the new key
    ring = crypto.load_keyring(settings)
    assert ring.current_id == crypto.key_id(b"n" * 32)
    assert ring.decrypt(token) == "credential"


def test_resumed_rotation_retires_the_old_key_under_its_own_id(settings: Settings, db: Database) -> None:
    from qorgau.core.keyfiles import read_key_file, write_key_file

    old_id = crypto.key_id(read_key_file(settings.keys_dir / "master.key", 32))
    write_key_file(settings.keys_dir / "master.key.next", b"p" * 32)  # a rotation that crashed earlier
    new_id, _ = crypto.rotate_master_key(settings, db.sessions, [])
    assert new_id == crypto.key_id(b"p" * 32)
    retired = settings.keys_dir / f"master.key.retired-{old_id}"
    assert crypto.key_id(read_key_file(retired, 32)) == old_id
