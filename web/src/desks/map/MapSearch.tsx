import { Badge, CloseButton, Combobox, Group, Loader, ScrollArea, Text, TextInput, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useEffectEvent, useMemo, useState } from "react";
import { geocode } from "../../api/endpoints";
import { describeError, isApiError } from "../../api/problem";
import type { GeocodeResult } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import type { Language } from "../../i18n/languages";
import { IconBuildingCommunity, IconSearch } from "../../shell/icons";
import { deviceMarkerSvg } from "./markers";
import { localName, type MapDevice } from "./model";
import { GEOCODE_MIN_LENGTH, normaliseGeocode, searchDevices, searchSites, type SiteMatch } from "./search";

export type SearchChoice =
  | { type: "device"; device: MapDevice }
  | { type: "site"; site: SiteMatch }
  | { type: "address"; result: GeocodeResult };

/** One empty list, so that "no addresses" is the same value from render to render (an effect depends on it). */
const NO_ADDRESSES: GeocodeResult[] = [];
const DEVICE_LIMIT = 20;
const SITE_LIMIT = 6;

/** The geocoder's answer to a query, in the language it was asked in; an error is kept raw. */
type GeoAnswer = { q: string; lang: Language } & (
  | { status: "found"; results: GeocodeResult[] }
  | { status: "notFound" }
  | { status: "error"; error: unknown }
);

type GeoState = { status: "idle" } | { status: "loading"; q: string } | GeoAnswer;

/** Searches devices (client-side) and addresses (the geocoder) and hands the choice to the desk. */
export function MapSearch({ devices, onChoose }: { devices: readonly MapDevice[]; onChoose: (choice: SearchChoice) => void }) {
  const { t, tMaybe, lang } = useI18n();
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query.trim(), 300);
  const [answer, setAnswer] = useState<GeoAnswer | null>(null);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });

  const deviceMatches = useMemo(() => searchDevices(devices, query, DEVICE_LIMIT + 1), [devices, query]);
  const siteMatches = useMemo(() => searchSites(devices, query, SITE_LIMIT), [devices, query]);

  // Asked again when the language changes (the labels are in the request's language).
  useEffect(() => {
    if (debounced.length < GEOCODE_MIN_LENGTH) return;
    const controller = new AbortController();
    const asked = { q: debounced, lang };
    geocode(debounced, { signal: controller.signal })
      .then((found) => {
        const results = normaliseGeocode(found);
        setAnswer(results.length > 0 ? { ...asked, status: "found", results } : { ...asked, status: "notFound" });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (isApiError(error) && (error.code === "city.address_not_found" || error.status === 404 || error.status === 422)) {
          setAnswer({ ...asked, status: "notFound" });
        } else {
          setAnswer({ ...asked, status: "error", error });
        }
      });
    return () => controller.abort();
  }, [debounced, lang]);
  // Idle for a short query; loading until the answer to this query in this language is in.
  const geo: GeoState =
    debounced.length < GEOCODE_MIN_LENGTH
      ? { status: "idle" }
      : answer && answer.q === debounced && answer.lang === lang
        ? answer
        : { status: "loading", q: debounced };

  const addresses = geo.status === "found" && geo.q === query.trim() ? geo.results : NO_ADDRESSES;
  const geoPending = geo.status === "loading" || (query.trim().length >= GEOCODE_MIN_LENGTH && debounced !== query.trim());

  // Enter picks the best match without arrowing down first. The combobox store is a new object on every
  // render: an effect event, so that the matches alone decide when this runs.
  const selectFirstOption = useEffectEvent(() => combobox.selectFirstOption());
  useEffect(() => {
    if (siteMatches.length > 0 || deviceMatches.length > 0 || addresses.length > 0) selectFirstOption();
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
                    {describeError(geo.error, tMaybe).message}
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
