/**
 * The base map of the map desk and the wall: the city model's GeoJSON and the list of models (which one is
 * active, whether its streets are generated, what to credit).
 */
import { useCallback, useEffect, useState } from "react";
import { fetchCityMap, fetchCityModels } from "../../api/endpoints";
import type { CityFeatureCollection, CityModel } from "../../api/types";
import { useI18n } from "../../i18n/I18nProvider";
import { activeModel, modelsOf } from "./model";
import type { Load } from "./useMapDevices";

export function useBaseMap(canCity: boolean) {
  const { t } = useI18n();
  const [base, setBase] = useState<Load<CityFeatureCollection>>(() => ({ status: canCity ? "loading" : "idle" }));
  const [models, setModels] = useState<CityModel[] | null>(null);

  /** Fetches the base map and the city models into the state (no "loading" state: the caller sets it). */
  const fetchBase = useCallback((signal: AbortSignal) => {
    fetchCityMap(undefined, { signal })
      .then((data) => setBase({ status: "loaded", data }))
      .catch((error: unknown) => {
        if (!signal.aborted) setBase({ status: "error", error });
      });
    fetchCityModels({ signal })
      .then((answer) => setModels(modelsOf(answer)))
      .catch(() => setModels(null));
  }, []);
  const loadBase = () => {
    if (!canCity) return;
    setBase({ status: "loading" });
    fetchBase(new AbortController().signal);
  };

  useEffect(() => {
    if (!canCity) return;
    const controller = new AbortController();
    fetchBase(controller.signal);
    return () => controller.abort();
  }, [canCity, fetchBase]);

  // The active model says whether the streets are generated; else the model the map was drawn
  // from, else any generated feature of the map.
  const mapModel = base.status === "loaded" && base.data.model && typeof base.data.model === "object" ? base.data.model : null;
  const model = activeModel(models);
  const baseGenerated =
    base.status === "loaded" && base.data.features?.some((f) => f?.properties?.generated === true) === true;
  const generated = model ? model.generated : typeof mapModel?.generated === "boolean" ? mapModel.generated : baseGenerated;
  const shownModel = model ?? mapModel;
  const attribution =
    shownModel && typeof shownModel.name === "string"
      ? [t("map.attribution", { name: shownModel.name }), shownModel.source, shownModel.licence].filter(Boolean).join(" · ")
      : null;
  const baseData = base.status === "loaded" ? base.data : null;
  return { base, baseData, loadBase, generated, attribution };
}
