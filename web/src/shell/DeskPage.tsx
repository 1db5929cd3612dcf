import { Alert, Group, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { IconInfoCircle } from "./icons";

/** Common frame of a desk: title row (with optional actions) and content. */
export function DeskPage({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <Stack gap="sm" p="sm" className="desk-page">
      <Group justify="space-between" wrap="nowrap" gap="sm" mih={30}>
        <Title order={1} size="h2" data-testid="page-title">
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Stack>
  );
}

/** "This desk arrives in a coming release." */
export function ComingSoon() {
  const { t } = useI18n();
  return (
    <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />} py="xs" maw={720}>
      {t("desks.placeholder")}
    </Alert>
  );
}
