"""Helpers of the voice domain's tests: calls offered as the voice process offers them, operators, events, audit,
and a stand-in of the voice process's control API served to the real BridgeClient."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.bus import Context
from qorgau.core.bus.models import OutboxEvent
from qorgau.core.db import Database
from qorgau.voice import actions, service
from qorgau.voice.control import BridgeClient, CallbackRequest, CallMedia, LegOffer, MediaState, Toggle
from qorgau.voice.enums import CallKind
from qorgau.voice.models import VoiceCall
from tests.conftest import CLI_ACTOR

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
_serial = itertools.count(1)


def offer(db: Database, *, kind: CallKind = CallKind.LINE102, device_code: str | None = None,
          caller: str | None = "+77011234567", at: datetime = T0, sip_call_id: str | None = None,
          location: tuple[float, float] | None = (71.43, 51.13)) -> int:
    """A call offered by the voice process in a transaction of its own; returns its id."""
    with db.unit_of_work() as session:
        call = service.offered(session, sip_call_id=sip_call_id or f"call-{next(_serial)}@test", kind=kind,
                               device_code=device_code, caller=caller, location=location, codec="PCMU", at=at)
        return call.id


def operator(user_id: int, name: str) -> actions.Operator:
    return actions.Operator(user_id=user_id, name=name, actor=CLI_ACTOR, ctx=Context.for_user(user_id))


def call_of(db: Database, call_id: int) -> VoiceCall:
    with db.reading() as session:
        found = session.get(VoiceCall, call_id)
        assert found is not None
        session.expunge(found)
        return found


def events(db: Database, prefix: str = "voice.") -> list[OutboxEvent]:
    with db.reading() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.name.startswith(prefix))
                                    .order_by(OutboxEvent.seq)))


def audits(db: Database, action: str) -> list[AuditRecord]:
    with db.reading() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)
                                    .order_by(AuditRecord.seq)))


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@dataclass
class ControlStandIn:
    """The voice process's control API as the contract states it, over a database the test owns: it records what
    the web server asked, answers like the bridge, and refuses when told to (status, code)."""

    db: Database | None = None
    token: str = "t" * 64
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)  # route name -> (status, code)
    legs: dict[str, int] = field(default_factory=dict)
    media: dict[int, CallMedia] = field(default_factory=dict)

    def _check(self, name: str, call_id: int | None = None) -> None:
        if name in self.refuse:
            status, code = self.refuse[name]
            raise HTTPException(status, detail={"code": code})

    def _media(self, call_id: int) -> CallMedia:
        return self.media.setdefault(call_id, CallMedia(call_id=call_id, sip_call_id=f"sip-{call_id}",
                                                        state=MediaState.ACTIVE, codec="PCMU"))

    def app(self) -> FastAPI:
        api = FastAPI(openapi_url=None)

        @api.post("/legs")
        async def attach(offer: LegOffer) -> dict[str, str]:
            self.requests.append(("attach", str(offer.call_id), offer.model_dump()))
            self._check("attach")
            leg_id = f"leg-{next(_serial)}"
            self.legs = {k: v for k, v in self.legs.items() if v != offer.call_id} | {leg_id: offer.call_id}
            self._media(offer.call_id).leg_id = leg_id
            return {"leg_id": leg_id, "sdp": f"v=0 answer for {offer.operator_id}", "type": "answer"}

        @api.delete("/legs/{leg_id}", status_code=204)
        async def detach(leg_id: str) -> None:
            self.requests.append(("detach", leg_id, None))
            self._check("detach")
            if self.legs.pop(leg_id, None) is None:
                raise HTTPException(404, detail={"code": "voice.unknown_leg"})

        @api.post("/calls/{call_id}/hold")
        async def hold(call_id: int, toggle: Toggle) -> CallMedia:
            self.requests.append(("hold", str(call_id), toggle.on))
            self._check("hold")
            self._media(call_id).held = toggle.on
            return self._media(call_id)

        @api.post("/calls/{call_id}/mute")
        async def mute(call_id: int, toggle: Toggle) -> CallMedia:
            self.requests.append(("mute", str(call_id), toggle.on))
            self._check("mute")
            self._media(call_id).muted = toggle.on
            return self._media(call_id)

        @api.post("/calls/{call_id}/hangup")
        async def hangup(call_id: int) -> CallMedia:
            self.requests.append(("hangup", str(call_id), None))
            self._check("hangup")
            media = self._media(call_id)
            media.state = MediaState.ENDED
            return media

        @api.post("/callback")
        async def callback(body: CallbackRequest) -> dict[str, int]:
            self.requests.append(("callback", body.device_code or "", body.model_dump()))
            self._check("callback")
            assert self.db is not None
            with self.db.unit_of_work() as session:  # as the voice process records its outgoing call
                call = service.offered(session, sip_call_id=f"out-{next(_serial)}@test", kind=CallKind.CALLBACK,
                                       device_code=body.device_code, caller=body.number, location=None,
                                       codec=None, at=datetime.now(UTC))
                return {"call_id": call.id}

        @api.get("/calls")
        async def calls() -> list[CallMedia]:
            self._check("calls")
            return list(self.media.values())

        return api

    def client(self) -> BridgeClient:
        """The real client, its requests served by this stand-in in process."""
        return BridgeClient("http://voice.test", self.token, transport=httpx.ASGITransport(app=self.app()))

    def names(self) -> list[str]:
        return [r[0] for r in self.requests]
