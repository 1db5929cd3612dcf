import { Alert, Badge, Button, Grid, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { createRule, deleteRule, fetchRules, updateRule, type AnalyticsRule } from "../../../api/analytics";
import { describeError } from "../../../api/problem";
import { useI18n } from "../../../i18n/I18nProvider";
import type { MessageKey } from "../../../i18n/messages";
import { WEEKDAYS } from "../../../shell/time";
import type { Point } from "./geometry";
import { EventsPanel } from "./EventsPanel";
import { LineCountsPanel } from "./LineCounts";
import { RuleEditor } from "./RuleEditor";
import { RuleCanvas } from "./RuleCanvas";
import { KIND_COLORS, type OverlayShape } from "./RuleOverlay";
import { draftFromRule, newDraft, ruleBody, type RuleDraft } from "./rules";

function shapeOf(rule: AnalyticsRule): OverlayShape {
  return { key: `rule-${rule.id}`, kind: rule.kind, points: rule.points.map((p): Point => [p[0], p[1]]) };
}

function RuleRow({ rule, onOpen }: { rule: AnalyticsRule; onOpen?: () => void }) {
  const { t } = useI18n();
  const days = rule.schedule ? rule.schedule.days.map((d) => t(`clock.weekdays.${WEEKDAYS[d]}` as MessageKey)).join(" ") : "";
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs" px={4} py={2} style={{ cursor: onOpen ? "pointer" : "default", borderRadius: 4 }}
      className="video-camera-row" onClick={onOpen} data-testid="analytics-rule" data-id={rule.id} data-kind={rule.kind}>
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Group gap={6} wrap="nowrap">
          <Badge size="xs" variant="filled" color={KIND_COLORS[rule.kind]}>{t(`analytics.kind.${rule.kind}` as MessageKey)}</Badge>
          <Text size="sm" truncate data-testid="analytics-rule-name">{rule.name}</Text>
          {!rule.enabled && <Badge size="xs" color="gray" variant="outline">{t("analytics.disabled")}</Badge>}
        </Group>
        <Text size="xs" c="dimmed" truncate>
          {rule.classes.map((c) => t(`analytics.class.${c}` as MessageKey)).join(", ")}
          {rule.schedule ? ` · ${days} ${rule.schedule.from}–${rule.schedule.to}` : ` · ${t("analytics.always")}`}
          {rule.min_seconds !== null && ` · ${t("analytics.seconds", { count: rule.min_seconds })}`}
          {rule.min_count !== null && ` · > ${rule.min_count}`}
        </Text>
      </Stack>
    </Group>
  );
}

/** A camera's analytics: its rules on its picture, the editor (for whoever may change them), and its line counts. */
export function AnalyticsView({ code, canEdit, onOpen }: { code: string | null; canEdit: boolean; onOpen?: (code: string, at: string) => void }) {
  const { t, tMaybe } = useI18n();
  const [rules, setRules] = useState<AnalyticsRule[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState<RuleDraft | null>(null);
  const [version, setVersion] = useState(0);
  const [shownFor, setShownFor] = useState(code);
  if (shownFor !== code) {
    // Another camera picked: its rules load afresh and an unfinished draft of the previous one goes.
    setShownFor(code);
    setRules(null);
    setDraft(null);
  }

  useEffect(() => {
    if (!code) return;
    const controller = new AbortController();
    fetchRules(code, { signal: controller.signal })
      .then((list) => {
        setRules(list);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [code, version]);

  if (!code) return <Text size="sm" c="dimmed" data-testid="analytics-pick">{t("analytics.pickCamera")}</Text>;

  const save = async (d: RuleDraft) => {
    if (d.id === null) await createRule(code, ruleBody(d));
    else await updateRule(code, d.id, ruleBody(d));
    setDraft(null);
    setVersion((v) => v + 1);
  };
  const remove = async (id: number) => {
    await deleteRule(code, id);
    setDraft(null);
    setVersion((v) => v + 1);
  };
  const others = (rules ?? []).filter((r) => r.id !== draft?.id).map(shapeOf);

  return (
    <Grid gutter="sm" data-testid="analytics-view" data-code={code}>
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Paper withBorder p="xs">
          {draft ? (
            <RuleEditor key={draft.id ?? "new"} code={code} draft={draft} others={others} onChange={setDraft} onSave={save}
              onDelete={draft.id !== null ? () => remove(draft.id as number) : undefined} onCancel={() => setDraft(null)} />
          ) : (
            <RuleCanvas code={code} others={others} kind="zone" points={[]} drawing={false} editable={false} onPoints={() => undefined} onDrawn={() => undefined} />
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Stack gap="xs">
          <Paper withBorder p="xs">
            <Group justify="space-between" mb={4}>
              <Text fw={600} size="sm"><span className="mono">{code}</span> · {t("analytics.rules")}</Text>
              {canEdit && !draft && (
                <Button size="compact-xs" variant="light" onClick={() => setDraft(newDraft("zone"))} data-testid="analytics-new-rule">{t("analytics.newRule")}</Button>
              )}
            </Group>
            {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
            {!rules && error === null && <Loader size="xs" />}
            {rules?.length === 0 && <Text size="sm" c="dimmed" data-testid="analytics-no-rules">{t("analytics.noRules")}</Text>}
            <Stack gap={2} data-testid="analytics-rules">
              {rules?.map((rule) => (
                <RuleRow key={rule.id} rule={rule} onOpen={canEdit ? () => setDraft(draftFromRule(rule)) : undefined} />
              ))}
            </Stack>
          </Paper>
          {rules?.some((r) => r.kind === "line") && <LineCountsPanel code={code} />}
          <EventsPanel code={code} version={version} onOpen={onOpen} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
