import { AppShell, NavLink, ScrollArea, Tooltip, UnstyledButton } from "@mantine/core";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { DESKS, findDesk } from "./desks";
import { IconCollapse, IconExpand } from "./icons";
import { handleLinkClick, usePathname } from "./router";

export function NavBar({ collapsed, onToggle }: { collapsed: boolean; onToggle: () => void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const pathname = usePathname();
  const current = findDesk(pathname);
  const toggleLabel = collapsed ? t("nav.expand") : t("nav.collapse");

  return (
    <>
      <AppShell.Section
        grow
        component={ScrollArea}
        scrollbarSize={6}
        type="hover"
        className={collapsed ? "nav nav-collapsed" : "nav"}
      >
        <nav aria-label={t("nav.label")}>
          {DESKS.filter((desk) => desk.isVisible(user)).map((desk) => {
            const title = t(`nav.${desk.id}` as const);
            const active = current?.id === desk.id;
            const link = (
              <NavLink
                key={desk.id}
                component="a"
                href={desk.path}
                data-testid={`nav-${desk.id}`}
                active={active}
                aria-current={active ? "page" : undefined}
                aria-label={collapsed ? title : undefined}
                label={collapsed ? undefined : title}
                leftSection={<desk.icon size={20} />}
                onClick={(event) => handleLinkClick(event, desk.path)}
                className="nav-link"
              />
            );
            return collapsed ? (
              <Tooltip key={desk.id} label={title} position="right" openDelay={0}>
                {link}
              </Tooltip>
            ) : (
              link
            );
          })}
        </nav>
      </AppShell.Section>
      <AppShell.Section>
        <Tooltip label={toggleLabel} position="right" disabled={!collapsed}>
          <UnstyledButton
            className="nav-toggle"
            data-collapsed={collapsed}
            onClick={onToggle}
            aria-label={toggleLabel}
            aria-expanded={!collapsed}
          >
            {collapsed ? <IconExpand size={18} /> : <IconCollapse size={18} />}
            {!collapsed && <span>{toggleLabel}</span>}
          </UnstyledButton>
        </Tooltip>
      </AppShell.Section>
    </>
  );
}
