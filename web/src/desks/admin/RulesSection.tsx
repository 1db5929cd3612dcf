import { Accordion, Button, List, NumberInput, Select, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { fetchProcedures, fetchRules, replaceRule, type Procedure, type RuleFields, type RuleItem } from "../../api/admin";
import { useI18n } from "../../i18n/I18nProvider";
import { ErrorLine, useAction, useLoad } from "./load";

/** What PUT takes back: the rule without its id and times. */
function fieldsOf(rule: RuleItem): RuleFields {
  const fields: Partial<RuleItem> = { ...rule };
  delete fields.id;
  delete fields.created_at;
  delete fields.updated_at;
  return fields as RuleFields;
}

function RuleRow({ rule, procedures, onSaved }: { rule: RuleItem; procedures: Procedure[]; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState<RuleFields>(() => fieldsOf(rule));
  const action = useAction();
  const changed = JSON.stringify(draft) !== JSON.stringify(fieldsOf(rule));
  const save = async () => {
    if (await action.run(() => replaceRule(draft))) onSaved();
  };
  const options = procedures.map((p) => ({ value: p.code, label: p.title[lang as "kk" | "ru" | "en"] ?? p.code }));
  return (
    <Table.Tr data-testid="rule-row" data-code={rule.code}>
      <Table.Td>
        <Text size="sm">{lang === "kk" ? rule.name_kk : rule.name_ru}</Text>
        <Text size="xs" c="dimmed" className="mono">{rule.code} · {rule.event}</Text>
      </Table.Td>
      <Table.Td w={90}>
        <NumberInput size="xs" min={1} max={255} value={draft.priority} aria-label={t("admin.rules.priority")}
          onChange={(v) => typeof v === "number" && setDraft({ ...draft, priority: v })} />
      </Table.Td>
      <Table.Td w={220}>
        <Select size="xs" data={options} value={draft.procedure ?? null} clearable aria-label={t("admin.rules.procedure")}
          onChange={(v) => setDraft({ ...draft, procedure: v })} />
      </Table.Td>
      <Table.Td>
        <Switch checked={draft.enabled ?? true} aria-label={t("admin.rules.enabled")} data-testid="rule-enabled"
          onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })} />
      </Table.Td>
      <Table.Td>
        <Button size="compact-xs" disabled={!changed} loading={action.busy} onClick={() => void save()} data-testid="rule-save">{t("admin.save")}</Button>
        <ErrorLine error={action.error} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Alarm rules (priority, procedure, on or off) and the procedures they point to (read-only here). */
export function RulesSection() {
  const { t, lang } = useI18n();
  const rules = useLoad((signal) => fetchRules({ signal }));
  const procedures = useLoad((signal) => fetchProcedures({ signal }));
  const language = lang as "kk" | "ru" | "en";
  return (
    <Stack gap="sm" data-testid="admin-rules">
      <ErrorLine error={rules.error ?? procedures.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("admin.rules.rule")}</Table.Th>
            <Table.Th>{t("admin.rules.priority")}</Table.Th>
            <Table.Th>{t("admin.rules.procedure")}</Table.Th>
            <Table.Th>{t("admin.rules.enabled")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(rules.data ?? []).map((rule) => (
            <RuleRow key={`${rule.code}:${rule.updated_at}`} rule={rule} procedures={procedures.data ?? []} onSaved={rules.reload} />
          ))}
        </Table.Tbody>
      </Table>
      <Title order={3} size="h5">{t("admin.rules.procedures")}</Title>
      <Text size="xs" c="dimmed">{t("admin.rules.proceduresReadOnly")}</Text>
      <Accordion variant="contained">
        {(procedures.data ?? []).map((procedure) => (
          <Accordion.Item key={procedure.code} value={procedure.code}>
            <Accordion.Control>{procedure.title[language]}</Accordion.Control>
            <Accordion.Panel>
              <List type="ordered" size="sm">
                {procedure.steps.map((step) => <List.Item key={step.key}>{step.text[language]}</List.Item>)}
              </List>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}
