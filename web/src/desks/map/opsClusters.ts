/**
 * Alarms clustered by screen distance. A power cut raises an alarm per silent device — hundreds at once — and a
 * marker each would bury the town; near each other they become one marker with their count, the colour of the
 * most urgent and blinking while any is unacknowledged. Pure (supercluster, no Leaflet): unit-tested under Node.
 */
import Supercluster from "supercluster";
import { BAND_COLORS, priorityBand, type OpsItem } from "./ops";

/** In supercluster's 512-px tile units: 60 ≈ 30 screen pixels on Leaflet's 256-px grid. */
const RADIUS = 60;
const CLUSTER_KEY = "alarms@";

export function isClusterKey(key: string): boolean {
  return key.startsWith(CLUSTER_KEY);
}

export class AlarmClusters {
  private index: Supercluster<{ key: string }> | null = null;
  private positions = "";
  private byKey = new Map<string, OpsItem>();

  constructor(private readonly maxZoom: number) {}

  /** The alarms to cluster; the index is rebuilt only when one appears, leaves or moves. */
  load(alarms: readonly OpsItem[]): void {
    this.byKey = new Map(alarms.map((a) => [a.key, a]));
    let positions = "";
    for (const a of alarms) positions += `${a.key}@${a.lon},${a.lat};`;
    if (positions === this.positions && this.index) return;
    const index = new Supercluster<{ key: string }>({ radius: RADIUS, maxZoom: this.maxZoom, minPoints: 2 });
    index.load(alarms.map((a) => ({ type: "Feature", geometry: { type: "Point", coordinates: [a.lon, a.lat] }, properties: { key: a.key } })));
    this.index = index;
    this.positions = positions;
  }

  /** What to draw in `bbox` at `zoom`: single alarms as they are, clusters as one item with their `count`. */
  view(bbox: [number, number, number, number], zoom: number): OpsItem[] {
    if (!this.index) return [];
    const out: OpsItem[] = [];
    for (const feature of this.index.getClusters(bbox, Math.round(zoom))) {
      const props = feature.properties as { key?: string; cluster?: boolean; cluster_id?: number; point_count?: number };
      if (!props.cluster) {
        const alarm = props.key ? this.byKey.get(props.key) : undefined;
        if (alarm) out.push(alarm);
        continue;
      }
      const id = props.cluster_id as number;
      const members = this.members(id);
      if (members.length === 0) continue;
      const urgent = members.reduce((best, a) => ((a.priority ?? 255) < (best.priority ?? 255) ? a : best));
      const blink = members.some((a) => a.blink);
      const [lon, lat] = feature.geometry.coordinates;
      out.push({
        key: `${CLUSTER_KEY}${id}`,
        kind: "alarm",
        ref: members.map((a) => a.ref).join(","),
        lon,
        lat,
        state: blink ? "new" : "acknowledged",
        color: BAND_COLORS[priorityBand(urgent.priority ?? 255)],
        label: String(props.point_count ?? members.length),
        blink,
        rank: urgent.rank,
        priority: urgent.priority,
        flag: null,
        count: members.length,
      });
    }
    return out;
  }

  private members(clusterId: number): OpsItem[] {
    const out: OpsItem[] = [];
    for (const leaf of this.index?.getLeaves(clusterId, Infinity) ?? []) {
      const alarm = this.byKey.get(leaf.properties.key);
      if (alarm) out.push(alarm);
    }
    return out;
  }

  /**
   * A click on a cluster: the zoom that splits it, or — alarms at one spot, which no zoom splits — the most
   * urgent of them to open.
   */
  expand(key: string): { zoom: number } | { open: string } | null {
    if (!this.index || !isClusterKey(key)) return null;
    const id = Number(key.slice(CLUSTER_KEY.length));
    let zoom: number;
    try {
      zoom = this.index.getClusterExpansionZoom(id);
    } catch {
      return null; // rebuilt meanwhile: the next draw replaces the marker
    }
    if (zoom <= this.maxZoom) return { zoom };
    const members = this.members(id).sort((a, b) => b.rank - a.rank);
    return members.length > 0 ? { open: members[0].key } : null;
  }
}
