import { Alert, Badge, Button, Group, Image, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import type { Feature } from "geojson";
import { useCallback, useEffect, useState } from "react";
import { fetchCityMap } from "../../api/endpoints";
import { describeError } from "../../api/problem";
import { fetchRoadCameras, keepRead, searchReads, trackPlate, type CameraOption, type Direction, type PlateSearchResult, type PlateTrack, type TrackPoint } from "../../api/roads";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { fromLocalInput } from "../video/localTime";
import { TrackMap } from "./TrackMap";
import { vehicleWords } from "./vehicle";

const iso = (text: string, timeZone: string): string | null => {
  const ms = fromLocalInput(text, timeZone);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};

/** Search of the plate reads (plate with `?`/`*`, period, camera, direction) and "where was it today" on a map;
 * every search needs a reason, which the server audits. */
export function SearchPanel() {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const [plate, setPlate] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [camera, setCamera] = useState<string | null>(null);
  const [direction, setDirection] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [cameras, setCameras] = useState<CameraOption[]>([]);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [result, setResult] = useState<PlateSearchResult | null>(null);
  const [track, setTrack] = useState<PlateTrack | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    fetchRoadCameras({ signal: controller.signal }).then((page) => setCameras(page.items)).catch(() => setCameras([]));
    fetchCityMap(["streets"], { signal: controller.signal })
      .then((map) => setStreets((map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[]))
      .catch(() => setStreets(null));
    return () => controller.abort();
  }, []);

  const reasonOk = reason.trim().length >= 3;
  const run = async () => {
    setBusy(true);
    setError(null);
    setTrack(null);
    try {
      setResult(await searchReads({
        reason: reason.trim(), plate: plate.trim() || null, since: since ? iso(since, timeZone) : null,
        until: until ? iso(until, timeZone) : null, device_id: camera ? Number(camera) : null,
        direction: (direction as Direction | null) ?? null,
      }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const follow = async (which: string) => {
    setError(null);
    try {
      setTrack(await trackPlate({ plate: which, reason: reason.trim() }));
    } catch (e) {
      setError(e);
    }
  };
  const keep = async (readId: number) => {
    setError(null);
    try {
      await keepRead(readId, reason.trim());
      setResult((r) => (r ? { ...r, items: r.items.map((i) => (i.id === readId ? { ...i, kept: true } : i)) } : r));
    } catch (e) {
      setError(e);
    }
  };
  const label = useCallback((p: TrackPoint, i: number) => `${i + 1}. ${p.camera_code} ${formatInstant(p.seen_at, { timeZone, withSeconds: false })}`, [timeZone]);
  const when = (value: string) => formatInstant(value, { timeZone, withDate: true, withSeconds: true });

  return (
    <Stack gap="sm">
      <Group align="end" wrap="wrap">
        <TextInput label={t("roads.search.plate")} description={t("roads.search.plateHint")} value={plate}
          onChange={(e) => setPlate(e.currentTarget.value)} w={180} data-testid="roads-plate" />
        <TextInput type="datetime-local" label={t("roads.search.since")} value={since} onChange={(e) => setSince(e.currentTarget.value)} />
        <TextInput type="datetime-local" label={t("roads.search.until")} value={until} onChange={(e) => setUntil(e.currentTarget.value)} />
        <Select label={t("roads.search.camera")} clearable searchable value={camera} onChange={setCamera} w={220}
          data={cameras.map((c) => ({ value: String(c.id), label: `${c.code} · ${lang === "kk" ? c.name_kk : c.name_ru}` }))} />
        <Select label={t("roads.search.direction")} clearable value={direction} onChange={setDirection} w={140}
          data={[{ value: "in", label: t("roads.direction.in") }, { value: "out", label: t("roads.direction.out") }]} />
      </Group>
      <Group align="end">
        <TextInput label={t("roads.search.reason")} description={t("roads.search.reasonHint")} required value={reason}
          onChange={(e) => setReason(e.currentTarget.value)} w={420} data-testid="roads-reason" />
        <Button onClick={() => void run()} disabled={!reasonOk} loading={busy} data-testid="roads-search">{t("roads.search.run")}</Button>
      </Group>
      {error ? <Alert color="red">{describeError(error, tMaybe).message}</Alert> : null}
      {track ? (
        <Stack gap={4}>
          <Text fw={600}>{t("roads.track.title", { plate: track.plate, count: track.points.length })}</Text>
          <TrackMap points={track.points} streets={streets} label={label} />
        </Stack>
      ) : null}
      {result ? (
        <Stack gap={4}>
          <Text size="sm" c="dimmed">{t("roads.search.found", { count: result.items.length })}{result.truncated ? ` · ${t("roads.search.truncated")}` : ""}</Text>
          <Table striped highlightOnHover data-testid="roads-results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("roads.col.crop")}</Table.Th>
                <Table.Th>{t("roads.col.plate")}</Table.Th>
                <Table.Th>{t("roads.col.time")}</Table.Th>
                <Table.Th>{t("roads.col.camera")}</Table.Th>
                <Table.Th>{t("roads.col.direction")}</Table.Th>
                <Table.Th>{t("roads.col.vehicle")}</Table.Th>
                <Table.Th>{t("roads.col.lane")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td><Image src={r.crop_url} alt={r.plate} h={32} w="auto" fit="contain" /></Table.Td>
                  <Table.Td>
                    <Group gap={4}><Text ff="monospace" fw={600}>{r.plate}</Text>{r.foreign ? <Badge size="xs" color="grape">{r.country}</Badge> : null}{r.kept ? <Badge size="xs" color="red">{t("roads.kept")}</Badge> : null}</Group>
                  </Table.Td>
                  <Table.Td>{when(r.seen_at)}</Table.Td>
                  <Table.Td>{r.camera_code}</Table.Td>
                  <Table.Td>{r.direction ? t(r.direction === "in" ? "roads.direction.in" : "roads.direction.out") : "—"}</Table.Td>
                  <Table.Td>{vehicleWords(r.vehicle_class, r.colour, tMaybe)}</Table.Td>
                  <Table.Td>{r.lane ?? "—"}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" onClick={() => void follow(r.plate)} disabled={r.plate.includes("?") || !reasonOk}>{t("roads.track.button")}</Button>
                      {r.kept ? null : <Button size="compact-xs" variant="subtle" onClick={() => void keep(r.id)} disabled={!reasonOk}>{t("roads.keep")}</Button>}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      ) : null}
    </Stack>
  );
}
