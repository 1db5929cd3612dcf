import { Badge, Group, Image, Paper, Stack, Text } from "@mantine/core";
import { useI18n } from "../../i18n/I18nProvider";
import { plateHitOf } from "./plateHit";

/** On an alarm card: the plate that matched a watch list, its crop and the camera's frame, the direction and why
 * the plate is listed. Renders nothing for an alarm of another source. */
export function PlateHitCard({ details, eventName }: { details: Record<string, unknown> | null | undefined; eventName?: string | null }) {
  const { t, tMaybe } = useI18n();
  const hit = plateHitOf(details, eventName);
  if (!hit) return null;
  return (
    <Paper withBorder p="xs" data-testid="alarm-plate-hit">
      <Stack gap={6}>
        <Group gap="xs">
          {hit.cropUrl ? <Image src={hit.cropUrl} alt={hit.plate} h={40} w="auto" fit="contain" /> : null}
          <Text ff="monospace" fw={700} size="lg">{hit.plate}</Text>
          <Badge color={hit.kind === "wanted" || hit.kind === "stolen" ? "red" : "blue"}>{tMaybe(`roads.kind.${hit.kind}`) ?? hit.kind}</Badge>
          {hit.direction ? <Badge variant="outline">{tMaybe(`roads.direction.${hit.direction}`) ?? hit.direction}</Badge> : null}
        </Group>
        <Text size="sm">{hit.watchlist} · {hit.pattern} · {hit.reason}</Text>
        {hit.vehicle ? <Text size="sm" c="dimmed">{t("roads.col.vehicle")}: {hit.vehicle}</Text> : null}
        {hit.snapshotUrl ? <Image src={hit.snapshotUrl} alt="" radius="xs" /> : null}
      </Stack>
    </Paper>
  );
}
