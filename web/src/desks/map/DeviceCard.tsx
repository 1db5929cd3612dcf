import { Alert, Badge, Box, Button, CloseButton, Group, Loader, Paper, Table, Text, Title } from "@mantine/core";
import { useState, type ReactNode } from "react";
import { describeError } from "../../api/problem";
import { snapshotUrl } from "../../api/video";
import { useSession } from "../../auth/AuthProvider";
import { PERMISSIONS, hasPermission } from "../../auth/permissions";
import type { DeviceDetail } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import { IconCurrentLocation } from "../../shell/icons";
import { useMeta } from "../../shell/meta";
import { handleLinkClick } from "../../shell/router";
import { formatInstant } from "../../shell/time";
import { videoDeskLink } from "../../video/links";
import { deviceMarkerSvg } from "./markers";
import { HEALTH_COLORS, localName, mergeDevice, normaliseHealth, streamsOf, type CardDevice, type MapDevice } from "./model";
import { cameraOptics } from "./optics";

export type DetailState =
  | { status: "loading"; code: string }
  | { status: "loaded"; code: string; detail: DeviceDetail }
  | { status: "error"; code: string; error: unknown };

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Table.Tr>
      <Table.Th w={118} fw={500} c="dimmed" fz="xs" style={{ verticalAlign: "top" }}>
        {label}
      </Table.Th>
      <Table.Td fz="sm" data-testid={testId}>
        {children}
      </Table.Td>
    </Table.Tr>
  );
}

/** Marks a value that is the purpose's default rather than the camera's own. */
function DefaultNote() {
  const { t } = useI18n();
  return (
    <Text span size="xs" c="dimmed" fs="italic">
      {" "}
      ({t("map.card.byDefault")})
    </Text>
  );
}

export interface DeviceCardProps {
  code: string;
  device: MapDevice | undefined;
  state: DetailState | null;
  onClose: () => void;
  onZoomTo: (lon: number, lat: number) => void;
}

