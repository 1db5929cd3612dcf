import { Avatar, Box, Group, Menu, Text, UnstyledButton } from "@mantine/core";
import { useState } from "react";
import { useAuth, useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { IconChevronDown, IconLogout, IconShield } from "./icons";
import { PasswordDialog } from "./PasswordDialog";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

export function useRoleLabel(role: string): string {
  const { tMaybe } = useI18n();
  return tMaybe(`roles.${role}`) ?? role;
}

export function UserMenu() {
  const { t } = useI18n();
  const { logout } = useAuth();
  const { user } = useSession();
  const roleLabel = useRoleLabel(user.role);
  const name = user.display_name || user.username;
  const [changingPassword, setChangingPassword] = useState(false);

  return (
    <>
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu" className="user-button" aria-label={`${t("user.menu")}: ${name}`}>
          <Group gap={8} wrap="nowrap">
            <Avatar size={28} radius="xl" color="blue" variant="filled">
              {initials(name)}
            </Avatar>
            <Box className="user-button-text">
              <Text data-testid="user-name" size="sm" fw={600} lh={1.15} truncate="end">
                {name}
              </Text>
              <Text data-testid="user-role" size="xs" c="dimmed" lh={1.15} truncate="end">
                {roleLabel}
              </Text>
            </Box>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Box px="sm" py={6}>
          <Text size="sm" fw={600}>
            {name}
          </Text>
          <Text size="xs" c="dimmed">
            {t("user.username")}: <span className="mono">{user.username}</span>
          </Text>
          <Text size="xs" c="dimmed">
            {t("user.role")}: {roleLabel}
          </Text>
        </Box>
        <Menu.Divider />
        <Menu.Item data-testid="change-password" leftSection={<IconShield size={16} />} onClick={() => setChangingPassword(true)}>
          {t("user.password.title")}
        </Menu.Item>
        <Menu.Item data-testid="logout" color="red" leftSection={<IconLogout size={16} />} onClick={() => void logout()}>
          {t("user.logout")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
    {changingPassword && <PasswordDialog onClose={() => setChangingPassword(false)} />}
    </>
  );
}
