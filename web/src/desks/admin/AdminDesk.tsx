import { Tabs } from "@mantine/core";
import { useState, type ComponentType } from "react";
import type { SessionUser } from "../../api/types";
import { PERMISSIONS, hasPermission, type Permission } from "../../auth/permissions";
import { useSession } from "../../auth/AuthProvider";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { DeskPage } from "../../shell/DeskPage";
import { DevicesSection } from "./DevicesSection";
import { RulesSection } from "./RulesSection";
import { SettingsSection } from "./SettingsSection";
import { SitesSection } from "./SitesSection";
import { UnitsSection } from "./UnitsSection";
import { UsersSection } from "./UsersSection";

type SectionId = "users" | "units" | "devices" | "sites" | "rules" | "settings";

/** Each section with the permission its writes (or, for settings, its read) need on the server. */
const SECTIONS: readonly { id: SectionId; permission: Permission; component: ComponentType }[] = [
  { id: "users", permission: PERMISSIONS.usersWrite, component: UsersSection },
  { id: "units", permission: PERMISSIONS.unitsWrite, component: UnitsSection },
  { id: "devices", permission: PERMISSIONS.devicesWrite, component: DevicesSection },
  { id: "sites", permission: PERMISSIONS.devicesWrite, component: SitesSection },
  { id: "rules", permission: PERMISSIONS.alarmsRules, component: RulesSection },
  { id: "settings", permission: PERMISSIONS.settingsRead, component: SettingsSection },
];

/** Whether the user may open the administration desk: any of its sections. */
export function canAdminister(user: SessionUser): boolean {
  return SECTIONS.some((section) => hasPermission(user, section.permission));
}

export function AdminDesk() {
  const { t } = useI18n();
  const { user } = useSession();
  const sections = SECTIONS.filter((section) => hasPermission(user, section.permission));
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
