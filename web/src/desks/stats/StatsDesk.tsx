import { useI18n } from "../../i18n/I18nProvider";
import { ComingSoon, DeskPage } from "../../shell/DeskPage";

export function StatsDesk() {
  const { t } = useI18n();
  return (
    <DeskPage title={t("nav.stats")}>
      <ComingSoon />
    </DeskPage>
  );
}
