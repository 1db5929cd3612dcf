"""The video domain's settings (`QORGAU_VIDEO_*`): workers, storage volumes, recording, retention, live view."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from qorgau.core.settings import CoreSettings
from qorgau.video.enums import RecordingMode


class VolumeSpec(BaseModel):
    """One storage volume for recordings: a directory (usually its own mount) and the share of it Qorgau may use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", title="Name", description="Short name, e.g. `disk1`.")
    path: Path = Field(title="Directory", description="Where segments are written; created when missing.")
    quota_gb: float = Field(gt=0, title="Quota (GB)",
                            description="Recordings on this volume are kept under this size; the oldest "
                                        "unprotected segments are deleted first when it is reached.")


DetectorClass = Literal["person", "bicycle", "car", "motorcycle", "bus", "truck"]  # analytics.contracts.CLASSES
Score = Annotated[float, Field(ge=0.05, le=0.99)]  # the range the detector's thresholds may take


def _coco_classes() -> dict[int, DetectorClass]:
    return {0: "person", 1: "bicycle", 2: "car", 3: "motorcycle", 5: "bus", 7: "truck"}


def _class_scores() -> dict[DetectorClass, float]:
    return {"person": 0.45}


class VideoSettings(CoreSettings):
    """Camera streams, recording and live view (`QORGAU_VIDEO_*`)."""

    section: ClassVar[str] = "Video"

    video_workers: int = Field(
        default=0, ge=0, le=256, title="Video worker processes",
        description="Processes `qorgau video` spreads the cameras over; 0: one per CPU core.",
    )
    video_volumes: list[VolumeSpec] = Field(
        default_factory=list, title="Storage volumes",
        description="Volumes recordings are written to, as a JSON list of {name, path, quota_gb}. Empty: one "
                    "volume `local` at `<data dir>/video/recordings` with a 50 GB quota.",
    )
    video_assignment: Literal["static", "leases"] = Field(
        default="static", title="Camera assignment",
        description="How workers share the cameras. `static`: worker N of M takes the cameras whose id modulo M "
                    "is N (one machine). `leases`: workers on any number of hosts take cameras through leases in "
                    "the database and take over a stopped host's cameras (ADR 0055).",
    )
    video_node_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", title="Node id",
        description="This host's name among the video hosts, unique to each (its workers hold leases as "
                    "`<node id>/<worker>`); empty: the host name. Used with `leases`.",
    )
    video_failover_s: float = Field(
        default=15.0, ge=3, le=600, title="Failover bound",
        description="With `leases`: a host that stops renewing loses its cameras to the others within this many "
                    "seconds, and a returning host takes its share back without a longer gap. Leases last half "
                    "of it and are renewed every sixth.",
    )
    video_segment_s: int = Field(
        default=10, ge=2, le=60, title="Segment length",
        description="Seconds per recorded file; a segment is cut at the first key frame after this length.",
    )
    video_recording_mode: RecordingMode = Field(
        default=RecordingMode.CONTINUOUS, title="Default recording mode",
        description="continuous, events or off, for cameras without their own setting.",
    )
    video_recorded_cameras_limit: int | None = Field(
        default=None, ge=0, title="Recorded cameras limit",
        description="Record at most this many cameras (the lowest codes first); empty: no limit. The demo sets a "
                    "small number so a 2-core laptop copes; the other cameras still stream when watched.",
    )
    video_retention_days: int = Field(
        default=30, ge=1, le=3650, title="Retention",
        description="Days recordings are kept, for camera groups without their own retention.",
    )
    video_pre_roll_s: int = Field(
        default=10, ge=0, le=120, title="Pre-roll",
        description="Seconds kept before an event when recording on events (held in memory per camera).",
    )
    video_post_roll_s: int = Field(
        default=30, ge=0, le=600, title="Post-roll", description="Seconds recorded after an event ends.",
    )
    video_rtsp_transport: Literal["tcp", "udp"] = Field(
        default="tcp", title="RTSP transport",
        description="How RTP is carried for cameras whose URL does not say: tcp (interleaved) or udp.",
    )
    video_connect_timeout_s: float = Field(
        default=5.0, gt=0, le=60, title="Connect timeout",
        description="Seconds to open a stream before it counts as unreachable.",
    )
    video_no_video_after_s: float = Field(
        default=5.0, gt=0, le=120, title="No video after",
        description="A connected stream that delivers no frame for this long is `no_video` and is reopened.",
    )
    video_backoff_max_s: float = Field(
        default=60.0, ge=1, le=3600, title="Reconnect backoff limit",
        description="Reconnects back off exponentially (with jitter) from one second up to this many seconds.",
    )
    video_auth_retry_s: float = Field(
        default=300.0, ge=10, le=86400, title="Retry after refused credentials",
        description="A camera that refuses its credentials is retried only this often, or when they change.",
    )
    video_idle_stop_s: float = Field(
        default=15.0, ge=0, le=3600, title="Idle stream stop",
        description="A stream nobody watches or records is closed after this many seconds.",
    )
    video_live_port: int = Field(
        default=8010, ge=1024, le=65000, title="Live relay port",
        description="Video worker N listens on 127.0.0.1 at this port + N for the server's live-view relay.",
    )
    video_status_interval_s: float = Field(
        default=2.0, gt=0, le=60, title="Status interval",
        description="How often each worker writes its cameras' state and figures for the API and /metrics.",
    )
    video_probe_interval_s: float = Field(
        default=300.0, ge=0, le=86400, title="Probe interval",
        description="A camera nobody watches or records is checked this often by opening its sub-stream until a "
                    "frame arrives (a failing one stays open until it recovers, so its health follows); 0: never.",
    )
    # The object detector (issue 11, ADR 0026): NanoDet from `qorgau video model setup` unless a model is given.
    video_detector_model: Path | None = Field(
        default=None, title="Detector model",
        description="ONNX object detector; empty: the NanoDet-m that `qorgau video model setup` builds and caches "
                    "(checked against its SHA-256 on every load).",
    )
    video_detector_precision: Literal["int8", "fp32"] = Field(
        default="int8", title="Default detector precision",
        description="Which build of the default NanoDet-m is used: `int8` (quantised convolutions, about 2× "
                    "faster on CPU, same quality on the labelled clips) or `fp32`; ignored with a model of your "
                    "own.",
    )
    video_detector_family: Literal["nanodet", "yolo"] = Field(
        default="nanodet", title="Detector family",
        description="How the model's input and output are laid out: `nanodet` (GFL head, BGR normalised by "
                    "ImageNet mean and deviation) or `yolo` (YOLOv5 or YOLOv8/11 export, RGB 0..1).",
    )
    video_detector_classes: dict[int, DetectorClass] = Field(
        default_factory=_coco_classes,
        title="Detector class map",
        description="The model's class index → the class Qorgau reports, as JSON; classes not listed are "
                    "ignored. The default is COCO's order, which NanoDet and most YOLO exports use.",
    )
    video_detector_input_size: int | None = Field(
        default=None, ge=64, le=2048, title="Detector input size",
        description="Square input in pixels (a multiple of 32) for a model whose input size is not fixed, as "
                    "the default NanoDet-m's is not: smaller is faster, larger finds smaller objects; empty: 416 "
                    "for NanoDet, 640 for a YOLO export.",
    )
    video_detector_score: float = Field(
        default=0.32, ge=0.05, le=0.99, title="Detector score threshold",
        description="Detections scoring below this are dropped (classes in the per-class thresholds excepted).",
    )
    video_detector_class_scores: dict[DetectorClass, float] = Field(
        default_factory=_class_scores, title="Detector per-class thresholds",
        description="Score thresholds of single classes, as JSON, overriding the detector score threshold; the "
                    "defaults are tuned on the hand-labelled clips (bench/data/labels).",
    )
    video_detector_nms_iou: float = Field(
        default=0.5, ge=0.1, le=0.95, title="Detector overlap threshold",
        description="Of two boxes of one class (car, bus and truck count as one) overlapping more than this "
                    "(intersection over union), the lower-scoring is dropped.",
    )
    video_detector_nms_contain: float = Field(
        default=0.5, ge=0.1, le=1.0, title="Detector containment threshold",
        description="Of two boxes of one class, the lower-scoring is also dropped when more than this share of it "
                    "lies inside the other (the part-boxes a detector fires on an object it is unsure of); "
                    "1: off.",
    )
    video_detector_camera_scores: dict[str, dict[DetectorClass, Score]] = Field(
        default_factory=dict, title="Detector thresholds per camera",
        description="Camera code → class → score threshold, as JSON, for cameras whose view the model knows less "
                    "well, e.g. {\"CAM-12\": {\"car\": 0.13, \"truck\": 0.13, \"bus\": 0.13}} for one filming a "
                    "road from straight above (bench/results/detection_quality.md); classes not named keep the "
                    "thresholds above.",
    )
    video_detector_threads: int = Field(
        default=1, ge=1, le=64, title="Detector threads",
        description="Threads one detector uses; 1 suits many cameras per core (each worker process has its own).",
    )
    video_detector_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", title="Detector model checksum",
        description="SHA-256 the given model must have (checked on load); empty: not checked. The default model "
                    "is always checked against the repository's manifest.",
    )

    video_analytics_fps: float = Field(
        default=5.0, ge=0, le=30, title="Analysis rate",
        description="Frames per second of each analysed camera's sub-stream that are decoded for motion, objects "
                    "and picture health; 0: video analytics off.",
    )
    video_analytics_fps_per_camera: dict[str, float] = Field(
        default_factory=dict, title="Analysis rate per camera",
        description="Camera code → frames per second, for cameras that need another rate than the default "
                    "(e.g. a busy intersection counting traffic).",
    )
    video_analytics_groups: list[str] = Field(
        default_factory=lambda: ["city_entry_anpr", "social_object"], title="Analysed camera groups",
        description="Cameras of these groups are analysed (by default the city entries and the social objects "
                    "such as schools).",
    )
    video_analytics_cameras: list[str] = Field(
        default_factory=list, title="Analysed cameras",
        description="Codes of further cameras to analyse, whatever their group.",
    )
    video_analytics_cameras_limit: int | None = Field(
        default=None, ge=0, title="Analysed cameras limit",
        description="Each worker analyses at most this many cameras: those named above or with analytics rules "
                    "first, then the lowest codes; empty: no limit.",
    )
    video_analytics_width: int = Field(
        default=640, ge=160, le=1920, title="Analysis width",
        description="Decoded frames are scaled to this width (height kept in proportion) for the detector, the "
                    "picture checks and snapshots; a smaller sub-stream is not scaled up.",
    )
    video_analytics_queue: int = Field(
        default=3, ge=1, le=100, title="Analysis queue",
        description="Decoded frames waiting per camera; when the analysis falls behind the oldest is dropped "
                    "and counted.",
    )
    video_analytics_motion_threshold: int = Field(
        default=25, ge=1, le=255, title="Motion threshold",
        description="Grey-level change (0–255) from the running background that counts a pixel as moving.",
    )
    video_analytics_motion_min_area: float = Field(
        default=0.001, ge=0, le=1, title="Smallest motion region",
        description="Share of the frame a moving region must cover to count (smaller ones are noise).",
    )
    video_analytics_motion_max_share: float = Field(
        default=0.6, gt=0, le=1, title="Lighting change share",
        description="When more than this share of the frame changes at once (lights, IR switching, a camera "
                    "covered) it is taken as a change of the whole picture: the background is learned anew and "
                    "the detector is not run for it.",
    )

    video_picture_check_s: float = Field(
        default=5.0, ge=0, le=300, title="Picture check interval",
        description="Each analysed camera's picture is checked this often for being frozen, covered or dark, out "
                    "of focus, or turned away from its reference view (ADR 0029); 0: no picture checks.",
    )
    video_picture_raise_s: float = Field(
        default=20.0, ge=0, le=3600, title="Picture problem delay",
        description="A picture problem must last this long before the camera is reported degraded (a truck in "
                    "front of the lens, an auto-focus hunt do not count).",
    )
    video_picture_clear_s: float = Field(
        default=30.0, ge=0, le=3600, title="Picture recovery delay",
        description="A picture problem must be gone this long before the camera is reported online again.",
    )
    video_picture_learn_s: float = Field(
        default=300.0, ge=0, le=86400, title="Reference view learning time",
        description="After this long of good picture a camera's reference view (and its sharpness by day and by "
                    "night) is learned, at the start and after an administrator resets it.",
    )
    # The checks' thresholds (analytics.picture_health.Limits; the defaults were set on the real clips, ADR 0029).
    video_picture_frozen_share: float = Field(
        default=0.0005, ge=0, le=0.5, title="Frozen picture: change below",
        description="Share of pixels changed between two checks below which the picture counts as frozen (live "
                    "clips change 10 % or more in a few seconds; a repeated frame changes nothing).",
    )
    video_picture_dark_brightness: float = Field(
        default=35.0, ge=0, le=255, title="Covered or dark: brightness below",
        description="Mean grey level (0–255) below which a picture with little detail counts as covered or dark.",
    )
    video_picture_flat_detail: float = Field(
        default=12.0, ge=0, le=128, title="Covered or dark: detail below",
        description="Grey standard deviation below which a dark picture has no detail (covered).",
    )
    video_picture_uniform_entropy: float = Field(
        default=2.5, ge=0, le=8, title="Covered: entropy below",
        description="Bits of the grey histogram below which the picture is one uniform surface (a lens covered by "
                    "something bright counts too).",
    )
    video_picture_defocus_ratio: float = Field(
        default=0.35, gt=0, le=1, title="Defocused: sharpness below",
        description="Sharpness below this share of the reference view's (by day or by night), together with the "
                    "blur rise below, counts as out of focus.",
    )
    video_picture_defocus_blur: float = Field(
        default=0.2, ge=0, le=1, title="Defocused: blur rise above",
        description="How far the blur measure (0 sharp, 1 blurred) must rise above the reference view's.",
    )
    video_picture_moved_shift: float = Field(
        default=0.06, gt=0, le=1, title="Moved: shift above",
        description="The view shifted by more than this share of the picture's width counts as turned away.",
    )
    video_picture_moved_scale: float = Field(
        default=0.15, gt=0, le=1, title="Moved: zoom above",
        description="The view zoomed in or out by more than this share counts as moved.",
    )
    video_picture_moved_angle_deg: float = Field(
        default=6.0, gt=0, le=180, title="Moved: rotation above (degrees)",
        description="The view turned by more than this angle counts as moved.",
    )
    video_picture_min_matches: int = Field(
        default=15, ge=4, le=500, title="Moved: feature matches below",
        description="Fewer matched features with the reference view than this: another view altogether.",
    )

    @property
    def video_dir(self) -> Path:
        """Everything the video domain writes unless a volume says otherwise."""
        return self.data_dir / "video"

    def volumes(self) -> list[VolumeSpec]:
        """The configured volumes, or the one default volume under the data directory."""
        if self.video_volumes:
            return list(self.video_volumes)
        return [VolumeSpec(name="local", path=self.video_dir / "recordings", quota_gb=50.0)]

    @property
    def exports_dir(self) -> Path:
        return self.video_dir / "exports"

    @property
    def playback_cache_dir(self) -> Path:
        """Transcoded copies of segments (H.265 or masked cameras) served to browsers; pruned by the storage job."""
        return self.video_dir / "playback-cache"

    def workers_count(self) -> int:
        """Worker processes to run: the setting, or one per core."""
        import os

        return self.video_workers or max(1, os.cpu_count() or 1)
