// 可视化调度 (docs/calls.md, ADR 0031): the call records of the caller's duty room, the ringing
// calls every page shows, and a small client of Janus's VideoRoom over hazmond's proxy
// (/api/v1/janus, the same origin and session): publish the camera and microphone, subscribe to the
// other side. Media goes browser <-> Janus directly (WebRTC); signalling goes through hazmond,
// which admits the join token and adds the room's pin.
import { reactive } from 'vue';
import type { operations } from '../api/schema';
import { ApiError, authHeaders, get, post } from '../api/client';
import { SseParser } from '../api/stream';
import { live, session } from '../session';

type Json<O extends keyof operations, C extends number> = operations[O]['responses'] extends Record<C, { content: { 'application/json': infer T } }> ? T : never;
export type DutyCall = Json<'getCall', 200>;
export type CallList = Json<'listCalls', 200>;
export type CallJoin = Json<'joinCall', 200>;

export const STATE_LABELS: Record<string, string> = { ringing: '呼叫中', active: '通话中', ended: '已结束' };
export const END_LABELS: Record<string, string> = {
  hung_up: '已挂断',
  declined: '已拒接',
  unanswered: '无人接听',
  left: '双方离开',
  expired: '超时结束',
};

/** Who may place calls: officers and enterprise users (enterprises call only upward). */
export function canCall(role: string | undefined): boolean {
  return ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'enterprise_user'].includes(role ?? '');
}

/** The other side of a call as the reader sees it. */
export function otherSide(c: DutyCall): string {
  return c.incoming ? `${c.caller.name || c.caller.code}（${c.caller_name}）` : c.callee.name || c.callee.code;
}

/** One line for a call in lists and the banner. */
export function callSummary(c: DutyCall): string {
  const state = c.state === 'ended' ? END_LABELS[c.end_reason ?? ''] ?? STATE_LABELS.ended : STATE_LABELS[c.state] ?? c.state;
  return `${c.incoming ? '来自' : '呼叫'} ${otherSide(c)} · ${state}`;
}

/** The calls ringing for this person's room, placed by others: what the banner shows. */
export function incomingRinging(list: DutyCall[]): DutyCall[] {
  return list.filter((c) => c.state === 'ringing' && c.incoming && !c.mine);
}

/**
 * A call the live stream pushed (`event: call`, only to the called room's people): a new call
 * rings at once, one answered (by anyone of the room) or ended stops ringing.
 */
export function applyCallEvent(list: DutyCall[], c: DutyCall): DutyCall[] {
  const rest = list.filter((x) => x.id !== c.id);
  return incomingRinging([c]).length ? [c, ...rest] : rest;
}

// The banner's store: pushed over the live stream the dashboard already holds, with a slow poll
// behind it (a stream that was down, another node's call before the relay). A server without
// calls (404 route_not_found) is asked no more.
export const ringing = reactive({ calls: [] as DutyCall[], enabled: true });
let timer: ReturnType<typeof setInterval> | null = null;
let unsubscribe: (() => void) | null = null;

export async function pollRinging(): Promise<void> {
  // Nobody logged in yet (the layout can mount before the router has sent the browser to the
  // login page), or a server with calls off (features.calls of login and /auth/me): no request,
  // so no 401 or 404 in the browser's console.
  if (!ringing.enabled || !session.me || session.me.features?.calls !== true) return;
  try {
    const list = await get<CallList>('/api/v1/calls', { state: 'ringing', limit: 20 });
    ringing.calls = incomingRinging(list.items);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'route_not_found' || e.status === 403)) {
      ringing.enabled = false;
      ringing.calls = [];
    }
  }
}

export function startRinging(ms = 30000): void {
  if (timer) return;
  unsubscribe = live.subscribe((e) => {
    if (e.kind === 'call' && ringing.enabled) ringing.calls = applyCallEvent(ringing.calls, e.data);
  });
  void pollRinging();
  timer = setInterval(() => void pollRinging(), ms);
}
export function stopRinging(): void {
  if (timer) clearInterval(timer);
  timer = null;
  unsubscribe?.();
  unsubscribe = null;
  ringing.calls = [];
}

