// GB/T 28181 devices (国标设备, docs/gb28181.md): the rows of GET /api/v1/gb28181/devices and how
// the page words them. The status is the server's (derived from what it received); the page only
// names it.

export type GbKind = 'nvr' | 'dvr' | 'camera' | 'platform';
export type GbOfflineReason = 'never_registered' | 'registration_ended' | 'keepalive_missed';

export interface GbChannel {
  channel_id: string;
  name: string;
  manufacturer: string;
  model: string;
  parent_id: string;
  civil_code: string;
  address: string;
  status: string;
  longitude: number | null;
  latitude: number | null;
  updated_at: string;
  /** The camera this channel is (live video, ADR 0034), null when none. */
  video_id?: string | null;
}

export interface GbDevice {
  id: number;
  device_id: string;
  company_code: string;
  company_name?: string;
  name: string;
  kind: GbKind;
  has_password: boolean;
  status: 'online' | 'offline';
  offline_reason: GbOfflineReason | null;
  registered_at: string | null;
  register_expires_at: string | null;
  last_keepalive_at: string | null;
  last_seen_at: string | null;
  from_address: string | null;
  catalog_at: string | null;
  channels: GbChannel[];
}

export const GB_KIND_LABELS: Record<GbKind, string> = {
  nvr: '网络硬盘录像机（NVR）',
  dvr: '数字硬盘录像机（DVR）',
  camera: '摄像机',
  platform: '下级平台',
};

const REASONS: Record<GbOfflineReason, string> = {
  never_registered: '从未注册',
  registration_ended: '注册已过期或已注销',
  keepalive_missed: '心跳超时',
};

/** 在线, or 离线 with the reason the server gave. */
export function gbStatusText(d: Pick<GbDevice, 'status' | 'offline_reason'>): string {
  if (d.status === 'online') return '在线';
  return d.offline_reason ? `离线（${REASONS[d.offline_reason]}）` : '离线';
}

/** The type code a 20-digit id carries (digits 11-13) and the kind it stands for, if any. */
export function gbKindOfId(id: string): GbKind | null {
  if (!/^[0-9]{20}$/.test(id)) return null;
  const t = id.slice(10, 13);
  if (t === '118') return 'nvr';
  if (t === '111') return 'dvr';
  if (t === '131' || t === '132') return 'camera';
  if (t === '200') return 'platform';
  return null;
}

/** Online channels of a device, as the device reported them (ON). */
export function gbChannelsOnline(d: Pick<GbDevice, 'channels'>): number {
  return d.channels.filter((c) => c.status.toUpperCase() === 'ON').length;
}
