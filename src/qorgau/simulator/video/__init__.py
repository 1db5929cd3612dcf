"""The simulated cameras: real clips served over RTSP by a GStreamer child process, with faults on command."""
