"""The bench's live-view page: the web app's own `LiveStream` (web/src/video/liveStream.ts, bundled by vite) per
viewer, and a reader of the clock pattern on every presented frame (requestVideoFrameCallback → canvas → blocks)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from video.common import ROOT

WEB = ROOT / "web"

BUILD = """
import { build } from "vite";
await build({ configFile: false, logLevel: "warn", root: process.env.BENCH_DIR,
  build: { outDir: process.env.BENCH_DIR + "/out", emptyOutDir: true, minify: false,
    lib: { entry: process.env.BENCH_DIR + "/entry.ts", name: "QorgauLive", formats: ["iife"],
           fileName: () => "live.js" } } });
"""

# Reads the 32-bit stamp (ms mod 2**32) from the top 4 rows of 40 px blocks; rows 2-3 are the inverse of 0-1, so a
# blurred or torn read is dropped instead of giving a wrong delay. Every `every`-th frame is read (canvas readback
# costs CPU on this 2-core machine); the delay uses the frame's expected display time on the same wall clock.
READER = """
window.samples = []; window.rejected = 0; window.liveStatus = {};
function startViewer(index, code, every) {
  const box = document.createElement("div");
  box.style.cssText = "display:inline-block;width:240px;height:135px;margin:2px";
  const video = document.createElement("video");
  video.muted = true; video.autoplay = true; video.playsInline = true;
  video.style.cssText = "width:240px;height:135px";
  box.appendChild(video); document.body.appendChild(box);
  const canvas = document.createElement("canvas"); canvas.width = 640; canvas.height = 160;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const live = new QorgauLive.LiveStream(video, code, "main", (info) => {
    window.liveStatus[index] = info.status + (info.code ? ":" + info.code : "");
  });
  live.start();
  let n = 0;
  const onFrame = (now, meta) => {
    n += 1;
    if (n % every === 0 && video.videoWidth === 640) {
      ctx.drawImage(video, 0, 0, 640, 160, 0, 0, 640, 160);
      const px = ctx.getImageData(0, 0, 640, 160).data;
      let stamp = 0, ok = true;
      for (let bit = 0; bit < 32; bit += 1) {
        const row = bit >> 4, col = bit & 15;
        const on = px[((row * 40 + 20) * 640 + col * 40 + 20) * 4] > 128;
        const inv = px[(((row + 2) * 40 + 20) * 640 + col * 40 + 20) * 4] > 128;
        if (on === inv) { ok = false; break; }
        if (on) stamp = (stamp | (1 << bit)) >>> 0;
      }
      if (ok) {
        const shown = performance.timeOrigin + meta.expectedDisplayTime;
        const delay = ((Math.round(shown) % 4294967296) - stamp + 4294967296) % 4294967296;
        const ranges = video.buffered;
        const ahead = ranges.length ? ranges.end(ranges.length - 1) - video.currentTime : 0;
        window.samples.push([index, delay, Date.now(), Math.round(ahead * 1000)]);
      } else {
        window.rejected += 1;
      }
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
"""


def bundle() -> str:
    """The web app's LiveStream as one IIFE script (global QorgauLive)."""
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        (Path(tmp) / "entry.ts").write_text(f'export {{ LiveStream }} from "{WEB}/src/video/liveStream";\n')
        subprocess.run(["node", "--input-type=module", "-e", BUILD], cwd=WEB, check=True, timeout=120,
                       env={**os.environ, "BENCH_DIR": tmp})
        return (Path(tmp) / "out" / "live.js").read_text()


def load(tab: Any, base: str, script: str) -> None:
    """Open a document the server itself serves (Chromium's local-network checks refuse loopback sockets to a page
    that did not come from a loopback address), clear it and add the player and the reader: same origin and cookies
    as the web app. The context must bypass the server's CSP (no inline scripts): the bench's scripts are inline."""
    tab.goto(f"{base}/readyz")
    tab.evaluate("document.body.innerHTML = ''; document.body.style.cssText = 'margin:0;background:#222'")
    tab.add_script_tag(content=script)
    tab.add_script_tag(content=READER)
