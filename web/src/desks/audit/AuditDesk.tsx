import { Alert, Anchor, Autocomplete, Badge, Button, Group, Table, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { fetchUsers } from "../../api/admin";
import { exportUrl, fetchAudit, type AuditItem } from "../../api/audit";
import { describeError } from "../../api/problem";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useSession } from "../../auth/AuthProvider";
import { useI18n } from "../../i18n/I18nProvider";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { ChainStatusPanel } from "./ChainStatusPanel";
import { COMMON_ACTIONS, EMPTY_FORM, dayRange, toSearch, type SearchForm } from "./search";

const OUTCOME_COLORS: Record<string, string> = { success: "green", failure: "orange", denied: "red" };

function SearchFields({ form, onChange, onSubmit }: { form: SearchForm; onChange: (form: SearchForm) => void; onSubmit: () => void }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const field = (name: keyof SearchForm) => ({
    value: form[name],
    onChange: (e: { currentTarget: { value: string } }) => onChange({ ...form, [name]: e.currentTarget.value }),
  });
  const day = (offset: number) => onChange({ ...form, ...dayRange(offset, new Date(), timeZone) });
  return (
    <form onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <TextInput label={t("audit.search.person")} placeholder={t("audit.search.personHint")} {...field("person")} data-testid="audit-person" />
        <Autocomplete label={t("audit.search.action")} data={[...COMMON_ACTIONS]} value={form.action}
          onChange={(value) => onChange({ ...form, action: value })} data-testid="audit-action" />
        <TextInput label={t("audit.search.objectType")} placeholder="user, unit, camera…" w={140} {...field("targetType")} data-testid="audit-target-type" />
        <TextInput label={t("audit.search.object")} w={140} {...field("target")} data-testid="audit-target" />
        <TextInput type="datetime-local" label={t("audit.search.from")} {...field("from")} data-testid="audit-from" />
        <TextInput type="datetime-local" label={t("audit.search.to")} {...field("to")} data-testid="audit-to" />
        <Button type="submit" data-testid="audit-submit">{t("audit.search.submit")}</Button>
      </Group>
      <Group gap="xs" mt={6}>
        <Button size="compact-xs" variant="subtle" onClick={() => day(0)} data-testid="audit-today">{t("audit.search.today")}</Button>
        <Button size="compact-xs" variant="subtle" onClick={() => day(-1)} data-testid="audit-yesterday">{t("audit.search.yesterday")}</Button>
        <Button size="compact-xs" variant="subtle" color="gray" onClick={() => onChange(EMPTY_FORM)}>{t("audit.search.clear")}</Button>
      </Group>
    </form>
  );
}

/** "Name (role)" of every account by its actor reference (`user:12`), for callers who may read the accounts. */
function usePeople(): Map<string, string> {
  const { tMaybe } = useI18n();
  const { user } = useSession();
  const mayRead = hasPermission(user, PERMISSIONS.usersRead);
  const [people, setPeople] = useState<Map<string, string>>(() => new Map());
  useEffect(() => {
    if (!mayRead) return;
    const controller = new AbortController();
    fetchUsers({ signal: controller.signal }).then(
      (users) => setPeople(new Map(users.map((u) => [`user:${u.id}`, `${u.display_name} (${tMaybe(`roles.${u.role}`) ?? u.role})`]))),
      () => undefined, // names are a convenience: the log still shows the sign-in name and the reference
    );
    return () => controller.abort();
  }, [mayRead, tMaybe]);
  return people;
}

/** The audit log: the chain's status, a server-side search by person, action, object and time, and its export. */
export function AuditDesk() {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [form, setForm] = useState<SearchForm>(EMPTY_FORM);
  const [applied, setApplied] = useState<SearchForm>(EMPTY_FORM);
  const [items, setItems] = useState<AuditItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const people = usePeople();

  // The first page of each search; a newer search cancels an older one still in flight.
  useEffect(() => {
    const controller = new AbortController();
    fetchAudit(toSearch(applied, timeZone), null, { signal: controller.signal }).then(
      (page) => {
        setItems(page.items);
        setCursor(page.next_cursor ?? null);
        setError(null);
        setLoading(false);
      },
      (cause: unknown) => {
        if (controller.signal.aborted) return;
        setError(cause);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [applied, timeZone]);

  const more = async (after: string) => {
    setLoading(true);
    try {
      const page = await fetchAudit(toSearch(applied, timeZone), after);
      setItems((previous) => [...previous, ...page.items]);
      setCursor(page.next_cursor ?? null);
    } catch (cause) {
      setError(cause);
    } finally {
      setLoading(false);
    }
  };
  const submit = () => {
    setLoading(true);
    setApplied({ ...form });
  };

  const search = toSearch(applied, timeZone);
  return (
    <DeskPage title={t("nav.audit")}>
      <ChainStatusPanel onVerified={() => setApplied((current) => ({ ...current }))} />
      <SearchFields form={form} onChange={setForm} onSubmit={submit} />
      <Group gap="sm">
        <Text size="sm" c="dimmed">{t("audit.export.label")}</Text>
        <Anchor href={exportUrl(search, "csv")} download size="sm" data-testid="audit-export-csv">CSV</Anchor>
        <Anchor href={exportUrl(search, "jsonl")} download size="sm" data-testid="audit-export-jsonl">JSON lines</Anchor>
        <Text size="xs" c="dimmed">{t("audit.export.hint")}</Text>
      </Group>
      {error !== null && <Alert color="red" py={4}>{describeError(error, tMaybe).message}</Alert>}
      <Table striped data-testid="audit-results" data-loading={String(loading)}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("audit.columns.at")}</Table.Th>
            <Table.Th>{t("audit.columns.person")}</Table.Th>
            <Table.Th>{t("audit.columns.action")}</Table.Th>
            <Table.Th>{t("audit.columns.object")}</Table.Th>
            <Table.Th>{t("audit.columns.source")}</Table.Th>
            <Table.Th>{t("audit.columns.details")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.seq} data-testid="audit-row" data-action={item.action} data-seq={item.seq}>
              <Table.Td className="tabular" style={{ whiteSpace: "nowrap" }}>{formatInstant(item.at, { timeZone, withDate: true, withSeconds: true })}</Table.Td>
              <Table.Td>
                {people.get(item.actor) ?? item.actor_name ?? "—"}
                <Text size="xs" c="dimmed" className="mono">{item.actor_name && people.has(item.actor) ? `${item.actor_name} · ` : ""}{item.actor}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono">{item.action}</Text>
                <Badge size="xs" variant="light" color={OUTCOME_COLORS[item.outcome] ?? "gray"}>{tMaybe(`audit.outcome.${item.outcome}`) ?? item.outcome}</Badge>
              </Table.Td>
              <Table.Td className="mono">{item.target_type ? `${item.target_type} ${item.target_id ?? ""}` : "—"}</Table.Td>
              <Table.Td className="mono">{item.source ?? "—"}</Table.Td>
              <Table.Td><Text size="xs" className="mono" lineClamp={2}>{Object.keys(item.details).length ? JSON.stringify(item.details) : ""}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {!loading && items.length === 0 && <Text size="sm" c="dimmed" data-testid="audit-empty">{t("audit.empty")}</Text>}
      {cursor && <Button variant="default" onClick={() => void more(cursor)} loading={loading} data-testid="audit-more">{t("audit.more")}</Button>}
    </DeskPage>
  );
}

