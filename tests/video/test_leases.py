"""Camera leases (ADR 0055) on both databases: fair shares, takeover after expiry, fencing by epoch, a clean leave,
racing takers, and the migration's downgrade."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from qorgau.core.db import Database
from qorgau.core.migrate import downgrade, upgrade
from qorgau.core.time import utcnow
from qorgau.video import leases, nodes
from qorgau.video.leases import LeaseKeeper, fair_share
from qorgau.video.nodes import CameraLease, VideoNode
from tests.conftest import copied_database
from tests.video.conftest import add_camera

FAILOVER_S = 12.0  # leases of 6 s


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def keeper(db: Database, name: str, clock: Callable[[], datetime]) -> LeaseKeeper:
    made = LeaseKeeper(db, holder=f"{name}/0", node=name, host="localhost", pid=1, live_port=8010,
                       failover_s=FAILOVER_S, clock=clock)
    made.join()
    return made


def lease_rows(db: Database) -> dict[int, tuple[str | None, int]]:
    with db.sessions() as session:
        return {row.device_id: (row.holder, row.epoch) for row in session.scalars(select(CameraLease))}


def test_fair_share_splits_by_count_in_holder_order() -> None:
    assert [fair_share(5, ["a", "b"], me) for me in ("a", "b")] == [3, 2]
    assert [fair_share(4, ["a", "b", "c"], me) for me in ("a", "b", "c")] == [2, 1, 1]
    assert fair_share(3, ["a"], "z") == 0
    assert sum(fair_share(1000, [str(n) for n in range(7)], str(me)) for me in range(7)) == 1000


@pytest.mark.timeout(120)
def test_a_second_holder_gets_its_share_and_a_silent_one_loses_all(db: Database) -> None:
    cameras = [add_camera(db, f"CAM-{n:04d}") for n in range(5)]
    clock = Clock()
    a = keeper(db, "host-a", clock)
    assert a.step(cameras) and sorted(a.held) == cameras  # alone: every camera
    assert all(epoch == 1 for epoch in a.held.values())

    b = keeper(db, "host-b", clock)
    assert not b.step(cameras)  # nothing free yet: a holds all
    assert a.step(cameras)  # a sees b and frees what is above its share (3 of 5)
    assert sorted(a.held) == cameras[:3]
    assert b.step(cameras) and sorted(b.held) == cameras[3:]
    assert {d: holder for d, (holder, _) in lease_rows(db).items()} == (
        dict.fromkeys(cameras[:3], "host-a/0") | dict.fromkeys(cameras[3:], "host-b/0"))
    assert all(lease_rows(db)[d][1] == 2 for d in cameras[3:])  # a second holder: a second epoch

    # b falls silent; a keeps renewing. Before the lease time nothing moves; after it a takes everything.
    clock.advance(a.ttl_s - 1)
    assert not a.step(cameras)
    clock.advance(2)
    assert a.step(cameras) and sorted(a.held) == cameras
    assert all(lease_rows(db)[d] == ("host-a/0", 3) for d in cameras[3:])

    # b comes back: its renewal shows the epochs changed, so it reports them lost and holds nothing.
    assert b.step(cameras) and b.held == {}
    assert a.step(cameras) and len(a.held) == 3  # and the shares settle again
    assert b.step(cameras) and len(b.held) == 2


@pytest.mark.timeout(60)
def test_a_holder_that_cannot_renew_fences_itself_before_its_lease_expires(db: Database) -> None:
    cameras = [add_camera(db, f"CAM-{n:04d}") for n in range(2)]
    a = keeper(db, "host-a", utcnow)
    a.step(cameras)
    assert len(a.held) == 2 and not a.fence()
    assert a.valid_until - time.monotonic() < a.ttl_s  # the fence comes before the database's expiry
    a.valid_until = time.monotonic() - 0.01  # as if the database had been silent since
    assert a.fence() and a.held == {}


@pytest.mark.timeout(60)
def test_a_clean_leave_frees_the_cameras_and_the_registry_row(db: Database) -> None:
    cameras = [add_camera(db, f"CAM-{n:04d}") for n in range(3)]
    clock = Clock()
    a, b = keeper(db, "host-a", clock), keeper(db, "host-b", clock)
    a.step(cameras)
    a.leave()
    with db.sessions() as session:
        assert session.scalars(select(VideoNode.holder)).all() == ["host-b/0"]
    assert b.step(cameras) and sorted(b.held) == cameras  # at once, no expiry to wait for
    with db.sessions() as session:
        assert leases.holders(session) == dict.fromkeys(cameras, "host-b/0")


@pytest.mark.timeout(120)
def test_racing_holders_never_share_a_camera(db: Database) -> None:
    cameras = [add_camera(db, f"CAM-{n:04d}") for n in range(12)]
    keepers = [keeper(db, f"host-{n}", utcnow) for n in range(4)]
    barrier = threading.Barrier(len(keepers))
    errors: list[BaseException] = []

    def race(k: LeaseKeeper) -> None:
        try:
            for _ in range(4):
                barrier.wait(30)
                k.step(cameras)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(k,)) for k in keepers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors
    believed = [set(k.held) for k in keepers]
    assert sum(len(held) for held in believed) == len(set().union(*believed))  # nobody holds what another does
    rows = lease_rows(db)
    for k in keepers:
        assert all(rows[d] == (k.holder, epoch) for d, epoch in k.held.items())
    for _ in range(3):  # a few more rounds in turn settle the shares: 3 each
        for k in keepers:
            k.step(cameras)
    assert sorted(len(k.held) for k in keepers) == [3, 3, 3, 3]


@pytest.mark.timeout(120)
def test_the_migration_downgrades_and_upgrades_again(sqlite_template: Path, tmp_path: Path) -> None:
    with copied_database(sqlite_template, tmp_path) as url:
        downgrade(url, "0027")
        db = Database(url)
        try:
            with db.engine.connect() as conn:
                assert not {"video_nodes", "video_camera_leases"} & set(inspect(conn).get_table_names())
            upgrade(url)
            with db.engine.connect() as conn:
                assert {"video_nodes", "video_camera_leases"} <= set(inspect(conn).get_table_names())
        finally:
            db.dispose()


def test_registering_again_restarts_the_row(db: Database) -> None:
    clock = Clock()
    with db.unit_of_work() as session:
        nodes.register(session, holder="h/0", node="h", host="x", pid=1, live_port=8010, now=clock())
    clock.advance(60)
    with db.unit_of_work() as session:
        nodes.register(session, holder="h/0", node="h", host="x", pid=2, live_port=8010, now=clock())
    with db.sessions() as session:
        row = session.scalars(select(VideoNode)).one()
    assert row.pid == 2 and row.started_at == clock()


def test_live_view_finds_the_relay_of_the_camera_s_holder(db: Database) -> None:
    camera = add_camera(db, "CAM-0001")
    with db.sessions() as session:
        assert leases.relay_address(session, device_id=camera, here="server") is None  # nobody holds it
    a = LeaseKeeper(db, holder="video-2/1", node="video-2", host="video-2", pid=1, live_port=8011,
                    failover_s=FAILOVER_S)
    a.join()
    a.step([camera])
    with db.sessions() as session:
        assert leases.relay_address(session, device_id=camera, here="server") == ("video-2", 8011)
        assert leases.relay_address(session, device_id=camera, here="video-2") == ("127.0.0.1", 8011)
