"""The SIP caller of a simulated SOS terminal: one call per button press (RFC 3261 UAC subset).

It speaks to the listener only over the wire; the message parser and TCP framer are the project's SIP codec
(qorgau.protocols.sip), the socket is `sip_channel`, the transactions and dialog `sip_uac`.
Network trouble and timeouts never raise: they come back as the `error` of the result.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from qorgau.core.aio import within
from qorgau.protocols.sip.digest import digest_authorization
from qorgau.simulator.sip_channel import Transport, open_channel
from qorgau.simulator.sip_uac import TARGET, Key, Uac
from qorgau.simulator.voice_rtp import RtpCaller, parse_answer

log = logging.getLogger(__name__)

MAX_AUTH_ATTEMPTS = 2  # once with fresh credentials, once more only for a stale nonce


@dataclass(frozen=True, slots=True)
class CallResult:
    """How one call went: final INVITE status, monotonic timings (time.monotonic), flags and any error."""

    call_id: str
    transport: Transport
    status: int | None = None  # final response to the (last) INVITE; None when none came
    reason: str | None = None
    invite_sent: float | None = None
    provisional: float | None = None  # first 1xx (100 or 180)
    ringing: float | None = None  # first 180/183
    answered: float | None = None  # 2xx received
    acked: float | None = None  # ACK of the 2xx sent
    bye_sent: float | None = None
    ended: float | None = None  # the call was over for the terminal (BYE answered, final failure or error)
    bye_status: int | None = None
    cancel_status: int | None = None
    authenticated: bool = False  # credentials were sent and not refused
    cancelled: bool = False  # CANCEL sent and the INVITE ended 487
    remote_bye: bool = False  # the far end hung up first
    sdp_answer: str | None = None
    rtp_sent: int = 0  # audio packets the caller sent (0 without a phrase to say)
    rtp_received: int = 0  # audio packets that came back
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Answered and hung up cleanly."""
        return self.status is not None and 200 <= self.status < 300 and self.error is None


@dataclass(slots=True)
class _Outcome:
    """What `_call` learns, frozen into a CallResult at the end."""

    status: int | None = None
    reason: str | None = None
    bye_status: int | None = None
    cancel_status: int | None = None
    authenticated: bool = False
    cancelled: bool = False
    remote_bye: bool = False
    error: str | None = None


async def _call(uac: Uac, out: _Outcome, *, password: str | None, auth_user: str, hold_s: float,
                cancel_after_s: float | None, timeout_s: float, rtp: RtpCaller | None) -> None:
    """The call: INVITE (again with digest when challenged), then CANCEL or hold and BYE."""
    authorization: tuple[str, str] | None = None
    cancel: Key | None = None
    cancel_at = None if cancel_after_s is None else time.monotonic() + cancel_after_s
    for attempt in range(MAX_AUTH_ATTEMPTS + 1):
        uac.invite(authorization)
        deadline = time.monotonic() + timeout_s
        if cancel_at is not None and cancel is None:
            await uac.until(lambda: uac.invite_final is not None, min(cancel_at, deadline))
            # No CANCEL before a provisional response (§9.1): it could overtake the INVITE.
            await uac.until(lambda: uac.invite_final is not None or uac.proceeding, deadline)
            if uac.invite_final is None and uac.proceeding:
                cancel = uac.cancel()
        await uac.until(lambda: uac.invite_final is not None, deadline)
        final = uac.invite_final
        if final is None:
            if uac.proceeding and cancel is None:
                uac.cancel()  # sent once, unanswered: the listener should not ring on for nobody
            out.error = f"no final response to INVITE within {timeout_s:g} s"
            return
        out.status, out.reason = final.status, final.reason
        if out.status not in (401, 407):
            out.authenticated = authorization is not None
            break
        if password is None or attempt == MAX_AUTH_ATTEMPTS:
            break
        header = final.get("www-authenticate" if out.status == 401 else "proxy-authenticate") or ""
        if authorization is not None and "stale=true" not in header.lower().replace(" ", ""):
            break  # our credentials were refused, not merely out of date
        try:
            value = digest_authorization(header, method="INVITE", uri=uac.request_uri, username=auth_user,
                                         password=password)
        except ValueError as exc:
            out.error = f"cannot answer the challenge: {exc}"
            return
        authorization = ("Authorization" if out.status == 401 else "Proxy-Authorization", value)
        uac.cseq += 1  # the new INVITE of the same call (§22.2)
    status = out.status or 0
    if status in (401, 407):
        out.error = "authentication required" if password is None else "authentication rejected"
    if cancel is not None:
        key = cancel
        await uac.until(lambda: key in uac.finals, time.monotonic() + timeout_s)
        response = uac.finals.get(key)
        out.cancel_status = response.status if response is not None else None
        out.cancelled = status == 487
    if not 200 <= status < 300:
        return
    target = parse_answer(uac.sdp_answer)
    if rtp is not None and target is not None and cancel is None:
        rtp.start(target)  # the caller talks from the answer on, operator or not
    if cancel is None:
        # Hold the call; retransmitted 200s are ACKed again meanwhile, and the far end may hang up.
        await uac.until(lambda: uac.remote_bye, time.monotonic() + hold_s)
    if uac.remote_bye:
        out.remote_bye = True
        return
    uac.times["bye_sent"] = time.monotonic()
    bye = await uac.transact("BYE", timeout_s, uri=uac.remote_target, to_tag=uac.to_tag)
    out.bye_status = bye.status if bye is not None else None
    if bye is None:
        out.error = f"no response to BYE within {timeout_s:g} s"


