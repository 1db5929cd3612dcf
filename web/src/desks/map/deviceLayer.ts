/**
 * Device markers and their clusters on the Leaflet map, updated incrementally.
 *
 * A burst of health changes (a power cut: hundreds of `devices.health_changed` in a second) must not redraw the
 * map. So the cluster index is keyed by the devices' positions only and rebuilt when a device appears, leaves or
 * moves; a health change patches the changed markers in place, and a cluster's colours are tallied from its
 * members' current health when it is drawn.
 */
import * as L from "leaflet";
import Supercluster, { type ClusterProperties } from "supercluster";
import { MARKER_SIZE, clusterBadgeHtml, clusterSize, deviceMarkerSvg } from "./markers";
import { HEALTH_RANK, emptyHealthCounts, worstOfCounts, type HealthCounts, type MapDevice } from "./model";

/** The view and a quarter around it, clamped to what a cluster index accepts (west, south, east, north). */
export function clusterBbox(map: L.Map): [number, number, number, number] {
  const b = map.getBounds().pad(0.25);
  return [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
}

/** Supercluster radius is in 512-px tile units: 80 ≈ 40 screen pixels on Leaflet's 256-px grid. */
const CLUSTER_RADIUS = 80;

type PointProps = { code: string };

export interface DeviceLayerHandlers {
  onSelectDevice: (code: string) => void;
  /** A cluster that cannot be split further by zooming (devices at one spot): its devices' codes. */
  onClusterList: (codes: string[]) => void;
  deviceTitle: (device: MapDevice) => string;
  clusterTitle: (count: number, counts: HealthCounts) => string;
}

/** One marker drawn, with what it looks like now (patched in place when that changes). */
interface Drawn {
  marker: L.Marker;
  look: string;
}

export function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** The positions of a set of devices: what the cluster index depends on. */
export function positionsKey(devices: Iterable<Pick<MapDevice, "code" | "lon" | "lat">>): string {
  let key = "";
  for (const d of devices) key += `${d.code}@${d.lon},${d.lat};`;
  return key;
}

function deviceHtml(device: MapDevice, selected: boolean): string {
  return (
    `<div data-testid="device-marker" data-code="${escapeAttr(device.code)}" data-kind="${escapeAttr(device.kind)}" ` +
    `data-health="${device.health}"${selected ? ' data-selected="true"' : ""}>` +
    deviceMarkerSvg(device.kind, device.health, { selected }) +
    "</div>"
  );
}

function clusterHtml(count: number, counts: HealthCounts): string {
  const worst = worstOfCounts(counts);
  return `<div data-testid="device-cluster" data-count="${count}" data-health="${worst}">${clusterBadgeHtml(count, worst, counts)}</div>`;
}

export class DeviceLayer {
  private index: Supercluster<PointProps> | null = null;
  private indexKey = "";
  private byCode = new Map<string, MapDevice>();
  private selected: MapDevice | null = null;
  private readonly drawn = new Map<string, Drawn>();

  constructor(
    private readonly map: L.Map,
    private readonly group: L.LayerGroup,
    private handlers: DeviceLayerHandlers,
    private readonly maxZoom: number,
  ) {}

  setHandlers(handlers: DeviceLayerHandlers): void {
    this.handlers = handlers;
  }

  /**
   * The devices to show (the selected one is drawn on its own, never clustered). Rebuilds the cluster index only
   * when positions changed; then draws what is in view.
   */
  setDevices(devices: readonly MapDevice[], selected: MapDevice | null): void {
    const byCode = new Map<string, MapDevice>();
    for (const d of devices) if (d.code !== selected?.code) byCode.set(d.code, d);
    this.byCode = byCode;
    this.selected = selected;
    const key = positionsKey(byCode.values());
    if (key !== this.indexKey || !this.index) {
      const index = new Supercluster<PointProps>({ radius: CLUSTER_RADIUS, maxZoom: this.maxZoom, minPoints: 2 });
      index.load(
        [...byCode.values()].map((d) => ({
          type: "Feature" as const,
          geometry: { type: "Point" as const, coordinates: [d.lon, d.lat] },
          properties: { code: d.code },
        })),
      );
      this.index = index;
      this.indexKey = key;
    }
    this.render();
  }

  /** Forgets every marker (their titles follow the UI language) and draws anew. */
  redrawAll(): void {
    this.group.clearLayers();
    this.drawn.clear();
    this.render();
  }

  clear(): void {
    this.drawn.clear();
  }

  /** Tallies the health of a cluster's members as they are now. */
  private countsOf(clusterId: number): HealthCounts {
    const counts = emptyHealthCounts();
    for (const leaf of this.index?.getLeaves(clusterId, Infinity) ?? []) {
      const device = this.byCode.get(leaf.properties.code);
      if (device) counts[device.health] += 1;
    }
    return counts;
  }

  /** Draws the clusters and markers in view: new ones added, gone ones removed, changed ones patched. */
  render(): void {
    const next = new Map<string, { look: string; create: () => L.Marker; patch: (marker: L.Marker) => void }>();
    const addDevice = (device: MapDevice, selected: boolean) => {
      const look = `${device.health}|${device.kind}|${selected ? 1 : 0}`;
      const html = () => deviceHtml(device, selected);
      const zIndex = selected ? 5000 : HEALTH_RANK[device.health] * 100;
      next.set(`d|${device.code}|${device.lon}|${device.lat}|${selected ? 1 : 0}`, {
        look,
        create: () => {
          const marker = L.marker([device.lat, device.lon], {
            icon: L.divIcon({ className: "map-device-icon", html: html(), iconSize: [MARKER_SIZE, MARKER_SIZE] }),
            title: this.handlers.deviceTitle(device),
            alt: device.code,
            keyboard: true,
            riseOnHover: true,
            zIndexOffset: zIndex,
          });
          marker.on("click", () => this.handlers.onSelectDevice(device.code));
          return marker;
        },
        patch: (marker) => {
          patchIcon(marker, html(), this.handlers.deviceTitle(device));
          marker.setZIndexOffset(zIndex);
        },
      });
    };
    const index = this.index;
    if (index) {
      const bbox = clusterBbox(this.map);
      for (const item of index.getClusters(bbox, Math.round(this.map.getZoom()))) {
        const [lon, lat] = item.geometry.coordinates;
        const p = item.properties as Partial<ClusterProperties> & PointProps;
        if (!p.cluster) {
          const device = this.byCode.get(p.code);
          if (device) addDevice(device, false);
          continue;
        }
        const count = p.point_count ?? 0;
        const id = p.cluster_id as number;
        const counts = this.countsOf(id);
        const worst = worstOfCounts(counts);
        next.set(`c|${id}|${count}|${lon.toFixed(6)}|${lat.toFixed(6)}`, {
          look: `${counts.online},${counts.degraded},${counts.unknown},${counts.offline}`,
          create: () => {
            const size = clusterSize(count);
            const marker = L.marker([lat, lon], {
              icon: L.divIcon({ className: "map-cluster-icon", html: clusterHtml(count, counts), iconSize: [size, size] }),
              title: this.handlers.clusterTitle(count, counts),
              keyboard: true,
              zIndexOffset: 1000 + HEALTH_RANK[worst] * 100,
            });
            marker.on("click", () => this.expand(id, lat, lon));
            return marker;
          },
          patch: (marker) => {
            patchIcon(marker, clusterHtml(count, counts), this.handlers.clusterTitle(count, counts));
            marker.setZIndexOffset(1000 + HEALTH_RANK[worst] * 100);
          },
        });
      }
    }
    if (this.selected) addDevice(this.selected, true);

    for (const [key, drawn] of this.drawn) {
      if (!next.has(key)) {
        this.group.removeLayer(drawn.marker);
        this.drawn.delete(key);
      }
    }
    for (const [key, item] of next) {
      const drawn = this.drawn.get(key);
      if (!drawn) {
        const marker = item.create();
        this.drawn.set(key, { marker, look: item.look });
        this.group.addLayer(marker);
      } else if (drawn.look !== item.look) {
        item.patch(drawn.marker);
        drawn.look = item.look;
      }
    }
  }

  /** A click on a cluster zooms in to split it, or lists its devices when they share one spot. */
  private expand(id: number, lat: number, lon: number): void {
    const index = this.index;
    if (!index) return;
    let zoom: number;
    try {
      zoom = index.getClusterExpansionZoom(id);
    } catch {
      // The index was rebuilt meanwhile; the next render replaces this marker.
      return;
    }
    if (zoom <= this.maxZoom) this.map.flyTo([lat, lon], zoom, { duration: 0.4 });
    else this.handlers.onClusterList(index.getLeaves(id, 200).map((leaf) => leaf.properties.code));
  }
}

/** Replaces a drawn marker's content and title without recreating its element (and its listeners). */
function patchIcon(marker: L.Marker, html: string, title: string): void {
  const icon = marker.options.icon as L.DivIcon;
  icon.options.html = html;
  const element = marker.getElement();
  if (element) {
    element.innerHTML = html;
    element.title = title;
  }
  marker.options.title = title;
}
