import { Alert, Button, Group, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from "@mantine/core";
import type { Feature } from "geojson";
import { useState } from "react";
import { APPEAL_CHANNELS, registerAppeal, type AppealChannel, type AppealRead, type AppealSubject } from "../../api/appeals";
import type { District } from "../../api/districts";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { PointPicker } from "./PointPicker";
import { problemLines, subjectName } from "./names";

/** Registers an appeal: channel, applicant, contact, address with its point on the map, subject and text. The
 * server routes it to the district at the point (a district is chosen by hand only for a point outside all). */
export function RegisterForm({ subjects, districts, streets, onDone, onCancel }: {
  subjects: AppealSubject[];
  districts: District[];
  streets: Feature[] | null;
  onDone: (created: AppealRead) => void;
  onCancel: () => void;
}) {
  const { t, tMaybe, lang } = useI18n();
  const [channel, setChannel] = useState<AppealChannel>("reception");
  const [name, setName] = useState("");
  const [contact, setContact] = useState("");
  const [address, setAddress] = useState("");
  const [subject, setSubject] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [point, setPoint] = useState<{ lon: number; lat: number } | null>(null);
  const [districtId, setDistrictId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ready = name.trim() && address.trim() && subject && text.trim() && point;

  const submit = () => {
    if (!ready || !point || !subject) return;
    setBusy(true);
    registerAppeal({
      channel, applicant_name: name.trim(), applicant_contact: contact.trim() || null, address: address.trim(),
      lon: point.lon, lat: point.lat, subject, text: text.trim(), district_id: districtId ? Number(districtId) : null,
    })
      .then((created) => {
        setError(null);
        onDone(created);
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };
  const described = error === null ? null : describeError(error, tMaybe);

  return (
    <Stack gap="xs" data-testid="appeal-register">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <Stack gap="xs">
          <Select label={t("appeals.form.channel")} value={channel} allowDeselect={false}
            data={APPEAL_CHANNELS.map((c) => ({ value: c, label: t(`appeals.channel.${c}` as "appeals.channel.phone") }))}
            onChange={(v) => v && setChannel(v as AppealChannel)} data-testid="appeal-channel" />
          <TextInput label={t("appeals.form.applicant")} value={name} required onChange={(e) => setName(e.currentTarget.value)} data-testid="appeal-applicant" />
          <TextInput label={t("appeals.form.contact")} value={contact} onChange={(e) => setContact(e.currentTarget.value)} data-testid="appeal-contact" />
          <TextInput label={t("appeals.form.address")} value={address} required onChange={(e) => setAddress(e.currentTarget.value)} data-testid="appeal-address" />
          <Select label={t("appeals.form.subject")} value={subject} required searchable
            data={subjects.map((s) => ({ value: s.code, label: subjectName(s, lang) }))} onChange={setSubject} data-testid="appeal-subject" />
          <Textarea label={t("appeals.form.text")} value={text} required autosize minRows={3} onChange={(e) => setText(e.currentTarget.value)} data-testid="appeal-text" />
        </Stack>
        <Stack gap={4}>
          <Text size="sm">{t("appeals.form.point")}</Text>
          <PointPicker districts={districts.map((d) => ({ id: d.id, label: String(d.number), geometry: d.geometry }))}
            streets={streets} point={point} onPick={(lon, lat) => setPoint({ lon, lat })} />
          <Text size="xs" c="dimmed" data-testid="appeal-point">
            {point ? t("appeals.form.pointSet", { lat: point.lat.toFixed(5), lon: point.lon.toFixed(5) }) : t("appeals.form.noPoint")}
          </Text>
          <Select label={t("appeals.form.district")} value={districtId} clearable
            data={districts.map((d) => ({ value: String(d.id), label: String(d.number) }))} onChange={setDistrictId} />
        </Stack>
      </SimpleGrid>
      {described && (
        <Alert color="red" data-testid="appeal-register-error">
          {described.message}
          {problemLines(error, tMaybe).map((line) => <Text key={line} size="xs">{line}</Text>)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>{t("appeals.form.cancel")}</Button>
        <Button onClick={submit} disabled={!ready} loading={busy} data-testid="appeal-submit">{t("appeals.form.submit")}</Button>
      </Group>
    </Stack>
  );
}
