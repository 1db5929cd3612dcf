import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from "@mantine/core";
import type { StatsClearance, StatsHeadline, StatsPart } from "../../api/statistics";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { TONE_COLORS, changeFrom, changeTone, formatChange, formatCount, formatPercent, formatPoints, formatRate, pointsChange, type Better, type Change } from "./figures";

export interface CardDrill {
  offenceClass?: string | null;
  status?: string | null;
  label: string;
}

function ChangeLine({ change, better, text }: { change: Change | null; better: Better; text: string }) {
  const tone = changeTone(change, better);
  return (
    <Text size="sm" c={tone === "good" || tone === "bad" ? TONE_COLORS[tone] : "dimmed"} className="tabular" data-testid="card-change" data-tone={tone}>
      {text}
    </Text>
  );
}

function Card({ id, title, value, previous, change, better, changeText, children, onDrill }: {
  id: string;
  title: string;
  value: string;
  previous: string;
  change: Change | null;
  better: Better;
  changeText: string;
  children?: React.ReactNode;
  onDrill?: () => void;
}) {
  const { t } = useI18n();
  return (
    <Paper withBorder p="sm" data-testid="offences-card" data-card={id}>
      <Stack gap={2}>
        <Text size="sm" c="dimmed">{title}</Text>
        <Group gap="xs" align="baseline">
          {onDrill ? (
            <Anchor component="button" type="button" fz={26} fw={700} className="tabular" onClick={onDrill} title={t("offences.card.drill")} data-testid="card-value">
              {value}
            </Anchor>
          ) : (
            <Text fz={26} fw={700} className="tabular" data-testid="card-value">{value}</Text>
          )}
        </Group>
        <ChangeLine change={change} better={better} text={changeText} />
        <Text size="xs" c="dimmed" className="tabular">{t("offences.card.appg", { value: previous })}</Text>
        {children}
      </Stack>
    </Paper>
  );
}

function part(parts: readonly StatsPart[], label: string): { current: number; previous: number } {
  const found = parts.find((p) => p.label === label);
  return { current: found?.current ?? 0, previous: found?.previous ?? 0 };
}

/**
 * The headline: registered, crimes, misdemeanours, administrative, cleared (clearance with its reading's formula)
 * and the rate per 10,000, each beside АППГ; fewer offences is green, more clearance is green.
 */
export function HeadlineCards({ headline, clearance, readingName, onDrill }: {
  headline: StatsHeadline;
  clearance: StatsClearance | null;
  readingName: string;
  onDrill: ((drill: CardDrill) => void) | null;
}) {
  const { t, lang, locale } = useI18n();
  const count = (n: number) => formatCount(n, locale);
  const counted = (id: string, title: string, figures: { current: number; previous: number }, drill: Omit<CardDrill, "label">) => {
    const change = changeFrom(figures.current, figures.previous);
    return (
      <Card key={id} id={id} title={title} value={count(figures.current)} previous={count(figures.previous)} change={change} better="lower"
        changeText={formatChange(change, locale)} onDrill={onDrill ? () => onDrill({ ...drill, label: title }) : undefined} />
    );
  };
  const clearanceChange = clearance ? pointsChange(clearance.current, clearance.previous) : null;
  const completed = clearance ? changeFrom(clearance.inputs.completed, clearance.previous_inputs.completed) : null;
  const rateChange = changeFrom(headline.rate, headline.previous_rate);
  const formula = clearance ? (clearance.formula[lang] ?? clearance.formula.en ?? "") : "";
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" data-testid="offences-headline">
      {counted("registered", t("offences.card.registered"), headline.total, {})}
      {counted("crime", t("offences.card.crimes"), part(headline.by_class, "crime"), { offenceClass: "crime" })}
      {counted("misdemeanour", t("offences.card.misdemeanours"), part(headline.by_class, "misdemeanour"), { offenceClass: "misdemeanour" })}
      {counted("administrative", t("offences.card.administrative"), part(headline.by_class, "administrative"), { offenceClass: "administrative" })}
      <Card id="cleared" title={t("offences.card.cleared")} value={clearance ? count(clearance.inputs.completed) : "—"}
        previous={clearance ? count(clearance.previous_inputs.completed) : "—"} change={completed} better="higher"
        changeText={formatChange(completed, locale)}
        onDrill={onDrill ? () => onDrill({ status: "sent_to_court", label: t("offences.status.sent_to_court") }) : undefined}>
        <Tooltip label={formula} multiline w={320} withArrow>
          <Text size="sm" fw={600} className="tabular" data-testid="card-clearance" data-tone={changeTone(clearanceChange, "higher")}
            c={TONE_COLORS[changeTone(clearanceChange, "higher")] === "gray" ? undefined : TONE_COLORS[changeTone(clearanceChange, "higher")]}>
            {t("offences.card.clearance", { value: formatPercent(clearance?.current, locale) })} · {formatPoints(clearanceChange, locale, t("offences.points"))}
          </Text>
        </Tooltip>
        <Text size="xs" c="dimmed" data-testid="card-formula">{t("offences.card.formula", { reading: readingName, formula })}</Text>
      </Card>
      <Card id="rate" title={t("offences.card.rate")} value={formatRate(headline.rate, locale)} previous={formatRate(headline.previous_rate, locale)}
        change={rateChange} better="lower" changeText={formatChange(rateChange, locale, 1)}>
        <Text size="xs" c="dimmed">
          {headline.population
            ? t("offences.card.population", {
                population: count(headline.population),
                source: t(`offences.card.populationSource.${headline.population_source}` as MessageKey),
              })
            : t("offences.card.noPopulation")}
        </Text>
      </Card>
    </SimpleGrid>
  );
}
