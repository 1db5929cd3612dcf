import { Badge, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { fetchChainStatus, verifyChain, type ChainStatus, type VerifyResult } from "../../api/audit";
import { describeError } from "../../api/problem";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useSession } from "../../auth/AuthProvider";
import { useI18n } from "../../i18n/I18nProvider";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

/** The chain's head, its latest signed checkpoint, the latest verification, and "verify now" for auditors. */
export function ChainStatusPanel({ onVerified }: { onVerified?: () => void }) {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const [status, setStatus] = useState<ChainStatus | null>(null);
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchChainStatus({ signal: controller.signal }).then(setStatus, (cause: unknown) => {
      if (!controller.signal.aborted) setError(cause);
    });
    return () => controller.abort();
  }, [round]);

  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await verifyChain());
      setRound((n) => n + 1);
      onVerified?.(); // the verification is itself a record of the log
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  };

  const at = (value: string) => formatInstant(value, { timeZone, withDate: true, withSeconds: true });
  const checkpoint = status?.latest_checkpoint;
  const last = status?.last_verify;
  return (
    <Paper withBorder p="sm" data-testid="chain-status">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <Stack gap={2}>
          <Text size="sm" fw={600}>{t("audit.chain.title")}</Text>
          <Text size="sm" data-testid="chain-head">{t("audit.chain.records", { count: status?.head_seq ?? 0 })}</Text>
        </Stack>
        <Stack gap={2} data-testid="chain-checkpoint">
          <Text size="xs" c="dimmed">{t("audit.chain.checkpoint")}</Text>
          {checkpoint ? (
            <Text size="sm">
              {t("audit.chain.checkpointAt", { seq: checkpoint.seq, at: at(checkpoint.at) })}
              <Text span size="xs" c="dimmed" className="mono"> · {t("audit.chain.key")} {checkpoint.key_id}</Text>
            </Text>
          ) : <Text size="sm">{t("audit.chain.noCheckpoint")}</Text>}
        </Stack>
        <Stack gap={2} data-testid="chain-last-verify">
          <Text size="xs" c="dimmed">{t("audit.chain.lastVerify")}</Text>
          {last ? (
            <Group gap={6}>
              <Badge color={last.ok ? "green" : "red"} data-testid="chain-verdict" data-ok={String(last.ok)}>
                {last.ok ? t("audit.chain.intact") : t("audit.chain.broken")}
              </Badge>
              <Text size="sm">{at(last.at)}{last.actor_name ? ` · ${last.actor_name}` : ""}</Text>
            </Group>
          ) : <Text size="sm">{t("audit.chain.neverVerified")}</Text>}
        </Stack>
        {hasPermission(user, PERMISSIONS.auditVerify) && (
          <Button variant="light" onClick={() => void verify()} loading={busy} data-testid="chain-verify">{t("audit.chain.verify")}</Button>
        )}
      </Group>
      {result && !result.ok && (
        <Stack gap={0} mt="xs" data-testid="chain-problems">
          {result.problems.map((problem) => <Text key={problem} size="sm" c="red">{problem}</Text>)}
        </Stack>
      )}
      {error !== null && <Text size="sm" c="red" mt="xs">{describeError(error, tMaybe).message}</Text>}
    </Paper>
  );
}
