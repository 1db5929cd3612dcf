import { Alert, Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import type { Feature } from "geojson";
import { useEffect, useState } from "react";
import { fetchMine, type Passport } from "../api/districts";
import { describeError } from "../api/problem";
import { DistrictMap } from "../desks/districts/DistrictMap";
import { dayRanges, districtName } from "../desks/districts/figures";
import { useI18n } from "../i18n/I18nProvider";
import { useMeta } from "../shell/meta";
import { formatInstant } from "../shell/time";
import { loadBaseMap } from "./baseMap";
import { fetchDistrictAppeals, policePoints, type DistrictAppeals } from "./inspector";
import { useCategoryNames } from "./useCategories";

const DAY_KEYS = ["districts.day.0", "districts.day.1", "districts.day.2", "districts.day.3", "districts.day.4",
  "districts.day.5", "districts.day.6"] as const;
const INCIDENTS_SHOWN = 10;

function Figure({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <Card withBorder padding="xs">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={700} size="lg" data-testid={testId}>{value}</Text>
    </Card>
  );
}

function Appeals({ districtId }: { districtId: number }) {
  const { t, tMaybe } = useI18n();
  const [appeals, setAppeals] = useState<DistrictAppeals | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchDistrictAppeals(districtId, { signal: controller.signal }).then(setAppeals).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [districtId]);
  if (error !== null) return <Text size="sm" c="red">{describeError(error, tMaybe).message}</Text>;
  if (appeals === null) return <Loader size="xs" />;
  if (!appeals.available) return <Text size="sm" c="dimmed" data-testid="unit-district-appeals-unavailable">{t("unit.district.appealsUnavailable")}</Text>;
  if (appeals.items.length === 0) return <Text size="sm" c="dimmed">{t("unit.district.noAppeals")}</Text>;
  return (
    <Stack gap={4} data-testid="unit-district-appeals">
      {appeals.items.map((a) => (
        <Card key={a.id} withBorder padding="xs" data-open={a.open}>
          <Group justify="space-between" gap={4}>
            <Text fw={600} size="sm">{a.number}</Text>
            <Group gap={4}>
              {a.overdue && <Badge color="red" size="sm">{t("unit.district.overdue")}</Badge>}
              <Badge color={a.open ? "blue" : "gray"} size="sm">{tMaybe(`unit.district.appealState.${a.state}`) ?? a.state}</Badge>
            </Group>
          </Group>
          <Text size="sm">{a.address}</Text>
          {a.deadline && a.open && <Text size="xs" c="dimmed">{t("unit.district.deadline", { date: a.deadline })}</Text>}
        </Card>
      ))}
    </Stack>
  );
}

function DistrictCard({ passport, streets }: { passport: Passport; streets: readonly Feature[] | null }) {
  const { t, tMaybe, lang, locale } = useI18n();
  const { timeZone } = useMeta();
  const names = useCategoryNames();
  const d = passport.district;
  const number = (n: number | null) => (n === null ? "—" : Math.round(n).toLocaleString(locale));
  const days = dayRanges(d.reception.days)
    .map(([a, b]) => (a === b ? t(DAY_KEYS[a]) : `${t(DAY_KEYS[a])}–${t(DAY_KEYS[b])}`))
    .join(", ");
  const social = Object.values(passport.social_objects).reduce((sum, n) => sum + n, 0);
  return (
    <Stack gap="sm" data-testid="unit-district" data-number={d.number}>
      <Group justify="space-between">
        <Title order={2} size="h3">{districtName(d, lang)}</Title>
        {d.over_norm && <Badge color="red">{t("districts.overNorm")}</Badge>}
      </Group>
      <DistrictMap districts={[{ id: d.id, label: String(d.number), geometry: d.geometry, colour: "#74c0fc", selected: true }]}
        streets={streets} height={260} testId="unit-district-map" />
      <SimpleGrid cols={2} spacing="xs">
        <Figure label={t("districts.residents")} value={number(d.residents)} testId="unit-district-residents" />
        <Figure label={t("districts.perInspector")} value={number(d.residents_per_inspector)} />
        <Figure label={t("districts.socialObjects")} value={social} />
        <Figure label={t("districts.cameras")} value={passport.cameras} />
        <Figure label={t("unit.district.policePoints")} value={policePoints(passport)} testId="unit-district-points" />
        <Figure label={t("unit.district.incidents30")} value={passport.incidents.length} />
      </SimpleGrid>
      {social > 0 && (
        <Text size="xs" c="dimmed">
          {Object.entries(passport.social_objects).map(([kind, n]) => `${tMaybe(`districts.subtype.${kind}`) ?? kind}: ${n}`).join(", ")}
        </Text>
      )}
      <Card withBorder padding="sm" data-testid="unit-district-reception">
        <Text fw={600}>{t("districts.reception")}</Text>
        <Text size="sm">{t("districts.receptionHours", { days, from: d.reception.from, to: d.reception.to })}</Text>
        <Text size="sm">{d.site_name ? `${d.site_name} (${d.site_code})` : d.site_code ?? "—"}</Text>
        {d.contacts && <Text size="sm" c="dimmed">{d.contacts}</Text>}
      </Card>
      <Title order={3} size="h4">{t("districts.recentIncidents")}</Title>
      {passport.incidents.length === 0 ? <Text size="sm" c="dimmed">{t("districts.noIncidents")}</Text> : (
        <Stack gap={4} data-testid="unit-district-incidents">
          {passport.incidents.slice(0, INCIDENTS_SHOWN).map((i) => (
            <Card key={i.id} withBorder padding="xs">
              <Group justify="space-between" gap={4}>
                <Text fw={600} size="sm">{names[i.category] ?? i.category}</Text>
                <Text size="xs" c="dimmed">{formatInstant(i.received_at, { timeZone, withSeconds: false })}</Text>
              </Group>
              <Text size="sm">{i.address ?? "—"}</Text>
              <Text size="xs" c="dimmed">{i.number} · {tMaybe(`incidents.state.${i.state}`) ?? i.state}</Text>
            </Card>
          ))}
        </Stack>
      )}
      <Title order={3} size="h4">{t("unit.district.appeals")}</Title>
      <Appeals districtId={d.id} />
    </Stack>
  );
}

/** The inspector's own districts in the unit app: the map, figures, reception, recent incidents and appeals. */
export function MyDistrict() {
  const { t, tMaybe } = useI18n();
  const [mine, setMine] = useState<Passport[] | null>(null);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchMine({ signal: controller.signal }).then(setMine).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    loadBaseMap().then((map) => {
      if (!controller.signal.aborted) {
        setStreets((map.features ?? []).filter((f): f is Feature => !!f?.geometry && f.properties?.layer === "streets") as Feature[]);
      }
    }).catch(() => undefined);
    return () => controller.abort();
  }, []);
  if (error !== null) return <Alert color="red" variant="light">{describeError(error, tMaybe).message}</Alert>;
  if (mine === null) return <Loader size="sm" aria-label={t("unit.loading")} />;
  if (mine.length === 0) return <Alert color="yellow" variant="light" data-testid="unit-district-none">{t("unit.district.none")}</Alert>;
  return <Stack gap="lg" data-testid="unit-my-district">{mine.map((p) => <DistrictCard key={p.district.id} passport={p} streets={streets} />)}</Stack>;
}
