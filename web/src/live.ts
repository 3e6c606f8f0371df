// Live state shared by the overview and the big screen: a bounded feed of changes and the map's
// set of enterprises with a live open alarm (removed when the alarm is cleared).
import type { LiveEvent } from './api/stream';
import { alarmTransitionText, isAlarmOpen } from './api/stream';
import type { LiveAlarm, LiveWarning } from './api/types';
import { ALARM_TYPE_LABELS, label } from './format';

export type FeedItem =
  | { kind: 'alarm'; key: string; data: LiveAlarm; companyName?: string }
  | { kind: 'warning'; key: string; data: LiveWarning };

export const FEED_MAX = 30;
let seq = 0;

/** Adds an event at the head of the feed, keeping at most `max` (the list never grows past it). */
export function pushFeed(feed: FeedItem[], e: LiveEvent, names: ReadonlyMap<string, string> = new Map(), max = FEED_MAX): FeedItem[] {
  // A duty call rings in the banner (kit/calls.ts), not in the feed.
  if (e.kind === 'call') return feed;
  const key = `${e.kind}-${++seq}`;
  const item: FeedItem =
    e.kind === 'alarm' ? { kind: 'alarm', key, data: e.data, companyName: names.get(e.data.company_code) } : { kind: 'warning', key, data: e.data };
  const next = [item, ...feed];
  if (next.length > max) next.length = max;
  return next;
}

/** Live open alarms per enterprise: quota_code → text; the map pulses enterprises present here. */
export class LiveAlarmIndex {
  private byCompany = new Map<string, Map<string, string>>();
  static readonly MAX_COMPANIES = 500;

  apply(a: LiveAlarm): void {
    if (a.suppressed) return;
    let m = this.byCompany.get(a.company_code);
    if (!isAlarmOpen(a)) {
      m?.delete(a.quota_code);
      if (m && !m.size) this.byCompany.delete(a.company_code);
      return;
    }
    if (!m) {
      if (this.byCompany.size >= LiveAlarmIndex.MAX_COMPANIES) {
        const oldest = this.byCompany.keys().next().value;
        if (oldest !== undefined) this.byCompany.delete(oldest);
      }
      m = new Map();
      this.byCompany.set(a.company_code, m);
    }
    m.set(a.quota_code, `${a.quota_code} ${label(ALARM_TYPE_LABELS, a.alarm_type)}${alarmTransitionText(a) === '报警升级' ? '（升级）' : ''}`);
  }

  /** company_code → one line describing its live alarms. */
  summary(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [c, m] of this.byCompany) out.set(c, [...m.values()].join('；'));
    return out;
  }

  get size(): number {
    return this.byCompany.size;
  }
}

export type { LiveWarning };
