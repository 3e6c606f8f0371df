import { describe, expect, it } from 'vitest';
import { roleValues } from '../src/api/schema';
import { NAV, NAV_GROUPS, arriveAt, groupOpen, navGroupOf, navGroups, navItemOf, parseNavState } from '../src/nav';
import type { Role } from '../src/api/types';

const names = (role: Role | undefined, shown?: (n: string) => boolean) =>
  navGroups(role, shown).map((g) => [g.title, g.items.map((i) => i.title)] as const);

describe('the navigation in groups', () => {
  it('puts every page of NAV in exactly one group, and nothing else', () => {
    const grouped = NAV_GROUPS.flatMap((g) => g.items);
    expect([...grouped].sort()).toEqual(NAV.map((n) => n.name).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
    for (const g of NAV_GROUPS) expect(g.title).toMatch(/^[\u4e00-\u9fff]+$/);
  });

  it('shows a province officer every group but the enterprise-only form', () => {
    const g = names('province_officer');
    expect(g.map(([t]) => t)).toEqual(['监测预警', '企业档案与统计', '企业履责', '五项制度', '接入与部署', '系统管理']);
    expect(g[0][1]).toEqual(['总览', '大屏', '实时报警', '预警事件', '视频AI审核', '视频监控', '国标设备', '可视化调度']);
    expect(g[2][1]).toEqual(['承诺汇总', '特殊作业', '装置运行状态']);
    expect(g[4][1]).toEqual(['接入完整性', '接入与部署', '部署进度']);
  });

  it('shows an enterprise user its own duty pages and no regulator-only entry', () => {
    const g = names('enterprise_user');
    const duties = g.find(([t]) => t === '企业履责');
    expect(duties?.[1]).toEqual(['安全承诺', '特殊作业', '装置运行状态']);
    const all = g.flatMap(([, items]) => items);
    expect(all).not.toContain('承诺汇总');
    expect(all).not.toContain('接入完整性');
    expect(g.find(([t]) => t === '接入与部署')?.[1]).toEqual(['接入与部署', '部署进度']);
  });

  it('filters each role as the flat list did (the same entries, grouped)', () => {
    for (const role of roleValues) {
      const flat = NAV.filter((n) => !n.roles || n.roles.includes(role)).map((n) => n.name).sort();
      const grouped = navGroups(role).flatMap((g) => g.items.map((i) => i.name)).sort();
      expect(grouped, role).toEqual(flat);
    }
  });

  it('drops a group left empty (no session; a server without video)', () => {
    const noSession = names(undefined).flatMap(([, items]) => items);
    expect(noSession).not.toContain('安全承诺');
    expect(noSession).not.toContain('承诺汇总');
    const onlyDuties = navGroups('city_officer', (n) => ['commitments', 'permits'].includes(n));
    expect(onlyDuties.map((g) => g.title)).toEqual(['企业履责']);
    const noVideo = names('city_officer', (n) => n !== 'review' && n !== 'cameras');
    expect(noVideo[0][1]).toEqual(['总览', '大屏', '实时报警', '预警事件', '国标设备', '可视化调度']);
  });

  it('knows the group of a page and of what is under it', () => {
    expect(navGroupOf('/')).toBe('monitor');
    expect(navGroupOf('/warnings/12')).toBe('monitor');
    expect(navGroupOf('/cameras/DASH01')).toBe('monitor');
    expect(navGroupOf('/enterprises/14070239101')).toBe('files');
    expect(navGroupOf('/commitment')).toBe('duties');
    expect(navGroupOf('/commitments?day=2026-12-07')).toBe('duties');
    expect(navGroupOf('/circulars/3')).toBe('five');
    expect(navGroupOf('/connection')).toBe('access');
    expect(navGroupOf('/admin/filings')).toBe('system');
    expect(navItemOf('/screenx')).toBeUndefined();
    expect(navGroupOf('/login')).toBeUndefined();
    expect(navGroupOf('/nothing/here')).toBeUndefined();
  });
});

describe('the groups\' open state, remembered per browser', () => {
  it('reads what was stored and ignores anything else', () => {
    expect(parseNavState(null)).toEqual({});
    expect(parseNavState('not json')).toEqual({});
    expect(parseNavState('[true]')).toEqual({});
    expect(parseNavState('{"monitor":false,"five":true,"bogus":true,"files":"yes"}')).toEqual({ monitor: false, five: true });
  });

  it('opens the current page\'s group by default and keeps what the person chose', () => {
    expect(groupOpen({}, 'monitor', 'monitor')).toBe(true);
    expect(groupOpen({}, 'five', 'monitor')).toBe(false);
    expect(groupOpen({ five: true }, 'five', 'monitor')).toBe(true);
    expect(groupOpen({ monitor: false }, 'monitor', 'monitor')).toBe(false);
  });

  it('opens a closed group when one of its pages is opened, leaving the others', () => {
    const s = { monitor: false, five: false, files: true };
    expect(arriveAt(s, 'five')).toEqual({ monitor: false, five: true, files: true });
    expect(arriveAt(s, 'files')).toBe(s);
    expect(arriveAt(s, 'duties')).toBe(s);
    expect(arriveAt(s, undefined)).toBe(s);
  });
});
