import { Button, Text } from "@mantine/core";
import { useI18n } from "../i18n/I18nProvider";
import { DeskPage } from "./DeskPage";
import { handleLinkClick } from "./router";

/** Unknown path, or a desk the user's permissions do not include. */
export function StatusPage({ kind }: { kind: "notFound" | "forbidden" }) {
  const { t } = useI18n();
  return (
    <DeskPage title={t(`pages.${kind}.title` as const)}>
      <Text size="sm">{t(`pages.${kind}.text` as const)}</Text>
      <div>
        <Button component="a" href="/map" size="xs" variant="light" onClick={(e) => handleLinkClick(e, "/map")}>
          {t("pages.goToMap")}
        </Button>
      </div>
    </DeskPage>
  );
}
