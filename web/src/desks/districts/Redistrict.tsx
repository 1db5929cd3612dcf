import { Alert, Button, FileButton, Grid, Group, NumberInput, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import type { Feature } from "geojson";
import { useState } from "react";
import { acceptProposal, importDistricts, propose, type Balance, type DistrictSet, type Proposal } from "../../api/districts";
import { describeError, isApiError } from "../../api/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { DistrictMap, type MapDistrict } from "./DistrictMap";
import { loadColour, loadRatio } from "./figures";

const ROWS = ["districts", "inspectors", "residents", "min", "max", "mean", "std", "over_norm"] as const;

function BalanceTable({ today, proposal }: { today: Balance | null; proposal: Balance }) {
  const { t, locale } = useI18n();
  const shown = (b: Balance | null, key: (typeof ROWS)[number]) => (b ? Math.round(b[key]).toLocaleString(locale) : "—");
  return (
    <Table withTableBorder fz="sm" data-testid="balance-table">
      <Table.Thead>
        <Table.Tr><Table.Th /><Table.Th>{t("districts.today")}</Table.Th><Table.Th>{t("districts.proposal")}</Table.Th></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {ROWS.map((key) => (
          <Table.Tr key={key} data-row={key}>
            <Table.Td>{t(`districts.balance.${key}`)}</Table.Td>
            <Table.Td>{shown(today, key)}</Table.Td>
            <Table.Td>{shown(proposal, key)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Proposed boundaries for N inspectors beside today's, with the balance figures; accepting makes a new version. */
export function Redistrict({ today, streets, onAccepted }: {
  today: DistrictSet;
  streets: readonly Feature[] | null;
  onAccepted: () => void;
}) {
  const { t, tMaybe, locale } = useI18n();
  const [count, setCount] = useState<number>(Math.max(1, today.balance.inspectors));
  const [workloadPercent, setWorkloadPercent] = useState<number>(0);
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string[] | null>(null);
  const norm = today.balance.norm;
  const fail = (e: unknown) => {
    const lines = [describeError(e, tMaybe).message];
    // Each validation problem (overlap, gap …) as its own line: code, district and facts from the server.
    const raw: unknown = isApiError(e) ? e.problem?.errors : null;
    for (const p of Array.isArray(raw) ? (raw as Record<string, string>[]) : []) {
      if (typeof p.code === "string") lines.push(tMaybe(`errors.${p.code}`, p) ?? p.code);
    }
    setFailure(lines);
  };
  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    work().catch(fail).finally(() => setBusy(false));
  };
  const todayMap: MapDistrict[] = today.districts.map((d) => ({
    id: d.id, label: String(d.number), geometry: d.geometry, colour: loadColour(loadRatio(d, norm)),
  }));
  const proposedMap: MapDistrict[] = (proposal?.districts ?? []).map((d) => ({
    id: d.number, label: String(d.number), geometry: d.geometry, colour: loadColour(d.residents / norm),
  }));
  return (
    <Stack gap="sm" data-testid="redistrict">
      <Group align="flex-end">
        <NumberInput label={t("districts.inspectorsCount")} min={1} max={200} value={count} w={180}
          onChange={(v) => setCount(typeof v === "number" ? v : Number(v) || 1)} data-testid="proposal-count" />
        <NumberInput label={t("districts.workloadShare")} min={0} max={100} step={10} suffix=" %" value={workloadPercent} w={200}
          onChange={(v) => setWorkloadPercent(Math.min(100, Math.max(0, typeof v === "number" ? v : Number(v) || 0)))} data-testid="proposal-workload" />
        <Button loading={busy} onClick={() => run(async () => setProposal(await propose(count, workloadPercent / 100)))} data-testid="proposal-run">
          {t("districts.propose")}
        </Button>
        <FileButton accept=".geojson,.json,application/geo+json,application/json" onChange={(file) => file && run(async () => {
          await importDistricts(JSON.parse(await file.text()) as unknown);
          onAccepted();
        })}>
          {(props) => <Button variant="default" loading={busy} {...props} data-testid="districts-import">{t("districts.import")}</Button>}
        </FileButton>
      </Group>
      {failure && (
        <Alert color="red" withCloseButton onClose={() => setFailure(null)} data-testid="proposal-error">
          {failure.map((line, k) => <Text key={k} size="sm">{line}</Text>)}
        </Alert>
      )}
      {proposal && (
        <>
          <Grid>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Title order={3} size="h5">{t("districts.today")}</Title>
              <DistrictMap districts={todayMap} streets={streets} height={380} testId="map-today" />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Title order={3} size="h5">{t("districts.proposal")}</Title>
              <DistrictMap districts={proposedMap} streets={streets} height={380} testId="map-proposal" />
            </Grid.Col>
          </Grid>
          <BalanceTable today={proposal.current} proposal={proposal.balance} />
          <Text size="sm" data-testid="proposal-workload-line">
            {[proposal.current_workload, proposal.workload].map((w, k) => w && t(k === 0 ? "districts.workloadToday" : "districts.workloadProposal", {
              incidents: w.incidents, days: w.days, min: w.min, max: w.max, std: w.std.toLocaleString(locale),
            })).filter(Boolean).join(" · ")}
          </Text>
          <Text size="xs" c="dimmed">{t("districts.carryOver")}</Text>
          <Group align="flex-end">
            <Textarea label={t("districts.note")} value={note} onChange={(e) => setNote(e.currentTarget.value)} w={360} autosize />
            <Button color="green" loading={busy} data-testid="proposal-accept" onClick={() => run(async () => {
              await acceptProposal(proposal.geojson, note.trim() || null);
              setProposal(null);
              onAccepted();
            })}>
              {t("districts.accept")}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
