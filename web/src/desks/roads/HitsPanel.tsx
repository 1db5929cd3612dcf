import { Alert, Badge, Group, Image, Stack, Table, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../../api/problem";
import { fetchHits, type PlateHitRow } from "../../api/roads";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

/** The latest watch-list hits with the plate's crop, newest first; a new hit reloads the list. */
export function HitsPanel() {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [hits, setHits] = useState<PlateHitRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  useLiveEventHandler((event) => {
    if (event.name === "roads.plate_hit") reload();
  });
  useEffect(() => {
    const controller = new AbortController();
    fetchHits({ signal: controller.signal }).then(setHits).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [version]);

  return (
    <Stack gap="sm">
      {error ? <Alert color="red">{describeError(error, tMaybe).message}</Alert> : null}
      {hits.length === 0 ? <Text c="dimmed" size="sm">{t("roads.hits.none")}</Text> : null}
      <Table striped data-testid="roads-hits">
        <Table.Tbody>
          {hits.map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td><Image src={h.crop_url} alt={h.plate} h={36} w="auto" fit="contain" /></Table.Td>
              <Table.Td>
                <Group gap={6}>
                  <Text ff="monospace" fw={700}>{h.plate}</Text>
                  <Badge color={h.kind === "wanted" || h.kind === "stolen" ? "red" : "blue"}>{tMaybe(`roads.kind.${h.kind}`) ?? h.kind}</Badge>
                </Group>
                <Text size="xs" c="dimmed">{h.watchlist} · {h.pattern} · {h.reason}</Text>
              </Table.Td>
              <Table.Td>{formatInstant(h.at, { timeZone, withDate: true, withSeconds: true })}</Table.Td>
              <Table.Td>{h.camera_code}</Table.Td>
              <Table.Td>{h.direction ? tMaybe(`roads.direction.${h.direction}`) ?? h.direction : "—"}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
