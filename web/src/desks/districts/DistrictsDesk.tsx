import { Alert, Badge, Grid, Group, Stack, Table, Tabs, Text } from "@mantine/core";
import type { Feature } from "geojson";
import { useCallback, useEffect, useMemo, useState } from "react";
import { fetchDistricts, fetchMine, fetchPassport, fetchVersions, type DistrictSet, type DistrictSetVersion, type Passport } from "../../api/districts";
import { fetchCityMap } from "../../api/endpoints";
import { fetchIncidentCategories, type IncidentCategory } from "../../api/incidents";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { DistrictMap, type MapDistrict } from "./DistrictMap";
import { EditDistricts } from "./EditDistricts";
import { districtName, loadColour, loadRatio } from "./figures";
import { PassportView } from "./Passport";
import { Redistrict } from "./Redistrict";

const LEGEND: [string, number][] = [["districts.legend.under", 0.5], ["districts.legend.near", 1], ["districts.legend.over", 1.2], ["districts.legend.far", 2]];

/** The police districts: the map coloured by residents per inspector, the figures, passports, the inspector's own
 * districts, redistricting proposals and the dated versions. */
export function DistrictsDesk() {
  const { t, tMaybe, lang, locale } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canWrite = hasPermission(user, PERMISSIONS.districtsWrite);
  const [set, setSet] = useState<DistrictSet | null>(null);
  const [versions, setVersions] = useState<DistrictSetVersion[]>([]);
  const [mine, setMine] = useState<Passport[]>([]);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [passport, setPassport] = useState<Passport | null>(null);
  const [categories, setCategories] = useState<IncidentCategory[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  // Another supervisor (or the CLI) accepting a version reloads the desk.
  useLiveEventHandler((event) => {
    if (event.name === "districts.set_accepted") reload();
  });

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    Promise.all([fetchDistricts({ signal }), fetchVersions({ signal }), fetchMine({ signal })])
      .then(([current, list, own]) => {
        setSet(current);
        setVersions(list);
        setMine(own);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [version]);
  useEffect(() => {
    const controller = new AbortController();
    fetchCityMap(["streets"], { signal: controller.signal })
      .then((map) => setStreets((map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[]))
      .catch(() => setStreets(null));
    fetchIncidentCategories({ signal: controller.signal }).then(setCategories).catch(() => undefined);
    return () => controller.abort();
  }, []);
  useEffect(() => {
    if (selected === null) return;
    const controller = new AbortController();
    fetchPassport(selected, { signal: controller.signal }).then(setPassport).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [selected]);

  const names = useMemo(() => Object.fromEntries(categories.map((c) => [c.code, c.name])), [categories]);
  const categoryName = (code: string) => names[code] ?? code;
  const norm = set?.balance.norm ?? 2500;
  const mapDistricts: MapDistrict[] = (set?.districts ?? []).map((d) => ({
    id: d.id, label: String(d.number), geometry: d.geometry, colour: loadColour(loadRatio(d, norm)), selected: d.id === selected,
  }));
  const number = (n: number | null) => (n === null ? "—" : Math.round(n).toLocaleString(locale));

  return (
    <DeskPage title={t("nav.districts")} actions={set && (
      <Group gap="xs">
        <Text size="sm" data-testid="districts-version">
          {t("districts.version", { version: set.version, from: formatInstant(set.valid_from, { timeZone, withSeconds: false }) })}
        </Text>
        {set.generated && <Badge color="gray" size="sm">{t("districts.generated")}</Badge>}
        <a href="/api/districts/export" download>{t("districts.export")}</a>
      </Group>
    )}>
      <Stack gap="sm" data-testid="districts-desk">
        {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
        {set && (
          <Tabs defaultValue={mine.length > 0 ? "mine" : "overview"} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="overview" data-testid="tab-overview">{t("districts.tab.overview")}</Tabs.Tab>
              {mine.length > 0 && <Tabs.Tab value="mine">{t("districts.tab.mine")}</Tabs.Tab>}
              {canWrite && <Tabs.Tab value="edit" data-testid="tab-edit">{t("districts.tab.edit")}</Tabs.Tab>}
              {canWrite && <Tabs.Tab value="redistrict" data-testid="tab-redistrict">{t("districts.tab.redistrict")}</Tabs.Tab>}
              <Tabs.Tab value="versions">{t("districts.tab.versions")}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="overview" pt="xs">
              <Grid>
                <Grid.Col span={{ base: 12, lg: 7 }}>
                  <DistrictMap districts={mapDistricts} streets={streets} onSelect={setSelected} />
                  <Group gap="xs" mt={4}>
                    <Text size="xs">{t("districts.norm", { norm })}</Text>
                    {LEGEND.map(([key, ratio]) => <Badge key={key} size="sm" style={{ background: loadColour(ratio) }}>{t(key as "districts.legend.under")}</Badge>)}
                  </Group>
                </Grid.Col>
                <Grid.Col span={{ base: 12, lg: 5 }}>
                  {passport ? <PassportView passport={passport} categoryName={categoryName} /> : <Text size="sm" c="dimmed">{t("districts.choose")}</Text>}
                </Grid.Col>
              </Grid>
              <Table striped highlightOnHover fz="sm" mt="sm" data-testid="districts-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>№</Table.Th>
                    <Table.Th>{t("districts.name")}</Table.Th>
                    <Table.Th>{t("districts.residents")}</Table.Th>
                    <Table.Th>{t("districts.inspectors")}</Table.Th>
                    <Table.Th>{t("districts.perInspector")}</Table.Th>
                    <Table.Th>{t("districts.post")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {set.districts.map((d) => (
                    <Table.Tr key={d.id} onClick={() => setSelected(d.id)} style={{ cursor: "pointer" }} data-testid="district-row" data-over={d.over_norm}>
                      <Table.Td>{d.number}</Table.Td>
                      <Table.Td>{districtName(d, lang)}</Table.Td>
                      <Table.Td>{number(d.residents)}</Table.Td>
                      <Table.Td>{d.inspectors.map((i) => i.name).join(", ") || t("districts.noInspector")}</Table.Td>
                      <Table.Td>
                        {number(d.residents_per_inspector)} {d.over_norm && <Badge color="red" size="xs">{t("districts.overNorm")}</Badge>}
                      </Table.Td>
                      <Table.Td>{d.site_code ?? "—"}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed" mt={4} data-testid="districts-balance">
                {t("districts.balanceLine", { residents: number(set.balance.residents), min: number(set.balance.min), max: number(set.balance.max), std: number(set.balance.std), over: set.balance.over_norm })}
              </Text>
            </Tabs.Panel>
            {mine.length > 0 && (
              <Tabs.Panel value="mine" pt="xs">
                <Stack gap="sm" data-testid="districts-mine">
                  {mine.map((p) => (
                    <Grid key={p.district.id}>
                      <Grid.Col span={{ base: 12, md: 6 }}>
                        <DistrictMap districts={[{ id: p.district.id, label: String(p.district.number), geometry: p.district.geometry, colour: loadColour(loadRatio(p.district, norm)) }]} streets={streets} height={360} />
                      </Grid.Col>
                      <Grid.Col span={{ base: 12, md: 6 }}><PassportView passport={p} categoryName={categoryName} /></Grid.Col>
                    </Grid>
                  ))}
                </Stack>
              </Tabs.Panel>
            )}
            {canWrite && (
              <Tabs.Panel value="edit" pt="xs">
                <EditDistricts today={set} streets={streets} onAccepted={reload} />
              </Tabs.Panel>
            )}
            {canWrite && (
              <Tabs.Panel value="redistrict" pt="xs">
                <Redistrict today={set} streets={streets} onAccepted={reload} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="versions" pt="xs">
              <Table fz="sm" data-testid="districts-versions">
                <Table.Tbody>
                  {versions.map((v) => (
                    <Table.Tr key={v.id} data-version={v.version}>
                      <Table.Td>{v.version}</Table.Td>
                      <Table.Td>{tMaybe(`districts.source.${v.source}`) ?? v.source}</Table.Td>
                      <Table.Td>{formatInstant(v.valid_from, { timeZone, withSeconds: false })}</Table.Td>
                      <Table.Td>{v.valid_to ? formatInstant(v.valid_to, { timeZone, withSeconds: false }) : t("districts.inForce")}</Table.Td>
                      <Table.Td>{v.note ?? ""}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Tabs.Panel>
          </Tabs>
        )}
      </Stack>
    </DeskPage>
  );
}
