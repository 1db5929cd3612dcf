import { Button, Modal, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../../i18n/I18nProvider";
import { ErrorLine, useAction } from "./load";

export interface EditField {
  name: string;
  label: string;
  value: string | null | undefined;
  /** Whether an empty value is sent as null (an optional field) rather than refused. */
  optional?: boolean;
}

/** Edits a few text fields of a registry row; sends only the fields that changed. */
export function EditDialog({ title, fields, onSave, onClose }: {
  title: string;
  fields: readonly EditField[];
  onSave: (changes: Record<string, string | null>) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, f.value ?? ""])));
  const action = useAction();
  const changes: Record<string, string | null> = {};
  for (const field of fields) {
    const value = values[field.name].trim();
    if (value !== (field.value ?? "")) changes[field.name] = value === "" && field.optional ? null : value;
  }
  const save = async () => {
    if (await action.run(() => onSave(changes))) onClose();
  };
  return (
    <Modal opened onClose={onClose} title={title} data-testid="edit-dialog">
      <Stack gap="xs">
        {fields.map((field) => (
          <TextInput key={field.name} label={field.label} value={values[field.name]} data-testid={`edit-${field.name}`}
            onChange={(e) => { const value = e.currentTarget.value; setValues((v) => ({ ...v, [field.name]: value })); }} />
        ))}
        <ErrorLine error={action.error} />
        <Button onClick={() => void save()} loading={action.busy} disabled={Object.keys(changes).length === 0} data-testid="edit-save">
          {t("admin.save")}
        </Button>
      </Stack>
    </Modal>
  );
}
