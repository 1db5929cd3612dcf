import { Alert, Button, Modal, PasswordInput, Stack } from "@mantine/core";
import { useState } from "react";
import { changeOwnPassword } from "../api/admin";
import { describeError } from "../api/problem";
import { useI18n } from "../i18n/I18nProvider";

/** Change your own password: the current one is required; your other sessions end. */
export function PasswordDialog({ onClose }: { onClose: () => void }) {
  const { t, tMaybe } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const mismatch = repeat !== "" && next !== repeat;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await changeOwnPassword({ current_password: current, new_password: next });
      setDone(true);
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={t("user.password.title")} data-testid="password-dialog">
      {done ? (
        <Stack gap="sm">
          <Alert color="green" data-testid="password-changed">{t("user.password.changed")}</Alert>
          <Button onClick={onClose}>{t("user.password.close")}</Button>
        </Stack>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <Stack gap="xs">
            <PasswordInput label={t("user.password.current")} value={current} autoComplete="current-password"
              onChange={(e) => setCurrent(e.currentTarget.value)} data-testid="password-current" />
            <PasswordInput label={t("user.password.new")} value={next} autoComplete="new-password"
              onChange={(e) => setNext(e.currentTarget.value)} data-testid="password-new" />
            <PasswordInput label={t("user.password.repeat")} value={repeat} autoComplete="new-password"
              error={mismatch ? t("user.password.mismatch") : undefined}
              onChange={(e) => setRepeat(e.currentTarget.value)} data-testid="password-repeat" />
            {error !== null && <Alert color="red" py={4} data-testid="password-error">{describeError(error, tMaybe).message}</Alert>}
            <Button type="submit" loading={busy} disabled={!current || !next || next !== repeat} data-testid="password-submit">
              {t("user.password.submit")}
            </Button>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
