// New red and orange warnings: a banner and a repeating tone (Web Audio, generated, no sound file)
// until the officer acknowledges them; the tone can be muted for this browser session.
import { reactive } from 'vue';
import type { LiveWarning } from './api/types';

const MUTE_KEY = 'hazmon-muted';
/** Most banners kept; older unacknowledged ones are dropped (the warning list still has them). */
export const MAX_ALERTS = 20;

export interface Alert {
  id: number;
  level: 'red' | 'orange';
  company: string;
  content: string;
  at: string;
}

export const alerts = reactive({
  pending: [] as Alert[],
  muted: readMuted(),
  sounding: false,
  /** No banner to acknowledge on this page (the big screen): the tone waits. */
  suspended: false,
});

function readMuted(): boolean {
  try {
    return sessionStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

/** Whether a pushed warning needs the banner and the tone: red or orange only. */
export function needsAlert(w: Pick<LiveWarning, 'level'>): boolean {
  return w.level === 'red' || w.level === 'orange';
}

/** Adds a banner for the warning (once per event id); returns whether it was added. */
export function raiseAlert(w: LiveWarning, list: Alert[] = alerts.pending): boolean {
  if (!needsAlert(w)) return false;
  if (list.some((a) => a.id === w.id)) return false;
  list.unshift({
    id: w.id,
    level: w.level as 'red' | 'orange',
    company: w.company_name || w.company_code,
    content: w.content ?? '',
    at: w.last_ts ?? w.first_ts ?? new Date().toISOString(),
  });
  if (list.length > MAX_ALERTS) list.length = MAX_ALERTS;
  if (list === alerts.pending) updateTone();
  return true;
}

export function acknowledge(id?: number): void {
  if (id === undefined) alerts.pending.splice(0);
  else {
    const i = alerts.pending.findIndex((a) => a.id === id);
    if (i >= 0) alerts.pending.splice(i, 1);
  }
  updateTone();
}

export function setMuted(m: boolean): void {
  alerts.muted = m;
  try {
    sessionStorage.setItem(MUTE_KEY, m ? '1' : '0');
  } catch {
    /* storage unavailable */
  }
  updateTone();
}

// ---- the tone

let ctx: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

/** Creates or resumes the AudioContext; call from a user gesture (login, a click) so browsers allow it. */
export function unlockAudio(): void {
  try {
    if (!ctx) ctx = new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
  }
}

function beep(c: AudioContext, freq: number, start: number, dur: number) {
  const osc = c.createOscillator();
  const gain = c.createGain();
  osc.type = 'square';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + dur);
  osc.connect(gain).connect(c.destination);
  osc.start(start);
  osc.stop(start + dur + 0.02);
  osc.onended = () => {
    osc.disconnect();
    gain.disconnect();
  };
}

function playPattern() {
  if (!ctx) unlockAudio();
  if (!ctx) return;
  const red = alerts.pending.some((a) => a.level === 'red');
  const t = ctx.currentTime + 0.05;
  // Red: three high beeps; orange: two lower ones.
  const n = red ? 3 : 2;
  for (let i = 0; i < n; i++) beep(ctx, red ? 988 : 740, t + i * 0.3, 0.2);
}

/** The big screen has no banner: the tone pauses there and resumes when the officer is back. */
export function suspendTone(on: boolean): void {
  alerts.suspended = on;
  updateTone();
}

export function updateTone(): void {
  const want = alerts.pending.length > 0 && !alerts.muted && !alerts.suspended;
  alerts.sounding = want;
  if (want && !timer) {
    playPattern();
    timer = setInterval(playPattern, 2000);
  } else if (!want && timer) {
    clearInterval(timer);
    timer = null;
  }
}
