import { Button, Group, Loader, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { describeError } from "../../api/problem";
import { dispatchUnit, fetchRecommendations, type UnitRecommendation } from "../../api/units";
import { useI18n } from "../../i18n/I18nProvider";
import { formatDuration } from "../units/duration";

/** How many of the best units the map's incident card offers (the incident desk lists them all). */
const OFFERED = 3;

/** The incident card's dispatch: the nearest units by travel time, one click sends one. */
export function OpsDispatch({ incidentId }: { incidentId: number }) {
  const { t, tMaybe } = useI18n();
  const [items, setItems] = useState<UnitRecommendation[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchRecommendations(incidentId, { signal: controller.signal })
      .then((list) => setItems(list.slice(0, OFFERED)))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(describeError(e, tMaybe).message);
      });
    return () => controller.abort();
  }, [incidentId, version, tMaybe]);

  const send = async (code: string) => {
    setBusy(code);
    setError(null);
    try {
      await dispatchUnit(incidentId, code);
      setSent(code);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(describeError(e, tMaybe).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack gap={3} data-testid="ops-dispatch">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {t("incidents.recommended")}
      </Text>
      {items === null && !error && <Loader size={12} />}
      {items?.length === 0 && (
        <Text size="xs" c="dimmed">
          {t("incidents.noRecommendations")}
        </Text>
      )}
      {items?.map((r) => (
        <Group key={r.code} justify="space-between" wrap="nowrap" gap={6} data-testid="ops-dispatch-unit" data-code={r.code}>
          <Text size="sm" truncate>
            <span className="mono">{r.code}</span> · {t("incidents.eta", { eta: formatDuration(r.eta_s) })}
          </Text>
          <Button size="compact-xs" loading={busy === r.code} disabled={busy !== null} onClick={() => void send(r.code)}
            data-testid="ops-dispatch-button">
            {t("incidents.dispatch")}
          </Button>
        </Group>
      ))}
      {sent && (
        <Text size="xs" c="teal" data-testid="ops-dispatch-sent">
          {t("map.ops.sent", { code: sent })}
        </Text>
      )}
      {error && (
        <Text size="xs" c="red" data-testid="ops-dispatch-error">
          {error}
        </Text>
      )}
    </Stack>
  );
}
