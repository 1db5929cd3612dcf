import { Alert, Badge, Grid, Group, Image, Kbd, Paper, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import {
  REJECT_REASONS,
  decideViolation,
  evidenceUrl,
  fetchViolationQueue,
  fetchViolationStats,
  isImage,
  verifyViolation,
  type EvidenceCheck,
  type ViolationDeviceStats,
  type ViolationRead,
} from "../../api/violations";
import { describeError } from "../../api/problem";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { DeskPage } from "../../shell/DeskPage";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";
import { useLiveEventHandler } from "../../live/hooks";
import { CalibrationPanel } from "./CalibrationPanel";
import { nextAfterDecision, reviewKey } from "./keys";
import { mergeQueue, violationEvent, withoutDecided } from "./live";

type View = "queue" | "devices" | "calibration";

/** The violations' review desk: a keyboard-driven queue (C confirm, R then 1..6 reject, S skip, arrows) and the
 * rejection statistics per device. Nothing is issued without an officer's decision. */
export function ViolationsDesk() {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canReview = hasPermission(user, PERMISSIONS.violationsReview);
  const canCalibrate = hasPermission(user, PERMISSIONS.roadsCalibrate);
  const [view, setView] = useState<View>(canReview ? "queue" : "calibration");
  const [queue, setQueue] = useState<ViolationRead[]>([]);
  const [index, setIndex] = useState(0);
  const [rejecting, setRejecting] = useState(false);
  const [check, setCheck] = useState<{ id: number; result: EvidenceCheck } | null>(null);
  const [stats, setStats] = useState<ViolationDeviceStats[]>([]);
  const [error, setError] = useState<unknown>(null);
  const current = queue[index] ?? null;

  const reload = useCallback(() => {
    if (!canReview) return;
    fetchViolationQueue().then((items) => { setQueue(items); setError(null); }).catch(setError);
    fetchViolationStats().then(setStats).catch(setError);
  }, [canReview]);
  useEffect(reload, [reload]);

  // The live feed: a violation opened by the pipeline joins the queue, one decided at another desk leaves it.
  useLiveEventHandler((event) => {
    const found = canReview ? violationEvent(event) : null;
    if (!found) return;
    if (found.kind === "opened") {
      fetchViolationQueue().then((items) => setQueue((shown) => mergeQueue(shown, items))).catch(() => undefined);
    } else {
      const next = withoutDecided(queue, index, found.id);
      setQueue(next.queue);
      setIndex(next.index);
    }
    fetchViolationStats().then(setStats).catch(() => undefined);
  });

  useEffect(() => {
    if (!current) return;
    const controller = new AbortController();
    const id = current.id;
    verifyViolation(id, { signal: controller.signal }).then((result) => setCheck({ id, result }))
      .catch(() => undefined);
    return () => controller.abort();
  }, [current]);

  const decide = useCallback((decision: "confirm" | "reject", reasonIndex?: number) => {
    if (!current) return;
    const reason = reasonIndex === undefined ? null : REJECT_REASONS[reasonIndex] ?? null;
    decideViolation(current.id, decision, reason).then(() => {
      setRejecting(false);
      setQueue((items) => items.filter((v) => v.id !== current.id));
      setIndex((i) => nextAfterDecision(i, queue.length - 1));
      fetchViolationStats().then(setStats).catch(() => undefined);
    }).catch(setError);
  }, [current, queue.length]);

  useEffect(() => {
    if (view !== "queue") return;
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      const action = reviewKey(event.key, rejecting, REJECT_REASONS.length);
      if (!action) return;
      event.preventDefault();
      if (action.kind === "confirm") decide("confirm");
      else if (action.kind === "startReject") setRejecting(true);
      else if (action.kind === "cancel") setRejecting(false);
      else if (action.kind === "reject") decide("reject", action.reason);
      else setIndex((i) => Math.max(0, Math.min(queue.length - 1, i + action.step)));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [view, rejecting, decide, queue.length]);

  return (
    <DeskPage title={t("nav.violations")} actions={
      <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as View)} data={[
        ...(canReview ? [{ value: "queue", label: t("violations.queue", { count: queue.length }) },
          { value: "devices", label: t("violations.devices") }] : []),
        ...(canCalibrate ? [{ value: "calibration", label: t("violations.calibration.tab") }] : []),
      ]} />
    }>
      {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
      {view === "calibration" ? <CalibrationPanel /> : view === "devices" ? <DeviceStats stats={stats} /> : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Stack gap={4} data-testid="violations-queue">
              {queue.length === 0 && <Text c="dimmed">{t("violations.empty")}</Text>}
              {queue.map((v, i) => (
                <Paper key={v.id} p="xs" withBorder bg={i === index ? "var(--mantine-color-blue-light)" : undefined}
                  onClick={() => setIndex(i)} style={{ cursor: "pointer" }}>
                  <Group justify="space-between" gap={4}>
                    <Text size="sm" fw={600}>{v.plate_text ?? t("violations.noPlate")}</Text>
                    <Badge size="xs">{t(`violations.kind.${v.kind}` as MessageKey)}</Badge>
                  </Group>
                  <Text size="xs" c="dimmed">{v.device_code} · {formatInstant(v.occurred_at, { timeZone })}</Text>
                </Paper>
              ))}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            {current && <Detail violation={current} check={check?.id === current.id ? check.result : null}
              rejecting={rejecting} />}
          </Grid.Col>
        </Grid>
      )}
    </DeskPage>
  );
}

