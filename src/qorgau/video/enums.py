"""Vocabulary of the video domain."""

from __future__ import annotations

from enum import StrEnum


class StreamKind(StrEnum):
    MAIN = "main"  # full resolution: recorded and exported untouched
    SUB = "sub"  # low resolution: live tiles, snapshots, analytics


class CameraState(StrEnum):
    """What a video worker knows about one camera stream right now."""

    IDLE = "idle"  # nobody watches or records it: not pulled
    CONNECTING = "connecting"
    STREAMING = "streaming"
    AUTH_FAILED = "auth_failed"  # 401/403: retried slowly, never a reconnect storm
    UNREACHABLE = "unreachable"  # refused, timed out, DNS, RTSP error
    NO_VIDEO = "no_video"  # connected, but no frames arrive (frozen camera, stream stopped mid-way)
    UNSUPPORTED = "unsupported"  # a codec Qorgau cannot pass through


class RecordingMode(StrEnum):
    CONTINUOUS = "continuous"
    EVENTS = "events"  # only around alarms at or near the camera, with pre- and post-roll
    OFF = "off"


class VolumeState(StrEnum):
    OK = "ok"
    FULL = "full"  # at quota with nothing left to delete, or the disk itself is full
    MISSING = "missing"  # the mount point is gone or unreadable
    FAILING = "failing"  # writes fail


class ProtectionReason(StrEnum):
    INCIDENT = "incident"
    EXPORT = "export"
    MANUAL = "manual"


class ExportState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ViewKind(StrEnum):
    """What an audit entry of a video access records."""

    LIVE = "live"
    PLAYBACK = "playback"
    EXPORT = "export"
    SNAPSHOT = "snapshot"
