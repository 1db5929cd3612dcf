import { Alert, Badge, Button, Checkbox, Grid, Group, Modal, SegmentedControl, Select, Stack, Table, Text } from "@mantine/core";
import type { Feature } from "geojson";
import { useCallback, useEffect, useState } from "react";
import {
  APPEAL_CHANNELS, APPEAL_STATES, fetchAppealSubjects, fetchAppeals,
  type AppealChannel, type AppealRead, type AppealState, type AppealSubject,
} from "../../api/appeals";
import { fetchDistricts, type District } from "../../api/districts";
import { fetchCityMap } from "../../api/endpoints";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { useLiveEventHandler } from "../../live/hooks";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { AppealPanel } from "./AppealPanel";
import { deadlineLook } from "./deadline";
import { subjectName } from "./names";
import { RegisterForm } from "./RegisterForm";

const PAGE = 50;

/** Residents' appeals: the inspector's own list by default (all for the others), deadlines counted down in
 * working days (overdue in red), filters, registration with a point on the map, and one appeal's detail. */
export function AppealsDesk() {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canWrite = hasPermission(user, PERMISSIONS.appealsWrite);
  const [scope, setScope] = useState<"mine" | "all">(user.role === "inspector" ? "mine" : "all");
  const [districtId, setDistrictId] = useState<string | null>(null);
  const [state, setState] = useState<AppealState | null>(null);
  const [channel, setChannel] = useState<AppealChannel | null>(null);
  const [overdue, setOverdue] = useState(false);
  const [items, setItems] = useState<AppealRead[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [subjects, setSubjects] = useState<AppealSubject[]>([]);
  const [districts, setDistricts] = useState<District[]>([]);
  const [streets, setStreets] = useState<Feature[] | null>(null);
  const [registering, setRegistering] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const [alerts, setAlerts] = useState<{ key: string; text: string; red: boolean }[]>([]);
  useLiveEventHandler((event) => {
    if (!event.name.startsWith("appeals.")) return;
    reload();
    // Reminders go to the appeal's inspector; overdue escalations to the supervisors (and the inspector too).
    const own = event.payload.inspector_id === user.id;
    const number = String(event.payload.number ?? "");
    if (event.name === "appeals.due_soon" && own) {
      setAlerts((old) => [{ key: `${event.id}`, text: t("appeals.live.dueSoon", { number }), red: false }, ...old].slice(0, 3));
    } else if (event.name === "appeals.overdue" && (own || user.role !== "inspector")) {
      setAlerts((old) => [{ key: `${event.id}`, text: t("appeals.live.overdue", { number }), red: true }, ...old].slice(0, 3));
    }
  });

  const filters = { mine: scope === "mine", district_id: districtId ? Number(districtId) : null, state, channel, overdue, limit: PAGE };
  const filterKey = JSON.stringify(filters);
  useEffect(() => {
    const controller = new AbortController();
    fetchAppeals(JSON.parse(filterKey) as typeof filters, { signal: controller.signal }).then((page) => {
      setItems(page.items);
      setCursor(page.next_cursor);
      setError(null);
    }).catch((e: unknown) => {
      if (!controller.signal.aborted) setError(e);
    });
    return () => controller.abort();
  }, [filterKey, version]);
  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    fetchAppealSubjects({ signal }).then(setSubjects).catch(() => undefined);
    fetchDistricts({ signal }).then((set) => setDistricts(set.districts)).catch(() => undefined);
    fetchCityMap(["streets"], { signal })
      .then((map) => setStreets((map.features ?? []).filter((f): f is Feature => !!f && !!f.geometry) as Feature[]))
      .catch(() => setStreets(null));
    return () => controller.abort();
  }, []);

  const more = () => {
    if (!cursor) return;
    fetchAppeals({ ...filters, cursor }).then((page) => {
      setItems((old) => [...old, ...page.items]);
      setCursor(page.next_cursor);
    }).catch(setError);
  };
  // The districts' inspectors (the seeded ones and any added since), each once: the choices for reassigning.
  const inspectors = [...new Map(districts.flatMap((d) => d.inspectors).map((i) => [i.user_id, i])).values()];
  const subjectOf = (code: string) => subjectName(subjects.find((s) => s.code === code), lang);
  const any = t("appeals.filter.any");

  return (
    <DeskPage title={t("nav.appeals")} actions={canWrite && (
      <Button size="xs" onClick={() => setRegistering(true)} data-testid="appeal-register-open">{t("appeals.register")}</Button>
    )}>
      <Stack gap="sm" data-testid="appeals-desk">
        <Group gap="xs" align="flex-end">
          <SegmentedControl size="xs" value={scope} onChange={(v) => setScope(v as "mine" | "all")} data-testid="appeals-scope"
            data={[{ value: "mine", label: t("appeals.mine") }, { value: "all", label: t("appeals.all") }]} />
          <Select size="xs" w={110} label={t("appeals.filter.district")} placeholder={any} clearable value={districtId} onChange={setDistrictId}
            data={districts.map((d) => ({ value: String(d.id), label: String(d.number) }))} />
          <Select size="xs" w={170} label={t("appeals.filter.state")} placeholder={any} clearable value={state} onChange={(v) => setState(v as AppealState | null)}
            data={APPEAL_STATES.map((s) => ({ value: s, label: t(`appeals.state.${s}` as "appeals.state.registered") }))} />
          <Select size="xs" w={150} label={t("appeals.filter.channel")} placeholder={any} clearable value={channel} onChange={(v) => setChannel(v as AppealChannel | null)}
            data={APPEAL_CHANNELS.map((c) => ({ value: c, label: t(`appeals.channel.${c}` as "appeals.channel.phone") }))} />
          <Checkbox size="xs" label={t("appeals.filter.overdue")} checked={overdue} onChange={(e) => setOverdue(e.currentTarget.checked)} data-testid="appeals-overdue" />
        </Group>
        {alerts.map((a) => (
          <Alert key={a.key} color={a.red ? "red" : "orange"} withCloseButton data-testid="appeal-alert"
            onClose={() => setAlerts((old) => old.filter((x) => x.key !== a.key))}>{a.text}</Alert>
        ))}
        {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
        <Grid>
          <Grid.Col span={{ base: 12, lg: 7 }}>
            {items.length === 0 ? <Text size="sm" c="dimmed" data-testid="appeals-empty">{t("appeals.empty")}</Text> : (
              <Table striped highlightOnHover fz="sm" data-testid="appeals-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("appeals.col.number")}</Table.Th>
                    <Table.Th>{t("appeals.col.registered")}</Table.Th>
                    <Table.Th>{t("appeals.col.subject")}</Table.Th>
                    <Table.Th>{t("appeals.col.district")}</Table.Th>
                    <Table.Th>{t("appeals.col.inspector")}</Table.Th>
                    <Table.Th>{t("appeals.col.left")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((a) => {
                    const look = deadlineLook(a);
                    return (
                      <Table.Tr key={a.id} onClick={() => setSelected(a.id)} style={{ cursor: "pointer" }} data-testid="appeal-row"
                        data-number={a.number} data-overdue={a.overdue} bg={a.id === selected ? "var(--mantine-color-blue-light)" : undefined}>
                        <Table.Td>{a.number}</Table.Td>
                        <Table.Td>{formatInstant(a.registered_at, { timeZone, withSeconds: false })}</Table.Td>
                        <Table.Td>{subjectOf(a.subject)}</Table.Td>
                        <Table.Td>{a.district_number ?? "—"}</Table.Td>
                        <Table.Td>{a.inspector_name ?? "—"}</Table.Td>
                        <Table.Td><Badge color={look.colour} variant="light">{t(look.key, { days: look.days })}</Badge></Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            )}
            {cursor && <Button size="xs" variant="subtle" mt="xs" onClick={more}>{t("appeals.more")}</Button>}
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 5 }}>
            {selected === null ? <Text size="sm" c="dimmed">{t("appeals.choose")}</Text>
              : <AppealPanel key={selected} id={selected} subjects={subjects} inspectors={inspectors} onChanged={reload} />}
          </Grid.Col>
        </Grid>
      </Stack>
      <Modal opened={registering} onClose={() => setRegistering(false)} title={t("appeals.register")} size="xl">
        {registering && (
          <RegisterForm subjects={subjects} districts={districts} streets={streets} onCancel={() => setRegistering(false)}
            onDone={(created) => {
              setRegistering(false);
              setSelected(created.id);
              reload();
            }} />
        )}
      </Modal>
    </DeskPage>
  );
}
