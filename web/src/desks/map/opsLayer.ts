/**
 * The operating picture's markers on the Leaflet map (alarms, incidents, units), keyed by item: a unit that
 * moves keeps its marker and slides to its new position, a changed state patches the marker in place.
 */
import * as L from "leaflet";
import { clusterBbox, escapeAttr } from "./deviceLayer";
import type { OpsItem } from "./ops";
import { AlarmClusters, isClusterKey } from "./opsClusters";

/** Order within the operating picture's own pane (above the device markers' pane). */
const OPS_Z = 0;
/** Unacknowledged alarms blink at 1 Hz: on for half a second, dimmed for the other half. */
const BLINK_HALF_PERIOD_MS = 500;
export const OPS_PANE = "ops";

/** Marker markup; CSS (ops.css) gives each kind its shape and dims `data-blink` ones while the pane blinks off. */
export function opsMarkerHtml(item: OpsItem, selected: boolean): string {
  return (
    `<div class="ops-marker ops-${item.kind}${item.count ? " ops-cluster" : ""}" ` +
    `data-testid="ops-${item.kind}${item.count ? "-cluster" : ""}" data-key="${escapeAttr(item.key)}" ` +
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

/**
 * Alarms are clustered (opsClusters.ts) and redrawn on every move of the map; incidents and units, a few dozen,
 * are drawn as they are. The blinking is one attribute flipped on the pane twice a second, not a CSS animation
 * per marker: a power cut raises hundreds of alarms at once, and an animation each kept the page repainting.
 */
export class OpsLayer {
  private readonly drawn = new Map<string, Drawn>();
  private readonly blinkTimer: ReturnType<typeof setInterval>;
  private readonly alarms: AlarmClusters;
  private others: OpsItem[] = [];
  private selectedKey: string | null = null;

  constructor(
    private readonly map: L.Map,
    private readonly group: L.LayerGroup,
    pane: HTMLElement,
    private onSelect: (key: string) => void,
    private title: (item: OpsItem) => string,
    private readonly maxZoom: number,
  ) {
    this.alarms = new AlarmClusters(maxZoom);
    pane.dataset.blink = "on";
    this.blinkTimer = setInterval(() => {
      pane.dataset.blink = pane.dataset.blink === "on" ? "off" : "on";
    }, BLINK_HALF_PERIOD_MS);
  }

  dispose(): void {
    clearInterval(this.blinkTimer);
  }

  /** The items of the picture; the selected one is drawn on its own, never inside a cluster. */
  set(items: readonly OpsItem[], selectedKey: string | null): void {
    this.selectedKey = selectedKey;
    this.alarms.load(items.filter((i) => i.kind === "alarm" && i.key !== selectedKey));
    this.others = items.filter((i) => i.kind !== "alarm" || i.key === selectedKey);
    this.render();
  }

  /** Draws what is in view: new markers added, gone ones removed, moved ones slid, changed ones patched. */
  render(): void {
    const bbox = clusterBbox(this.map);
    const items = [...this.alarms.view(bbox, this.map.getZoom()), ...this.others];
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.key);
      const selected = item.key === this.selectedKey;
      const look = `${item.state}|${item.color}|${item.label}|${item.blink ? 1 : 0}|${selected ? 1 : 0}|${item.flag ?? ""}|${item.ref}`;
      const drawn = this.drawn.get(item.key);
      const html = opsMarkerHtml(item, selected);
      if (!drawn) {
        const marker = L.marker([item.lat, item.lon], {
          icon: L.divIcon({ className: "ops-icon", html, iconSize: [0, 0] }),
          pane: OPS_PANE,
          title: this.title(item),
          keyboard: true,
          zIndexOffset: OPS_Z + item.rank,
        });
        marker.on("click", () => this.click(item.key, marker));
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

  private click(key: string, marker: L.Marker): void {
    if (!isClusterKey(key)) {
      this.onSelect(key);
      return;
    }
    const next = this.alarms.expand(key);
    if (next && "zoom" in next) this.map.flyTo(marker.getLatLng(), Math.min(next.zoom, this.maxZoom), { duration: 0.4 });
    else if (next) this.onSelect(next.open);
  }

  /** Forgets every marker (titles follow the UI language) and draws anew. */
  reset(): void {
    this.group.clearLayers();
    this.drawn.clear();
    this.render();
  }
}
