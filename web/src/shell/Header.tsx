import { Divider, Group } from "@mantine/core";
import { Brand } from "./Brand";
import { Clock } from "./Clock";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { LanguageSwitch } from "./LanguageSwitch";
import { ThemeToggle } from "./ThemeToggle";
import { UserMenu } from "./UserMenu";

export function Header() {
  return (
    <Group h="100%" px="sm" justify="space-between" wrap="nowrap" gap="sm">
      <Brand />
      <Group gap="sm" wrap="nowrap">
        <ConnectionIndicator />
        <Divider orientation="vertical" />
        <Clock />
        <Divider orientation="vertical" />
        <LanguageSwitch compact />
        <ThemeToggle />
        <UserMenu />
      </Group>
    </Group>
  );
}
