import { Tabs } from "@mantine/core";
import { useState, type ComponentType } from "react";
import { hasPermission } from "../../auth/permissions";
import { useSession } from "../../auth/AuthProvider";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { DeskPage } from "../../shell/DeskPage";
import { ADMIN_SECTIONS } from "../../shell/deskAccess";
import { DevicesSection } from "./DevicesSection";
import { RulesSection } from "./RulesSection";
import { SettingsSection } from "./SettingsSection";
import { SitesSection } from "./SitesSection";
import { UnitsSection } from "./UnitsSection";
import { UsersSection } from "./UsersSection";

type SectionId = keyof typeof ADMIN_SECTIONS;

/** Each section, shown to whoever holds the permission its writes (settings: its read) need on the server. */
const SECTIONS: readonly { id: SectionId; component: ComponentType }[] = [
  { id: "users", component: UsersSection },
  { id: "units", component: UnitsSection },
  { id: "devices", component: DevicesSection },
  { id: "sites", component: SitesSection },
  { id: "rules", component: RulesSection },
  { id: "settings", component: SettingsSection },
];

export function AdminDesk() {
  const { t } = useI18n();
  const { user } = useSession();
  const sections = SECTIONS.filter((section) => hasPermission(user, ADMIN_SECTIONS[section.id]));
  const [active, setActive] = useState<string | null>(sections[0]?.id ?? null);
  return (
    <DeskPage title={t("nav.admin")}>
      <Tabs value={active} onChange={setActive} keepMounted={false}>
        <Tabs.List>
          {sections.map((section) => (
            <Tabs.Tab key={section.id} value={section.id} data-testid={`admin-tab-${section.id}`}>
              {t(`admin.sections.${section.id}` as MessageKey)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {sections.map((section) => (
          <Tabs.Panel key={section.id} value={section.id} pt="sm">
            <section.component />
          </Tabs.Panel>
        ))}
      </Tabs>
    </DeskPage>
  );
}
