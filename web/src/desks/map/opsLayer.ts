/**
 * The operating picture's markers on the Leaflet map (alarms, incidents, units), keyed by item: a unit that
 * moves keeps its marker and slides to its new position, a changed state patches the marker in place.
 */
import * as L from "leaflet";
import { escapeAttr } from "./deviceLayer";
import type { OpsItem } from "./ops";

/** Above the device markers and clusters (their z offsets stay under 6000). */
const OPS_Z = 7000;

/** Marker markup; CSS (styles.css, `ops-*`) gives each kind its shape and makes `data-blink` blink. */
export function opsMarkerHtml(item: OpsItem, selected: boolean): string {
  return (
    `<div class="ops-marker ops-${item.kind}" data-testid="ops-${item.kind}" data-key="${escapeAttr(item.key)}" ` +
    `data-ref="${escapeAttr(item.ref)}" data-state="${escapeAttr(item.state)}"` +
    (item.priority !== null ? ` data-priority="${item.priority}"` : "") +
    (item.blink ? ' data-blink="true"' : "") +
    (selected ? ' data-selected="true"' : "") +
    (item.flag ? ` data-flag="${escapeAttr(item.flag)}"` : "") +
    ` style="--ops-color:${item.color}"><span>${escapeAttr(item.label)}</span>` +
    (item.flag ? '<b class="ops-flag" aria-hidden="true">!</b>' : "") +
    "</div>"
  );
}

interface Drawn {
  marker: L.Marker;
  look: string;
  lon: number;
  lat: number;
}

export class OpsLayer {
  private readonly drawn = new Map<string, Drawn>();

  constructor(
    private readonly group: L.LayerGroup,
    private onSelect: (key: string) => void,
    private title: (item: OpsItem) => string,
  ) {}

  setHandlers(onSelect: (key: string) => void, title: (item: OpsItem) => string): void {
    this.onSelect = onSelect;
    this.title = title;
  }

  /** Draws `items`: new ones added, gone ones removed, moved ones slid, changed ones patched. */
  set(items: readonly OpsItem[], selectedKey: string | null): void {
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.key);
      const selected = item.key === selectedKey;
      const look = `${item.state}|${item.color}|${item.label}|${item.blink ? 1 : 0}|${selected ? 1 : 0}|${item.flag ?? ""}`;
      const drawn = this.drawn.get(item.key);
      const html = opsMarkerHtml(item, selected);
      if (!drawn) {
        const marker = L.marker([item.lat, item.lon], {
          icon: L.divIcon({ className: "ops-icon", html, iconSize: [0, 0] }),
          title: this.title(item),
          keyboard: true,
          zIndexOffset: OPS_Z + item.rank,
        });
        marker.on("click", () => this.onSelect(item.key));
        this.group.addLayer(marker);
        this.drawn.set(item.key, { marker, look, lon: item.lon, lat: item.lat });
        continue;
      }
      if (drawn.lon !== item.lon || drawn.lat !== item.lat) {
        drawn.marker.setLatLng([item.lat, item.lon]);
        drawn.lon = item.lon;
        drawn.lat = item.lat;
      }
      if (drawn.look !== look) {
        (drawn.marker.options.icon as L.DivIcon).options.html = html;
        const element = drawn.marker.getElement();
        if (element) {
          element.innerHTML = html;
          element.title = this.title(item);
        }
        drawn.marker.setZIndexOffset(OPS_Z + item.rank);
        drawn.look = look;
      }
    }
    for (const [key, drawn] of this.drawn) {
      if (!seen.has(key)) {
        this.group.removeLayer(drawn.marker);
        this.drawn.delete(key);
      }
    }
  }

  /** Forgets every marker (titles follow the UI language); the next `set` draws them anew. */
  reset(): void {
    this.group.clearLayers();
    this.drawn.clear();
  }
}
