import { beforeEach, describe, expect, it, vi } from 'vitest';

const asked: string[] = [];
vi.mock('../src/api/client', () => ({
  get: vi.fn(async (path: string) => {
    asked.push(path);
    const code = decodeURIComponent(path.split('/').pop() ?? '');
    if (code === 'GONE') throw new Error('404');
    return { name: `名称-${code}` };
  }),
}));
const { pointName, resolvePoints, POINT_NAMES_MAX } = await import('../src/kit/names');

describe("the live feed's point names", () => {
  beforeEach(() => {
    asked.length = 0;
  });
  it('looks each code up once and gives its name; an unknown code stays without a name', async () => {
    await resolvePoints(['LIT001', 'LIT001', null, 'GONE', 'A/B']);
    expect(asked).toEqual(['/api/v1/monitoring-points/LIT001', '/api/v1/monitoring-points/GONE', '/api/v1/monitoring-points/A%2FB']);
    expect(pointName('LIT001')).toBe('名称-LIT001');
    expect(pointName('A/B')).toBe('名称-A/B');
    expect(pointName('GONE')).toBe('');
    expect(pointName(undefined)).toBe('');
    await resolvePoints(['LIT001']);
    expect(asked).toHaveLength(3);
  });
  it('keeps at most POINT_NAMES_MAX codes, forgetting the oldest (the big screen stays open for days)', async () => {
    for (let i = 0; i < POINT_NAMES_MAX + 120; i += 40) await resolvePoints(Array.from({ length: 40 }, (_, k) => `P${i + k}`));
    expect(pointName(`P${POINT_NAMES_MAX + 119}`)).toBe(`名称-P${POINT_NAMES_MAX + 119}`);
    expect(pointName('P0')).toBe('');
    expect(pointName('LIT001')).toBe('');
    asked.length = 0;
    await resolvePoints(['P0']);
    expect(asked).toEqual(['/api/v1/monitoring-points/P0']);
    expect(pointName('P0')).toBe('名称-P0');
  });
});
