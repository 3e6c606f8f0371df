// The big screen's video wall: which cameras fill the 3×3 tiles. The newest warning's enterprise
// comes first (its hazard source's cameras before the others), then the other cameras that can
// play now (recording and online), at most nine, each once.
export interface WallCamera {
  video_id: string;
  name: string;
  company_code: string;
  company_name?: string | null;
  hazard_code?: string | null;
  record: boolean;
  state?: string;
}

export interface WallWarning {
  company_code: string;
  hazard_code?: string | null;
}

export const WALL_SIZE = 9;

export function playable(c: WallCamera): boolean {
  return c.record && c.state === 'online';
}

export function pickWallCameras(warning: WallWarning | null, cameras: WallCamera[], max = WALL_SIZE): WallCamera[] {
  const live = cameras.filter(playable);
  const rank = (c: WallCamera) => {
    if (!warning || c.company_code !== warning.company_code) return 2;
    return warning.hazard_code && c.hazard_code === warning.hazard_code ? 0 : 1;
  };
  const seen = new Set<string>();
  return live
    .map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c)
    .filter((c) => (seen.has(c.video_id) ? false : (seen.add(c.video_id), true)))
    .slice(0, max);
}

/** The scale that fits the 1920×1080 stage into a window, keeping its proportions. */
export function stageScale(width: number, height: number, stageW = 1920, stageH = 1080): number {
  if (width <= 0 || height <= 0) return 1;
  return Math.min(width / stageW, height / stageH);
}
