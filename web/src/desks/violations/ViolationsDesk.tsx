import { ComingSoon, DeskPage } from "../../shell/DeskPage";
import { useI18n } from "../../i18n/I18nProvider";

/** Placeholder until its issue fills it in. */
export function ViolationsDesk() {
  const { t } = useI18n();
  return <DeskPage title={t("nav.violations")}><ComingSoon /></DeskPage>;
}
