import { Badge, Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { decommissionDevice, fetchDevices, updateDevice, type DeviceItem } from "../../api/admin";
import { useI18n } from "../../i18n/I18nProvider";
import { EditDialog } from "./EditDialog";
import { ErrorLine, useAction, useLoad } from "./load";

/** Devices: find by code or name, edit names and site, take out of service (with a confirmation). */
export function DevicesSection() {
  const { t, tMaybe } = useI18n();
  const [query, setQuery] = useState("");
  const [searched] = useDebouncedValue(query, 300); // one request when the typing pauses, not one per key
  const devices = useLoad((signal) => fetchDevices(searched, { signal }), searched);
  const [editing, setEditing] = useState<DeviceItem | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const action = useAction();
  const decommission = async (code: string) => {
    if (await action.run(() => decommissionDevice(code))) devices.reload();
    setConfirming(null);
  };
  return (
    <Stack gap="sm" data-testid="admin-devices">
      <TextInput placeholder={t("admin.search")} value={query} onChange={(e) => setQuery(e.currentTarget.value)} maw={360} data-testid="devices-search" />
      <ErrorLine error={devices.error ?? action.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.devices.code")}</Table.Th>
            <Table.Th>{t("admin.devices.name")}</Table.Th>
            <Table.Th>{t("admin.devices.site")}</Table.Th>
            <Table.Th>{t("admin.devices.lifecycle")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(devices.data?.items ?? []).map((device) => {
            const retired = device.lifecycle === "decommissioned";
            return (
              <Table.Tr key={device.code} data-testid="device-row" data-code={device.code}>
                <Table.Td className="mono">{device.code}</Table.Td>
                <Table.Td>{device.name_ru}<Text size="xs" c="dimmed">{device.kind}</Text></Table.Td>
                <Table.Td className="mono">{device.site_code ?? "—"}</Table.Td>
                <Table.Td><Badge variant="light" color={retired ? "gray" : "blue"}>{tMaybe(`admin.lifecycle.${device.lifecycle}`) ?? device.lifecycle}</Badge></Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="compact-xs" variant="light" onClick={() => setEditing(device)} data-testid="device-edit">{t("admin.edit")}</Button>
                    {!retired && (confirming === device.code ? (
                      <Button size="compact-xs" color="red" onClick={() => void decommission(device.code)} loading={action.busy} data-testid="device-decommission-confirm">
                        {t("admin.devices.confirmDecommission")}
                      </Button>
                    ) : (
                      <Button size="compact-xs" variant="light" color="red" onClick={() => setConfirming(device.code)} data-testid="device-decommission">
                        {t("admin.devices.decommission")}
                      </Button>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {editing && (
        <EditDialog title={`${t("admin.edit")} · ${editing.code}`} onClose={() => setEditing(null)}
          onSave={async (changes) => { await updateDevice(editing.code, changes); devices.reload(); }}
          fields={[
            { name: "name_kk", label: t("admin.names.kk"), value: editing.name_kk },
            { name: "name_ru", label: t("admin.names.ru"), value: editing.name_ru },
            { name: "name_en", label: t("admin.names.en"), value: editing.name_en, optional: true },
            { name: "site_code", label: t("admin.devices.site"), value: editing.site_code, optional: true },
          ]} />
      )}
    </Stack>
  );
}
