import { Alert, Badge, Button, Card, Group, Image, MultiSelect, Paper, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { OBJECT_CLASSES, fetchRules, searchObjects, type AnalyticsRule, type DetectedObject, type ObjectClass } from "../../../api/analytics";
import { describeError } from "../../../api/problem";
import { fetchCameras, type VideoCamera } from "../../../api/video";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/messages";
import { useMeta } from "../../../shell/meta";
import { formatInstant } from "../../../shell/time";
import { fromLocalInput, toLocalInput } from "../localTime";
import { MAX_SEARCH_CAMERAS, groupsOf, othersOfGroup, searchCameras } from "./search";

const PAGE = 48;

interface Criteria {
  camera: string[];
  from: string;
  to: string;
  label: ObjectClass | null;
  zone: number | null;
}

/** Every object seen at a camera (or at several, or a camera group, at once) in a time range, of a class, in a zone
 * (of the camera in focus): thumbnails; a click opens the recording there. */
export function ObjectSearch({ code, onOpen }: { code: string | null; onOpen: (code: string, at: string) => void }) {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const [fromText, setFromText] = useState(() => toLocalInput(Date.now() - 3_600_000, timeZone));
  const [toText, setToText] = useState(() => toLocalInput(Date.now(), timeZone));
  const [label, setLabel] = useState<ObjectClass | null>(null);
  const [zone, setZone] = useState<string | null>(null);
  const [zones, setZones] = useState<AnalyticsRule[]>([]);
  const [criteria, setCriteria] = useState<Criteria | null>(null);
  const [items, setItems] = useState<DetectedObject[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [others, setOthers] = useState<string[]>([]);
  const [cameraList, setCameraList] = useState<VideoCamera[]>([]);
  const [cut, setCut] = useState(0);
  const [shownFor, setShownFor] = useState(code);
  if (shownFor !== code) {
    // Another camera picked: the previous camera's results and zone go; the other cameras chosen stay.
    setShownFor(code);
    setCriteria(null);
    setItems([]);
    setCursor(null);
    setZone(null);
  }

  useEffect(() => {
    const controller = new AbortController();
    // The cameras (and so the groups) the user may see, for searching several at once.
    fetchCameras({ limit: 500 }, { signal: controller.signal })
      .then((page) => setCameraList(page.items))
      .catch(() => setCameraList([]));
    return () => controller.abort();
  }, []);
  const groups = useMemo(() => groupsOf(cameraList), [cameraList]);
  const pickGroup = (group: string | null) => {
    if (!group || !code) return;
    const chosen = othersOfGroup(cameraList, group, code);
    setOthers(chosen.others);
    setCut(chosen.cut);
  };

  useEffect(() => {
    if (!code) return;
    const controller = new AbortController();
    // The zones to search in are the camera's polygon rules; a user who may not read rules searches without them.
    fetchRules(code, { signal: controller.signal })
      .then((rules) => setZones(rules.filter((r) => r.kind !== "line")))
      .catch(() => setZones([]));
    return () => controller.abort();
  }, [code]);

  const load = async (c: Criteria, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const page = await searchObjects({ ...c, cursor: after, limit: PAGE });
      setItems((list) => (after ? [...list, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const run = () => {
    const fromMs = fromLocalInput(fromText, timeZone);
    const toMs = fromLocalInput(toText, timeZone);
    if (!code || !Number.isFinite(fromMs) || !Number.isFinite(toMs)) return;
    const c: Criteria = { camera: searchCameras(code, others), from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), label, zone: zone ? Number(zone) : null };
    setCriteria(c);
    setItems([]);
    void load(c, null);
  };

  if (!code) return <Text size="sm" c="dimmed" data-testid="object-search-pick">{t("analytics.pickCamera")}</Text>;
  return (
    <Stack gap="xs" data-testid="object-search">
      <Paper withBorder p="xs">
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Text size="sm" className="mono" data-testid="object-search-camera">{code}</Text>
          <TextInput size="xs" type="datetime-local" step={1} label={t("analytics.search.from")} value={fromText} onChange={(e) => setFromText(e.currentTarget.value)} data-testid="object-search-from" />
          <TextInput size="xs" type="datetime-local" step={1} label={t("analytics.search.to")} value={toText} onChange={(e) => setToText(e.currentTarget.value)} data-testid="object-search-to" />
          <Select size="xs" w={150} clearable label={t("analytics.search.class")} placeholder={t("analytics.search.anyClass")} value={label}
            onChange={(v) => setLabel(v as ObjectClass | null)} data={OBJECT_CLASSES.map((c) => ({ value: c, label: t(`analytics.class.${c}` as MessageKey) }))}
            data-testid="object-search-class" />
          <Select size="xs" w={180} clearable label={t("analytics.search.zone")} placeholder={t("analytics.search.anyZone")} value={zone} onChange={setZone}
            data={zones.map((r) => ({ value: String(r.id), label: r.name }))} disabled={zones.length === 0} data-testid="object-search-zone" />
          <Button size="xs" variant="light" loading={busy && items.length === 0} onClick={run} data-testid="object-search-run">{t("analytics.search.run")}</Button>
        </Group>
        <Group gap="xs" align="flex-end" wrap="wrap" mt={4}>
          <MultiSelect size="xs" miw={260} maw={640} searchable clearable label={t("analytics.search.alsoCameras")} placeholder={t("analytics.search.onlyThis")}
            value={others.filter((c) => c !== code)} onChange={(v) => { setOthers(v); setCut(0); }} maxValues={MAX_SEARCH_CAMERAS - 1}
            data={cameraList.filter((c) => c.code !== code).map((c) => ({ value: c.code, label: `${c.code} · ${lang === "kk" ? c.name_kk : c.name_ru}` }))}
            data-testid="object-search-cameras" />
          <Select size="xs" w={220} label={t("analytics.search.group")} placeholder={t("analytics.search.pickGroup")} value={null} onChange={pickGroup}
            data={groups.map((g) => ({ value: g.code, label: `${tMaybe(`analytics.search.groups.${g.code}`) ?? g.code} (${g.count})` }))}
            disabled={groups.length === 0} data-testid="object-search-group" />
        </Group>
        {cut > 0 && <Text size="xs" c="dimmed" mt={4} data-testid="object-search-cut">{t("analytics.search.groupCut", { count: cut, max: MAX_SEARCH_CAMERAS })}</Text>}
      </Paper>
      {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
      {criteria && !busy && items.length === 0 && error === null && <Text size="sm" c="dimmed" data-testid="object-search-none">{t("analytics.search.none")}</Text>}
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 6 }} spacing="xs" data-testid="object-search-results">
        {items.map((o) => (
          <Card key={o.id} withBorder padding={4} style={{ cursor: "pointer" }} onClick={() => onOpen(o.camera, o.best_at)}
            data-testid="object-result" data-id={o.id} data-label={o.label}>
            <Card.Section>
              {o.thumbnail_url ? (
                <Image src={o.thumbnail_url} alt={t(`analytics.class.${o.label}` as MessageKey)} h={96} fit="contain" bg="black" />
              ) : (
                <Text h={96} size="xs" c="dimmed" p={4}>{t("analytics.alarm.noSnapshot")}</Text>
              )}
            </Card.Section>
            <Group gap={4} mt={4} justify="space-between" wrap="nowrap">
              <Badge size="xs" variant="light">{t(`analytics.class.${o.label}` as MessageKey)}</Badge>
              {criteria && criteria.camera.length > 1 && <Text size="xs" className="mono" data-testid="object-result-camera">{o.camera}</Text>}
              <Text size="xs" className="tabular">{formatInstant(o.best_at, { timeZone })}</Text>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
      {criteria && cursor && (
        <Group justify="center">
          <Button size="xs" variant="default" loading={busy} onClick={() => void load(criteria, cursor)} data-testid="object-search-more">{t("analytics.search.more")}</Button>
        </Group>
      )}
    </Stack>
  );
}
