"""The media bridge of the voice process: RTP to terminals, WebRTC to operators' browsers, and the recorder."""
