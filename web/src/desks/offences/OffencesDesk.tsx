import { Alert, Badge, Button, Group, Loader, Menu, Paper, Select, SegmentedControl, SimpleGrid, Stack, Switch, Text, Title } from "@mantine/core";
import type { Feature } from "geojson";
import { useCallback, useEffect, useMemo, useState } from "react";
import { fetchDistricts, type District } from "../../api/districts";
import { fetchCityMap } from "../../api/endpoints";
import type { DrillDown } from "../../api/offences";
import { describeError } from "../../api/problem";
import {
  fetchCamerasEffect, fetchHeadline, fetchHeatmap, fetchHotspots, fetchLegalAvailable, fetchLegalClearance, fetchLegalRegions,
  fetchMoran, fetchReadings, fetchSlices, fetchTrend, offenceReportUrl,
  type LegalClearance, type LegalRegion, type StatsCamerasEffect, type StatsClearance, type StatsHeadline, type StatsHeatmap,
  type StatsHotspots, type StatsMonth, type StatsMoran, type StatsPart, type StatsQuery, type StatsReading,
} from "../../api/statistics";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { LANGUAGES } from "../../i18n/languages";
import type { MessageKey } from "../../i18n/messages";
import { DeskPage } from "../../shell/DeskPage";
import { StructureBars, TrendChart } from "./Charts";
import { DrillDownDrawer } from "./DrillDown";
import { HOTSPOT_CLASSES, HOTSPOT_COLORS, formatCount } from "./figures";
import { HeadlineCards, type CardDrill } from "./HeadlineCards";
import { HeatMap } from "./HeatMap";
import { HotspotMap } from "./HotspotMap";
import { CamerasTable, MoranLine, ReferenceTable } from "./Panels";
import { PeriodPicker, dotted } from "./PeriodPicker";
import { defaultPeriod, trendRange, type Period } from "./periods";

const HOME_REGION = "west_kazakhstan";

interface Figures {
  key: string;
  headline: StatsHeadline;
  /** Clearance under every reading, of the criminal offences only. */
  clearance: StatsClearance[];
  trend: StatsMonth[];
  heatmap: StatsHeatmap;
  districts: StatsPart[];
  /** Generated records exist where the figures (without them) have none: say so and offer the switch. */
  onlyGenerated: boolean;
}

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Title order={2} size="h5" mb="xs">{title}</Title>
      {children}
    </Paper>
  );
}

