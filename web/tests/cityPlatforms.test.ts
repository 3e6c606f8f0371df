import { describe, expect, it } from 'vitest';
import { cityOf, enterprisesText, forwardingDutyText, lagText, lastForwardOfCity, platformState, type CityPlatform } from '../src/kit/cityPlatforms';

function platform(over: Partial<CityPlatform>): CityPlatform {
  return {
    id: 1,
    app_id: 'cz-platform',
    region_code: '140400',
    region_name: '长治市',
    description: '',
    is_active: true,
    created_at: '2026-12-01T00:00:00Z',
    last_upload_at: null,
    last_data_at: null,
    silent: true,
    uploads_24h: 0,
    rows_24h: 0,
    enterprises_24h: 0,
    enterprises: [],
    lag_1h: { uploads: 0, median_s: null, p95_s: null },
    city_forwarding_duty: null,
    ...over,
  };
}

describe('city platform figures', () => {
  it('writes the lag in seconds, minutes or hours', () => {
    expect(lagText(null)).toBe('—');
    expect(lagText(Number.NaN)).toBe('—');
    expect(lagText(59.6)).toBe('60 秒');
    expect(lagText(150)).toBe('2.5 分钟');
    expect(lagText(3 * 3600)).toBe('3.0 小时');
    expect(lagText(-2)).toBe('0 秒');
  });
  it('tells revoked, silent and working platforms apart', () => {
    expect(platformState({ is_active: false, silent: false })).toEqual({ text: '已停用', bad: false });
    expect(platformState({ is_active: true, silent: true })).toEqual({ text: '静默', bad: true });
    expect(platformState({ is_active: true, silent: false })).toEqual({ text: '正常', bad: false });
  });
  it('finds the latest forward of a city among its platforms, counties included', () => {
    expect(cityOf('140431')).toBe('140400');
    const list = [
      platform({ region_code: '140400', last_upload_at: '2026-12-07T08:00:00Z' }),
      platform({ region_code: '140431', last_upload_at: '2026-12-07T09:30:00Z' }),
      platform({ region_code: '140700', last_upload_at: '2026-12-07T10:00:00Z' }),
      platform({ region_code: '140800' }),
    ];
    expect(lastForwardOfCity(list, '140400')).toBe('2026-12-07T09:30:00Z');
    expect(lastForwardOfCity(list, '140700')).toBe('2026-12-07T10:00:00Z');
    expect(lastForwardOfCity(list, '140800')).toBeNull();
    expect(lastForwardOfCity([], '140400')).toBeNull();
  });
  it('names the first enterprises forwarded for', () => {
    const e = (n: number) => ({ company_code: `1404310000${n}`, name: `企业${n}`, last_upload_at: '2026-12-07T09:00:00Z', uploads: 1, rows: 1 });
    expect(enterprisesText(platform({}))).toBe('—');
    expect(enterprisesText(platform({ enterprises: [e(1), e(2)], enterprises_24h: 2 }))).toBe('企业1、企业2');
    expect(enterprisesText(platform({ enterprises: [e(1), e(2), e(3), e(4)], enterprises_24h: 4 }))).toBe('企业1、企业2、企业3 等 4 家');
  });
  it('shows the city duty beside the platform', () => {
    expect(forwardingDutyText(null)).toBe('无');
    expect(forwardingDutyText({ status: 'in_progress', deadline: '2021-11-30' })).toBe('进行中（期限 2021-11-30）');
    expect(forwardingDutyText({ status: 'paused', deadline: '2021-11-30' })).toBe('paused（期限 2021-11-30）');
  });
});
