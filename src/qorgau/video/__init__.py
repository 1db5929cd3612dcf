"""Video: camera streams, recording, live view, playback, evidence exports (issue 10)."""
