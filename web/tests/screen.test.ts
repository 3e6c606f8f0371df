import { describe, expect, it } from 'vitest';
import { pacedTimers, pickWallCameras, SCREEN_TIMERS, screenPace, stageScale, type WallCamera } from '../src/screen';

const cam = (id: string, company: string, over: Partial<WallCamera> = {}): WallCamera => ({
  video_id: id, name: id, company_code: company, record: true, state: 'online', ...over,
});

describe('the video wall', () => {
  it("opens the newest warning's cameras first, its hazard source's before the rest", () => {
    const cams = [cam('a', 'X'), cam('b', 'W', { hazard_code: 'W1' }), cam('c', 'W', { hazard_code: 'W2' }), cam('d', 'W', { hazard_code: 'W1' })];
    expect(pickWallCameras({ company_code: 'W', hazard_code: 'W1' }, cams).map((c) => c.video_id)).toEqual(['b', 'd', 'c', 'a']);
  });
  it('leaves out cameras that cannot play (offline or not recording) and keeps at most nine, each once', () => {
    const cams = [cam('off', 'W', { state: 'offline' }), cam('norec', 'W', { record: false }), ...Array.from({ length: 12 }, (_, i) => cam('c' + i, 'X')), cam('c0', 'X')];
    const wall = pickWallCameras({ company_code: 'W' }, cams);
    expect(wall).toHaveLength(9);
    expect(wall.map((c) => c.video_id)).not.toContain('off');
    expect(wall.map((c) => c.video_id)).not.toContain('norec');
    expect(new Set(wall.map((c) => c.video_id)).size).toBe(9);
  });
  it('works without a warning', () => {
    expect(pickWallCameras(null, [cam('a', 'X')])).toHaveLength(1);
  });
});

describe('stage scale', () => {
  it('fits 1920×1080 into the window', () => {
    expect(stageScale(1920, 1080)).toBe(1);
    expect(stageScale(1366, 768)).toBeCloseTo(0.7111, 3);
    expect(stageScale(3840, 2160)).toBe(2);
  });
});

describe('the soak pace (?pace=N)', () => {
  it('is 1 when absent, empty or unreadable, so the wall runs at its normal pace', () => {
    for (const raw of [undefined, null, '', '  ', 'fast', 'NaN', 'Infinity', {}, [], [null]]) expect(screenPace(raw)).toBe(1);
  });
  it('reads a number, the first of a repeated parameter, and clamps it to 1..120', () => {
    expect(screenPace('24')).toBe(24);
    expect(screenPace(['6', '48'])).toBe(6);
    expect(screenPace('2.5')).toBe(2.5);
    expect(screenPace('0')).toBe(1);
    expect(screenPace('-24')).toBe(1);
    expect(screenPace('0.5')).toBe(1);
    expect(screenPace('1000')).toBe(120);
    expect(screenPace(121)).toBe(120);
  });
  it('divides every timer of the page by the pace; pace 1 leaves them as they are', () => {
    expect(pacedTimers(1)).toEqual(SCREEN_TIMERS);
    const t = pacedTimers(24);
    expect(t.figures).toBe(1250);
    expect(t.cameras).toBe(5000);
    expect(t.charts).toBe(12500);
    expect(t.clock).toBe(42);
    expect(t.liveDebounce).toBe(83);
    expect(t.videoRetry).toBe(1250);
    // A day at pace 24 in one hour: 2,880 figure reloads, 720 camera reloads, 288 chart reloads.
    expect(Math.round(3_600_000 / t.figures)).toBe(2880);
    expect(Math.round(3_600_000 / t.cameras)).toBe(720);
    expect(Math.round(3_600_000 / t.charts)).toBe(288);
  });
  it('is clamped inside pacedTimers too (never faster than pace 120, never 0 ms)', () => {
    expect(pacedTimers(10_000)).toEqual(pacedTimers(120));
    expect(pacedTimers(120).clock).toBe(8);
    expect(Object.values(pacedTimers(120)).every((ms) => ms >= 1)).toBe(true);
  });
});
