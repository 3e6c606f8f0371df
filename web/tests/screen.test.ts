import { describe, expect, it } from 'vitest';
import { pickWallCameras, stageScale, type WallCamera } from '../src/screen';

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
