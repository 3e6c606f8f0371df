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

// Time compression for the soak test only (tests/bench/screen_soak.sh): `/screen?pace=24` runs
// every timer of the page 24 times faster, so one hour does the page's work of a day. Absent,
// unreadable or below 1 it is 1 (the wall's normal pace); at most 120.
export const SCREEN_PACE_MAX = 120;

/** The pace from the `pace` query parameter (a string, a repeated parameter's list, or nothing). */
export function screenPace(raw: unknown): number {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (typeof v !== 'string' && typeof v !== 'number') return 1;
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) return 1;
  return Math.min(SCREEN_PACE_MAX, Math.max(1, n));
}

/** The big screen's timers at pace 1, in milliseconds: one place, divided by the pace below. */
export const SCREEN_TIMERS = {
  clock: 1_000, // the clock in the header
  figures: 30_000, // the overview's figures and the newest warnings
  cameras: 120_000, // the cameras' list and states (the video wall's choice)
  charts: 300_000, // the two trends and the city ranking
  liveDebounce: 2_000, // live events → one reload of the figures
  videoRetry: 30_000, // a video tile's retry after a fatal error
} as const;

export type ScreenTimers = { -readonly [K in keyof typeof SCREEN_TIMERS]: number };

/** The timers at `pace`: each divided by it, never below 1 ms. */
export function pacedTimers(pace: number): ScreenTimers {
  const p = screenPace(pace);
  const out = {} as ScreenTimers;
  for (const k of Object.keys(SCREEN_TIMERS) as (keyof ScreenTimers)[]) out[k] = Math.max(1, Math.round(SCREEN_TIMERS[k] / p));
  return out;
}
