import { Alert, Badge, Button, Drawer, Loader, Stack, Table, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { fetchOffences, type DrillDown as Drill, type OffenceRecord } from "../../api/offences";
import { describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { dotted } from "./PeriodPicker";

/** The records behind a figure, newest first, a page at a time (offences:read; no personal data is stored). */
export function DrillDownDrawer({ drill, title, onClose }: { drill: Drill | null; title: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Drawer opened={drill !== null} onClose={onClose} position="right" size="xl" title={t("offences.drill.title", { what: title })}>
      {drill && <Records key={JSON.stringify(drill)} drill={drill} />}
    </Drawer>
  );
}

/** One figure's records; mounted afresh for every figure, so a list never shows another figure's rows. */
function Records({ drill }: { drill: Drill }) {
  const { t, tMaybe } = useI18n();
  const [items, setItems] = useState<OffenceRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback((from: string | null, signal?: AbortSignal) => {
    fetchOffences(drill, from, { signal })
      .then((page) => {
        setItems((before) => (from ? [...before, ...page.items] : page.items));
        setCursor(page.next_cursor);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!signal?.aborted) setError(e);
      })
      .finally(() => setLoading(false));
  }, [drill]);

  useEffect(() => {
    const controller = new AbortController();
    load(null, controller.signal);
    return () => controller.abort();
  }, [load]);

  const more = () => {
    setLoading(true);
    load(cursor);
  };
  const group = (code: string) => tMaybe(`offences.group.${code}`) ?? code;
  return (
    <Stack gap="xs" data-testid="offences-drill">
      {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
      {items.length === 0 && !loading && error === null && <Text size="sm" c="dimmed">{t("offences.drill.none")}</Text>}
      {items.length > 0 && (
        <Table striped withTableBorder fz="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("offences.drill.number")}</Table.Th>
              <Table.Th>{t("offences.drill.registered")}</Table.Th>
              <Table.Th>{t("offences.drill.article")}</Table.Th>
              <Table.Th>{t("offences.drill.status")}</Table.Th>
              <Table.Th>{t("offences.drill.settlement")}</Table.Th>
              <Table.Th>{t("offences.drill.source")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id} data-testid="drill-row">
                <Table.Td className="tabular">{r.reg_number ?? t("offences.drill.draft")}</Table.Td>
                <Table.Td className="tabular">{dotted(r.registered_on)}</Table.Td>
                <Table.Td>{r.article_code} · {group(r.article_group)}</Table.Td>
                <Table.Td>{t(`offences.status.${r.status}` as MessageKey)}</Table.Td>
                <Table.Td>{r.settlement ?? "—"}</Table.Td>
                <Table.Td>{r.source === "generated"
                  ? <Badge size="xs" color="grape" variant="light">{t("offences.source.generated")}</Badge>
                  : t(`offences.source.${r.source}` as MessageKey)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {loading && <Loader size="sm" />}
      {cursor && !loading && <Button variant="default" size="xs" onClick={more}>{t("offences.drill.more")}</Button>}
    </Stack>
  );
}
