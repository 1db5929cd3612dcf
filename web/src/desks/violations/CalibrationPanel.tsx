import { Alert, Button, Group, NumberInput, Stack, Table, Text, TextInput } from "@mantine/core";
import { useState, type MouseEvent } from "react";
import { apiRequest } from "../../api/client";
import { fetchCalibration, saveCalibration, snapshotUrl, type CalibrationRead } from "../../api/violations";
import { ApiError, describeError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useMeta } from "../../shell/meta";
import { formatInstant } from "../../shell/time";

interface Pair { image: [number, number]; plane: [number, number] }

/** The limit part of GET /api/violations/points/{code}/status (declared here until the API types are regenerated). */
interface PointLimit { limit_kmh: number; limit_source: "point" | "road" | "default"; road?: string | null }

/** A refused calibration's worst mark, from the problem's `residual` member. */
interface RefusedResidual { mark: number; mark_px: number; max_mark_px: number }

function refusedResidual(error: unknown): RefusedResidual | null {
  const residual = error instanceof ApiError ? error.problem?.residual : undefined;
  return residual && typeof residual === "object" ? residual as RefusedResidual : null;
}

function fetchPointLimit(code: string): Promise<PointLimit> {
  return apiRequest<PointLimit>(`/api/violations/points/${encodeURIComponent(code)}/status`);
}

/** The marks table's header: number, picture point, road x and y in metres, and the residual where it is known. */
function MarkColumns({ residual = false }: { residual?: boolean }) {
  const { t } = useI18n();
  return (
    <Table.Tr>
      <Table.Th>#</Table.Th>
      <Table.Th>{t("violations.calibration.pixel")}</Table.Th>
      <Table.Th>{t("violations.calibration.xMetres")}</Table.Th>
      <Table.Th>{t("violations.calibration.yMetres")}</Table.Th>
      {residual && <Table.Th>{t("violations.calibration.residualColumn")}</Table.Th>}
    </Table.Tr>
  );
}

/** Calibrate a camera: click marks on its snapshot, type each mark's position on the road in metres, save; the
 * server fits the homography and answers its reprojection error. */
export function CalibrationPanel() {
  const { t, tMaybe } = useI18n();
  const { timeZone } = useMeta();
  const [code, setCode] = useState("");
  const [loaded, setLoaded] = useState<string | null>(null);
  const [pairs, setPairs] = useState<Pair[]>([]);
  const [current, setCurrent] = useState<CalibrationRead | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [limit, setLimit] = useState<PointLimit | null>(null);
  const refused = refusedResidual(error);

  const load = () => {
    const wanted = code.trim().toUpperCase();
    setLoaded(wanted);
    setPairs([]);
    setError(null);
    fetchCalibration(wanted).then(setCurrent).catch(() => setCurrent(null));
    fetchPointLimit(wanted).then(setLimit).catch(() => setLimit(null));
  };

  const mark = (event: MouseEvent<HTMLImageElement>) => {
    const image = event.currentTarget;
    const box = image.getBoundingClientRect();
    // Pixels of the picture itself, whatever size it is shown at.
    const x = ((event.clientX - box.left) / box.width) * image.naturalWidth;
    const y = ((event.clientY - box.top) / box.height) * image.naturalHeight;
    setPairs((old) => [...old, { image: [Math.round(x * 10) / 10, Math.round(y * 10) / 10], plane: [0, 0] }]);
  };

  const setPlane = (index: number, axis: 0 | 1, value: number) => setPairs((old) => old.map((p, i) => {
    if (i !== index) return p;
    const plane: [number, number] = [...p.plane];
    plane[axis] = value;
    return { ...p, plane };
  }));

  const save = () => {
    if (!loaded) return;
    saveCalibration(loaded, pairs.map((p) => p.image), pairs.map((p) => p.plane))
      .then((saved) => { setCurrent(saved); setPairs([]); setError(null); }).catch(setError);
  };

  return (
    <Stack data-testid="violations-calibration">
      <Group align="end">
        <TextInput label={t("violations.calibration.camera")} value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        <Button onClick={load} disabled={!code.trim()}>{t("violations.calibration.open")}</Button>
      </Group>
      {current ? (
        <Text size="sm">{t("violations.calibration.current", {
          date: formatInstant(current.created_at, { timeZone }), by: current.created_by_name ?? "—",
          rms: current.rms_m.toFixed(3), pairs: current.image_points.length })}</Text>
      ) : loaded && <Alert color="yellow">{t("violations.calibration.none")}</Alert>}
      {current && current.rms_px !== undefined && (
        <Text size="sm" data-testid="violations-calibration-residual">{t("violations.calibration.residual", {
          rms: current.rms_px.toFixed(2), limit: (current.max_rms_px ?? 0).toFixed(2),
          scale: current.scale_sigma_pct != null ? current.scale_sigma_pct.toFixed(2) : "—" })}</Text>
      )}
      {current?.residuals_px && current.residuals_px.length > 0 && (
        <Table maw={640}>
          <Table.Thead>
            <MarkColumns residual />
          </Table.Thead>
          <Table.Tbody>
            {current.residuals_px.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>{current.image_points[i]?.join(", ")}</Table.Td>
                <Table.Td>{current.plane_points[i]?.[0]}</Table.Td>
                <Table.Td>{current.plane_points[i]?.[1]}</Table.Td>
                <Table.Td c={current.max_mark_px && r > current.max_mark_px / 2 ? "orange" : undefined}>
                  {r.toFixed(2)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {limit && loaded && (
        <Text size="sm" data-testid="violations-limit">{t("violations.calibration.limit", {
          limit: limit.limit_kmh,
          source: t(`violations.calibration.limitSource.${limit.limit_source}` as MessageKey,
            { road: limit.road ?? "—" }) })}</Text>
      )}
      {error !== null && <Alert color="red">{describeError(error, tMaybe).message}</Alert>}
      {refused && (
        <Alert color="red" data-testid="violations-calibration-worst">{t("violations.calibration.worstMark", {
          mark: refused.mark, px: refused.mark_px.toFixed(1), limit: refused.max_mark_px.toFixed(1) })}</Alert>
      )}
      {loaded && (
        <>
          <Text size="sm" c="dimmed">{t("violations.calibration.hint")}</Text>
          <div style={{ position: "relative", maxWidth: 960 }}>
            <img src={snapshotUrl(loaded)} alt={loaded} onClick={mark} style={{ width: "100%", cursor: "crosshair" }} />
          </div>
          <Table maw={640}>
            <Table.Thead>
              <MarkColumns />
            </Table.Thead>
            <Table.Tbody>
              {pairs.map((p, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>{p.image[0]}, {p.image[1]}</Table.Td>
                  <Table.Td><NumberInput size="xs" value={p.plane[0]} decimalScale={2}
                    onChange={(v) => setPlane(i, 0, Number(v) || 0)} /></Table.Td>
                  <Table.Td><NumberInput size="xs" value={p.plane[1]} decimalScale={2}
                    onChange={(v) => setPlane(i, 1, Number(v) || 0)} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button onClick={save} disabled={pairs.length < 4}>{t("violations.calibration.save")}</Button>
            <Button variant="default" onClick={() => setPairs([])} disabled={pairs.length === 0}>
              {t("violations.calibration.clear")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
