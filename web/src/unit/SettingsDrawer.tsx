import { Button, Drawer, Group, Stack, Text } from "@mantine/core";
import { useAuth } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { IconLogout } from "../shell/icons";
import { LanguageSwitch } from "../shell/LanguageSwitch";
import { ThemeToggle } from "../shell/ThemeToggle";
import { playDispatchAlert, unlockAudio } from "./sound";

/** Language, day/night, a sound check and sign-out, in a sheet from the bottom. */
export function SettingsDrawer({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { session, logout } = useAuth();
  return (
    <Drawer opened={opened} onClose={onClose} position="bottom" size="auto" title={t("unit.settings")} zIndex={1000}>
      <Stack gap="lg" pb="md" data-testid="unit-settings">
        {session && (
          <Text size="lg" data-testid="unit-user">
            {t("unit.signedInAs", { name: session.user.display_name || session.user.username })}
          </Text>
        )}
        <Group justify="space-between" wrap="nowrap">
          <LanguageSwitch />
          <ThemeToggle />
        </Group>
        <Button
          data-testid="unit-test-sound"
          size="xl"
          variant="default"
          onClick={() => {
            unlockAudio();
            playDispatchAlert();
          }}
        >
          {t("unit.testSound")}
        </Button>
        <Button
          data-testid="unit-logout"
          size="xl"
          color="red"
          variant="light"
          leftSection={<IconLogout size={22} />}
          onClick={() => {
            onClose();
            void logout();
          }}
        >
          {t("unit.logout")}
        </Button>
      </Stack>
    </Drawer>
  );
}
