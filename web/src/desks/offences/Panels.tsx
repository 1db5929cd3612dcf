import { Group, Stack, Table, Text } from "@mantine/core";
import type { LegalClearance, StatsCamerasEffect, StatsMoran } from "../../api/statistics";
import { useI18n } from "../../i18n/I18nProvider";
import { formatCount, formatPercent } from "./figures";

function fixed(value: number | null | undefined, locale: string, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** Moran's I in one line, with what it says in words at the 5 % level. */
export function MoranLine({ moran, unavailable }: { moran: StatsMoran | null; unavailable: boolean }) {
  const { t, locale } = useI18n();
  if (!moran) return unavailable ? <Text size="sm" c="dimmed" data-testid="offences-moran">{t("offences.moran.unavailable")}</Text> : null;
  const verdict = moran.p_rand < 0.05 ? (moran.i > moran.expected ? "clustered" : "dispersed") : "random";
  return (
    <Text size="sm" data-testid="offences-moran" data-verdict={verdict}>
      {t("offences.moran.line", {
        i: fixed(moran.i, locale, 3), expected: fixed(moran.expected, locale, 4), z: fixed(moran.z_rand, locale, 2),
        p: fixed(moran.p_rand, locale, 4), cells: formatCount(moran.cells, locale),
      })}
      {" — "}
      {t(`offences.moran.${verdict}`)}
    </Text>
  );
}

/** Before/after counts in camera view against the comparison ring, the difference in differences and its ratio. */
export function CamerasTable({ effect }: { effect: StatsCamerasEffect }) {
  const { t, locale } = useI18n();
  if (effect.cameras.length === 0) return <Text size="sm" c="dimmed">{t("offences.cameras.none")}</Text>;
  const n = (v: number) => formatCount(v, locale);
  return (
    <Stack gap={4} data-testid="offences-cameras">
      <Text size="xs" c="dimmed">
        {t("offences.cameras.hint", { radius: n(effect.radius_m), days: n(effect.window_days), inner: n(effect.control_inner_m), outer: n(effect.control_outer_m) })}
      </Text>
      <Table withTableBorder striped maw={520}>
        <Table.Thead>
          <Table.Tr><Table.Th /><Table.Th>{t("offences.cameras.before")}</Table.Th><Table.Th>{t("offences.cameras.after")}</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr><Table.Td>{t("offences.cameras.inView")}</Table.Td><Table.Td className="tabular">{n(effect.treated_before)}</Table.Td><Table.Td className="tabular">{n(effect.treated_after)}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td>{t("offences.cameras.control")}</Table.Td><Table.Td className="tabular">{n(effect.control_before)}</Table.Td><Table.Td className="tabular">{n(effect.control_after)}</Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="sm">{t("offences.cameras.did", { did: n(effect.did), se: fixed(effect.did_se, locale, 1) })}</Text>
      <Text size="sm" c={effect.ratio_high !== null && effect.ratio_high < 1 ? "green" : undefined}>
        {t("offences.cameras.ratio", { ratio: fixed(effect.ratio, locale, 2), low: fixed(effect.ratio_low, locale, 2), high: fixed(effect.ratio_high, locale, 2) })}
      </Text>
    </Stack>
  );
}

/** The official clearance of the home region beside the national total, under the desk's reading. */
export function ReferenceTable({ table, reading, regionName, home }: {
  table: LegalClearance;
  reading: string;
  regionName: (code: string) => string;
  home: string;
}) {
  const { t, locale } = useI18n();
  const rows = table.regions.filter((r) => r.region === home || r.region === "kz");
  return (
    <Table withTableBorder maw={620} data-testid="offences-reference">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("offences.reference.region")}</Table.Th>
          <Table.Th>{t("offences.reference.registered")}</Table.Th>
          <Table.Th>{t("offences.reference.clearance")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.region} data-region={r.region}>
            <Table.Td>{regionName(r.region)}</Table.Td>
            <Table.Td className="tabular">{formatCount(r.inputs.registered, locale)}</Table.Td>
            <Table.Td className="tabular">
              <Group gap={4}>{formatPercent(r.values[reading] ?? null, locale)}</Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
