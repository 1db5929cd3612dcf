import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { Passport } from "../../api/districts";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { dayRanges, districtName } from "./figures";

const DAY_KEYS = ["districts.day.0", "districts.day.1", "districts.day.2", "districts.day.3", "districts.day.4",
  "districts.day.5", "districts.day.6"] as const;

/** The district's passport: residents, inspectors, post, reception, social objects, cameras, recent incidents. */
export function PassportView({ passport, categoryName }: { passport: Passport; categoryName: (code: string) => string }) {
  const { t, tMaybe, lang, locale } = useI18n();
  const { timeZone } = useMeta();
  const d = passport.district;
  const days = dayRanges(d.reception.days)
    .map(([a, b]) => (a === b ? t(DAY_KEYS[a]) : `${t(DAY_KEYS[a])}–${t(DAY_KEYS[b])}`))
    .join(", ");
  const number = (n: number) => Math.round(n).toLocaleString(locale);
  return (
    <Paper withBorder p="sm" data-testid="district-passport" data-number={d.number}>
      <Stack gap={6}>
        <Group justify="space-between">
          <Title order={2} size="h4">{districtName(d, lang)}</Title>
          {d.over_norm && <Badge color="red">{t("districts.overNorm")}</Badge>}
        </Group>
        <SimpleGrid cols={2} spacing={4} verticalSpacing={2}>
          <Text size="sm" c="dimmed">{t("districts.residents")}</Text>
          <Text size="sm" data-testid="passport-residents">{number(d.residents)}</Text>
          <Text size="sm" c="dimmed">{t("districts.inspectors")}</Text>
          <Text size="sm">{d.inspectors.map((i) => i.name).join(", ") || t("districts.noInspector")}</Text>
          <Text size="sm" c="dimmed">{t("districts.perInspector")}</Text>
          <Text size="sm">{d.residents_per_inspector === null ? "—" : number(d.residents_per_inspector)}</Text>
          <Text size="sm" c="dimmed">{t("districts.post")}</Text>
          <Text size="sm">{d.site_name ? `${d.site_name} (${d.site_code})` : d.site_code ?? "—"}</Text>
          <Text size="sm" c="dimmed">{t("districts.reception")}</Text>
          <Text size="sm">{t("districts.receptionHours", { days, from: d.reception.from, to: d.reception.to })}</Text>
          <Text size="sm" c="dimmed">{t("districts.contacts")}</Text>
          <Text size="sm">{d.contacts ?? "—"}</Text>
          <Text size="sm" c="dimmed">{t("districts.socialObjects")}</Text>
          <Text size="sm">
            {Object.entries(passport.social_objects)
              .map(([kind, n]) => `${tMaybe(`districts.subtype.${kind}`) ?? kind}: ${n}`)
              .join(", ") || "—"}
          </Text>
          <Text size="sm" c="dimmed">{t("districts.cameras")}</Text>
          <Text size="sm" data-testid="passport-cameras">{passport.cameras}</Text>
        </SimpleGrid>
        <Title order={3} size="h5" mt={4}>{t("districts.recentIncidents")}</Title>
        {passport.incidents.length === 0 ? (
          <Text size="sm" c="dimmed">{t("districts.noIncidents")}</Text>
        ) : (
          <Table striped withRowBorders={false} fz="sm" data-testid="passport-incidents">
            <Table.Tbody>
              {passport.incidents.slice(0, 20).map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{i.number}</Table.Td>
                  <Table.Td>{categoryName(i.category)}</Table.Td>
                  <Table.Td>{tMaybe(`incidents.state.${i.state}`) ?? i.state}</Table.Td>
                  <Table.Td>{formatInstant(i.received_at, { timeZone, withSeconds: false })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
