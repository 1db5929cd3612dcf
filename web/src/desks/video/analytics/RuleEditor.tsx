import { Alert, Button, Checkbox, Chip, Group, NumberInput, SegmentedControl, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { LINE_DIRECTIONS, OBJECT_CLASSES, RULE_KINDS, type LineDirection, type ObjectClass, type RuleKind } from "../../../api/analytics";
import { describeError } from "../../../api/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/messages";
import { WEEKDAYS } from "../../../shell/time";
import { reverseLine, type Point } from "./geometry";
import { RuleCanvas } from "./RuleCanvas";
import type { OverlayShape } from "./RuleOverlay";
import { WEEK, crossesMidnight, draftProblems, isLine, secondsOf, serverFieldErrors, thresholdOf, withKind, type DraftField, type RuleDraft } from "./rules";

export interface RuleEditorProps {
  code: string;
  draft: RuleDraft;
  others: readonly OverlayShape[];
  onChange: (draft: RuleDraft) => void;
  onSave: (draft: RuleDraft) => Promise<void>;
  onDelete?: () => Promise<void>;
  onCancel: () => void;
}

/** One rule on the camera's picture and its settings; the server's validation errors stand beside their fields. */
export function RuleEditor({ code, draft, others, onChange, onSave, onDelete, onCancel }: RuleEditorProps) {
  const { t, tMaybe } = useI18n();
  const [drawing, setDrawing] = useState(draft.points.length === 0);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<{ message: string; fields: Partial<Record<DraftField, string>> } | null>(null);
  const local = draftProblems(draft);
  const line = isLine(draft.kind);
  const threshold = thresholdOf(draft.kind);
  // A field shows the server's word on it first, then (after a first try, or once drawn) what the form found.
  const error = (field: DraftField): string | undefined => {
    const fromServer = server?.fields[field];
    if (fromServer) return fromServer;
    const key = local[field];
    if (!key || !(tried || (field === "points" && !drawing))) return undefined;
    return tMaybe(key) ?? key;
  };
  const set = (patch: Partial<RuleDraft>) => {
    setServer(null);
    onChange({ ...draft, ...patch });
  };
  const save = async () => {
    setTried(true);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await onSave(draft);
    } catch (e) {
      const described = describeError(e, tMaybe);
      setServer({ message: described.message, fields: serverFieldErrors(described.fieldErrors, described.message) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!onDelete) return;
    setBusy(true);
    try {
      await onDelete();
    } catch (e) {
      setServer({ message: describeError(e, tMaybe).message, fields: {} });
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs" data-testid="rule-editor" data-id={draft.id ?? ""}>
      <Text size="xs" c="dimmed" data-testid="rule-hint">
        {drawing ? t(line ? "analytics.hint.line" : "analytics.hint.zone") : t(line ? "analytics.hint.editLine" : "analytics.hint.editZone")}
      </Text>
      <RuleCanvas code={code} others={others} kind={draft.kind} points={draft.points} drawing={drawing} editable
        onPoints={(points: Point[]) => set({ points })} onDrawn={() => setDrawing(false)} />
      <Group gap="xs">
        {drawing && !line && (
          <Button size="compact-xs" variant="light" disabled={draft.points.length < 3} onClick={() => setDrawing(false)} data-testid="rule-close">
            {t("analytics.closeZone")}
          </Button>
        )}
        {drawing && (
          <Button size="compact-xs" variant="subtle" disabled={draft.points.length === 0} onClick={() => set({ points: draft.points.slice(0, -1) })} data-testid="rule-undo">
            {t("analytics.undo")}
          </Button>
        )}
        <Button size="compact-xs" variant="subtle" disabled={draft.points.length === 0} onClick={() => { set({ points: [] }); setDrawing(true); }} data-testid="rule-redraw">
          {t("analytics.redraw")}
        </Button>
        {line && draft.points.length === 2 && (
          <Button size="compact-xs" variant="subtle" onClick={() => set({ points: reverseLine(draft.points) })} data-testid="rule-reverse">
            {t("analytics.reverse")}
          </Button>
        )}
        {error("points") && <Text size="xs" c="red" data-testid="rule-error-points">{error("points")}</Text>}
      </Group>
      <Group grow align="flex-start">
        <TextInput size="xs" label={t("analytics.name")} value={draft.name} onChange={(e) => set({ name: e.currentTarget.value })}
          error={error("name")} data-testid="rule-name" />
        <Select size="xs" label={t("analytics.kindLabel")} value={draft.kind} allowDeselect={false}
          onChange={(v) => { if (v) { set(withKind(draft, v as RuleKind)); if (isLine(v as RuleKind) !== line) setDrawing(true); } }}
          data={RULE_KINDS.map((k) => ({ value: k, label: t(`analytics.kind.${k}` as MessageKey) }))} error={error("kind")} data-testid="rule-kind" />
      </Group>
      <Stack gap={4}>
        <Text size="xs" fw={500}>{t("analytics.classes")}</Text>
        <Chip.Group multiple value={draft.classes} onChange={(v) => set({ classes: v as ObjectClass[] })}>
          <Group gap={4} data-testid="rule-classes">
            {OBJECT_CLASSES.map((c) => <Chip key={c} value={c} size="xs" data-testid={`rule-class-${c}`}>{t(`analytics.class.${c}` as MessageKey)}</Chip>)}
          </Group>
        </Chip.Group>
        {error("classes") && <Text size="xs" c="red" data-testid="rule-error-classes">{error("classes")}</Text>}
      </Stack>
      <Stack gap={4}>
        <Switch size="xs" label={t("analytics.scheduled")} checked={draft.scheduled} onChange={(e) => set({ scheduled: e.currentTarget.checked })} data-testid="rule-scheduled" />
        {draft.scheduled && (
          <Group gap="xs" align="flex-end">
            <Checkbox.Group value={draft.days.map(String)} onChange={(v) => set({ days: v.map(Number) })}>
              <Group gap={6}>
                {WEEK.map((d) => <Checkbox key={d} value={String(d)} size="xs" label={t(`clock.weekdays.${WEEKDAYS[d]}` as MessageKey)} />)}
              </Group>
            </Checkbox.Group>
            <TextInput size="xs" type="time" label={t("analytics.from")} value={draft.from} onChange={(e) => set({ from: e.currentTarget.value })} data-testid="rule-from" />
            <TextInput size="xs" type="time" label={t("analytics.to")} value={draft.to} onChange={(e) => set({ to: e.currentTarget.value })} data-testid="rule-to" />
            {crossesMidnight(draft.from, draft.to) && <Text size="xs" c="dimmed">{t("analytics.overnight")}</Text>}
          </Group>
        )}
        {error("schedule") && <Text size="xs" c="red" data-testid="rule-error-schedule">{error("schedule")}</Text>}
      </Stack>
      {line && (
        <Group gap="xs" align="flex-end">
          <Stack gap={2}>
            <Text size="xs" fw={500}>{t("analytics.direction")}</Text>
            <SegmentedControl size="xs" value={draft.direction} onChange={(v) => set({ direction: v as LineDirection })} data-testid="rule-direction"
              data={LINE_DIRECTIONS.map((d) => ({ value: d, label: t(`analytics.directions.${d}` as MessageKey) }))} />
          </Stack>
          <Switch size="xs" label={t("analytics.alert")} checked={draft.alert} onChange={(e) => set({ alert: e.currentTarget.checked })} data-testid="rule-alert" />
          {error("direction") && <Text size="xs" c="red">{error("direction")}</Text>}
        </Group>
      )}
      {threshold === "seconds" && (
        <NumberInput size="xs" w={200} min={1} max={86400} label={t("analytics.minSeconds")} value={draft.minSeconds ?? ""}
          onChange={(v) => set({ minSeconds: typeof v === "number" ? v : null })} error={error("minSeconds")} data-testid="rule-seconds" />
      )}
      {threshold === "count" && (
        <NumberInput size="xs" w={200} min={1} max={1000} label={t("analytics.minCount")} value={draft.minCount ?? ""}
          onChange={(v) => set({ minCount: typeof v === "number" ? v : null })} error={error("minCount")} data-testid="rule-count" />
      )}
      {secondsOf(draft.kind) === "optional" && (
        <NumberInput size="xs" w={200} min={0} max={86400} label={t("analytics.crowdSeconds")} description={t("analytics.crowdSecondsHint")}
          value={draft.minSeconds ?? ""} onChange={(v) => set({ minSeconds: typeof v === "number" ? v : null })} error={error("minSeconds")}
          data-testid="rule-crowd-seconds" />
      )}
      <Switch size="xs" label={t("analytics.enabled")} checked={draft.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} />
      {server && (server.fields.form || Object.keys(server.fields).length === 0) && (
        <Alert color="red" py={4} data-testid="rule-error">{server.fields.form ?? server.message}</Alert>
      )}
      <Group justify="space-between">
        <Group gap="xs">
          <Button size="xs" loading={busy} onClick={() => void save()} data-testid="rule-save">{t("analytics.save")}</Button>
          <Button size="xs" variant="default" onClick={onCancel} data-testid="rule-cancel">{t("analytics.cancel")}</Button>
        </Group>
        {onDelete && <Button size="xs" variant="subtle" color="red" disabled={busy} onClick={() => void remove()} data-testid="rule-delete">{t("analytics.delete")}</Button>}
      </Group>
    </Stack>
  );
}
