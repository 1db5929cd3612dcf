/** Which cameras an object search covers: the camera in focus and others picked one by one or by their group. */

/** The most cameras one search may name (the API's limit). */
export const MAX_SEARCH_CAMERAS = 20;

export interface CameraRef {
  code: string;
  group: string;
}

/** The groups among the cameras the user may see, each with how many cameras it has, by code. */
export function groupsOf(cameras: readonly CameraRef[]): { code: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const camera of cameras) counts.set(camera.group, (counts.get(camera.group) ?? 0) + 1);
  return [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => a.code.localeCompare(b.code));
}

/** The other cameras to search when a group is chosen: its cameras but the focus, in code order, as many as fit
 * beside the focus; `cut` says how many of the group were left out. */
export function othersOfGroup(cameras: readonly CameraRef[], group: string, focus: string): { others: string[]; cut: number } {
  const members = cameras.filter((c) => c.group === group && c.code !== focus).map((c) => c.code).sort();
  const room = MAX_SEARCH_CAMERAS - 1;
  return { others: members.slice(0, room), cut: Math.max(0, members.length - room) };
}

/** The cameras a search names: the focus first, then the others without repeats, up to the limit. */
export function searchCameras(focus: string, others: readonly string[]): string[] {
  return [focus, ...others.filter((c, i) => c !== focus && others.indexOf(c) === i)].slice(0, MAX_SEARCH_CAMERAS);
}
