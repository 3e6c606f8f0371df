import { describe, expect, it } from 'vitest';
import { gbChannelsOnline, gbKindOfId, gbStatusText } from '../src/kit/gb28181';

describe('GB/T 28181 devices', () => {
  it('words the status the server derived', () => {
    expect(gbStatusText({ status: 'online', offline_reason: null })).toBe('在线');
    expect(gbStatusText({ status: 'offline', offline_reason: 'keepalive_missed' })).toBe('离线（心跳超时）');
    expect(gbStatusText({ status: 'offline', offline_reason: 'never_registered' })).toBe('离线（从未注册）');
    expect(gbStatusText({ status: 'offline', offline_reason: null })).toBe('离线');
  });
  it('reads the kind from the type code of a 20-digit id', () => {
    expect(gbKindOfId('14058100001180000001')).toBe('nvr');
    expect(gbKindOfId('14058100001310000001')).toBe('camera');
    expect(gbKindOfId('14058100002000000001')).toBe('platform');
    expect(gbKindOfId('1405810000118000000')).toBeNull();
    expect(gbKindOfId('14058100001990000001')).toBeNull();
  });
  it('counts the channels the device reported ON', () => {
    const ch = (status: string) => ({ channel_id: '', name: '', manufacturer: '', model: '', parent_id: '', civil_code: '', address: '', status, longitude: null, latitude: null, updated_at: '' });
    expect(gbChannelsOnline({ channels: [ch('ON'), ch('OFF'), ch('on')] })).toBe(2);
  });
});
