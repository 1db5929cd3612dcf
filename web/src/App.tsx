import { Center, Loader, MantineProvider } from "@mantine/core";
import { lazy, Suspense, useEffect, useState } from "react";
import { setRequestLanguage } from "./api/client";
import { fetchMeta, fetchSession } from "./api/endpoints";
import { isApiError, type ApiError } from "./api/problem";
import type { Meta, Session } from "./api/types";
import { AuthProvider, useAuth } from "./auth/AuthProvider";
import { LoginPage } from "./auth/LoginPage";
import { I18nProvider } from "./i18n/I18nProvider";
import { navigatorLanguages, readStoredLanguage, resolveLanguage, type Language } from "./i18n/languages";
import { translate } from "./i18n/messages";
import { MetaProvider, normaliseMeta, type AppMeta } from "./shell/meta";
import { Shell } from "./shell/Shell";
import { usePathname } from "./shell/router";
import { colorSchemeManager, theme } from "./shell/theme";

interface BootResult {
  meta: AppMeta;
  language: Language;
  session: Session | null;
  sessionError: ApiError | null;
}

/** Language before /api/meta answers: the stored choice or the browser's. */
function provisionalLanguage(): Language {
  return resolveLanguage({ stored: readStoredLanguage(), navigatorLanguages: navigatorLanguages() });
}

let bootPromise: Promise<BootResult> | null = null;

/** Loads /api/meta and probes the session in parallel (once per page load). */
function boot(): Promise<BootResult> {
  bootPromise ??= (async () => {
    setRequestLanguage(provisionalLanguage());
    const [metaResult, sessionResult] = await Promise.allSettled([
      fetchMeta({ timeoutMs: 5000 }),
      fetchSession({ allowUnauthorized: true, timeoutMs: 8000 }),
    ]);
    const rawMeta: Meta | null = metaResult.status === "fulfilled" ? metaResult.value : null;
    const meta = normaliseMeta(rawMeta);
    const session = sessionResult.status === "fulfilled" ? sessionResult.value : null;
    let sessionError: ApiError | null = null;
    if (sessionResult.status === "rejected") {
      const reason: unknown = sessionResult.reason;
      if (!isApiError(reason) || reason.status !== 401) {
        sessionError = isApiError(reason) ? reason : null;
      }
    }
    const language = resolveLanguage({
      stored: readStoredLanguage() ?? session?.user.locale ?? null,
      metaDefault: meta.defaultLanguage,
      navigatorLanguages: navigatorLanguages(),
    });
    return { meta, language, session, sessionError };
  })();
  return bootPromise;
}

/** The unit app (patrols' and inspectors' phones, /unit): its own layout, no desk shell; loaded on demand. */
const UnitApp = lazy(() => import("./unit/UnitApp"));
/** The situation center's wall (/wall): the map full-screen, no desk shell; loaded on demand. */
const WallView = lazy(() => import("./desks/map/WallView"));
/** A resident's feedback page behind a one-time link (/feedback/<token>): public, no desk shell. */
const PublicFeedbackPage = lazy(() => import("./feedback/PublicFeedbackPage"));

function Root() {
  const { session } = useAuth();
  const pathname = usePathname();
  if (/^\/unit(\/|$)/.test(pathname)) return <Suspense fallback={null}><UnitApp /></Suspense>;
  if (/^\/feedback\/[A-Za-z0-9_-]+\/?$/.test(pathname)) return <Suspense fallback={null}><PublicFeedbackPage /></Suspense>;
  if (/^\/wall\/?$/.test(pathname) && session) return <Suspense fallback={null}><WallView /></Suspense>;
  return session ? <Shell /> : <LoginPage />;
}

function Bootstrap() {
  const [result, setResult] = useState<BootResult | null>(null);
  useEffect(() => {
    let cancelled = false;
    void boot().then((r) => {
      if (!cancelled) setResult(r);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  if (!result) {
    return (
      <Center mih="100dvh">
        <Loader size="md" aria-label={translate(provisionalLanguage(), "app.loading")} />
      </Center>
    );
  }

  return (
    <MetaProvider value={result.meta}>
      <I18nProvider initial={result.language}>
        <AuthProvider initialSession={result.session} bootError={result.sessionError}>
          <Root />
        </AuthProvider>
      </I18nProvider>
    </MetaProvider>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="dark">
      <Bootstrap />
    </MantineProvider>
  );
}
