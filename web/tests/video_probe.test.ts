// A hazmond built with HAZMON_WITH_VIDEO=OFF answers its video routes 404 video_disabled: the
// dashboard then leaves the video pages out of its navigation; any other answer keeps them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageShown, probeVideo, session } from '../src/session';

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  session.video = true;
});

describe('the video probe', () => {
  it('hides the video pages when the server has no video', async () => {
    const fetch = vi.fn(async () => answer(404, { status: 404, code: 'video_disabled', detail: 'x', request_id: 'r' }));
    vi.stubGlobal('fetch', fetch);
    await probeVideo();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String((fetch.mock.calls[0] as unknown[])[0])).toBe('/api/v1/video/cameras?limit=1');
    expect(session.video).toBe(false);
    expect(pageShown('review')).toBe(false);
    expect(pageShown('cameras')).toBe(false);
    expect(pageShown('alarms')).toBe(true);
  });
  it('keeps them for a list, a refusal, another 404 or no network', async () => {
    for (const res of [
      () => answer(200, { items: [], total: 0 }),
      () => answer(403, { status: 403, code: 'forbidden', detail: 'x', request_id: 'r' }),
      () => answer(404, { status: 404, code: 'route_not_found', detail: 'x', request_id: 'r' }),
      () => Promise.reject(new TypeError('network down')),
    ]) {
      vi.stubGlobal('fetch', vi.fn(async () => res()));
      await probeVideo();
      expect(session.video).toBe(true);
      expect(pageShown('review')).toBe(true);
    }
  });
});
