import { Button, Group, MultiSelect, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { fetchUsers, setCrew, type UserItem } from "../../api/admin";
import { fetchUnits, type UnitItem } from "../../api/units";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { ErrorLine, useAction, useLoad } from "./load";

/** Roles that sign in to the unit app and report for a unit: the accounts a crew is made of. */
const CREW_ROLES: ReadonlySet<string> = new Set(["patrol", "inspector"]);

function sameMembers(a: readonly string[], b: readonly number[]): boolean {
  return a.length === b.length && [...a].sort().join() === b.map(String).sort().join();
}

function CrewRow({ unit, accounts, onSaved }: { unit: UnitItem; accounts: UserItem[]; onSaved: () => void }) {
  const { t } = useI18n();
  const [members, setMembers] = useState<string[]>(unit.members.map(String));
  const action = useAction();
  // Crew accounts, plus whoever is in the crew already whatever their role (so nobody silently drops out).
  const options = accounts
    .filter((u) => (CREW_ROLES.has(u.role) && u.is_active) || unit.members.includes(u.id))
    .map((u) => ({ value: String(u.id), label: `${u.display_name} (${u.username})` }));
  const save = async () => {
    if (await action.run(() => setCrew(unit.code, members.map(Number)))) onSaved();
  };
  return (
    <Table.Tr data-testid="crew-row" data-unit={unit.code}>
      <Table.Td className="mono">{unit.code}</Table.Td>
      <Table.Td>
        <Text size="sm">{unit.name}</Text>
        <Text size="xs" c="dimmed">{t(`units.kind.${unit.kind}` as MessageKey)}</Text>
      </Table.Td>
      <Table.Td miw={320}>
        <MultiSelect data={options} value={members} onChange={setMembers} searchable clearable
          placeholder={t("admin.units.pickCrew")} aria-label={`${t("admin.units.crew")} ${unit.code}`} data-testid="crew-select" />
        <ErrorLine error={action.error} />
      </Table.Td>
      <Table.Td>
        <Button size="compact-sm" onClick={() => void save()} loading={action.busy} disabled={sameMembers(members, unit.members)} data-testid="crew-save">
          {t("admin.save")}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

/** Units and their crews: which accounts sign in to the unit app as which unit. */
export function UnitsSection() {
  const { t } = useI18n();
  const units = useLoad((signal) => fetchUnits({ signal }));
  const accounts = useLoad((signal) => fetchUsers({ signal }));
  return (
    <Stack gap="sm" data-testid="admin-units">
      <Text size="sm" c="dimmed">{t("admin.units.hint")}</Text>
      <ErrorLine error={units.error ?? accounts.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.units.code")}</Table.Th>
            <Table.Th>{t("admin.units.name")}</Table.Th>
            <Table.Th>{t("admin.units.crew")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(units.data?.items ?? []).map((unit) => (
            <CrewRow key={`${unit.code}:${unit.members.join()}`} unit={unit} accounts={accounts.data ?? []} onSaved={units.reload} />
          ))}
        </Table.Tbody>
      </Table>
      {units.data && units.data.items.length === 0 && <Group><Text size="sm" c="dimmed">{t("admin.empty")}</Text></Group>}
    </Stack>
  );
}
