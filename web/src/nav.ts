// Every page of the dashboard, in the order of the left navigation, and the groups the navigation
// shows them in (collapsible; the open state is remembered per browser, docs/dashboard.md).
import type { Role } from './api/types';

export interface NavItem {
  path: string;
  name: string;
  title: string;
  /** Roles that see the entry; all people when absent. */
  roles?: Role[];
}

export const NAV: NavItem[] = [
  { path: '/', name: 'overview', title: '总览' },
  { path: '/screen', name: 'screen', title: '大屏' },
  { path: '/alarms', name: 'alarms', title: '实时报警' },
  { path: '/warnings', name: 'warnings', title: '预警事件' },
  { path: '/review', name: 'review', title: '视频AI审核' },
  { path: '/cameras', name: 'cameras', title: '视频监控' },
  { path: '/gb28181', name: 'gb28181', title: '国标设备' },
  { path: '/calls', name: 'calls', title: '可视化调度', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'enterprise_user'] },
  { path: '/enterprises', name: 'enterprises', title: '企业档案' },
  { path: '/statistics', name: 'statistics', title: '统计分析' },
  { path: '/data-quality', name: 'data-quality', title: '数据质量' },
  { path: '/commitment', name: 'commitment', title: '安全承诺', roles: ['enterprise_user'] },
  { path: '/commitments', name: 'commitments', title: '承诺汇总', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator'] },
  { path: '/permits', name: 'permits', title: '特殊作业', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/circulars', name: 'circulars', title: '信息通报', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/unit-status', name: 'unit-status', title: '装置运行状态', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/patrols', name: 'patrols', title: '巡查抽查' },
  { path: '/routine-use', name: 'routine-use', title: '日常使用' },
  { path: '/coverage', name: 'coverage', title: '接入完整性', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator'] },
  { path: '/connection', name: 'connection', title: '接入与部署' },
  { path: '/deployment', name: 'deployment', title: '部署进度' },
  { path: '/reports', name: 'reports', title: '日报周报' },
  { path: '/admin', name: 'admin', title: '系统管理' },
];

export interface NavGroup {
  key: string;
  title: string;
  /** The pages of the group by route name, in order. */
  items: string[];
}

/** The navigation's groups: every page of NAV in exactly one (web/tests/nav.test.ts checks it). */
export const NAV_GROUPS: NavGroup[] = [
  { key: 'monitor', title: '监测预警', items: ['overview', 'screen', 'alarms', 'warnings', 'review', 'cameras', 'gb28181', 'calls'] },
  { key: 'files', title: '企业档案与统计', items: ['enterprises', 'statistics', 'data-quality', 'reports'] },
  { key: 'duties', title: '企业履责', items: ['commitment', 'commitments', 'permits', 'unit-status'] },
  { key: 'five', title: '五项制度', items: ['patrols', 'circulars', 'routine-use'] },
  { key: 'access', title: '接入与部署', items: ['coverage', 'connection', 'deployment'] },
  { key: 'system', title: '系统管理', items: ['admin'] },
];

export interface ShownGroup {
  key: string;
  title: string;
  items: NavItem[];
}

/** Whether a person of this role sees the entry (all people when the entry names no roles). */
export function navAllowed(n: NavItem, role: Role | undefined): boolean {
  return !n.roles || (role !== undefined && n.roles.includes(role));
}

/**
 * The groups a person sees: each group's entries their role may see and `shown` lets through (the
 * video pages of a server without video), in the group's order; groups left empty are dropped.
 */
export function navGroups(role: Role | undefined, shown: (name: string) => boolean = () => true): ShownGroup[] {
  const byName = new Map(NAV.map((n) => [n.name, n]));
  const out: ShownGroup[] = [];
  for (const g of NAV_GROUPS) {
    const items = g.items
      .map((name) => byName.get(name))
      .filter((n): n is NavItem => !!n && navAllowed(n, role) && shown(n.name));
    if (items.length) out.push({ key: g.key, title: g.title, items });
  }
  return out;
}

/** The entry a route path belongs to: '/' only itself, the others their path and what is under it. */
export function navItemOf(path: string): NavItem | undefined {
  const p = path.split(/[?#]/)[0];
  if (p === '/' || p === '') return NAV[0];
  return NAV.find((n) => n.path !== '/' && (p === n.path || p.startsWith(n.path + '/')));
}

/** The group of a route path (a warning's detail is in 监测预警), or undefined (the login, 404). */
export function navGroupOf(path: string): string | undefined {
  const item = navItemOf(path);
  return item && NAV_GROUPS.find((g) => g.items.includes(item.name))?.key;
}

/** localStorage key of the groups' open state (per browser, not per session). */
export const NAV_STATE_KEY = 'hazmon-nav-groups';
export type NavState = Record<string, boolean>;

/** The stored open state; anything unreadable is no state (every group by its default). */
export function parseNavState(raw: string | null): NavState {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: NavState = {};
    for (const g of NAV_GROUPS) {
      const b = (v as Record<string, unknown>)[g.key];
      if (typeof b === 'boolean') out[g.key] = b;
    }
    return out;
  } catch {
    return {};
  }
}

/** A group is open as the person left it; one never touched is open when it holds the current page. */
export function groupOpen(state: NavState, key: string, current: string | undefined): boolean {
  return state[key] ?? key === current;
}

/** The state after arriving on a page: its group opens (and stays so), the others are unchanged. */
export function arriveAt(state: NavState, current: string | undefined): NavState {
  if (!current || state[current] !== false) return state;
  return { ...state, [current]: true };
}
