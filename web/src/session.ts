// The logged-in user: the token (kept in sessionStorage, so a reload stays logged in but a new
// browser session does not), the principal from /api/v1/auth/me, and the one live stream.
import { reactive } from 'vue';
import { ApiError, api, onUnauthorized, setToken } from './api/client';
import { LiveStream, type StreamState } from './api/stream';
import type { LoginResponse, Principal, Role } from './api/types';

const TOKEN_KEY = 'hazmon-token';

export const session = reactive({
  token: null as string | null,
  me: null as Principal | null,
  stream: 'idle' as StreamState,
  /** False once the server said it has no video (a hazmond built with HAZMON_WITH_VIDEO=OFF). */
  video: true,
});

/** The pages that need the server's video: left out of the navigation when it has none. */
export const VIDEO_PAGES: ReadonlySet<string> = new Set(['review', 'cameras']);
export function pageShown(name: string): boolean {
  return session.video || !VIDEO_PAGES.has(name);
}

/**
 * Asks the server once whether it has video: its video routes answer 404 `video_disabled` when
 * it was built without. Any other answer (a list, a 403, the network) leaves the pages shown.
 */
export async function probeVideo(): Promise<void> {
  try {
    await api('/api/v1/video/cameras', { query: { limit: 1 } });
    session.video = true;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'video_disabled') session.video = false;
  }
}

export const live = new LiveStream({
  onState: (s) => {
    session.stream = s;
  },
  onUnauthorized: () => expire(),
});

type Listener = () => void;
const expiredListeners = new Set<Listener>();
/** The router registers here: a 401 anywhere sends the user to the login page. */
export function onSessionExpired(fn: Listener): void {
  expiredListeners.add(fn);
}

function expire() {
  clearLocal();
  for (const fn of expiredListeners) fn();
}

function clearLocal() {
  live.stop();
  session.token = null;
  session.me = null;
  setToken(null);
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage unavailable */
  }
}

export function restoreSession(): void {
  let t: string | null = null;
  try {
    t = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    t = null;
  }
  if (t) {
    session.token = t;
    setToken(t);
  }
}

onUnauthorized(() => expire());

export async function login(username: string, password: string): Promise<void> {
  const r = await api<LoginResponse>('/api/v1/auth/login', { method: 'POST', body: { username, password }, noAuthRedirect: true });
  session.token = r.token;
  setToken(r.token);
  try {
    sessionStorage.setItem(TOKEN_KEY, r.token);
  } catch {
    /* storage unavailable: this tab only */
  }
  session.me = r.user;
  live.start();
  void probeVideo();
}

/** Loads the principal for a restored token; false when the token is no longer valid. */
export async function ensureMe(): Promise<boolean> {
  if (!session.token) return false;
  if (session.me) return true;
  try {
    session.me = await api<Principal>('/api/v1/auth/me');
    live.start();
    void probeVideo();
    return true;
  } catch {
    clearLocal();
    return false;
  }
}

export async function logout(): Promise<void> {
  const t = session.token;
  clearLocal();
  if (t) {
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + t } }).catch(() => undefined);
  }
}

const REGULATORS: ReadonlyArray<Role> = ['province_admin', 'province_officer', 'city_officer', 'county_officer'];
export function isRegulator(): boolean {
  return !!session.me && REGULATORS.includes(session.me.role);
}
export function hasRole(...roles: Role[]): boolean {
  return !!session.me && roles.includes(session.me.role);
}
