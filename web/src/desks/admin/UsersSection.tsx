import { Badge, Button, Group, Modal, PasswordInput, Select, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { ROLES, createUser, fetchUsers, resetPassword, unlockUser, updateUser, type Role, type UserItem } from "../../api/admin";
import { useI18n } from "../../i18n/I18nProvider";
import { ErrorLine, useAction, useLoad } from "./load";

function useRoleOptions() {
  const { tMaybe } = useI18n();
  return ROLES.map((role) => ({ value: role, label: tMaybe(`roles.${role}`) ?? role }));
}

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const roles = useRoleOptions();
  const [username, setUsername] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = async () => {
    const ok = await action.run(() => createUser({ username, display_name: name, role, password }));
    if (ok) {
      setUsername("");
      setName("");
      setPassword("");
      onCreated();
    }
  };
  return (
    <Stack gap={6}>
      <Group align="flex-end" gap="xs" wrap="wrap">
        <TextInput label={t("admin.users.username")} value={username} onChange={(e) => setUsername(e.currentTarget.value)} data-testid="new-user-username" />
        <TextInput label={t("admin.users.displayName")} value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="new-user-name" />
        <Select label={t("admin.users.role")} data={roles} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} data-testid="new-user-role" w={170} />
        <PasswordInput label={t("admin.users.password")} value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="new-user-password" w={200} />
        <Button onClick={() => void submit()} loading={action.busy} disabled={!username || !name || !password} data-testid="new-user-submit">
          {t("admin.users.create")}
        </Button>
      </Group>
      <ErrorLine error={action.error} />
    </Stack>
  );
}

function ResetPasswordDialog({ user, onClose }: { user: UserItem; onClose: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = async () => {
    if (await action.run(() => resetPassword(user.id, password))) onClose();
  };
  return (
    <Modal opened onClose={onClose} title={`${t("admin.users.resetPassword")} · ${user.username}`}>
      <Stack gap="xs">
        <Text size="sm" c="dimmed">{t("admin.users.resetHint")}</Text>
        <PasswordInput label={t("admin.users.newPassword")} value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-testid="reset-password-input" />
        <ErrorLine error={action.error} />
        <Button onClick={() => void submit()} loading={action.busy} disabled={!password} data-testid="reset-password-submit">
          {t("admin.users.resetPassword")}
        </Button>
      </Stack>
    </Modal>
  );
}

/** Accounts: create, change the role, reset the password, clear sign-in delays, deactivate and reactivate. */
export function UsersSection() {
  const { t } = useI18n();
  const roles = useRoleOptions();
  const users = useLoad((signal) => fetchUsers({ signal }));
  const action = useAction();
  const [resetting, setResetting] = useState<UserItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const change = async (user: UserItem, patch: Parameters<typeof updateUser>[1]) => {
    if (await action.run(() => updateUser(user.id, patch))) users.reload();
  };
  const unlock = async (user: UserItem) => {
    let cleared = 0;
    if (await action.run(async () => { cleared = (await unlockUser(user.id)).cleared; })) {
      setNotice(t("admin.users.unlocked", { username: user.username, count: cleared }));
    }
  };

  return (
    <Stack gap="sm" data-testid="admin-users">
      <NewUserForm onCreated={users.reload} />
      <ErrorLine error={users.error ?? action.error} />
      {notice && <Text size="sm" c="teal" data-testid="admin-notice">{notice}</Text>}
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.users.username")}</Table.Th>
            <Table.Th>{t("admin.users.displayName")}</Table.Th>
            <Table.Th>{t("admin.users.role")}</Table.Th>
            <Table.Th>{t("admin.users.active")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((user) => (
            <Table.Tr key={user.id} data-testid="user-row" data-username={user.username}>
              <Table.Td className="mono">{user.username}</Table.Td>
              <Table.Td>{user.display_name}</Table.Td>
              <Table.Td>
                <Select size="xs" w={170} data={roles} value={user.role} allowDeselect={false} aria-label={t("admin.users.role")}
                  onChange={(value) => value && value !== user.role && void change(user, { role: value as Role })} />
              </Table.Td>
              <Table.Td>
                <Switch checked={user.is_active} aria-label={t("admin.users.active")} data-testid="user-active"
                  onChange={(e) => void change(user, { is_active: e.currentTarget.checked })} />
                {!user.is_active && <Badge color="gray" ml={6} size="xs">{t("admin.users.inactive")}</Badge>}
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button size="compact-xs" variant="light" onClick={() => setResetting(user)} data-testid="user-reset">{t("admin.users.resetPassword")}</Button>
                  <Button size="compact-xs" variant="light" onClick={() => void unlock(user)} data-testid="user-unlock">{t("admin.users.unlock")}</Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {resetting && <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />}
    </Stack>
  );
}
