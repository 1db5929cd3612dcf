import { useI18n } from "../../i18n/I18nProvider";
import { ComingSoon, DeskPage } from "../../shell/DeskPage";
import { LiveEventList } from "./LiveEventList";

export function MapDesk() {
  const { t } = useI18n();
  return (
    <DeskPage title={t("nav.map")}>
      <ComingSoon />
      <LiveEventList />
    </DeskPage>
  );
}
