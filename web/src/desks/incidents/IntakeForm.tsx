import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { useEffect, useState } from "react";
import { geocode } from "../../api/endpoints";
import { createIncident, type IncidentCategory, type IncidentDetail } from "../../api/incidents";
import { describeError, isApiError } from "../../api/problem";
import type { GeocodeResult } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";

const PREVIEW_DELAY_MS = 500;

type Preview = { state: "idle" | "looking" | "none" | "error" } | { state: "found"; result: GeocodeResult };

/** The address as the geocoder reads it, looked up while the operator types. */
function useAddressPreview(address: string): Preview {
  const [preview, setPreview] = useState<Preview>({ state: "idle" });
  const q = address.trim();
  const tooShort = q.length < 3;
  // Too short to look up: no preview (reset while rendering, not in an effect afterwards).
  if (tooShort && preview.state !== "idle") setPreview({ state: "idle" });
  useEffect(() => {
    if (tooShort) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setPreview({ state: "looking" });
      geocode(q, { signal: controller.signal })
        .then((result) => setPreview(result ? { state: "found", result } : { state: "none" }))
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          setPreview({ state: isApiError(e) && e.status === 422 ? "none" : "error" });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, tooShort]);
  return preview;
}

function AddressPreview({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  if (preview.state === "idle") return null;
  const text =
    preview.state === "found"
      ? t("incidents.intake.addressFound", { label: preview.result.label })
      : preview.state === "looking"
        ? t("incidents.intake.addressLooking")
        : preview.state === "none"
          ? t("incidents.intake.addressNotFound")
          : t("incidents.intake.addressError");
  return (
    <Text size="xs" c={preview.state === "found" ? "teal" : "dimmed"} data-testid="intake-address-preview" data-state={preview.state}>
      {text}
    </Text>
  );
}

/** What a call answered in the browser brings to the intake: the caller's number and where the line says it is. */
export interface IntakePrefill {
  callerPhone: string;
  lon: number | null;
  lat: number | null;
}

/** A 102 call: caller, address (geocoded by the server), category, what happened; `prefill` from a voice call. */
export function IntakeForm({ opened, categories, prefill, onClose, onCreated }: {
  opened: boolean;
  categories: readonly IncidentCategory[];
  prefill?: IntakePrefill | null;
  onClose: () => void;
  onCreated: (incident: IncidentDetail) => void;
}) {
  const { t, tMaybe } = useI18n();
  const [callerName, setCallerName] = useState("");
  const [callerPhone, setCallerPhone] = useState("");
  const [address, setAddress] = useState("");
  const [category, setCategory] = useState<string | null>(null);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const preview = useAddressPreview(address);
  // The call's number fills the field once per call opened (compared by value: the caller builds a new object).
  const prefillKey = opened && prefill ? JSON.stringify(prefill) : null;
  const [appliedKey, setAppliedKey] = useState<string | null>(null);
  if (prefill && prefillKey !== null && prefillKey !== appliedKey) {
    setAppliedKey(prefillKey);
    setCallerPhone(prefill.callerPhone);
  }
  const located = prefill && prefill.lon !== null && prefill.lat !== null ? { lon: prefill.lon, lat: prefill.lat } : null;

  const reset = () => {
    setCallerName("");
    setCallerPhone("");
    setAddress("");
    setCategory(null);
    setDescription("");
    setError(null);
  };

  const submit = async () => {
    if (!category) {
      setError({ message: t("incidents.intake.categoryRequired"), fields: {} });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const incident = await createIncident({
        source: "call",
        category,
        caller_name: callerName.trim() || null,
        caller_phone: callerPhone.trim() || null,
        address: address.trim() || null,
        ...(located ?? {}),
        description: description.trim() || null,
      });
      reset();
      setAppliedKey(null);
      onCreated(incident);
    } catch (e) {
      const described = describeError(e, tMaybe);
      setError({ message: described.message, fields: described.fieldErrors });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t("incidents.intake.title")} size="lg">
      <Stack gap="sm" data-testid="intake-form">
        <Group grow>
          <TextInput label={t("incidents.intake.callerName")} value={callerName} onChange={(e) => setCallerName(e.currentTarget.value)} data-testid="intake-caller-name" error={error?.fields["body.caller_name"]} />
          <TextInput label={t("incidents.intake.callerPhone")} value={callerPhone} onChange={(e) => setCallerPhone(e.currentTarget.value)} data-testid="intake-caller-phone" error={error?.fields["body.caller_phone"]} />
        </Group>
        <TextInput label={t("incidents.intake.address")} value={address} onChange={(e) => setAddress(e.currentTarget.value)} data-testid="intake-address" error={error?.fields["body.address"]} />
        <AddressPreview preview={preview} />
        {located && (
          <Text size="xs" c="teal" data-testid="intake-call-location">
            {t("voice.intakeLocation", { lat: located.lat.toFixed(5), lon: located.lon.toFixed(5) })}
          </Text>
        )}
        <Select
          label={t("incidents.intake.category")}
          data={categories.map((c) => ({ value: c.code, label: c.name }))}
          value={category}
          onChange={setCategory}
          searchable
          required
          data-testid="intake-category"
          comboboxProps={{ withinPortal: true }}
        />
        <Textarea label={t("incidents.intake.description")} autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} data-testid="intake-description" />
        {error && <Alert color="red" py={6} data-testid="intake-error">{error.message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t("incidents.cancel")}</Button>
          <Button loading={busy} onClick={() => void submit()} data-testid="intake-submit">{t("incidents.intake.submit")}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
