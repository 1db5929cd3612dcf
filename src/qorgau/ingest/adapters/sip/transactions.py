"""Server transactions (RFC 3261 §17.2): matching, absorbing retransmitted requests, resending final responses.

A retransmitted request is answered with the last response sent and goes no further. A final response to an
INVITE over UDP is resent at T1, 2·T1, … up to T2 until its ACK arrives, and given up after 64·T1 (timer H);
the 2xx is handled the same way, as the UAS core must (§13.3.1.4). Everything expires by timers, so the table
stays bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from qorgau.protocols.sip.parser import Envelope, SipMessage

MAGIC = "z9hG4bK"
Key = tuple[str, ...]


@dataclass(slots=True)
class Peer:
    """Where a request came from and how to answer it (a UDP address or the TCP connection it arrived on)."""

    transport: str  # "udp" or "tcp"
    address: tuple[str, int]
    send: Callable[[bytes], None]

    @property
    def reliable(self) -> bool:
        return self.transport != "udp"


def key_of(message: SipMessage, env: Envelope) -> Key:
    """The transaction a request belongs to; an ACK maps to its INVITE's (for non-2xx responses)."""
    method = "INVITE" if message.method == "ACK" else (message.method or "")
    top = env.vias[0]
    branch = top.branch or ""
    if branch.startswith(MAGIC):
        return (branch, top.host, str(top.port or ""), method)
    # RFC 2543 peers: no unique branch, so match on the dialog-identifying fields instead (§17.2.3).
    return ("2543", env.call_id, str(env.cseq), env.from_.tag or "", message.get("via") or "", method)


@dataclass(slots=True)
class ServerTransaction:
    key: Key
    method: str
    request: SipMessage
    env: Envelope
    peer: Peer
    last: bytes | None = None
    final: int | None = None  # status of the final response, once sent
    acked: bool = False
    on_timeout: Callable[[], None] | None = None
    _handles: list[asyncio.TimerHandle] = field(default_factory=list)

    def cancel_timers(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()


class Transactions:
    """The open server transactions; INVITEs are also found by Call-ID and CSeq (for ACK and CANCEL)."""

    def __init__(self, *, t1_s: float, t2_s: float, limit: int) -> None:
        self.t1_s, self.t2_s, self.limit = t1_s, t2_s, limit
        self._by_key: dict[Key, ServerTransaction] = {}
        self._invites: dict[tuple[str, int], ServerTransaction] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    @property
    def full(self) -> bool:
        return len(self._by_key) >= self.limit

    def find(self, key: Key) -> ServerTransaction | None:
        return self._by_key.get(key)

    def invite(self, call_id: str, cseq: int) -> ServerTransaction | None:
        return self._invites.get((call_id, cseq))

    def open(self, key: Key, message: SipMessage, env: Envelope, peer: Peer) -> ServerTransaction:
        tx = ServerTransaction(key, message.method or "", message, env, peer)
        self._by_key[key] = tx
        if tx.method == "INVITE":
            self._invites[(env.call_id, env.cseq)] = tx
        return tx

    def respond(self, tx: ServerTransaction, status: int, data: bytes) -> None:
        """Send a response in `tx`; a final one starts its retransmission (INVITE, UDP) and expiry."""
        tx.peer.send(data)
        tx.last = data
        if status < 200 or tx.final is not None:
            return
        tx.final = status
        loop = asyncio.get_running_loop()
        timer_h = 64 * self.t1_s
        if tx.method == "INVITE":
            if not tx.peer.reliable:
                tx._handles.append(loop.call_later(self.t1_s, self._resend, tx, self.t1_s))
            tx._handles.append(loop.call_later(timer_h, self._give_up, tx))
        else:
            # Timer J: keep the response to absorb retransmissions (UDP); nothing to absorb on TCP.
            tx._handles.append(loop.call_later(0 if tx.peer.reliable else timer_h, self.close, tx))

    def _resend(self, tx: ServerTransaction, interval: float) -> None:
        if tx.acked or tx.last is None or tx.key not in self._by_key:
            return
        tx.peer.send(tx.last)
        interval = min(2 * interval, self.t2_s)
        tx._handles.append(asyncio.get_running_loop().call_later(interval, self._resend, tx, interval))

    def _give_up(self, tx: ServerTransaction) -> None:
        acked = tx.acked
        self.close(tx)
        if not acked and tx.on_timeout is not None:
            tx.on_timeout()

    def ack(self, tx: ServerTransaction) -> bool:
        """The ACK of `tx`'s final response arrived: stop resending. False if it was already acknowledged."""
        if tx.acked or tx.final is None:
            return False
        tx.acked = True
        tx.cancel_timers()
        # Keep absorbing late INVITE/ACK retransmissions a little longer (timer I, T4 = 5 s over UDP).
        delay = 0 if tx.peer.reliable else min(5.0, 64 * self.t1_s)
        tx._handles.append(asyncio.get_running_loop().call_later(delay, self.close, tx))
        return True

    def close(self, tx: ServerTransaction) -> None:
        tx.cancel_timers()
        if self._by_key.get(tx.key) is tx:
            del self._by_key[tx.key]
        if tx.method == "INVITE" and self._invites.get((tx.env.call_id, tx.env.cseq)) is tx:
            del self._invites[(tx.env.call_id, tx.env.cseq)]

    def clear(self) -> None:
        for tx in list(self._by_key.values()):
            self.close(tx)
