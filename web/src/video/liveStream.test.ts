import { describe, expect, it } from "vitest";
import { isFinalClose, parseHello } from "./liveStream";

describe("live socket messages", () => {
  it("read the MIME type of the first message", () => {
    expect(parseHello('{"mime": "video/mp4; codecs=\\"avc1.64001f\\""}')).toEqual({ mime: 'video/mp4; codecs="avc1.64001f"' });
  });
  it("read a failure with its words and the camera's state", () => {
    expect(parseHello('{"error": "video.stream_unavailable", "message": "No picture", "state": "auth_failed"}')).toEqual({
      code: "video.stream_unavailable",
      message: "No picture",
      state: "auth_failed",
    });
  });
  it("ignore what is not JSON or not theirs", () => {
    expect(parseHello("nonsense")).toBeNull();
    expect(parseHello('{"other": 1}')).toBeNull();
    expect(parseHello(new ArrayBuffer(4))).toBeNull();
  });
  it("treat refusals as final and outages as retryable", () => {
    expect(isFinalClose(4404)).toBe(true);
    expect(isFinalClose(4403)).toBe(true);
    expect(isFinalClose(1008)).toBe(true);
    expect(isFinalClose(4503)).toBe(false);
    expect(isFinalClose(4500)).toBe(false);
    expect(isFinalClose(1006)).toBe(false);
  });
});
