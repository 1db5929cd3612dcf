import { Alert, Badge, Button, Checkbox, Grid, Group, NumberInput, Paper, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import type { Feature } from "geojson";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  fetchCoverage, fetchIsochrones, solvePlacement, type Coverage, type CoverageLevel, type Isochrones, type Placement,
  type PlacementMode, type PolicePoint, type TravelMode,
} from "../../api/coverage";
import { fetchCityMap } from "../../api/endpoints";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { DeskPage } from "../../shell/DeskPage";
import { CoverageMap } from "./CoverageMap";
import { formatShare, gain, levelColour, levelKey } from "./figures";

type Breakdown = "settlements" | "districts";

/** Police within reach: isochrones on foot and by car, residents covered, uncovered clusters, new posts' sites. */
export function CoverageDesk() {
  const { t, tMaybe, lang, locale } = useI18n();
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [isochrones, setIsochrones] = useState<Isochrones | null>(null);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [shown, setShown] = useState<Set<string>>(new Set());
  const [breakdown, setBreakdown] = useState<Breakdown>("settlements");
  const [levelShown, setLevelShown] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [mode, setMode] = useState<PlacementMode>("maximal");
  const [posts, setPosts] = useState<number>(4);
  const [minutes, setMinutes] = useState<number>(10);
  const [travel, setTravel] = useState<TravelMode>("walk");
  const [skip, setSkip] = useState(false);
  const [solving, setSolving] = useState(false);
  const [placement, setPlacement] = useState<Placement | null>(null);
  const [placementError, setPlacementError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    Promise.all([fetchCoverage({ signal }), fetchIsochrones({ signal })])
      .then(([figures, areas]) => {
        setCoverage(figures);
        setIsochrones(areas);
        setShown(new Set(figures.levels.filter((l) => l.mode === "walk").map(levelKey)));
        setLevelShown(levelKey(figures.levels.filter((l) => l.mode === "walk").at(-1) ?? figures.levels[0]));
        setError(null);
      })
      .catch((e: unknown) => {
        if (!signal.aborted) setError(e);
      });
    fetchCityMap(["streets"], { signal })
      .then((map) => setStreets((map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[]))
      .catch(() => setStreets(null));
    return () => controller.abort();
  }, []);

  const number = (n: number) => Math.round(n).toLocaleString(locale);
  const walkMinutes = useMemo(() => (coverage?.levels ?? []).filter((l) => l.mode === "walk").map((l) => l.minutes), [coverage]);
  const levelLabel = (level: Pick<CoverageLevel, "mode" | "minutes">) => t(`coverage.level.${level.mode}`, { minutes: level.minutes });
  const pointLabel = useCallback((p: PolicePoint) => `${p.code} · ${lang === "kk" ? p.name_kk : lang === "en" ? (p.name_en ?? p.name_ru) : p.name_ru}`, [lang]);
  const selected = coverage?.levels.find((l) => levelKey(l) === levelShown) ?? null;
  const toggle = (key: string) => setShown((old) => {
    const next = new Set(old);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  });

  const solve = () => {
    setSolving(true);
    setPlacementError(null);
    solvePlacement({ mode, minutes, travel, ...(mode === "maximal" ? { posts } : { skip_unreachable: skip }) })
      .then((found) => setPlacement(found))
      .catch((e: unknown) => {
        setPlacement(null);
        setPlacementError(e);
      })
      .finally(() => setSolving(false));
  };

  const rows = !selected ? [] : breakdown === "settlements"
    ? selected.settlements.map((s) => ({ key: s.settlement, name: s.settlement, ...s }))
    : selected.districts.map((d) => ({ key: String(d.number), name: `${d.number}. ${lang === "kk" ? d.name_kk : lang === "en" ? d.name_en : d.name_ru}`, ...d }));

  return (
    <DeskPage title={t("coverage.title")}>
      <Stack gap="sm" data-testid="coverage-desk">
        {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
        {coverage?.generated && <Alert color="yellow" py={6}>{t("coverage.generated")}</Alert>}
        {coverage && (
          <Grid>
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <Group gap="xs" mb={6} data-testid="coverage-toggles">
                {coverage.levels.map((level) => (
                  <Checkbox key={levelKey(level)} label={levelLabel(level)} checked={shown.has(levelKey(level))}
                    onChange={() => toggle(levelKey(level))} color={levelColour(level, walkMinutes)} data-level={levelKey(level)} />
                ))}
              </Group>
              <CoverageMap isochrones={isochrones} shown={shown} walkMinutes={walkMinutes} streets={streets} points={coverage.points}
                uncovered={coverage.uncovered.slice(0, 10)} chosen={placement?.chosen ?? []} pointLabel={pointLabel} />
              <Text size="xs" c="dimmed" mt={4}>{t("coverage.legend", { speed: coverage.walk_speed_kmh, points: coverage.points.length })}</Text>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <Stack gap="sm">
                <Table fz="sm" data-testid="coverage-levels">
                  <Table.Thead>
                    <Table.Tr><Table.Th /><Table.Th>{t("coverage.covered")}</Table.Th><Table.Th>{t("coverage.share")}</Table.Th></Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {coverage.levels.map((level) => (
                      <Table.Tr key={levelKey(level)} data-level={levelKey(level)} data-share={level.overall.share}>
                        <Table.Td>{levelLabel(level)}</Table.Td>
                        <Table.Td>{t("coverage.ofResidents", { covered: number(level.overall.covered), residents: number(level.overall.residents) })}</Table.Td>
                        <Table.Td fw={600}>{formatShare(level.overall.share, locale)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Group gap="xs">
                  <SegmentedControl size="xs" value={breakdown} onChange={(v) => setBreakdown(v as Breakdown)}
                    data={[{ value: "settlements", label: t("coverage.bySettlement") }, { value: "districts", label: t("coverage.byDistrict") }]} />
                  <SegmentedControl size="xs" value={levelShown ?? ""} onChange={setLevelShown}
                    data={coverage.levels.map((l) => ({ value: levelKey(l), label: levelLabel(l) }))} />
                </Group>
                {rows.length === 0 ? <Text size="sm" c="dimmed">{t("coverage.noDistricts")}</Text> : (
                  <Table fz="xs" striped data-testid="coverage-breakdown" style={{ maxHeight: 260, overflowY: "auto", display: "block" }}>
                    <Table.Tbody>
                      {[...rows].sort((a, b) => b.residents - a.residents).map((r) => (
                        <Table.Tr key={r.key}>
                          <Table.Td>{r.name}</Table.Td>
                          <Table.Td>{t("coverage.ofResidents", { covered: number(r.covered), residents: number(r.residents) })}</Table.Td>
                          <Table.Td>{formatShare(r.share, locale)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
                <Title order={3} size="h5">{t("coverage.uncovered")}</Title>
                <Stack gap={2} data-testid="coverage-uncovered">
                  {coverage.uncovered.slice(0, 6).map((c) => (
                    <Text key={`${c.lon},${c.lat}`} size="xs">{t("coverage.cluster", { residents: number(c.residents), cells: c.cells, settlement: c.settlement ?? "—" })}</Text>
                  ))}
                </Stack>
              </Stack>
            </Grid.Col>
          </Grid>
        )}
        {coverage && (
          <Paper withBorder p="sm" data-testid="coverage-placement">
            <Title order={3} size="h5" mb="xs">{t("coverage.placement.title")}</Title>
            <Group align="end" gap="sm">
              <SegmentedControl value={mode} onChange={(v) => setMode(v as PlacementMode)} data-testid="placement-mode"
                data={[{ value: "maximal", label: t("coverage.placement.maximal") }, { value: "set", label: t("coverage.placement.set") }]} />
              {mode === "maximal" && <NumberInput label={t("coverage.placement.posts")} value={posts} min={1} max={100} w={110}
                onChange={(v) => setPosts(Number(v) || 1)} data-testid="placement-posts" />}
              <NumberInput label={t("coverage.placement.minutes")} value={minutes} min={1} max={60} w={110}
                onChange={(v) => setMinutes(Number(v) || 1)} data-testid="placement-minutes" />
              <SegmentedControl value={travel} onChange={(v) => setTravel(v as TravelMode)}
                data={[{ value: "walk", label: t("coverage.placement.walk") }, { value: "drive", label: t("coverage.placement.drive") }]} />
              {mode === "set" && <Checkbox label={t("coverage.placement.skip")} checked={skip} onChange={(e) => setSkip(e.currentTarget.checked)} />}
              <Button onClick={solve} loading={solving} data-testid="placement-solve">{t("coverage.placement.solve")}</Button>
            </Group>
            {placementError !== null && <Alert color="red" mt="xs" data-testid="placement-error">{describeError(placementError, tMaybe).message}</Alert>}
            {placement && (
              <Stack gap={4} mt="xs" data-testid="placement-result" data-chosen={placement.chosen.length}>
                <Group gap="sm">
                  <Text size="sm">{t("coverage.placement.beforeAfter", { before: formatShare(placement.before.share, locale), after: formatShare(placement.after.share, locale) })}</Text>
                  <Text size="sm" fw={600}>{t("coverage.placement.gained", { residents: number(gain(placement).residents), points: gain(placement).points })}</Text>
                  <Badge color={placement.optimal ? "green" : "orange"} variant="light">
                    {t(placement.optimal ? "coverage.placement.optimal" : "coverage.placement.stopped", { gap: formatShare(placement.gap, locale) })}
                  </Badge>
                </Group>
                <Text size="xs" c="dimmed">{t("coverage.placement.stats", { posts: placement.chosen.length, candidates: placement.candidates, cells: placement.demand_points, seconds: placement.seconds.toFixed(2) })}</Text>
                {placement.skipped_residents > 0 && <Text size="xs" c="orange">{t("coverage.placement.skipped", { residents: number(placement.skipped_residents) })}</Text>}
              </Stack>
            )}
          </Paper>
        )}
      </Stack>
    </DeskPage>
  );
}
