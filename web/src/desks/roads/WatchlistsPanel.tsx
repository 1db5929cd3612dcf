import { Alert, Badge, Button, Code, FileButton, Group, Modal, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { describeError, isApiError } from "../../api/problem";
import {
  WATCHLIST_KINDS, addEntry, createWatchlist, fetchEntries, fetchWatchlists, importProblems, importWatchlists, removeEntry, updateEntry,
  type ImportProblem, type Watchlist, type WatchlistEntry, type WatchlistKind,
} from "../../api/roads";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

const KIND_COLOUR: Record<WatchlistKind, string> = { wanted: "red", stolen: "orange", no_insurance: "yellow", of_interest: "blue" };

/** The watch lists: lists and their entries, add and remove with a reason, CSV import that lists every problem
 * with its line (nothing is saved unless the whole file is right). Editing needs `roads:watchlists`. */
export function WatchlistsPanel({ canEdit }: { canEdit: boolean }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [lists, setLists] = useState<Watchlist[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [entries, setEntries] = useState<WatchlistEntry[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const [newList, setNewList] = useState<{ name: string; kind: WatchlistKind; reason: string } | null>(null);
  const [pattern, setPattern] = useState("");
  const [entryReason, setEntryReason] = useState("");
  const [removing, setRemoving] = useState<WatchlistEntry | null>(null);
  const [removeReason, setRemoveReason] = useState("");
  const [editing, setEditing] = useState<{ entry: WatchlistEntry; pattern: string; reason: string } | null>(null);
  const [importReason, setImportReason] = useState("");
  const [problems, setProblems] = useState<ImportProblem[]>([]);
  const [imported, setImported] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    fetchWatchlists({ signal: controller.signal }).then(setLists).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [version]);
  useEffect(() => {
    if (selected === null) return;
    const controller = new AbortController();
    fetchEntries(selected, { signal: controller.signal }).then(setEntries).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [selected, version]);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  const upload = async (file: File | null) => {
    if (!file) return;
    setProblems([]);
    setImported(null);
    setError(null);
    try {
      const done = await importWatchlists(await file.text(), importReason.trim());
      setImported(t("roads.import.done", { count: done.added }));
      reload();
    } catch (e) {
      const found = isApiError(e) ? importProblems(e.problem) : [];
      if (found.length) setProblems(found);
      setError(e);
    }
  };
  const when = (value: string | null) => (value ? formatInstant(value, { timeZone, withDate: true, withSeconds: false }) : "—");
  const current = lists.find((l) => l.id === selected) ?? null;

  return (
    <Stack gap="sm">
      {error ? <Alert color="red">{describeError(error, tMaybe).message}</Alert> : null}
      <Table highlightOnHover data-testid="roads-lists">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("roads.lists.name")}</Table.Th>
            <Table.Th>{t("roads.lists.kind")}</Table.Th>
            <Table.Th>{t("roads.lists.entries")}</Table.Th>
            <Table.Th>{t("roads.lists.updated")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lists.map((l) => (
            <Table.Tr key={l.id} onClick={() => setSelected(l.id)} style={{ cursor: "pointer" }} bg={l.id === selected ? "var(--mantine-color-blue-light)" : undefined}>
              <Table.Td>{l.name}</Table.Td>
              <Table.Td><Badge color={KIND_COLOUR[l.kind]}>{t(`roads.kind.${l.kind}`)}</Badge></Table.Td>
              <Table.Td>{l.entries}</Table.Td>
              <Table.Td>{when(l.updated_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {lists.length === 0 ? <Text c="dimmed" size="sm">{t("roads.lists.none")}</Text> : null}
      {canEdit ? (
        <Group>
          <Button variant="light" onClick={() => setNewList({ name: "", kind: "wanted", reason: "" })}>{t("roads.lists.new")}</Button>
          <TextInput placeholder={t("roads.import.reason")} value={importReason} onChange={(e) => setImportReason(e.currentTarget.value)} w={260} />
          <FileButton onChange={(f) => void upload(f)} accept=".csv,text/csv">
            {(props) => <Button {...props} variant="light" disabled={importReason.trim().length < 3}>{t("roads.import.button")}</Button>}
          </FileButton>
          <Text size="xs" c="dimmed">{t("roads.import.format")} <Code>list,kind,pattern,reason,valid_until</Code></Text>
        </Group>
      ) : null}
      {imported ? <Alert color="green">{imported}</Alert> : null}
      {problems.length ? (
        <Table data-testid="roads-import-problems">
          <Table.Thead><Table.Tr><Table.Th>{t("roads.import.line")}</Table.Th><Table.Th>{t("roads.import.problem")}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {problems.map((p, i) => (
              <Table.Tr key={i}>
                <Table.Td>{p.line || "—"}</Table.Td>
                <Table.Td>{tMaybe(p.code, p) ?? p.code}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {current ? (
        <Stack gap="xs">
          <Text fw={600}>{current.name}</Text>
          {canEdit ? (
            <Group align="end">
              <TextInput label={t("roads.entries.pattern")} description={t("roads.search.plateHint")} value={pattern} onChange={(e) => setPattern(e.currentTarget.value)} w={200} />
              <TextInput label={t("roads.entries.reason")} value={entryReason} onChange={(e) => setEntryReason(e.currentTarget.value)} w={320} />
              <Button disabled={!pattern.trim() || entryReason.trim().length < 3}
                onClick={() => void act(() => addEntry(current.id, { pattern, reason: entryReason.trim() })).then((ok) => { if (ok) { setPattern(""); setEntryReason(""); } })}>
                {t("roads.entries.add")}
              </Button>
            </Group>
          ) : null}
          <Table striped data-testid="roads-entries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("roads.entries.pattern")}</Table.Th>
                <Table.Th>{t("roads.entries.reason")}</Table.Th>
                <Table.Th>{t("roads.entries.addedBy")}</Table.Th>
                <Table.Th>{t("roads.entries.validUntil")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td><Text ff="monospace">{e.pattern}</Text></Table.Td>
                  <Table.Td>{e.reason}</Table.Td>
                  <Table.Td>{e.added_by} · {when(e.added_at)}</Table.Td>
                  <Table.Td>{when(e.valid_until)}</Table.Td>
                  <Table.Td>
                    {canEdit ? (
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="subtle" onClick={() => setEditing({ entry: e, pattern: e.pattern, reason: e.reason })}>{t("roads.entries.edit")}</Button>
                        <Button size="compact-xs" color="red" variant="subtle" onClick={() => { setRemoving(e); setRemoveReason(""); }}>{t("roads.entries.remove")}</Button>
                      </Group>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      ) : null}
      <Modal opened={newList !== null} onClose={() => setNewList(null)} title={t("roads.lists.new")}>
        {newList ? (
          <Stack>
            <TextInput label={t("roads.lists.name")} value={newList.name} onChange={(e) => setNewList({ ...newList, name: e.currentTarget.value })} />
            <Select label={t("roads.lists.kind")} value={newList.kind} allowDeselect={false}
              onChange={(v) => setNewList({ ...newList, kind: (v ?? "wanted") as WatchlistKind })}
              data={WATCHLIST_KINDS.map((k) => ({ value: k, label: t(`roads.kind.${k}`) }))} />
            <TextInput label={t("roads.entries.reason")} value={newList.reason} onChange={(e) => setNewList({ ...newList, reason: e.currentTarget.value })} />
            <Button disabled={!newList.name.trim() || newList.reason.trim().length < 3}
              onClick={() => void act(() => createWatchlist({ name: newList.name.trim(), kind: newList.kind, reason: newList.reason.trim() })).then((ok) => { if (ok) setNewList(null); })}>
              {t("roads.lists.create")}
            </Button>
          </Stack>
        ) : null}
      </Modal>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={t("roads.entries.editTitle", { pattern: editing?.entry.pattern ?? "" })}>
        {editing ? (
          <Stack>
            <TextInput label={t("roads.entries.pattern")} value={editing.pattern} onChange={(e) => setEditing({ ...editing, pattern: e.currentTarget.value })} />
            <TextInput label={t("roads.entries.editReason")} value={editing.reason} onChange={(e) => setEditing({ ...editing, reason: e.currentTarget.value })} />
            <Button disabled={!editing.pattern.trim() || editing.reason.trim().length < 3 || current === null}
              onClick={() => { if (current) void act(() => updateEntry(current.id, editing.entry.id, { pattern: editing.pattern, reason: editing.reason.trim(), valid_until: editing.entry.valid_until })).then((ok) => { if (ok) setEditing(null); }); }}>
              {t("roads.entries.save")}
            </Button>
          </Stack>
        ) : null}
      </Modal>
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={t("roads.entries.removeTitle", { pattern: removing?.pattern ?? "" })}>
        <Stack>
          <TextInput label={t("roads.entries.removeReason")} value={removeReason} onChange={(e) => setRemoveReason(e.currentTarget.value)} />
          <Button color="red" disabled={removeReason.trim().length < 3 || removing === null || current === null}
            onClick={() => { if (removing && current) void act(() => removeEntry(current.id, removing.id, removeReason.trim())).then((ok) => { if (ok) setRemoving(null); }); }}>
            {t("roads.entries.remove")}
          </Button>
        </Stack>
      </Modal>
    </Stack>
  );
}
