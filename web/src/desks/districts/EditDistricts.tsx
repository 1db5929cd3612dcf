import { Alert, Badge, Button, Grid, Group, Loader, Select, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import type { Feature, FeatureCollection, Position } from "geojson";
import { useEffect, useMemo, useState } from "react";
import { acceptEdit, checkDraft, exportDistricts, mergeDraft, type DistrictSet, type DraftCheck } from "../../api/districts";
import { describeError, isApiError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { EditMap, type EditHandlers } from "./EditMap";
import { canDelete, deleteVertex, insertVertex, isChanged, moveVertex, type Draft, type VertexRef } from "./editing";

const CHECK_DELAY_MS = 400; // a check after the last edit, not after every drag event

/**
 * Editing today's districts on the map: move, add and delete vertices of a district's polygon (shared boundaries
 * move together by default). Every edit is checked on the server without saving (overlaps, gaps, self-intersections
 * listed per district, residents and incidents recomputed); saving makes a new dated version, all or nothing.
 */
export function EditDistricts({ today, streets, onAccepted }: {
  today: DistrictSet;
  streets: readonly Feature[] | null;
  onAccepted: () => void;
}) {
  const { t, tMaybe, locale } = useI18n();
  const [original, setOriginal] = useState<Draft | null>(null);
  const [history, setHistory] = useState<Draft[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [picked, setPicked] = useState<VertexRef | null>(null);
  const [shared, setShared] = useState(true);
  const [note, setNote] = useState("");
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [mergeWith, setMergeWith] = useState<string | null>(null);
  const draft = history[history.length - 1] ?? original;

  useEffect(() => {
    const controller = new AbortController();
    // Today's set is the base of the draft: a new version (saved here or by another supervisor) starts it afresh.
    exportDistricts({ signal: controller.signal }).then((collection) => {
      setOriginal(collection as Draft);
      setHistory([]);
      setPicked(null);
    }).catch((e: unknown) => {
      if (!controller.signal.aborted) setLoadError(e);
    });
    return () => controller.abort();
  }, [today.id]);

  const changed = !!draft && !!original && isChanged(draft, original);
  // The check answers for the draft it was asked about; a newer edit hides it until its own check arrives.
  const [checked, setChecked] = useState<{ draft: Draft; result: DraftCheck } | null>(null);
  const check = changed && checked?.draft === draft ? checked.result : null;
  const checking = changed && !check;
  useEffect(() => {
    if (!draft || !changed) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      checkDraft(draft as FeatureCollection, { signal: controller.signal })
        .then((result) => setChecked({ draft, result }))
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setFailure([describeError(e, tMaybe).message]);
        });
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft, changed, tMaybe]);

  const push = (next: Draft) => {
    if (next !== draft) setHistory((h) => [...h, next]);
  };
  const handlers: EditHandlers = {
    onSelect: (number) => {
      setSelected(number);
      setPicked(null);
    },
    onMove: (ref: VertexRef, to: Position) => draft && selected !== null && push(moveVertex(draft, selected, ref, to, shared)),
    onInsert: (ref: VertexRef, at: Position) => draft && selected !== null && push(insertVertex(draft, selected, ref, at, shared)),
    onPick: setPicked,
    onDelete: (ref: VertexRef) => {
      if (draft && selected !== null) push(deleteVertex(draft, selected, ref, shared));
      setPicked(null);
    },
  };
  const faulty = useMemo(() => new Set((check?.problems ?? []).flatMap((p) => [Number(p.district), Number(p.other)])
    .filter((n) => Number.isFinite(n) && n > 0)), [check]);
  const figures = new Map((check?.districts ?? []).map((d) => [d.number, d]));
  const number = (n: number | null | undefined) => (n === null || n === undefined ? "—" : Math.round(n).toLocaleString(locale));

  const fail = (e: unknown) => {
    const lines = [describeError(e, tMaybe).message];
    const raw: unknown = isApiError(e) ? e.problem?.errors : null;
    for (const p of Array.isArray(raw) ? (raw as Record<string, string>[]) : []) {
      if (typeof p.code === "string") lines.push(tMaybe(`errors.${p.code}`, p) ?? p.code);
    }
    setFailure(lines);
  };
  const save = () => {
    if (!draft) return;
    setSaving(true);
    setFailure(null);
    acceptEdit(draft as FeatureCollection, note.trim() || null).then(() => {
      setNote("");
      onAccepted();
    }).catch(fail).finally(() => setSaving(false));
  };
  const merge = () => {
    if (!draft || selected === null || mergeWith === null) return;
    setFailure(null);
    mergeDraft(draft as FeatureCollection, selected, Number(mergeWith)).then((merged) => {
      push(merged as Draft);
      setMergeWith(null);
      setPicked(null);
    }).catch(fail);
  };

  if (loadError !== null) return <Alert color="red">{describeError(loadError, tMaybe).message}</Alert>;
  if (!draft) return <Loader size="sm" />;
  const canSave = changed && !checking && !!check?.valid && !saving;
  return (
    <Stack gap="sm" data-testid="district-edit">
      <Text size="sm" c="dimmed">{t("districts.edit.hint")}</Text>
      <Group gap="sm">
        <Switch checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} label={t("districts.edit.shared")} data-testid="edit-shared" />
        <Button size="xs" variant="default" disabled={history.length === 0} onClick={() => setHistory((h) => h.slice(0, -1))} data-testid="edit-undo">
          {t("districts.edit.undo")}
        </Button>
        <Button size="xs" variant="default" disabled={picked === null || selected === null || !canDelete(draft, selected, picked, shared)}
          onClick={() => picked && handlers.onDelete(picked)} data-testid="edit-delete-vertex">
          {t("districts.edit.deleteVertex")}
        </Button>
        <Button size="xs" variant="default" disabled={!changed} onClick={() => setHistory([])} data-testid="edit-reset">
          {t("districts.edit.reset")}
        </Button>
        {selected !== null && (
          <Group gap={4}>
            <Select size="xs" w={170} placeholder={t("districts.edit.mergeWith")} value={mergeWith} onChange={setMergeWith}
              data={draft.features.map((f) => String(f.properties.number)).filter((n) => n !== String(selected))} data-testid="edit-merge-with" />
            <Button size="xs" variant="default" disabled={mergeWith === null} onClick={merge} data-testid="edit-merge">{t("districts.edit.merge")}</Button>
          </Group>
        )}
        {checking && <Group gap={4}><Loader size="xs" /><Text size="xs">{t("districts.edit.checking")}</Text></Group>}
      </Group>
      {failure && (
        <Alert color="red" withCloseButton onClose={() => setFailure(null)} data-testid="edit-error">
          {failure.map((line, k) => <Text key={k} size="sm">{line}</Text>)}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <EditMap draft={draft} selected={selected} picked={picked} faulty={faulty} streets={streets} handlers={handlers} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="xs">
            {selected === null && <Text size="sm" c="dimmed">{t("districts.edit.choose")}</Text>}
            {check && !check.valid && (
              <Alert color="red" title={t("districts.edit.problems", { count: check.problems.length })} data-testid="edit-problems">
                {check.problems.map((p, k) => <Text key={k} size="sm" data-district={p.district}>{tMaybe(`errors.${p.code}`, p) ?? p.code}</Text>)}
              </Alert>
            )}
            {check?.valid && <Alert color="green" data-testid="edit-valid">{t("districts.edit.valid")}</Alert>}
            <Table fz="xs" withTableBorder data-testid="edit-figures">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>№</Table.Th>
                  <Table.Th>{t("districts.residents")}</Table.Th>
                  <Table.Th>{t("districts.edit.draft")}</Table.Th>
                  <Table.Th>{t("districts.edit.incidents")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {today.districts.map((d) => {
                  const next = figures.get(d.number);
                  return (
                    <Table.Tr key={d.id} data-number={d.number} onClick={() => handlers.onSelect(d.number)} style={{ cursor: "pointer" }}>
                      <Table.Td>{d.number}{d.number === selected && <Badge size="xs" ml={4}>✎</Badge>}</Table.Td>
                      <Table.Td>{number(d.residents)}</Table.Td>
                      <Table.Td data-testid="edit-draft-residents">{next ? number(next.residents) : "—"}{next?.over_norm && <Badge color="red" size="xs" ml={4}>{t("districts.overNorm")}</Badge>}</Table.Td>
                      <Table.Td>{next ? next.incidents : "—"}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            {check?.balance && (
              <Text size="xs" c="dimmed" data-testid="edit-balance">
                {t("districts.balanceLine", { residents: number(check.balance.residents), min: number(check.balance.min), max: number(check.balance.max), std: number(check.balance.std), over: check.balance.over_norm })}
              </Text>
            )}
            {check?.workload && <Text size="xs" c="dimmed">{t("districts.workloadLine", { incidents: check.workload.incidents, days: check.workload.days, min: check.workload.min, max: check.workload.max })}</Text>}
            <TextInput label={t("districts.note")} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} data-testid="edit-note" />
            <Button color="green" disabled={!canSave} loading={saving} onClick={save} data-testid="edit-save">{t("districts.edit.save")}</Button>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
