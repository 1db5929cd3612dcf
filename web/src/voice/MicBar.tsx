import { Badge, Button, Group, Select, Switch } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { hasMediaDevices, listMicrophones, probeMicrophone, type MicState } from "./phone";
import { unlockRing } from "./ring";

const DEVICE_KEY = "qorgau.voice.microphone";
const RING_MUTE_KEY = "qorgau.voice.ringMuted";

const MIC_COLORS: Record<MicState, string> = {
  unknown: "gray", ready: "teal", denied: "red", none: "red", busy: "orange", unsupported: "red", error: "red",
};

/** The chosen microphone (remembered in this browser) and whether the ring is muted. */
export function useVoicePreferences() {
  const [deviceId, setDeviceIdState] = useState<string | null>(() => localStorage.getItem(DEVICE_KEY));
  const [ringMuted, setRingMutedState] = useState(() => localStorage.getItem(RING_MUTE_KEY) === "1");
  const setDeviceId = (id: string | null) => {
    if (id) localStorage.setItem(DEVICE_KEY, id);
    else localStorage.removeItem(DEVICE_KEY);
    setDeviceIdState(id);
  };
  const setRingMuted = (muted: boolean) => {
    localStorage.setItem(RING_MUTE_KEY, muted ? "1" : "0");
    setRingMutedState(muted);
  };
  return { deviceId, setDeviceId, ringMuted, setRingMuted };
}

/** The microphone's state, the device choice, a check that asks for permission, and the ring's mute switch. */
export function MicBar({ deviceId, onDevice, ringMuted, onRingMuted, failedMic }: {
  deviceId: string | null;
  onDevice: (id: string | null) => void;
  ringMuted: boolean;
  onRingMuted: (muted: boolean) => void;
  /** The state a failed answer found (it overrides the last check). */
  failedMic: MicState | null;
}) {
  const { t } = useI18n();
  const [checked, setChecked] = useState<MicState>(() => (hasMediaDevices() ? "unknown" : "unsupported"));
  const [devices, setDevices] = useState<{ value: string; label: string }[]>([]);
  const [lastFailure, setLastFailure] = useState<MicState | null>(failedMic);
  if (failedMic !== lastFailure) {
    setLastFailure(failedMic);
    if (failedMic) setChecked(failedMic);
  }

  const refresh = useCallback(() => listMicrophones()
    .catch(() => [])
    .then((found) => setDevices(found.map((d, i) => ({ value: d.deviceId, label: d.label || t("voice.mic.numbered", { n: i + 1 }) })))), [t]);

  useEffect(() => {
    if (!hasMediaDevices()) return;
    // The permission may already be granted (no prompt): then the state is known without asking.
    void navigator.permissions?.query({ name: "microphone" as PermissionName })
      .then((status) => {
        if (status.state === "granted") setChecked((s) => (s === "unknown" ? "ready" : s));
        if (status.state === "denied") setChecked("denied");
      })
      .catch(() => undefined);
    void refresh();
    const onChange = () => void refresh();
    navigator.mediaDevices.addEventListener?.("devicechange", onChange);
    return () => navigator.mediaDevices.removeEventListener?.("devicechange", onChange);
  }, [refresh]);

  const check = async () => {
    unlockRing();
    setChecked(await probeMicrophone(deviceId));
    await refresh();
  };

  return (
    <Group gap="sm" wrap="wrap" data-testid="voice-mic-bar">
      <Badge color={MIC_COLORS[checked]} variant="light" data-testid="voice-mic-state" data-state={checked}>
        {t(`voice.mic.state.${checked}`)}
      </Badge>
      {checked !== "unsupported" && (
        <>
          <Select
            size="xs"
            w={220}
            placeholder={t("voice.mic.default")}
            aria-label={t("voice.mic.label")}
            data={devices}
            value={devices.some((d) => d.value === deviceId) ? deviceId : null}
            onChange={onDevice}
            clearable
            data-testid="voice-mic-select"
            comboboxProps={{ withinPortal: true }}
          />
          <Button size="compact-xs" variant="light" onClick={() => void check()} data-testid="voice-mic-check">
            {t("voice.mic.check")}
          </Button>
        </>
      )}
      <Switch
        size="xs"
        checked={!ringMuted}
        label={t("voice.ring")}
        data-testid="voice-ring-toggle"
        onChange={(e) => {
          const on = e.currentTarget.checked;
          if (on) unlockRing();
          onRingMuted(!on);
        }}
      />
    </Group>
  );
}