function Detail({ violation: v, check, rejecting }: { violation: ViolationRead; check: EvidenceCheck | null;
  rejecting: boolean }) {
  const { t } = useI18n();
  const { timeZone } = useMeta();
  const images = (v.files ?? []).filter(isImage);
  return (
    <Stack data-testid="violation-detail">
      <Group gap="xs">
        {images.map((name) => <Image key={name} src={evidenceUrl(v.id, name)} alt={name} w={360} radius="sm" />)}
        {(v.files ?? []).includes("plate.png") && (
          <Image src={evidenceUrl(v.id, "plate.png")} alt={t("violations.plateCrop")} w={160} />
        )}
      </Group>
      <Table withRowBorders={false} maw={720}>
        <Table.Tbody>
          <Row label={t("violations.plate")} value={`${v.plate_text ?? t("violations.noPlate")}${
            v.plate_confidence != null ? ` (${Math.round(v.plate_confidence * 100)} %)` : ""}`} />
          {v.measured_kmh != null && <Row label={t("violations.speed")} value={t("violations.speedValue", {
            speed: v.measured_kmh.toFixed(1), sigma: (v.sigma_kmh ?? 0).toFixed(1), limit: v.limit_kmh ?? "—" })} />}
          {v.phase && <Row label={t("violations.phase")} value={t("violations.redFor", {
            seconds: (v.red_for_s ?? 0).toFixed(2) })} />}
          <Row label={t("violations.method")} value={v.method} />
          <Row label={t("violations.time")} value={`${formatInstant(v.occurred_at, { timeZone, withSeconds: true })} (${
            v.time_source})`} />
          <Row label={t("violations.device")} value={`${v.device_code}${v.calibrated_at ? ` · ${t(
            "violations.calibratedAt", { date: formatInstant(v.calibrated_at, { timeZone }) })}` : ""}`} />
          <Row label={t("violations.article")} value={v.article ? t("violations.articleValue", {
            article: v.article, part: v.part ?? "", mrp: v.fine_mrp ?? "", kzt: v.fine_kzt ?? "" }) : "—"} />
          <Row label={t("violations.evidence")} value={check === null ? "…" : check.ok ? t("violations.verified")
            : t("violations.tampered", { problems: check.problems.join(", ") })} />
        </Table.Tbody>
      </Table>
      <Paper p="sm" withBorder>
        {rejecting ? (
          <Stack gap={4} data-testid="violation-reasons">
            <Text size="sm" fw={600}>{t("violations.pickReason")}</Text>
            {REJECT_REASONS.map((reason, i) => (
              <Text key={reason} size="sm"><Kbd>{i + 1}</Kbd> {t(`violations.reason.${reason}`)}</Text>
            ))}
            <Text size="sm"><Kbd>Esc</Kbd> {t("violations.cancel")}</Text>
          </Stack>
        ) : (
          <Group gap="lg">
            <Text size="sm"><Kbd>C</Kbd> {t("violations.confirm")}</Text>
            <Text size="sm"><Kbd>R</Kbd> {t("violations.reject")}</Text>
            <Text size="sm"><Kbd>S</Kbd> {t("violations.skip")}</Text>
            <Text size="sm"><Kbd>↑</Kbd> <Kbd>↓</Kbd> {t("violations.move")}</Text>
          </Group>
        )}
      </Paper>
    </Stack>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Td c="dimmed" w={200}>{label}</Table.Td>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}

function DeviceStats({ stats }: { stats: ViolationDeviceStats[] }) {
  const { t } = useI18n();
  return (
    <Table striped data-testid="violations-devices">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("violations.device")}</Table.Th>
          <Table.Th>{t("violations.pending")}</Table.Th>
          <Table.Th>{t("violations.confirmed")}</Table.Th>
          <Table.Th>{t("violations.rejected")}</Table.Th>
          <Table.Th>{t("violations.rejectedShare")}</Table.Th>
          <Table.Th>{t("violations.topReason")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {stats.map((s) => {
          const top = Object.entries(s.reasons).sort((a, b) => b[1] - a[1])[0];
          return (
            <Table.Tr key={s.device_code}>
              <Table.Td>
                {s.device_code}{" "}
                {s.needs_calibration && <Badge color="red" size="xs">{t("violations.needsCalibration")}</Badge>}
              </Table.Td>
              <Table.Td>{s.pending}</Table.Td>
              <Table.Td>{s.confirmed}</Table.Td>
              <Table.Td>{s.rejected}</Table.Td>
              <Table.Td>{s.rejected_share == null ? "—" : `${Math.round(s.rejected_share * 100)} %`}</Table.Td>
              <Table.Td>{top ? `${t(`violations.reason.${top[0]}` as MessageKey)} (${top[1]})` : "—"}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