/** The statistics desk for offences: headline with АППГ, trend, structure, heat map, hot spots, reference, reports. */
export function OffencesDesk() {
  const { t, tMaybe, lang, locale } = useI18n();
  const { user } = useSession();
  const canDrill = hasPermission(user, PERMISSIONS.offencesRead);
  const [period, setPeriod] = useState<Period>(() => defaultPeriod("month", new Date().toISOString().slice(0, 10)));
  const [districtId, setDistrictId] = useState<number | null>(null);
  const [settlement, setSettlement] = useState<string | null>(null);
  const [group, setGroup] = useState<string | null>(null);
  const [includeGenerated, setIncludeGenerated] = useState(false);
  const [grid, setGrid] = useState<"settlement" | "area">("settlement");
  const [readings, setReadings] = useState<StatsReading[]>([]);
  const [reading, setReading] = useState<string | null>(null);
  const [districtList, setDistrictList] = useState<District[]>([]);
  const [settlements, setSettlements] = useState<string[]>([]);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [figures, setFigures] = useState<Figures | null>(null);
  // Hot spots with the query they answer: another period or grid shows none until its answer is in.
  const [hotAnswer, setHotAnswer] = useState<{ key: string; value: StatsHotspots } | null>(null);
  const [moran, setMoran] = useState<{ value: StatsMoran | null; unavailable: boolean }>({ value: null, unavailable: false });
  const [cameras, setCameras] = useState<StatsCamerasEffect | null>(null);
  const [reference, setReference] = useState<{ table: LegalClearance; regions: LegalRegion[] } | null>(null);
  const [referenceMissing, setReferenceMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [drill, setDrill] = useState<{ query: DrillDown; title: string } | null>(null);

  const query: StatsQuery = useMemo(() => ({
    first: period.first, last: period.last, includeGenerated,
    districts: districtId ? [districtId] : [], settlements: settlement ? [settlement] : [], articleGroups: group ? [group] : [],
  }), [period, includeGenerated, districtId, settlement, group]);
  const key = JSON.stringify(query);

  // What does not change with the period: readings, districts, streets, settlements, the official reference.
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    fetchReadings({ signal }).then((list) => {
      setReadings(list);
      setReading((r) => r ?? list.find((x) => x.default)?.code ?? list[0]?.code ?? null);
    }).catch(() => undefined);
    // Without districts:read (or before any district set) the desk has no district filter; its figures still work.
    fetchDistricts({ signal }).then((set) => setDistrictList(set.districts)).catch(() => setDistrictList([]));
    fetchCityMap(["streets"], { signal })
      .then((map) => setStreets((map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[]))
      .catch(() => setStreets(null));
    Promise.all([fetchLegalAvailable({ signal }), fetchLegalRegions({ signal })])
      .then(async ([available, regions]) => {
        const latest = available.filter((a) => a.form === "sng1" && a.national_total).map((a) => a.period).sort().at(-1);
        if (!latest) {
          setReferenceMissing(true);
          return;
        }
        setReference({ table: await fetchLegalClearance(latest, { signal }), regions });
      })
      .catch(() => setReferenceMissing(true));
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const figuresOf = async (): Promise<Figures> => {
      // The headline's clearance counts criminal offences only (the server's measures), as the report does,
      // while its counts cover every class.
      const [headline, trend, heatmap, byDistrict, bySettlement] = await Promise.all([
        fetchHeadline(query, { signal }), fetchTrend({ ...query, ...trendRange(period) }, { signal }), fetchHeatmap(query, { signal }),
        fetchSlices(query, "district", { signal }), fetchSlices({ ...query, settlements: [] }, "settlement", { signal }),
      ]);
      setSettlements(bySettlement.parts.map((p) => p.label).filter((l): l is string => !!l).sort());
      let onlyGenerated = false;
      if (!query.includeGenerated && headline.total.current + headline.total.previous === 0) {
        const withGenerated = await fetchHeadline({ ...query, includeGenerated: true }, { signal });
        onlyGenerated = withGenerated.total.current + withGenerated.total.previous > 0;
      }
      return { key, headline, clearance: headline.clearance, trend: trend.months, heatmap, districts: byDistrict.parts, onlyGenerated };
    };
    figuresOf().then((found) => {
      setFigures(found);
      setError(null);
    }).catch((e: unknown) => {
      if (!signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [query, key, period]);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const asked = `${JSON.stringify(query)}|${grid}`;
    fetchHotspots(query, grid, { signal }).then((value) => setHotAnswer({ key: asked, value })).catch(() => undefined);
    fetchMoran(query, grid, { signal })
      .then((value) => setMoran({ value, unavailable: false }))
      .catch(() => {
        if (!signal.aborted) setMoran({ value: null, unavailable: true });
      });
    return () => controller.abort();
  }, [query, grid]);

  useEffect(() => {
    const controller = new AbortController();
    fetchCamerasEffect(includeGenerated, { signal: controller.signal }).then(setCameras).catch(() => setCameras(null));
    return () => controller.abort();
  }, [includeGenerated]);

  const districtName = useCallback((d: Pick<District, "number" | "name_kk" | "name_ru" | "name_en">) =>
    `№ ${d.number} ${lang === "kk" ? d.name_kk : lang === "en" ? d.name_en : d.name_ru}`, [lang]);
  const groupName = useCallback((code: string | null) => (code ? tMaybe(`offences.group.${code}`) ?? code : "—"), [tMaybe]);
  const monthName = useCallback((m: StatsMonth) =>
    new Intl.DateTimeFormat(locale, { month: "short" }).format(new Date(Date.UTC(m.year, m.month - 1, 15))), [locale]);
  const describeCell = useCallback((cell: StatsHotspots["cells"][number]) =>
    `${cell.level ? t(`offences.hotspots.level.${cell.level}` as MessageKey) : ""} · ${t("offences.hotspots.cell", {
      count: cell.count, z: cell.value.toFixed(2), p: cell.p === null ? "—" : cell.p.toFixed(4) })}`, [t]);

  const shown = figures?.key === key ? figures : null;
  const hotspots = hotAnswer?.key === `${key}|${grid}` ? hotAnswer.value : null;
  const clearance = shown?.clearance.find((c) => c.reading === reading) ?? shown?.clearance.find((c) => c.default) ?? null;
  const readingInfo = readings.find((r) => r.code === clearance?.reading);
  const readingName = readingInfo ? (readingInfo.names[lang] ?? readingInfo.names.en ?? readingInfo.code) : (clearance?.reading ?? "");

  const openDrill = canDrill
    ? (slice: Partial<DrillDown>, title: string) => setDrill({
        title,
        query: { first: period.first, last: period.last, districtId, settlement, articleGroup: group, includeGenerated, ...slice },
      })
    : null;
  const districtsById = new Map(districtList.map((d) => [d.id, d]));
  const districtPartName = (p: StatsPart) => {
    const found = p.label ? districtsById.get(Number(p.label)) : undefined;
    return found ? districtName(found) : (p.name ?? t("offences.noDistrict"));
  };

  const reportMenu = (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="xs" variant="default" data-testid="offences-report">{t("offences.report.title")}</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("offences.report.hint")}</Menu.Label>
        {(["xlsx", "pdf"] as const).map((format) => LANGUAGES.map((language) => (
          <Menu.Item key={`${format}-${language}`} component="a" download
            href={offenceReportUrl(query, format, language, reading ?? undefined)} data-testid={`report-${format}-${language}`}>
            {t(`offences.report.${format}`)} · {language.toUpperCase()}
          </Menu.Item>
        )))}
      </Menu.Dropdown>
    </Menu>
  );

  return (
    <DeskPage title={t("nav.offences")} actions={reportMenu}>
      <Group gap="md" align="end" wrap="wrap">
        <PeriodPicker period={period} onChange={setPeriod} />
        {districtList.length > 0 && (
          <Select size="xs" w={200} clearable label={t("offences.filter.district")} placeholder={t("offences.filter.all")}
            data={districtList.map((d) => ({ value: String(d.id), label: districtName(d) }))}
            value={districtId ? String(districtId) : null} onChange={(v) => setDistrictId(v ? Number(v) : null)} />
        )}
        <Select size="xs" w={170} clearable searchable label={t("offences.filter.settlement")} placeholder={t("offences.filter.all")}
          data={settlements} value={settlement} onChange={setSettlement} />
        <Select size="xs" w={210} clearable searchable label={t("offences.filter.group")} placeholder={t("offences.filter.all")}
          data={(shown?.headline.by_group ?? []).map((p) => p.label).filter((l): l is string => !!l)
            .concat(group && !(shown?.headline.by_group ?? []).some((p) => p.label === group) ? [group] : [])
            .map((code) => ({ value: code, label: groupName(code) }))}
          value={group} onChange={setGroup} />
        {readings.length > 1 && (
          <Select size="xs" w={230} label={t("offences.reading")} value={reading} onChange={(v) => v && setReading(v)}
            data={readings.map((r) => ({ value: r.code, label: r.names[lang] ?? r.names.en ?? r.code }))} />
        )}
        <Group gap="xs" align="center">
          <Switch size="sm" checked={includeGenerated} onChange={(e) => setIncludeGenerated(e.currentTarget.checked)}
            label={t("offences.generated.switch")} data-testid="offences-include-generated" />
          {includeGenerated && <Badge color="grape" variant="filled" data-testid="offences-generated-badge">{t("offences.generated.badge")}</Badge>}
        </Group>
      </Group>
      {shown && (
        <Text size="xs" c="dimmed" data-testid="offences-appg">
          {t("offences.period.appg", { first: dotted(shown.headline.previous_first), last: dotted(shown.headline.previous_last) })}
        </Text>
      )}
      {includeGenerated && <Alert color="grape" variant="light" py={6}>{t("offences.generated.included")}</Alert>}
      {shown?.onlyGenerated && (
        <Alert color="yellow" variant="light" py={6} data-testid="offences-only-generated">
          <Group justify="space-between" gap="xs">
            <Text size="sm">{t("offences.generated.onlyGenerated")}</Text>
            <Button size="xs" variant="light" onClick={() => setIncludeGenerated(true)}>{t("offences.generated.switch")}</Button>
          </Group>
        </Alert>
      )}
      {error !== null && <Alert color="red" data-testid="offences-error">{describeError(error, tMaybe).message}</Alert>}
      {!shown && error === null && <Loader size="sm" />}
      {shown && (
        <Stack gap="sm">
          <HeadlineCards headline={shown.headline} clearance={clearance} readingName={readingName}
            onDrill={openDrill ? (d: CardDrill) => openDrill({ offenceClass: d.offenceClass ?? null, status: d.status ?? null }, d.label) : null} />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <Section title={t("offences.trend.title")}>
              {shown.trend.length > 0 ? <TrendChart months={shown.trend} monthName={monthName} /> : <Text size="sm" c="dimmed">{t("offences.noData")}</Text>}
            </Section>
            <Section title={t("offences.heatmap.title")}>
              <HeatMap cells={shown.heatmap.cells} total={shown.heatmap.total} />
            </Section>
            <Section title={t("offences.structure.group")}>
              <StructureBars parts={shown.headline.by_group} name={(p) => groupName(p.label)} testId="offences-structure-group"
                onPick={openDrill ? (p) => openDrill({ articleGroup: p.label }, groupName(p.label)) : null} />
            </Section>
            <Section title={t("offences.structure.severity")}>
              <StructureBars parts={shown.headline.by_severity}
                name={(p) => t(`offences.severity.${p.label ?? "none"}` as MessageKey)} testId="offences-structure-severity" onPick={null} />
              <Title order={3} size="h6" mt="sm" mb={4}>{t("offences.structure.district")}</Title>
              <StructureBars parts={shown.districts} name={districtPartName} testId="offences-structure-district"
                onPick={openDrill ? (p) => openDrill({ districtId: p.label ? Number(p.label) : null }, districtPartName(p)) : null} />
            </Section>
          </SimpleGrid>
        </Stack>
      )}
      <Section title={t("offences.hotspots.title")} testId="offences-hotspots">
        <Group justify="space-between" mb="xs" gap="xs">
          <SegmentedControl size="xs" value={grid} onChange={(v) => setGrid(v as "settlement" | "area")}
            data={[{ value: "settlement", label: t("offences.hotspots.grid.settlement") }, { value: "area", label: t("offences.hotspots.grid.area") }]} />
          <Group gap="sm">
            {HOTSPOT_CLASSES.map((c) => (
              <Group key={c} gap={4}>
                <svg width={12} height={12}><rect width={12} height={12} fill={c === "safe" ? "none" : HOTSPOT_COLORS[c]} stroke={HOTSPOT_COLORS[c]} /></svg>
                <Text size="xs">{t(`offences.hotspots.level.${c}` as MessageKey)}</Text>
              </Group>
            ))}
          </Group>
        </Group>
        <HotspotMap hotspots={hotspots} streets={streets} describe={describeCell} />
        {hotspots && (
          <Text size="xs" c="dimmed" mt={4}>
            {hotspots.cells.length > 0
              ? t("offences.hotspots.cells", { count: formatCount(hotspots.cells.length, locale), size: hotspots.cell_m })
              : t("offences.hotspots.none")}
          </Text>
        )}
        <MoranLine moran={moran.value} unavailable={moran.unavailable} />
      </Section>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        <Section title={t("offences.cameras.title")}>
          {cameras ? <CamerasTable effect={cameras} /> : <Text size="sm" c="dimmed">{t("offences.cameras.none")}</Text>}
        </Section>
        <Section title={reference ? t("offences.reference.title", { period: reference.table.period }) : t("offences.reference.heading")}>
          {reference && reading ? (
            <ReferenceTable table={reference.table} reading={reading} home={HOME_REGION}
              regionName={(code) => reference.regions.find((r) => r.code === code)?.names[lang] ?? code} />
          ) : (
            <Text size="sm" c="dimmed">{referenceMissing ? t("offences.reference.none") : "…"}</Text>
          )}
          {readingInfo && <Text size="xs" c="dimmed" mt={4}>{readingName}: {readingInfo.formula[lang] ?? readingInfo.formula.en}</Text>}
        </Section>
      </SimpleGrid>
      <DrillDownDrawer drill={drill?.query ?? null} title={drill?.title ?? ""} onClose={() => setDrill(null)} />
    </DeskPage>
  );
}
