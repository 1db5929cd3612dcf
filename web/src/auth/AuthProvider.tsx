import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useState, type ReactNode } from "react";
import { setCsrfToken, setUnauthorizedHandler } from "../api/client";
import { login as apiLogin, logout as apiLogout } from "../api/endpoints";
import type { ApiError } from "../api/problem";
import type { Session } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";

/** Why the login page is showing, when it is not the first visit. */
export type AuthNotice = "expired" | "logged_out" | null;

export interface AuthContextValue {
  session: Session | null;
  notice: AuthNotice;
  /** A failure of the initial session probe other than 401 (e.g. server unreachable). */
  bootError: ApiError | null;
  /** Throws ApiError on failure (invalid credentials, throttled, unreachable…). */
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({
  initialSession,
  bootError = null,
  children,
}: {
  initialSession: Session | null;
  bootError?: ApiError | null;
  children: ReactNode;
}) {
  const { suggestLanguage } = useI18n();
  const [session, setSession] = useState<Session | null>(() => {
    setCsrfToken(initialSession?.csrf_token ?? null);
    return initialSession;
  });
  const [notice, setNotice] = useState<AuthNotice>(null);
  const [initialError, setInitialError] = useState<ApiError | null>(bootError);

  // Any 401 from the API while signed in means the session is gone: back to the login page.
  const onUnauthorized = useEffectEvent(() => {
    setCsrfToken(null);
    if (session) setNotice("expired");
    setSession(null);
  });
  useEffect(() => {
    setUnauthorizedHandler(() => onUnauthorized());
    return () => setUnauthorizedHandler(null);
  }, []);

  const login = useCallback(
    async (username: string, password: string) => {
      const next = await apiLogin(username, password);
      setCsrfToken(next.csrf_token);
      suggestLanguage(next.user.locale);
      setNotice(null);
      setInitialError(null);
      setSession(next);
    },
    [suggestLanguage],
  );

  const logout = useCallback(async () => {
    try {
      await apiLogout();
    } catch {
      // Signed out locally regardless; the server session expires on its own.
    }
    setCsrfToken(null);
    setSession(null);
    setNotice("logged_out");
  }, []);

  const value = useMemo<AuthContextValue>(
    () => ({ session, notice, bootError: initialError, login, logout }),
    [session, notice, initialError, login, logout],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth must be used inside <AuthProvider>");
  return ctx;
}

/** The signed-in session; only for components rendered inside the shell. */
export function useSession(): Session {
  const { session } = useAuth();
  if (!session) throw new Error("useSession called without a session");
  return session;
}
