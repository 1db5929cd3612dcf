import { Button, Stack, Table, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { fetchSites, updateSite, type SiteItem } from "../../api/admin";
import { useI18n } from "../../i18n/I18nProvider";
import { EditDialog } from "./EditDialog";
import { ErrorLine, useLoad } from "./load";

/** Sites (schools, posts…): find, edit names and address. */
export function SitesSection() {
  const { t } = useI18n();
  const [query, setQuery] = useState("");
  const [searched] = useDebouncedValue(query, 300); // one request when the typing pauses, not one per key
  const sites = useLoad((signal) => fetchSites(searched, { signal }), searched);
  const [editing, setEditing] = useState<SiteItem | null>(null);
  return (
    <Stack gap="sm" data-testid="admin-sites">
      <TextInput placeholder={t("admin.search")} value={query} onChange={(e) => setQuery(e.currentTarget.value)} maw={360} data-testid="sites-search" />
      <ErrorLine error={sites.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.devices.code")}</Table.Th>
            <Table.Th>{t("admin.devices.name")}</Table.Th>
            <Table.Th>{t("admin.sites.address")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(sites.data?.items ?? []).map((site) => (
            <Table.Tr key={site.code} data-testid="site-row" data-code={site.code}>
              <Table.Td className="mono">{site.code}</Table.Td>
              <Table.Td>{site.name_ru}</Table.Td>
              <Table.Td>{site.address ?? "—"}</Table.Td>
              <Table.Td align="right">
                <Button size="compact-xs" variant="light" onClick={() => setEditing(site)} data-testid="site-edit">{t("admin.edit")}</Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <EditDialog title={`${t("admin.edit")} · ${editing.code}`} onClose={() => setEditing(null)}
          onSave={async (changes) => { await updateSite(editing.code, changes); sites.reload(); }}
          fields={[
            { name: "name_kk", label: t("admin.names.kk"), value: editing.name_kk },
            { name: "name_ru", label: t("admin.names.ru"), value: editing.name_ru },
            { name: "name_en", label: t("admin.names.en"), value: editing.name_en, optional: true },
            { name: "address", label: t("admin.sites.address"), value: editing.address, optional: true },
          ]} />
      )}
    </Stack>
  );
}
