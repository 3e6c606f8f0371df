// The live stream GET /api/v1/stream (src/api/routes_stream.cpp): server-sent events read with
// fetch, because EventSource cannot send the Authorization header. `event: alarm` carries an alarm
// episode change (transition raised, escalated or cleared), `event: warning` a pushed warning
// event, `event: call` a duty call placed to the reader's own duty room, answered or ended (the
// ringing banner, kit/calls.ts); a comment line every 15 s keeps the connection open. The stream reconnects with a
// growing delay and stops on logout or a 401.
import { authHeaders } from './client';
import type { LiveAlarm, LiveCall, LiveWarning } from './types';

export interface SseMessage {
  event: string;
  data: string;
}

/** Incremental text/event-stream parser (WHATWG rules for the fields the server sends). */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];

  /** Feeds a chunk of text; returns the messages completed by it. */
  push(chunk: string): SseMessage[] {
    this.buf += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      if (line === '') {
        if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    // Guard against a peer that never ends a line.
    if (this.buf.length > 1 << 20) this.buf = '';
    return out;
  }
}

export type LiveEvent = { kind: 'alarm'; data: LiveAlarm } | { kind: 'warning'; data: LiveWarning } | { kind: 'call'; data: LiveCall };

/** Turns a parsed message into a typed live event; null for kinds and payloads the app does not use. */
export function toLiveEvent(m: SseMessage): LiveEvent | null {
  if (m.event !== 'alarm' && m.event !== 'warning' && m.event !== 'call') return null;
  let d: unknown;
  try {
    d = JSON.parse(m.data);
  } catch {
    return null;
  }
  if (!d || typeof d !== 'object') return null;
  if (m.event === 'alarm') {
    const a = d as LiveAlarm;
    if (typeof a.quota_code !== 'string' || typeof a.transition !== 'string') return null;
    return { kind: 'alarm', data: a };
  }
  if (m.event === 'call') {
    const c = d as LiveCall;
    if (typeof c.id !== 'number' || typeof c.state !== 'string' || !c.caller || !c.callee) return null;
    return { kind: 'call', data: c };
  }
  const w = d as LiveWarning;
  if (typeof w.id !== 'number' || typeof w.level !== 'string') return null;
  return { kind: 'warning', data: w };
}

/** What an alarm change means to the officer. The server's end of an episode is `cleared`. */
export function alarmTransitionText(a: Pick<LiveAlarm, 'transition' | 'suppressed' | 'late'>): string {
  if (a.transition === 'cleared') return '消警';
  if (a.suppressed) return '报备期内（已抑制）';
  if (a.late) return '补传报警';
  if (a.transition === 'escalated') return '报警升级';
  return '报警';
}

export function isAlarmOpen(a: Pick<LiveAlarm, 'transition'>): boolean {
  return a.transition !== 'cleared';
}

export type StreamState = 'idle' | 'connecting' | 'open' | 'retrying';
type Handler = (e: LiveEvent) => void;

export interface LiveStreamOptions {
  url?: string;
  /** Delays between reconnects, ms; the last repeats. */
  backoff?: number[];
  onState?: (s: StreamState) => void;
  onUnauthorized?: () => void;
}

export class LiveStream {
  private handlers = new Set<Handler>();
  private abort: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private running = false;
  state: StreamState = 'idle';

  constructor(private readonly opts: LiveStreamOptions = {}) {}

  subscribe(fn: Handler): () => void {
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  get subscriberCount(): number {
    return this.handlers.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
    this.setState('idle');
  }

  /** Delivers an event to the subscribers (the stream's own path, and tests). */
  dispatch(e: LiveEvent): void {
    for (const fn of [...this.handlers]) {
      try {
        fn(e);
      } catch (err) {
        console.warn('live handler failed', err);
      }
    }
  }

  private setState(s: StreamState) {
    this.state = s;
    this.opts.onState?.(s);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.abort = new AbortController();
    this.setState('connecting');
    try {
      const res = await fetch(this.opts.url ?? '/api/v1/stream', { headers: authHeaders({ Accept: 'text/event-stream' }), signal: this.abort.signal });
      if (res.status === 401) {
        this.running = false;
        this.setState('idle');
        this.opts.onUnauthorized?.();
        return;
      }
      if (!res.ok || !res.body) throw new Error('stream ' + res.status);
      this.setState('open');
      this.attempt = 0;
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const m of parser.push(dec.decode(value, { stream: true }))) {
          const e = toLiveEvent(m);
          if (e) this.dispatch(e);
        }
      }
    } catch (e) {
      if ((e as Error).name === 'AbortError' || !this.running) return;
    }
    if (!this.running) return;
    this.setState('retrying');
    const backoff = this.opts.backoff ?? [1000, 2000, 5000, 10000];
    const delay = backoff[Math.min(this.attempt, backoff.length - 1)];
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
