import { Button, Group, Stack, Text, Textarea, Timeline as MantineTimeline } from "@mantine/core";
import { useState } from "react";
import type { IncidentDetail, IncidentState } from "../../api/incidents";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { describeActor } from "./board";
import { stateLabelKey } from "./IncidentBoard";
import { buildTimeline, type TimelineEntry } from "./timeline";

/** Who acted: a person by name and role ("Ахметова А. (operator)") where the detail names them. */
function useActorLabel(people: IncidentDetail["people"]) {
  const { t } = useI18n();
  return (actor: string) => {
    const person = people?.[actor];
    if (person) return person.label;
    const { kind, ref } = describeActor(actor);
    if (kind === "user") return t("incidents.actor.user", { id: ref });
    if (kind === "unit") return t("incidents.actor.unit", { code: ref });
    if (kind === "system") return t("incidents.actor.system");
    return ref;
  };
}

function EntryText({ entry }: { entry: TimelineEntry }) {
  const { t, tMaybe } = useI18n();
  if (entry.kind === "transition" && entry.event === "unit_declined") {
    // A crew declined: its reason, and the state it left the incident in when that changed.
    const moved = entry.from !== entry.to ? ` · ${t("incidents.timeline.moved", { to: t(stateLabelKey(entry.to as IncidentState)) })}` : "";
    return <Text size="sm" c="red" data-testid="timeline-declined">{t("incidents.timeline.declined")}{entry.reason ? ` — ${entry.reason}` : ""}{moved}</Text>;
  }
  if (entry.kind === "transition") {
    const to = t(stateLabelKey(entry.to as IncidentState));
    return <Text size="sm">{entry.from ? t("incidents.timeline.moved", { to }) : t("incidents.timeline.opened", { to })}{entry.reason ? ` — ${entry.reason}` : ""}</Text>;
  }
  if (entry.kind === "note") return <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="incident-note">{entry.text}</Text>;
  return <Text size="sm">{tMaybe(`incidents.link.${entry.link}`, { ref: entry.ref }) ?? `${entry.link}: ${entry.ref}`}</Text>;
}

/** State changes, links and notes in order, and a box to add a note. */
export function IncidentTimeline({ detail, canWrite, onAddNote }: {
  detail: IncidentDetail;
  canWrite: boolean;
  onAddNote: (text: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const actorLabel = useActorLabel(detail.people);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const entries = buildTimeline(detail);
  const add = async () => {
    if (!note.trim()) return;
    setBusy(true);
    if (await onAddNote(note.trim())) setNote("");
    setBusy(false);
  };
  return (
    <Stack gap="xs">
      <MantineTimeline bulletSize={12} lineWidth={2} data-testid="incident-timeline">
        {entries.map((entry, i) => (
          <MantineTimeline.Item key={i} data-testid="timeline-entry" data-kind={entry.kind}>
            <EntryText entry={entry} />
            <Text size="xs" c="dimmed" className="tabular">
              {formatInstant(entry.at, { timeZone })} · {actorLabel(entry.actor)}
            </Text>
          </MantineTimeline.Item>
        ))}
      </MantineTimeline>
      {canWrite && (
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <Textarea style={{ flex: 1 }} autosize minRows={1} placeholder={t("incidents.notePlaceholder")} aria-label={t("incidents.notePlaceholder")} value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="incident-note-input" />
          <Button size="xs" loading={busy} onClick={() => void add()} data-testid="incident-note-add">{t("incidents.addNote")}</Button>
        </Group>
      )}
    </Stack>
  );
}
