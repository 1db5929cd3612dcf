import { Alert, Box, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useState, type FormEvent, type KeyboardEvent } from "react";
import { describeError, isApiError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";
import { Brand, PRODUCT_NAME } from "../shell/Brand";
import { IconAlertCircle, IconInfoCircle } from "../shell/icons";
import { LanguageSwitch } from "../shell/LanguageSwitch";
import { useMeta } from "../shell/meta";
import { ThemeToggle } from "../shell/ThemeToggle";
import { useNow } from "../shell/time";
import { useAuth } from "./AuthProvider";

/** The current failure, kept raw so its message follows language switches. */
interface LoginFailure {
  error: unknown;
  /** Epoch ms when a throttled user may try again (counts down on screen). */
  retryAt: number | null;
}

type FieldErrors = Partial<Record<"username" | "password", string>>;

export function LoginPage() {
  const { t, tMaybe } = useI18n();
  const { version } = useMeta();
  const { login, notice, bootError } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<LoginFailure | null>(() =>
    bootError ? { error: bootError, retryAt: null } : null,
  );
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [capsLock, setCapsLock] = useState(false);

  useEffect(() => {
    document.title = `${t("login.title")} — ${PRODUCT_NAME}`;
  }, [t]);

  // Throttling: show the remaining seconds live; the message goes once they are over (below).
  const now = useNow(1000).getTime();
  const remaining = failure?.retryAt != null ? Math.ceil((failure.retryAt - now) / 1000) : null;

  let errorMessage: string | null = null;
  if (failure) {
    if (remaining !== null) {
      errorMessage = remaining > 0 ? t("errors.auth.throttled", { seconds: remaining }) : null;
    } else {
      errorMessage = describeError(failure.error, tMaybe).message;
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const missing: FieldErrors = {};
    if (username.trim() === "") missing.username = t("login.usernameRequired");
    if (password === "") missing.password = t("login.passwordRequired");
    setFieldErrors(missing);
    if (missing.username || missing.password) return;

    setSubmitting(true);
    setFailure(null);
    try {
      await login(username.trim(), password);
      // Success: the app switches to the shell; this component unmounts.
    } catch (error) {
      const retryAt =
        isApiError(error) && error.code === "auth.throttled" && error.retryAfter !== null
          ? Date.now() + Math.max(1, Math.ceil(error.retryAfter)) * 1000
          : null;
      setFailure({ error, retryAt });
      const fromServer = describeError(error, tMaybe).fieldErrors;
      setFieldErrors({ username: fromServer.username, password: fromServer.password });
      setPassword("");
      setSubmitting(false);
    }
  }

  const onPasswordKey = (event: KeyboardEvent<HTMLInputElement>) => {
    setCapsLock(event.getModifierState?.("CapsLock") ?? false);
  };

  return (
    <Center mih="100dvh" p="md" className="login-screen">
      <Stack gap="sm" w="100%" maw={380}>
        <Group justify="space-between" wrap="nowrap" align="center">
          <LanguageSwitch />
          <ThemeToggle />
        </Group>
        <Paper withBorder shadow="sm" radius="md" p="lg">
          <Stack gap="md">
            <Brand size="lg" />
            <Title order={1} size="h3">
              {t("login.title")}
            </Title>

            {notice && !errorMessage && (
              <Alert variant="light" color={notice === "expired" ? "yellow" : "blue"} icon={<IconInfoCircle size={18} />} py="xs">
                {notice === "expired" ? t("login.sessionExpired") : t("login.loggedOut")}
              </Alert>
            )}

            {errorMessage && (
              <Alert
                data-testid="login-error"
                variant="light"
                color="red"
                icon={<IconAlertCircle size={18} />}
                role="alert"
                aria-live="assertive"
                py="xs"
              >
                {errorMessage}
              </Alert>
            )}

            <form data-testid="login-form" onSubmit={onSubmit} noValidate aria-label={t("login.title")}>
              <Stack gap="sm">
                <TextInput
                  data-testid="login-username"
                  label={t("login.username")}
                  name="username"
                  autoComplete="username"
                  autoCapitalize="none"
                  autoCorrect="off"
                  spellCheck={false}
                  autoFocus
                  required
                  value={username}
                  onChange={(e) => setUsername(e.currentTarget.value)}
                  error={fieldErrors.username}
                  disabled={submitting}
                />
                <PasswordInput
                  data-testid="login-password"
                  label={t("login.password")}
                  name="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  onKeyDown={onPasswordKey}
                  onKeyUp={onPasswordKey}
                  error={fieldErrors.password}
                  description={capsLock ? t("login.capsLock") : undefined}
                  visibilityToggleButtonProps={{ "aria-label": t("login.showPassword") }}
                  disabled={submitting}
                />
                <Button data-testid="login-submit" type="submit" fullWidth loading={submitting} mt={4}>
                  {t("login.submit")}
                </Button>
              </Stack>
            </form>
          </Stack>
        </Paper>
        <Box ta="center">
          <Text size="xs" c="dimmed">
            {PRODUCT_NAME}
            {version && ` · ${t("app.version", { version })}`}
          </Text>
        </Box>
      </Stack>
    </Center>
  );
}
