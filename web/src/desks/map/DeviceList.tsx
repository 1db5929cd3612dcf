import { CloseButton, Group, Paper, ScrollArea, Text, Title, UnstyledButton } from "@mantine/core";
import { useI18n } from "../../i18n/I18nProvider";
import { deviceMarkerSvg } from "./markers";
import { localName, type MapDevice } from "./model";

/** Devices listed together: those sharing one spot (a cluster zooming cannot split) or one site. */
export function DeviceList({
  codes,
  title,
  selectedCode,
  byCode,
  onPick,
  onClose,
}: {
  codes: string[];
  title?: string;
  selectedCode: string | null;
  byCode: Map<string, MapDevice>;
  onPick: (code: string) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  return (
    <Paper withBorder shadow="md" radius="sm" className="map-card" data-testid="cluster-list">
      <Group justify="space-between" wrap="nowrap" px="sm" py={6} className="panel-header">
        <Title order={2} size="h5" lineClamp={1}>
          {title
            ? t("map.cluster.siteTitle", { site: title, count: codes.length })
            : t("map.cluster.listTitle", { count: codes.length })}
        </Title>
        <CloseButton size="sm" onClick={onClose} aria-label={t("map.cluster.close")} />
      </Group>
      <ScrollArea.Autosize mah={220} type="auto" scrollbarSize={8}>
        {codes.map((code) => {
          const d = byCode.get(code);
          return (
            <UnstyledButton
              key={code}
              className="map-list-item"
              data-active={code === selectedCode || undefined}
              onClick={() => onPick(code)}
              data-testid="cluster-list-item"
              data-code={code}
            >
              <Group gap={8} wrap="nowrap" px="sm" py={4}>
                <span
                  className="map-shape"
                  aria-hidden="true"
                  dangerouslySetInnerHTML={{ __html: deviceMarkerSvg(d?.kind ?? "", d?.health ?? "unknown", { size: 16 }) }}
                />
                <Text span size="sm" className="mono" fw={600}>
                  {code}
                </Text>
                <Text span size="sm" truncate>
                  {d ? localName(d, lang) : ""}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
      </ScrollArea.Autosize>
    </Paper>
  );
}