// ---- the VideoRoom client ----

interface JanusMessage {
  janus: string;
  sender?: number;
  transaction?: string;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { data: Record<string, unknown> };
  jsep?: RTCSessionDescriptionInit;
}

async function janus(path: string, body: Record<string, unknown>): Promise<JanusMessage> {
  const res = await fetch('/api/v1/janus' + path, {
    method: 'POST',
    headers: authHeaders({ 'Content-Type': 'application/json', Accept: 'application/json' }),
    body: JSON.stringify({ transaction: Math.random().toString(36).slice(2), ...body }),
  });
  const j = (await res.json()) as JanusMessage;
  if (!res.ok || j.janus === 'error') throw new Error(`视频服务器拒绝请求：${j.error?.reason ?? res.status}`);
  return j;
}

/** Waits until the connection has gathered its ICE candidates (at most `ms`): no trickle. */
function gathered(pc: RTCPeerConnection, ms = 3000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

export interface RoomCallbacks {
  onRemote(feed: number, display: string, stream: MediaStream): void;
  onRemoteGone(feed: number): void;
  onStatus(text: string): void;
}

/**
 * One person in one call's room: publishes the local stream and subscribes to every other
 * publisher. `close()` leaves Janus (the caller tells hazmond: leave or end).
 */
export class CallRoom {
  private session = 0;
  private pubHandle = 0;
  private closed = false;
  private pub: RTCPeerConnection | null = null;
  private subs = new Map<number, { handle: number; pc: RTCPeerConnection; feed: number; display: string }>();
  private pendingOffer = new Map<number, (jsep: RTCSessionDescriptionInit) => void>();
  private joined: ((e: Record<string, unknown>) => void) | null = null;

  constructor(
    private readonly join: CallJoin,
    private readonly local: MediaStream,
    private readonly cb: RoomCallbacks,
  ) {}

  private get ice(): RTCIceServer[] {
    return this.join.ice_servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
  }

  async open(): Promise<void> {
    this.session = (await janus('', { janus: 'create' })).data!.id;
    void this.poll();
    this.pubHandle = (await janus(`/${this.session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data!.id;
    const joined = new Promise<Record<string, unknown>>((resolve) => (this.joined = resolve));
    await janus(`/${this.session}/${this.pubHandle}`, {
      janus: 'message',
      body: { request: 'join', ptype: 'publisher', room: this.join.room, token: this.join.token, display: this.join.display },
    });
    const ev = await joined;
    if (ev.videoroom !== 'joined') throw new Error(`加入房间失败：${String(ev.error ?? ev.videoroom)}`);
    this.cb.onStatus('已加入，正在发布本地视频');
    await this.publish();
    for (const p of (ev.publishers as { id: number; display: string }[] | undefined) ?? []) void this.subscribe(p.id, p.display);
  }

  private async publish(): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: this.ice });
    this.pub = pc;
    for (const t of this.local.getTracks()) pc.addTrack(t, this.local);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answered = new Promise<RTCSessionDescriptionInit>((resolve) => this.pendingOffer.set(this.pubHandle, resolve));
    await janus(`/${this.session}/${this.pubHandle}`, {
      janus: 'message',
      body: { request: 'publish' },
      jsep: { type: 'offer', sdp: pc.localDescription!.sdp },
    });
    await pc.setRemoteDescription(await answered);
  }

  private subscribing = new Set<number>();

  private async subscribe(feed: number, display: string): Promise<void> {
    if (this.closed || this.subscribing.has(feed)) return;
    this.subscribing.add(feed);
    const handle = (await janus(`/${this.session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data!.id;
    const pc = new RTCPeerConnection({ iceServers: this.ice });
    this.subs.set(handle, { handle, pc, feed, display });
    const stream = new MediaStream();
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      this.cb.onRemote(feed, display, stream);
    };
    const offered = new Promise<RTCSessionDescriptionInit>((resolve) => this.pendingOffer.set(handle, resolve));
    await janus(`/${this.session}/${handle}`, {
      janus: 'message',
      body: { request: 'join', ptype: 'subscriber', room: this.join.room, token: this.join.token, streams: [{ feed }] },
    });
    await pc.setRemoteDescription(await offered);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await janus(`/${this.session}/${handle}`, {
      janus: 'message',
      body: { request: 'start', room: this.join.room },
      jsep: { type: 'answer', sdp: pc.localDescription!.sdp },
    });
  }

  /** hazmond kicked this admission out of the room (it left elsewhere, or joined again in another tab). */
  private kicked(): void {
    this.pub?.close();
    this.pub = null;
    for (const sub of this.subs.values()) {
      sub.pc.close();
      this.cb.onRemoteGone(sub.feed);
    }
    this.subs.clear();
    this.subscribing.clear();
    this.cb.onStatus('已退出通话（已在别处离开或重新加入）');
  }

  private dispatch(m: JanusMessage): void {
    if (m.janus === 'detached' && m.sender === this.pubHandle && !this.closed) return this.kicked();
    if (m.janus !== 'event' || !m.sender) return;
    const data = m.plugindata?.data ?? {};
    if (m.jsep) this.pendingOffer.get(m.sender)?.(m.jsep);
    if (m.sender === this.pubHandle && data.leaving === 'ok' && data.reason === 'kicked') return this.kicked();
    if (data.videoroom === 'destroyed') {
      // The call ended (hung up on the other side): the room is gone.
      for (const sub of this.subs.values()) {
        sub.pc.close();
        this.cb.onRemoteGone(sub.feed);
      }
      this.subs.clear();
      this.subscribing.clear();
      this.cb.onStatus('通话已结束');
      return;
    }
    if (m.sender === this.pubHandle) {
      if ((data.videoroom === 'joined' || data.error) && this.joined) {
        this.joined(data);
        this.joined = null;
        return;
      }
      for (const p of (data.publishers as { id: number; display: string }[] | undefined) ?? []) void this.subscribe(p.id, p.display);
      const gone = (data.unpublished ?? data.leaving) as number | string | undefined;
      if (typeof gone === 'number') {
        for (const s of this.subs.values())
          if (s.feed === gone) {
            s.pc.close();
            this.subs.delete(s.handle);
            this.subscribing.delete(gone);
            this.cb.onRemoteGone(gone);
          }
      }
    }
  }

  private events: AbortController | null = null;

  /**
   * The session's events, pushed by hazmond as server-sent events (`event: janus`, one Janus
   * event each; hazmond long-polls Janus itself). Reconnects after a second until closed, or
   * until the session is gone (404, or Janus's error as the stream's last event).
   */
  private async poll(): Promise<void> {
    let gone = false;
    while (!this.closed && !gone) {
      try {
        this.events = new AbortController();
        const res = await fetch(`/api/v1/janus/${this.session}/events`, { headers: authHeaders({ Accept: 'text/event-stream' }), signal: this.events.signal });
        if (res.status === 404) return;
        if (!res.ok || !res.body) throw new Error(`events ${res.status}`);
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(dec.decode(value, { stream: true }))) {
            if (e.event !== 'janus') continue;
            const m = JSON.parse(e.data) as JanusMessage;
            if (m.janus === 'error') gone = true;
            else this.dispatch(m);
          }
        }
      } catch {
        if (this.closed) return;
      }
      if (!this.closed && !gone) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events?.abort();
    this.pub?.close();
    for (const s of this.subs.values()) s.pc.close();
    this.subs.clear();
    if (this.session) await janus(`/${this.session}`, { janus: 'destroy' }).catch(() => undefined);
  }
}

export const placeCall = (kind: 'region' | 'enterprise', code: string) => post<DutyCall>('/api/v1/calls', { callee_kind: kind, callee_code: code });
export const joinCall = (id: number) => post<CallJoin>(`/api/v1/calls/${id}/join`);
export const leaveCall = (id: number) => post<DutyCall>(`/api/v1/calls/${id}/leave`);
export const endCall = (id: number) => post<DutyCall>(`/api/v1/calls/${id}/end`);
