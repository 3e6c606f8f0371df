// 城市平台转发 (晋应急发〔2021〕247号 二(一): 晋中, 运城, 长治 push from their own platforms): the
// province's view of its city platforms, GET /api/v1/city-platforms (docs/federation.md "Province
// side"). Pure helpers of the section on 接入与部署.
import type { paths } from '../api/schema';
import { DEPLOYMENT_STATUS_LABELS } from './labels';

export type CityPlatforms =
  paths['/api/v1/city-platforms']['get']['responses']['200']['content']['application/json'];
export type CityPlatform = CityPlatforms['items'][number];

/** A lag in seconds as people read it: 秒 under two minutes, else 分钟 with one decimal. */
export function lagText(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, seconds);
  if (s < 120) return `${Math.round(s)} 秒`;
  if (s < 7200) return `${(s / 60).toFixed(1)} 分钟`;
  return `${(s / 3600).toFixed(1)} 小时`;
}

/** The platform's state: 已停用 (revoked), 静默 (no forwarded readings in the window), 正常. */
export function platformState(p: Pick<CityPlatform, 'is_active' | 'silent'>): { text: string; bad: boolean } {
  if (!p.is_active) return { text: '已停用', bad: false };
  if (p.silent) return { text: '静默', bad: true };
  return { text: '正常', bad: false };
}

/** The city a platform's region belongs to (140431 → 140400). */
export function cityOf(region: string): string {
  return region.length === 6 ? `${region.slice(0, 4)}00` : region;
}

/**
 * The latest forwarded upload of a city's platforms (any of them, active or not), for the city's
 * 转发 duty row; null when none of them has forwarded anything.
 */
export function lastForwardOfCity(platforms: readonly CityPlatform[], city: string): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const p of platforms) {
    if (cityOf(p.region_code) !== city || !p.last_upload_at) continue;
    const ms = Date.parse(p.last_upload_at);
    if (Number.isFinite(ms) && ms > bestMs) {
      bestMs = ms;
      best = p.last_upload_at;
    }
  }
  return best;
}

/** `enterprises` as a short line: the first three names and how many more. */
export function enterprisesText(p: Pick<CityPlatform, 'enterprises' | 'enterprises_24h'>): string {
  if (!p.enterprises.length) return '—';
  const names = p.enterprises.slice(0, 3).map((e) => e.name || e.company_code);
  const more = p.enterprises_24h - names.length;
  return more > 0 ? `${names.join('、')} 等 ${p.enterprises_24h} 家` : names.join('、');
}

/** The city's 转发 duty beside a platform: 进行中（期限 2021-11-30）, or 无. */
export function forwardingDutyText(duty: CityPlatform['city_forwarding_duty']): string {
  if (!duty) return '无';
  const label = (DEPLOYMENT_STATUS_LABELS as Readonly<Record<string, string>>)[duty.status] ?? duty.status;
  return `${label}（期限 ${duty.deadline}）`;
}