async def place_call(host: str, port: int, *, user: str, local_host: str = "127.0.0.1", transport: Transport = "udp",
                     hold_s: float = 5.0, password: str | None = None, cancel_after_s: float | None = None,
                     timeout_s: float = 10.0, domain: str | None = None, auth_user: str | None = None,
                     phrase: str | None = None, target: str = TARGET,
                     location: tuple[float, float] | None = None) -> CallResult:
    """Press the SOS button: call the listener as terminal `user` (or, with `target` "102", as caller `user` on the
    trunk, `location` (lon, lat) sent as PIDF-LO); with `phrase`, say it over G.711 RTP while the call lasts.
    Network trouble comes back as `error`."""
    out = _Outcome()
    uac: Uac | None = None
    rtp = RtpCaller(phrase, local_host=local_host) if phrase is not None else None
    try:
        media_port = await rtp.open() if rtp is not None else None
        channel = await within(open_channel(transport, host, port, local_host), timeout_s)
        uac = Uac(channel, host=host, port=port, user=user, local_host=local_host, domain=domain, target=target,
                  media_port=media_port, location=location)
        await _call(uac, out, password=password, auth_user=auth_user or user, hold_s=hold_s,
                    cancel_after_s=cancel_after_s, timeout_s=timeout_s, rtp=rtp)
    except TimeoutError:
        out.error = f"no connection within {timeout_s:g} s"
    except OSError as exc:
        out.error = f"{type(exc).__name__}: {exc.strerror or exc}"
    finally:
        if rtp is not None:
            await rtp.close()
        if uac is not None:
            await uac.close()  # also when the task is cancelled: no socket outlives the call
    times = uac.times if uac is not None else {}
    result = CallResult(
        call_id=uac.call_id if uac is not None else "", transport=transport, status=out.status, reason=out.reason,
        invite_sent=times.get("invite_sent"), provisional=times.get("provisional"), ringing=times.get("ringing"),
        answered=times.get("answered"), acked=times.get("acked"), bye_sent=times.get("bye_sent"),
        ended=time.monotonic(), bye_status=out.bye_status, cancel_status=out.cancel_status,
        authenticated=out.authenticated, cancelled=out.cancelled, remote_bye=out.remote_bye,
        sdp_answer=uac.sdp_answer if uac is not None else None, error=out.error,
        rtp_sent=rtp.stats.sent if rtp is not None else 0, rtp_received=rtp.stats.received if rtp is not None else 0)
    log.debug("SIP call finished", extra={"status": result.status, "transport": transport, "error": result.error})
    return result


async def options_ping(host: str, port: int, *, user: str, transport: Transport = "udp", timeout_s: float = 5.0,
                       local_host: str = "127.0.0.1") -> int | None:
    """OPTIONS to the listener (a terminal's keep-alive): the response status, or None when none came."""
    uac: Uac | None = None
    try:
        channel = await within(open_channel(transport, host, port, local_host), timeout_s)
        uac = Uac(channel, host=host, port=port, user=user, local_host=local_host, domain=None)
        response = await uac.transact("OPTIONS", timeout_s, headers=(uac.contact(), ("Accept", "application/sdp")))
        return response.status if response is not None else None
    except (TimeoutError, OSError):
        return None
    finally:
        if uac is not None:
            await uac.close()
