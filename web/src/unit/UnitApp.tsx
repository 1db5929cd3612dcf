import "./unit.css";

import { useMantineColorScheme } from "@mantine/core";
import { useEffect } from "react";
import { useAuth } from "../auth/AuthProvider";
import { LoginPage } from "../auth/LoginPage";
import { useI18n } from "../i18n/I18nProvider";
import { PRODUCT_NAME } from "../shell/Brand";
import { installUnitPwa } from "./pwa";
import { unlockAudio } from "./sound";
import { UnitHome } from "./UnitHome";

export const UNIT_PATH = "/unit";

/** Whether a pathname belongs to the unit app (/unit, /unit/…; not the /units desk). */
export function isUnitPath(pathname: string): boolean {
  return pathname === UNIT_PATH || pathname.startsWith(`${UNIT_PATH}/`);
}

const SCHEME_CHOSEN_KEY = "qorgau.unit.scheme-chosen";

/** Outdoors the light scheme reads better: it is the unit app's default until the crew picks one. */
function useDaylightDefault() {
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    try {
      if (localStorage.getItem(SCHEME_CHOSEN_KEY)) return;
      localStorage.setItem(SCHEME_CHOSEN_KEY, "1");
    } catch {
      return;
    }
    setColorScheme("light");
  }, [setColorScheme]);
}

/** The unit app: sign-in (the shared login page), then the crew's screen; no desk shell. */
export function UnitApp() {
  const { session } = useAuth();
  const { t } = useI18n();
  useDaylightDefault();
  useEffect(() => installUnitPwa(), []);
  useEffect(() => {
    // Browsers play sound only after a gesture: the first tap anywhere unlocks the alert.
    const unlock = () => unlockAudio();
    window.addEventListener("pointerdown", unlock, { once: true });
    return () => window.removeEventListener("pointerdown", unlock);
  }, []);
  useEffect(() => {
    if (session) document.title = `${t("unit.title")} — ${PRODUCT_NAME}`;
  }, [session, t]);

  return session ? <UnitHome /> : <LoginPage />;
}

export default UnitApp;
