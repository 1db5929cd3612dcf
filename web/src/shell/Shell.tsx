import { AppShell } from "@mantine/core";
import { useLocalStorage } from "@mantine/hooks";
import { useEffect, useRef } from "react";
import { fetchSession } from "../api/endpoints";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { eventStream } from "../live/eventStream";
import { useEventStream } from "../live/hooks";
import { BANNER_HEIGHT, SimulationStrip } from "../simulation/SimulationBanner";
import { isActive } from "../simulation/status";
import { useSimulationStatus } from "../simulation/useSimulationStatus";
import { PRODUCT_NAME } from "./Brand";
import { DEFAULT_PATH, findDesk } from "./desks";
import { Footer } from "./Footer";
import { Header } from "./Header";
import { NavBar } from "./NavBar";
import { ShortcutsOverlay } from "./ShortcutsOverlay";
import { navigate, usePathname } from "./router";
import { StatusPage } from "./StatusPage";

const SESSION_PROBE_INTERVAL_MS = 30_000;
const HEADER_HEIGHT = 48;

/** Keeps the live event stream open while signed in. */
function useLiveConnection() {
  useEffect(() => {
    eventStream.start();
    const onOnline = () => eventStream.reconnectNow();
    const onOffline = () => eventStream.goOffline();
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    return () => {
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      eventStream.stop();
    };
  }, []);

  // A WebSocket handshake refused for an expired session looks like any other
  // failure; after repeated failures ask the REST API, whose 401 logs us out.
  const { failures } = useEventStream();
  const lastProbe = useRef(0);
  useEffect(() => {
    if (failures < 2 || Date.now() - lastProbe.current < SESSION_PROBE_INTERVAL_MS) return;
    lastProbe.current = Date.now();
    fetchSession().catch(() => undefined);
  }, [failures]);
}

export function Shell() {
  const { t } = useI18n();
  const { user } = useSession();
  const pathname = usePathname();
  const [collapsed, setCollapsed] = useLocalStorage<boolean>({
    key: "qorgau.nav-collapsed",
    defaultValue: false,
    getInitialValueInEffect: false,
  });

  useLiveConnection();
  const simulation = useSimulationStatus(eventStream);
  const simulating = isActive(simulation);

  const atRoot = pathname === "/" || pathname === "" || pathname === "/index.html";
  useEffect(() => {
    if (atRoot) navigate(DEFAULT_PATH, { replace: true });
  }, [atRoot]);

  const desk = findDesk(atRoot ? DEFAULT_PATH : pathname);
  const allowed = desk ? desk.isVisible(user) : false;
  const title = !desk ? t("pages.notFound.title") : allowed ? t(`nav.${desk.id}` as const) : t("pages.forbidden.title");

  useEffect(() => {
    document.title = `${title} — ${PRODUCT_NAME}`;
  }, [title]);

  let content;
  if (!desk) content = <StatusPage kind="notFound" />;
  else if (!allowed) content = <StatusPage kind="forbidden" />;
  else content = <desk.component />;

  return (
    <AppShell
      data-testid="app-shell"
      header={{ height: HEADER_HEIGHT + (simulating ? BANNER_HEIGHT : 0) }}
      footer={{ height: 24 }}
      navbar={{ width: collapsed ? 52 : 208, breakpoint: 0 }}
      padding={0}
      transitionDuration={120}
    >
      <AppShell.Header>
        <div style={{ height: HEADER_HEIGHT }}>
          <Header />
        </div>
        <SimulationStrip state={simulation} compact />
      </AppShell.Header>
      <AppShell.Navbar p={4}>
        <NavBar collapsed={collapsed} onToggle={() => setCollapsed(!collapsed)} />
      </AppShell.Navbar>
      <AppShell.Main className="shell-main">{content}</AppShell.Main>
      <AppShell.Footer>
        <Footer />
      </AppShell.Footer>
      <ShortcutsOverlay />
    </AppShell>
  );
}
