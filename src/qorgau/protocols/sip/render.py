"""Responses of the UAS (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied, To-tag, Contact, rport."""

from __future__ import annotations

from collections.abc import Sequence

from qorgau.protocols.sip.parser import SipMessage, canonical, parse_params

SERVER = "Qorgau-SOS/1"
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           405: "Method Not Allowed", 481: "Call/Transaction Does Not Exist", 486: "Busy Here",
           487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error",
           501: "Not Implemented", 503: "Service Unavailable", 513: "Message Too Large"}
COPIED = ("via", "from", "to", "call-id", "cseq")


def can_answer(request: SipMessage) -> bool:
    """A response needs the request's Via, From, To, Call-ID and CSeq, however malformed their content."""
    return request.is_request and request.method != "ACK" and all(request.get(name) for name in COPIED)


def stamp_via(via: str, source: tuple[str, int]) -> str:
    """Add received= (and fill rport, RFC 3581) to the top Via so the response finds its way back through NAT."""
    value, _, params_text = via.partition(";")
    params = parse_params(params_text)
    sent_by = value.split()[-1] if value.split() else ""
    host = sent_by[1:].partition("]")[0] if sent_by.startswith("[") else sent_by.partition(":")[0]
    parts = [value.rstrip()]
    for name, param in params.items():
        if name in ("received", "rport"):
            continue
        parts.append(name if param is None else f"{name}={param}")
    if host != source[0] or "rport" in params:
        parts.append(f"received={source[0]}")
    if "rport" in params:
        parts.append(f"rport={source[1]}")
    return ";".join(parts)


def response(request: SipMessage, status: int, *, source: tuple[str, int], to_tag: str | None = None,
             headers: Sequence[tuple[str, str]] = (), body: bytes = b"", content_type: str | None = None) -> bytes:
    """Render a response to `request`; `to_tag` is added to To unless the request already has one."""
    lines = [f"SIP/2.0 {status} {REASONS.get(status, 'Unknown')}"]
    vias = request.get_all("via")
    for index, via in enumerate(vias):
        lines.append(f"Via: {stamp_via(via, source) if index == 0 else via}")
    lines.append(f"From: {request.get('from')}")
    to = request.get("to") or ""
    if to_tag is not None and status != 100 and "tag" not in _header_params(to):
        to = f"{to};tag={to_tag}"
    lines.append(f"To: {to}")
    lines.append(f"Call-ID: {request.get('call-id')}")
    lines.append(f"CSeq: {request.get('cseq')}")
    if status != 100:
        lines.append(f"Server: {SERVER}")
    for name, value in headers:
        lines.append(f"{canonical(name.lower())}: {value}")
    if body and content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _header_params(value: str) -> dict[str, str | None]:
    params_text = value.rpartition(">")[2] if "<" in value else value.partition(";")[2]
    return parse_params(params_text)


def request(method: str, uri: str, *, via: str, from_: str, to: str, call_id: str, cseq: int,
            headers: Sequence[tuple[str, str]] = (), body: bytes = b"", content_type: str | None = None) -> bytes:
    """Render a request inside or outside a dialog (RFC 3261 §8.1.1): the caller supplies Via's sent-by and branch."""
    lines = [f"{method} {uri} SIP/2.0", f"Via: {via}", "Max-Forwards: 70", f"From: {from_}", f"To: {to}",
             f"Call-ID: {call_id}", f"CSeq: {cseq} {method}", f"User-Agent: {SERVER}"]
    for name, value in headers:
        lines.append(f"{canonical(name.lower())}: {value}")
    if body and content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