/** The card of one device: identity, site, status with last-seen time, streams, position, camera geometry. */
export function DeviceCard({ code, device, state, onClose, onZoomTo }: DeviceCardProps) {
  const { t, tMaybe, lang } = useI18n();
  const { timeZone } = useMeta();
  const { user } = useSession();
  const canView = hasPermission(user, PERMISSIONS.videoView);
  // The snapshot of a camera that sends none (or one outside the user's groups) is left out rather than broken.
  const [snapshotFailed, setSnapshotFailed] = useState<string | null>(null);
  const detail = state?.status === "loaded" ? state.detail : undefined;
  const d: CardDevice = mergeDevice(device, detail) ?? { code };
  const kind = typeof d.kind === "string" ? d.kind : null;
  const health = normaliseHealth(d.health);
  const name = localName(d, lang);
  const site = localName(d, lang, "site_name");
  // The map's GeoJSON says nothing about streams: only the registry's answer does.
  const streams = streamsOf(detail);
  const lon = finite(d.lon) ? d.lon : null;
  const lat = finite(d.lat) ? d.lat : null;
  const optics = cameraOptics(d);
  const label = (group: string, value: unknown) =>
    typeof value === "string" && value !== "" ? (tMaybe(`map.${group}.${value}`) ?? value) : "—";

  return (
    <Paper withBorder shadow="md" radius="sm" className="map-card" data-testid="device-card" data-code={code}>
      <Group justify="space-between" wrap="nowrap" gap={6} px="sm" py={6} className="panel-header">
        <Group gap={8} wrap="nowrap" style={{ minWidth: 0 }}>
          <span
            className="map-shape"
            aria-hidden="true"
            dangerouslySetInnerHTML={{ __html: deviceMarkerSvg(kind ?? "", health, { size: 18 }) }}
          />
          <Title order={2} size="h5" className="mono" data-testid="device-card-code">
            {d.code}
          </Title>
          {state?.status === "loading" && <Loader size={12} />}
        </Group>
        <CloseButton size="sm" onClick={onClose} aria-label={t("map.card.close")} data-testid="device-card-close" />
      </Group>
      <Box className="map-card-body">
        {name && (
          <Text size="sm" fw={600} px="sm" pt={6} data-testid="device-card-name">
            {name}
          </Text>
        )}
        <Table verticalSpacing={3} horizontalSpacing="sm" withRowBorders={false} layout="fixed">
          <Table.Tbody>
            <Row label={t("map.card.kind")} testId="device-card-kind">
              {label("kind", kind)}
            </Row>
            {(kind === "camera" || d.purpose) && (
              <Row label={t("map.card.purpose")} testId="device-card-purpose">
                {label("purposes", d.purpose)}
              </Row>
            )}
            <Row label={t("map.card.site")} testId="device-card-site">
              {site ?? (typeof d.site_code === "string" ? d.site_code : "—")}
              {site && typeof d.site_code === "string" ? (
                <Text span size="xs" c="dimmed" className="mono">
                  {" "}
                  {d.site_code}
                </Text>
              ) : null}
            </Row>
            <Row label={t("map.card.health")}>
              <Badge
                size="sm"
                variant="filled"
                tt="none"
                color={HEALTH_COLORS[health]}
                data-testid="device-card-health"
                data-health={health}
              >
                {t(`map.health.${health}` as const)}
              </Badge>
            </Row>
            <Row label={t("map.card.lastSeen")} testId="device-card-last-seen">
              {typeof d.last_seen_at === "string" && d.last_seen_at !== "" ? (
                <span className="mono tabular" title={d.last_seen_at}>
                  {formatInstant(d.last_seen_at, { timeZone, withDate: true })}
                </span>
              ) : (
                t("map.card.never")
              )}
            </Row>
            <Row label={t("map.card.lifecycle")} testId="device-card-lifecycle">
              {label("lifecycle", d.lifecycle)}
            </Row>
            {(kind === "camera" || streams.main || streams.sub) && (
              <Row label={t("map.card.streams")}>
                <Group gap={4} data-testid="device-card-streams" data-main={String(streams.main)} data-sub={String(streams.sub)}>
                  {streams.main || streams.sub ? (
                    (["main", "sub"] as const).map((s) => (
                      <Badge
                        key={s}
                        size="sm"
                        tt="none"
                        variant={streams[s] ? "light" : "outline"}
                        color={streams[s] ? "teal" : "gray"}
                        td={streams[s] ? undefined : "line-through"}
                      >
                        {t(s === "main" ? "map.card.streamMain" : "map.card.streamSub")}
                      </Badge>
                    ))
                  ) : (
                    <Text span size="sm" c="dimmed">
                      {state?.status === "loading" || !streams.known ? "…" : t("map.card.noStreams")}
                    </Text>
                  )}
                </Group>
              </Row>
            )}
            {typeof d.has_credentials === "boolean" && (
              <Row label={t("map.card.credentials")} testId="device-card-credentials">
                {t(d.has_credentials ? "map.card.credentialsSet" : "map.card.credentialsMissing")}
              </Row>
            )}
            {kind === "camera" && (
              <Row label={t("map.card.heading")} testId="device-card-heading">
                {optics.heading_deg !== null ? t("map.card.degrees", { value: Math.round(optics.heading_deg) }) : "—"}
              </Row>
            )}
            {kind === "camera" && optics.fov_deg !== null && (
              <Row label={t("map.card.fov")} testId="device-card-fov">
                {t("map.card.degrees", { value: Math.round(optics.fov_deg) })}
                {optics.fovDefault && <DefaultNote />}
              </Row>
            )}
            {kind === "camera" && optics.range_m !== null && (
              <Row label={t("map.card.range")} testId="device-card-range">
                {t("map.card.metres", { value: Math.round(optics.range_m) })}
                {optics.rangeDefault && <DefaultNote />}
              </Row>
            )}
            <Row label={t("map.card.position")} testId="device-card-position">
              {lat !== null && lon !== null ? (
                <span className="mono tabular">
                  {lat.toFixed(6)}, {lon.toFixed(6)}
                </span>
              ) : (
                "—"
              )}
            </Row>
          </Table.Tbody>
        </Table>
        {state?.status === "error" && (
          <Alert color="red" variant="light" mx="sm" my={6} py={6} data-testid="device-card-error">
            {t("map.card.loadError", { message: describeError(state.error, tMaybe).message })}
          </Alert>
        )}
        {kind === "camera" && canView && snapshotFailed !== code && (
          <Box px="sm" pt={4}>
            <img
              key={code}
              src={snapshotUrl(code)}
              alt={t("video.snapshot")}
              onError={() => setSnapshotFailed(code)}
              style={{ width: "100%", aspectRatio: "16 / 9", objectFit: "cover", display: "block", background: "#000", borderRadius: 4 }}
              data-testid="device-card-snapshot"
            />
          </Box>
        )}
        {((lat !== null && lon !== null) || kind === "camera") && (
          <Group px="sm" pb={8} pt={4}>
            {kind === "camera" && (
              <Button
                component="a"
                href={videoDeskLink({ cameras: [code] })}
                size="compact-xs"
                variant="light"
                onClick={(e) => handleLinkClick(e, videoDeskLink({ cameras: [code] }))}
                data-testid="device-card-video"
              >
                {t("video.openCamera")}
              </Button>
            )}
            {lat !== null && lon !== null && (
              <Button
                size="compact-xs"
                variant="light"
                leftSection={<IconCurrentLocation size={14} />}
                onClick={() => onZoomTo(lon, lat)}
                data-testid="device-card-zoom"
              >
                {t("map.card.zoomTo")}
              </Button>
            )}
          </Group>
        )}
      </Box>
    </Paper>
  );
}
