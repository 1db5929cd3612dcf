import { Tabs } from "@mantine/core";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import { DeskPage } from "../../shell/DeskPage";
import { HitsPanel } from "./HitsPanel";
import { SearchPanel } from "./SearchPanel";
import { WatchlistsPanel } from "./WatchlistsPanel";

/** The roads desk: search of plate reads (with a reason, audited) and "where was it today", the watch lists, and
 * the latest hits. */
export function RoadsDesk() {
  const { t } = useI18n();
  const { user } = useSession();
  const canEdit = hasPermission(user, PERMISSIONS.roadsWatchlists);
  return (
    <DeskPage title={t("nav.roads")}>
      <Tabs defaultValue="search" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="search">{t("roads.tabs.search")}</Tabs.Tab>
          <Tabs.Tab value="lists">{t("roads.tabs.lists")}</Tabs.Tab>
          <Tabs.Tab value="hits">{t("roads.tabs.hits")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="search" pt="sm"><SearchPanel /></Tabs.Panel>
        <Tabs.Panel value="lists" pt="sm"><WatchlistsPanel canEdit={canEdit} /></Tabs.Panel>
        <Tabs.Panel value="hits" pt="sm"><HitsPanel /></Tabs.Panel>
      </Tabs>
    </DeskPage>
  );
}
