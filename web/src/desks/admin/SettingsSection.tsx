import { Alert, Badge, Stack, Table, Text } from "@mantine/core";
import { fetchSettings } from "../../api/admin";
import { useI18n } from "../../i18n/I18nProvider";
import { IconInfoCircle } from "../../shell/icons";
import { ErrorLine, useLoad } from "./load";

function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The effective settings, read-only: each process reads them at start, so they change with a restart. */
export function SettingsSection() {
  const { t } = useI18n();
  const settings = useLoad((signal) => fetchSettings({ signal }));
  return (
    <Stack gap="sm" data-testid="admin-settings">
      <Alert variant="light" icon={<IconInfoCircle size={18} />} py="xs" data-testid="settings-read-only">
        {t("admin.settings.readOnly", { file: settings.data?.config_file_env ?? "QORGAU_CONFIG" })}
      </Alert>
      <ErrorLine error={settings.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.settings.setting")}</Table.Th>
            <Table.Th>{t("admin.settings.value")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(settings.data?.items ?? []).map((item) => (
            <Table.Tr key={item.name} data-testid="setting-row" data-name={item.name}>
              <Table.Td>
                <Text size="sm" fw={500}>{item.title ?? item.name}</Text>
                <Text size="xs" c="dimmed" className="mono">{item.env} · {item.section}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" className="mono" style={{ wordBreak: "break-all" }}>{shown(item.value)}</Text>
                {item.default && <Badge size="xs" variant="light" color="gray">{t("admin.settings.default")}</Badge>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
