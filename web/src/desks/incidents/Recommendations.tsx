import { Badge, Button, Group, Paper, Stack, Text } from "@mantine/core";
import type { Assignment, UnitRecommendation } from "../../api/units";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { formatDuration, splitDistance } from "../units/duration";

/** The best available units by travel time: ETA, distance, staleness; one click dispatches. */
export function Recommendations({ items, chosen, canDispatch, dispatching, onChoose, onDispatch }: {
  items: readonly UnitRecommendation[];
  chosen: string | null;
  canDispatch: boolean;
  dispatching: string | null;
  onChoose: (code: string) => void;
  onDispatch: (code: string) => void;
}) {
  const { t } = useI18n();
  if (items.length === 0) return <Text size="sm" c="dimmed" data-testid="recommendations-empty">{t("incidents.noRecommendations")}</Text>;
  return (
    <Stack gap={4} data-testid="recommendations">
      {items.map((r) => {
        const distance = splitDistance(r.meters);
        return (
          <Paper
            key={r.code}
            withBorder
            p={6}
            onMouseEnter={() => onChoose(r.code)}
            onClick={() => onChoose(r.code)}
            data-testid="recommendation"
            data-code={r.code}
            data-stale={r.stale}
            style={{ cursor: "pointer", outline: chosen === r.code ? "2px solid var(--mantine-color-blue-5)" : undefined }}
          >
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="sm" fw={600} truncate><span className="mono">{r.code}</span> · {r.name}</Text>
                <Group gap={6}>
                  <Text size="xs" className="tabular" data-testid="recommendation-eta">{t("incidents.eta", { eta: formatDuration(r.eta_s) })}</Text>
                  <Text size="xs" c="dimmed">{t(distance.unit === "m" ? "units.meters" : "units.kilometers", { value: distance.value })}</Text>
                  <Text size="xs" c="dimmed">{t(`units.kind.${r.kind}` as MessageKey)}</Text>
                  {r.stale && <Badge size="xs" color="orange">{t("units.stale")}</Badge>}
                </Group>
              </Stack>
              {canDispatch && (
                <Button size="compact-sm" loading={dispatching === r.code} disabled={dispatching !== null && dispatching !== r.code} onClick={(e) => { e.stopPropagation(); onDispatch(r.code); }} data-testid="dispatch-button" data-code={r.code}>
                  {t("incidents.dispatch")}
                </Button>
              )}
            </Group>
          </Paper>
        );
      })}
    </Stack>
  );
}

/** Units sent to the incident with their stage. */
export function AssignmentList({ items }: { items: readonly Assignment[] }) {
  const { t } = useI18n();
  if (items.length === 0) return null;
  return (
    <Stack gap={2}>
      {items.map((a) => (
        <Group key={a.id} justify="space-between" data-testid="incident-assignment" data-unit={a.unit_code} data-stage={a.stage} data-id={a.id}>
          <Text size="sm" className="mono">{a.unit_code}</Text>
          <Group gap={6}>
            {a.eta_s !== null && <Text size="xs" c="dimmed">{t("incidents.eta", { eta: formatDuration(a.eta_s) })}</Text>}
            <Badge size="sm" variant="light" color={a.active ? "blue" : "gray"}>{t(`incidents.stage.${a.stage}` as MessageKey)}</Badge>
          </Group>
        </Group>
      ))}
    </Stack>
  );
}
