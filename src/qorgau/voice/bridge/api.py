"""The control API of the voice process (loopback only, bearer token): what the web server asks of the bridge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from qorgau.auth.deps import Guard
from qorgau.voice.bridge.host import Bridge
from qorgau.voice.control import (
    BridgeError,
    CallbackRequest,
    CallbackStarted,
    CallMedia,
    Health,
    LegAnswer,
    LegOffer,
    Toggle,
    token_matches,
)

T = TypeVar("T")


class ControlToken(Guard):
    """Only the holder of the voice-control key (the web server on this host) may call the control API."""

    def __call__(self, request: Request) -> None:
        if not token_matches(request.headers.get("authorization"), request.app.state.control_token):
            raise HTTPException(401, detail={"code": "voice.control_unauthorised"})

    def __repr__(self) -> str:
        return "ControlToken"


def _bridge(request: Request) -> Bridge:
    bridge: Bridge = request.app.state.bridge
    return bridge


BridgeDep = Annotated[Bridge, Depends(_bridge)]
router = APIRouter(dependencies=[Depends(ControlToken())])


async def _guarded(work: Callable[[], Awaitable[T]]) -> T:
    try:
        return await work()
    except BridgeError as exc:
        raise HTTPException(exc.status, detail={"code": exc.code, "detail": exc.detail}) from exc


async def _now(value: T) -> T:
    return value


@router.post("/legs")
async def attach(offer: LegOffer, bridge: BridgeDep) -> LegAnswer:
    leg_id, sdp = await _guarded(lambda: bridge.attach(offer.call_id, offer.operator_id, offer.sdp))
    return LegAnswer(leg_id=leg_id, sdp=sdp)


@router.delete("/legs/{leg_id}", status_code=204)
async def detach(leg_id: str, bridge: BridgeDep) -> None:
    await _guarded(lambda: bridge.detach(leg_id))


@router.post("/calls/{call_id}/hold")
async def hold(call_id: int, toggle: Toggle, bridge: BridgeDep) -> CallMedia:
    media = await _guarded(lambda: _now(bridge.media(call_id)))
    media.hold(toggle.on)
    return media.snapshot()


@router.post("/calls/{call_id}/mute")
async def mute(call_id: int, toggle: Toggle, bridge: BridgeDep) -> CallMedia:
    media = await _guarded(lambda: _now(bridge.media(call_id)))
    media.muted = toggle.on
    return media.snapshot()


@router.post("/calls/{call_id}/hangup")
async def hangup(call_id: int, bridge: BridgeDep) -> CallMedia:
    return await _guarded(lambda: _now(bridge.hangup(call_id)))


@router.post("/callback")
async def callback(request: CallbackRequest, bridge: BridgeDep) -> CallbackStarted:
    if not request.device_code and not request.number:
        raise HTTPException(422, detail={"code": "voice.callback_no_target"})
    call_id = await _guarded(lambda: bridge.callback(request.device_code, request.number, request.operator_id))
    return CallbackStarted(call_id=call_id)


@router.get("/calls")
async def calls(bridge: BridgeDep) -> list[CallMedia]:
    return bridge.snapshots()


@router.get("/health")
async def health(request: Request, bridge: BridgeDep) -> Health:
    return Health(calls=len(bridge.calls), sip_port=int(request.app.state.sip_port))


def create_control_app(bridge: Bridge, token: str, lifespan: Any = None) -> FastAPI:
    """The control API around `bridge` (no OpenAPI document: it is an internal interface)."""
    app = FastAPI(title="Qorgau voice", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.bridge, app.state.control_token, app.state.sip_port = bridge, token, 0
    app.include_router(router)

    @app.exception_handler(BridgeError)
    async def _bridge_error(request: Request, exc: BridgeError) -> JSONResponse:
        return JSONResponse({"detail": {"code": exc.code}}, status_code=exc.status)

    return app
