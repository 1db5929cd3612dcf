import { Badge, CloseButton, Combobox, Group, Loader, ScrollArea, Text, TextInput, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useMemo, useState } from "react";
import { geocode } from "../../api/endpoints";
import { describeError, isApiError } from "../../api/problem";
import type { GeocodeResult } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import { IconBuildingCommunity, IconSearch } from "../../shell/icons";
import { deviceMarkerSvg } from "./markers";
import { localName, type MapDevice } from "./model";
import { GEOCODE_MIN_LENGTH, normaliseGeocode, searchDevices, searchSites, type SiteMatch } from "./search";

export type SearchChoice =
  | { type: "device"; device: MapDevice }
  | { type: "site"; site: SiteMatch }
  | { type: "address"; result: GeocodeResult };

const DEVICE_LIMIT = 20;
const SITE_LIMIT = 6;

type GeoState =
  | { status: "idle" }
  | { status: "loading"; q: string }
  | { status: "found"; q: string; results: GeocodeResult[] }
  | { status: "notFound"; q: string }
  | { status: "error"; q: string; message: string };

/** Searches devices (client-side) and addresses (the geocoder) and hands the choice to the desk. */
export function MapSearch({ devices, onChoose }: { devices: readonly MapDevice[]; onChoose: (choice: SearchChoice) => void }) {
  const { t, tMaybe, lang } = useI18n();
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query.trim(), 300);
  const [geo, setGeo] = useState<GeoState>({ status: "idle" });
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });

  const deviceMatches = useMemo(() => searchDevices(devices, query, DEVICE_LIMIT + 1), [devices, query]);
  const siteMatches = useMemo(() => searchSites(devices, query, SITE_LIMIT), [devices, query]);

  useEffect(() => {
    if (debounced.length < GEOCODE_MIN_LENGTH) {
      setGeo({ status: "idle" });
      return;
    }
    const controller = new AbortController();
    setGeo({ status: "loading", q: debounced });
    geocode(debounced, { signal: controller.signal })
      .then((answer) => {
        const results = normaliseGeocode(answer);
        setGeo(results.length > 0 ? { status: "found", q: debounced, results } : { status: "notFound", q: debounced });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(error) && (error.code === "city.address_not_found" || error.status === 404 || error.status === 422)) {
          setGeo({ status: "notFound", q: debounced });
        } else {
          setGeo({ status: "error", q: debounced, message: describeError(error, tMaybe).message });
        }
      });
    return () => controller.abort();
  }, [debounced, tMaybe]);

  const addresses = geo.status === "found" && geo.q === query.trim() ? geo.results : [];
  const geoPending = geo.status === "loading" || (query.trim().length >= GEOCODE_MIN_LENGTH && debounced !== query.trim());

  useEffect(() => {
    // Enter picks the best match without arrowing down first.
    if (siteMatches.length > 0 || deviceMatches.length > 0 || addresses.length > 0) combobox.selectFirstOption();
    // (combobox is a new object on every render)
  }, [siteMatches, deviceMatches, addresses]);

  const choose = (value: string) => {
    if (value.startsWith("s:")) {
      const site = siteMatches.find((m) => m.code === value.slice(2));
      if (site) onChoose({ type: "site", site });
    } else if (value.startsWith("d:")) {
      const match = deviceMatches.find((m) => m.device.code === value.slice(2));
      if (match) onChoose({ type: "device", device: match.device });
    } else if (value.startsWith("a:")) {
      const result = addresses[Number(value.slice(2))];
      if (result) onChoose({ type: "address", result });
    }
    combobox.closeDropdown();
  };

  const shownDevices = deviceMatches.slice(0, DEVICE_LIMIT);
  const hasQuery = query.trim() !== "";

  return (
    <Combobox store={combobox} onOptionSubmit={choose} withinPortal position="bottom-start" width={420} zIndex={400}>
      <Combobox.Target>
        <TextInput
          size="xs"
          w={360}
          value={query}
          placeholder={t("map.search.placeholder")}
          aria-label={t("map.search.label")}
          data-testid="map-search"
          leftSection={<IconSearch size={14} />}
          rightSection={
            geoPending ? (
              <Loader size={12} />
            ) : hasQuery ? (
              <CloseButton
                size="xs"
                aria-label={t("map.search.clear")}
                data-testid="map-search-clear"
                onClick={() => {
                  setQuery("");
                  combobox.closeDropdown();
                }}
              />
            ) : null
          }
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            combobox.openDropdown();
          }}
          onFocus={() => hasQuery && combobox.openDropdown()}
          onClick={() => hasQuery && combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
        />
      </Combobox.Target>

      <Combobox.Dropdown hidden={!hasQuery} data-testid="search-dropdown">
        <Combobox.Options>
          <ScrollArea.Autosize mah={420} type="auto" scrollbarSize={8}>
            {siteMatches.length > 0 && (
              <Combobox.Group label={t("map.search.sites")}>
                {siteMatches.map((site) => (
                  <Combobox.Option
                    key={site.code}
                    value={`s:${site.code}`}
                    data-testid="search-result"
                    data-type="site"
                    data-code={site.code}
                  >
                    <Group gap={8} wrap="nowrap">
                      <IconBuildingCommunity size={16} style={{ flex: "none" }} />
                      <Text span size="sm" fw={600} truncate style={{ minWidth: 0 }}>
                        {localName(site, lang) ?? site.code}
                      </Text>
                      <Text span size="xs" c="dimmed" className="mono" style={{ flex: "none" }}>
                        {site.code}
                      </Text>
                      <Badge size="xs" variant="light" color="gray" tt="none" style={{ flex: "none" }}>
                        {t("map.search.siteDevices", { count: site.devices.length })}
                      </Badge>
                    </Group>
                  </Combobox.Option>
                ))}
              </Combobox.Group>
            )}
            <Combobox.Group label={t("map.search.devices")}>
              {shownDevices.length === 0 ? (
                <Combobox.Empty data-testid="search-no-devices">{t("map.search.noDevices")}</Combobox.Empty>
              ) : (
                shownDevices.map(({ device }) => {
                  const name = localName(device, lang);
                  const site = localName(device, lang, "site_name") ?? device.site_code;
                  return (
                    <Combobox.Option
                      key={device.code}
                      value={`d:${device.code}`}
                      data-testid="search-result"
                      data-type="device"
                      data-code={device.code}
                    >
                      <Group gap={8} wrap="nowrap">
                        <span
                          className="map-shape"
                          aria-hidden="true"
                          dangerouslySetInnerHTML={{ __html: deviceMarkerSvg(device.kind, device.health, { size: 16 }) }}
                        />
                        <Text span size="sm" className="mono" fw={600} style={{ flex: "none" }}>
                          {device.code}
                        </Text>
                        <Text span size="sm" truncate style={{ minWidth: 0 }}>
                          {name}
                          {site && site !== name ? (
                            <Text span size="xs" c="dimmed">
                              {" · "}
                              {site}
                            </Text>
                          ) : null}
                        </Text>
                      </Group>
                    </Combobox.Option>
                  );
                })
              )}
              {deviceMatches.length > DEVICE_LIMIT && (
                <Text size="xs" c="dimmed" px="xs" py={2}>
                  {t("map.search.more", { count: DEVICE_LIMIT })}
                </Text>
              )}
            </Combobox.Group>

            {query.trim().length >= GEOCODE_MIN_LENGTH && (
              <Combobox.Group label={t("map.search.addresses")}>
                {addresses.map((result, i) => (
                  <Combobox.Option key={`${result.lon},${result.lat},${i}`} value={`a:${i}`} data-testid="search-result" data-type="address">
                    <Group gap={8} wrap="nowrap">
                      <span className="map-pin map-pin-inline" aria-hidden="true" />
                      <Text span size="sm" truncate style={{ minWidth: 0 }}>
                        {result.label}
                      </Text>
                      {result.generated ? (
                        <Badge size="xs" variant="light" color="yellow" tt="none" style={{ flex: "none" }}>
                          {t("map.search.generated")}
                        </Badge>
                      ) : null}
                    </Group>
                  </Combobox.Option>
                ))}
                {geoPending && addresses.length === 0 && (
                  <Text size="xs" c="dimmed" px="xs" py={4}>
                    {t("map.search.searching")}
                  </Text>
                )}
                {!geoPending && geo.status === "notFound" && (
                  <Text size="xs" c="dimmed" px="xs" py={4} data-testid="search-not-found">
                    {t("map.search.notFound")}
                  </Text>
                )}
                {!geoPending && geo.status === "error" && (
                  <Text size="xs" c="red" px="xs" py={4} data-testid="search-error">
                    {geo.message}
                  </Text>
                )}
              </Combobox.Group>
            )}
          </ScrollArea.Autosize>
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
