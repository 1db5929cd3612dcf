"""The voice process's loopback control API: its request and answer models, its token, and the web server's client."""

from __future__ import annotations

import hmac
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from qorgau.core.keyfiles import load_or_create, read_key_file
from qorgau.core.settings import CoreSettings

DEFAULT_CONTROL_PORT = 8091
TOKEN_FILE = "voice-control.key"  # noqa: S105 - a file name, not a secret
TOKEN_BYTES = 32

M = TypeVar("M", bound=BaseModel)


class MediaState(StrEnum):
    """Where a call's media stands in the voice process."""

    RINGING = "ringing"
    ACTIVE = "active"
    HELD = "held"
    ENDED = "ended"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LegOffer(_Model):
    """An operator's browser asking to hear and speak on a call (its WebRTC offer)."""

    call_id: int = Field(description="VoiceCall id.")
    operator_id: int = Field(description="User id of the operator whose browser this is.")
    sdp: str = Field(min_length=1, max_length=20000, description="The browser's SDP offer.")
    type: Literal["offer"] = "offer"


class LegAnswer(_Model):
    """The voice process's WebRTC answer for the browser."""

    leg_id: str
    sdp: str
    type: Literal["answer"] = "answer"


class Toggle(_Model):
    """Switch hold or mute on or off."""

    on: bool


class CallbackRequest(_Model):
    """A new outgoing call: to an SOS terminal by device code, or to a 102 caller's number through the trunk."""

    device_code: str | None = Field(default=None, max_length=64)
    number: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9]{2,31}$")
    operator_id: int


class CallbackStarted(_Model):
    """The VoiceCall id of the new outgoing call."""

    call_id: int


class Problems(_Model):
    """Counts of media faults seen on a call."""

    no_rtp: int = 0
    wrong_port: int = 0
    flood: int = 0
    bad_codec: int = 0
    srtp_auth: int = 0  # SRTP packets that failed authentication (tampered or forged)


class CallMedia(_Model):
    """The media side of one call as the voice process sees it."""

    call_id: int
    sip_call_id: str
    state: MediaState
    codec: str | None = None
    leg_id: str | None = None
    held: bool = False
    muted: bool = False
    rx_packets: int = 0
    tx_packets: int = 0
    lost: int = 0
    late: int = 0
    jitter_ms: float = 0.0
    problems: Problems = Field(default_factory=Problems)
    dtmf: str = Field(default="", description="Keys the terminal pressed (RFC 4733), in order.")


class Health(_Model):
    """The voice process is up; how many calls it holds."""

    status: Literal["ok"] = "ok"
    calls: int = 0
    sip_port: int = 0


_CALLS = TypeAdapter(list[CallMedia])


class BridgeError(Exception):
    """The voice process refused a request or could not be reached; `code` is a translation key."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(f"{status} {code} {detail}".strip())
        self.status = status
        self.code = code
        self.detail = detail


def token_path(settings: CoreSettings) -> Path:
    """Where the control token lives (owner-only, beside the other key files)."""
    return settings.keys_dir / TOKEN_FILE


def control_token(settings: CoreSettings) -> str:
    """The bearer token of the control API, creating the key file on first use by either side."""
    path = token_path(settings)
    load_or_create(path, TOKEN_BYTES)
    # Read back: when both sides create it at once, the file that won the rename is the one both use.
    return read_key_file(path, TOKEN_BYTES).hex()


def token_matches(header: str | None, token: str) -> bool:
    """Constant-time check of an `Authorization: Bearer` header."""
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[7:].strip().encode(), token.encode())


class BridgeClient:
    """Async client of the voice process's control API (used by the web server, never by browsers)."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout_s
        self._transport = transport

    @classmethod
    def for_settings(cls, settings: CoreSettings, port: int = DEFAULT_CONTROL_PORT) -> BridgeClient:
        """A client of the voice process on this host's loopback."""
        return cls(f"http://127.0.0.1:{port}", control_token(settings))

    async def _call(self, method: str, path: str, body: BaseModel | None = None) -> Any:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, headers=self._headers, timeout=self._timeout,
                                         transport=self._transport) as client:
                reply = await client.request(method, path, json=body.model_dump() if body is not None else None)
        except httpx.HTTPError as exc:
            raise BridgeError(503, "voice.bridge_unreachable", type(exc).__name__) from exc
        if reply.status_code >= 400:
            try:
                detail = reply.json().get("detail")
            except ValueError:
                detail = None
            code = detail.get("code") if isinstance(detail, dict) else None
            raise BridgeError(reply.status_code, str(code or "voice.bridge_error"), reply.text[:200])
        return reply.json()

    async def _model(self, kind: type[M], method: str, path: str, body: BaseModel | None = None) -> M:
        return kind.model_validate(await self._call(method, path, body))

    async def attach(self, *, call_id: int, operator_id: int, sdp: str) -> LegAnswer:
        """Attach an operator's browser to the call (any earlier leg is closed)."""
        return await self._model(LegAnswer, "POST", "/legs", LegOffer(call_id=call_id, operator_id=operator_id,
                                                                     sdp=sdp))

    async def detach(self, leg_id: str) -> None:
        """The browser left: the call goes on hold, never lost."""
        await self._call("DELETE", f"/legs/{leg_id}")

    async def hold(self, call_id: int, on: bool) -> CallMedia:
        return await self._model(CallMedia, "POST", f"/calls/{call_id}/hold", Toggle(on=on))

    async def mute(self, call_id: int, on: bool) -> CallMedia:
        return await self._model(CallMedia, "POST", f"/calls/{call_id}/mute", Toggle(on=on))

    async def hangup(self, call_id: int) -> CallMedia:
        """BYE to the terminal or trunk; the recording is closed."""
        return await self._model(CallMedia, "POST", f"/calls/{call_id}/hangup")

    async def callback(self, *, device_code: str | None, number: str | None, operator_id: int) -> CallbackStarted:
        """A new outgoing call to a terminal or back to a 102 caller."""
        return await self._model(CallbackStarted, "POST", "/callback",
                                 CallbackRequest(device_code=device_code, number=number, operator_id=operator_id))

    async def calls(self) -> list[CallMedia]:
        return _CALLS.validate_python(await self._call("GET", "/calls"))

    async def health(self) -> Health:
        return await self._model(Health, "GET", "/health")
