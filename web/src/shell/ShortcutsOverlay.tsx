import { Group, Kbd, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo } from "react";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/messages";
import { DESKS } from "./desks";
import { navigate } from "./router";
import { DESK_KEYS, shortcuts, type Shortcut } from "./shortcuts";
import { useShortcutListener, useShortcutRegistry, useShortcuts } from "./useShortcuts";

function Keys({ keys }: { keys: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      {keys.split(" ").map((key, i) => (
        <Kbd key={i} size="sm">{key === "ArrowDown" ? "↓" : key === "ArrowUp" ? "↑" : key === "Escape" ? "Esc" : key}</Kbd>
      ))}
    </Group>
  );
}

function ShortcutTable({ list, testId }: { list: readonly Shortcut[]; testId: string }) {
  const { t } = useI18n();
  return (
    <Table withRowBorders={false} verticalSpacing={2} data-testid={testId}>
      <Table.Tbody>
        {list.map((s) => (
          <Table.Tr key={s.keys} data-testid="shortcut" data-keys={s.keys}>
            <Table.Td w={110}><Keys keys={s.keys} /></Table.Td>
            <Table.Td>
              <Text size="sm">{s.desk ? t(s.label, { desk: t(`nav.${s.desk}` as MessageKey) }) : t(s.label)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The shell's keys (`?` lists every key in force, `g` + a letter opens a desk) and the `?` overlay. */
export function ShortcutsOverlay() {
  const { t } = useI18n();
  const { user } = useSession();
  const { list, overlayOpen } = useShortcutRegistry();
  useShortcutListener();
  const global = useMemo<Shortcut[]>(() => [
    { keys: "?", label: "shortcuts.help", scope: "global", run: () => shortcuts.setOverlay(!shortcuts.overlayOpen) },
    ...DESKS.filter((desk) => desk.isVisible(user) && DESK_KEYS[desk.id]).map((desk): Shortcut => ({
      keys: `g ${DESK_KEYS[desk.id]}`, label: "shortcuts.goTo", scope: "global", desk: desk.id, run: () => navigate(desk.path),
    })),
  ], [user]);
  useShortcuts(global);
  // A key listed twice (the desk's over the shell's) shows once, as it acts.
  const unique = (scope: Shortcut["scope"]) => {
    const seen = new Set<string>();
    return [...list].reverse().filter((s) => s.scope === scope && !seen.has(s.keys) && seen.add(s.keys)).reverse();
  };
  const deskKeys = unique("desk");
  return (
    <Modal opened={overlayOpen} onClose={() => shortcuts.setOverlay(false)} title={<Title order={2} size="h4">{t("shortcuts.title")}</Title>} size="lg" data-testid="shortcuts-overlay">
      <Stack gap="sm" data-testid="shortcuts-list">
        {deskKeys.length > 0 && (
          <>
            <Text fw={600} size="sm">{t("shortcuts.thisDesk")}</Text>
            <ShortcutTable list={deskKeys} testId="shortcuts-desk" />
          </>
        )}
        <Text fw={600} size="sm">{t("shortcuts.everywhere")}</Text>
        <ShortcutTable list={unique("global")} testId="shortcuts-global" />
        <Text size="xs" c="dimmed">{t("shortcuts.typingNote")}</Text>
      </Stack>
    </Modal>
  );
}
