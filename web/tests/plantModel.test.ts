import { describe, expect, it, vi } from 'vitest';
import { ARCHIVE_CODE_LABELS, archiveProblemText, CESIUM_BASE, defaultName, formatBytes, MAX_ARCHIVE_BYTES, uploadProblem } from '../src/kit/plantModel';

describe('plant model upload form', () => {
  const zip = (size: number, name = '厂区.zip') => ({ name, size });
  it('asks for a zip of at most the upload limit and a name of 1 to 100 characters', () => {
    expect(uploadProblem(null, 'x')).toContain('请选择');
    expect(uploadProblem(zip(10, 'model.rar'), 'x')).toContain('.zip');
    expect(uploadProblem(zip(0), 'x')).toBe('压缩包为空');
    expect(uploadProblem(zip(MAX_ARCHIVE_BYTES + 1), 'x')).toContain('4.0 MB');
    expect(uploadProblem(zip(MAX_ARCHIVE_BYTES), 'x')).toBeNull();
    expect(uploadProblem(zip(10, 'A.ZIP'), '  ')).toBe('请填写模型名称');
    // Characters, not UTF-16 units or bytes: 100 Chinese characters pass, 101 do not.
    expect(uploadProblem(zip(10), '厂'.repeat(100))).toBeNull();
    expect(uploadProblem(zip(10), '厂'.repeat(101))).toContain('100');
  });
  it('names the model after its file', () => {
    expect(defaultName('厂区倾斜摄影.ZIP')).toBe('厂区倾斜摄影');
    expect(defaultName('a'.repeat(120) + '.zip')).toHaveLength(100);
  });
  it('writes sizes in B, KB and MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});

describe('a refused archive', () => {
  it('reads the code before the colon and names the entry', () => {
    expect(archiveProblemText([{ pointer: '/archive/../evil.glb', message: 'unsafe_path: the entry leaves the archive' }])).toBe(
      ARCHIVE_CODE_LABELS.unsafe_path + '：../evil.glb',
    );
    expect(archiveProblemText([{ pointer: '/archive', message: 'ratio: unpacks to more' }])).toBe(ARCHIVE_CODE_LABELS.ratio);
    // Not an archive problem (a bad name): left to the generic message.
    expect(archiveProblemText([{ pointer: '/name', message: '1 to 100 characters' }])).toBeNull();
    expect(archiveProblemText([])).toBeNull();
  });
  it('has a Chinese text for every code the server documents', () => {
    for (const code of ['not_zip', 'too_many_entries', 'too_large', 'ratio', 'unsafe_path', 'symlink', 'encrypted', 'compression', 'file_type', 'duplicate', 'no_tileset', 'bad_tileset', 'bad_gltf', 'outside_reference', 'missing_file']) {
      expect(ARCHIVE_CODE_LABELS[code], code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

// A document just large enough for loadCesium: it records what is appended to <head>.
function fakeDocument() {
  const appended: Record<string, unknown>[] = [];
  const win: Record<string, unknown> = {};
  const doc = {
    defaultView: win,
    createElement: (tag: string) => ({ tag }) as Record<string, unknown>,
    head: { appendChild: (el: Record<string, unknown>) => appended.push(el) },
  };
  return { doc: doc as unknown as Document, win, appended };
}

describe('loading Cesium', () => {
  it('adds its script and styles once, from the copied build, and resolves to window.Cesium', async () => {
    vi.resetModules();
    const { loadCesium } = await import('../src/kit/plantModel');
    const { doc, win, appended } = fakeDocument();
    const first = loadCesium(doc);
    expect(loadCesium(doc)).toBe(first);
    expect(win.CESIUM_BASE_URL).toBe(CESIUM_BASE);
    const script = appended.find((e) => e.tag === 'script') as { src: string; onload: () => void };
    const css = appended.find((e) => e.tag === 'link') as { href: string };
    expect(script.src).toBe('/cesium/Cesium.js');
    expect(css.href).toBe('/cesium/Widgets/widgets.css');
    expect(appended).toHaveLength(2);
    // What Cesium.js sets when it runs: itself, and its workers' source for blob: workers.
    const cesium = { VERSION: 'test' };
    win.Cesium = cesium;
    win.CESIUM_WORKERS = 'var CesiumWorkers = …';
    script.onload();
    await expect(first).resolves.toBe(cesium);
    // Gone, so that Cesium starts its workers from /cesium/Workers/ (the CSP refuses blob: scripts).
    expect('CESIUM_WORKERS' in win).toBe(false);
  });
  it('tries again after a failed load', async () => {
    vi.resetModules();
    const { loadCesium } = await import('../src/kit/plantModel');
    const { doc, appended } = fakeDocument();
    const failed = loadCesium(doc);
    (appended.find((e) => e.tag === 'script') as { onerror: () => void }).onerror();
    await expect(failed).rejects.toThrow('could not be loaded');
    const again = loadCesium(doc);
    expect(again).not.toBe(failed);
    expect(appended.filter((e) => e.tag === 'script')).toHaveLength(2);
    again.catch(() => undefined);
  });
});

describe('labels in the scene', () => {
  it('places hazard sources, cameras and equipment that have coordinates, hazard sources first', async () => {
    const { sceneLabels } = await import('../src/kit/plantModel');
    const labels = sceneLabels({
      camera: [{ name: '罐区东', lon: 112.551, lat: 37.871 }, { name: '无坐标', lon: null, lat: null }],
      hazard: [{ name: '液氨罐区', lon: 112.55, lat: 37.87 }, { name: '原点', lon: 0, lat: 0 }, { name: '越界', lon: 200, lat: 37 }],
      equipment: [{ name: '', lon: 112.552, lat: 37.872 }],
    });
    expect(labels).toEqual([
      { kind: 'hazard', text: '危险源：液氨罐区', lon: 112.55, lat: 37.87 },
      { kind: 'camera', text: '摄像头：罐区东', lon: 112.551, lat: 37.871 },
      { kind: 'equipment', text: '设备：未命名', lon: 112.552, lat: 37.872 },
    ]);
  });
  it('stops at the label limit', async () => {
    const { sceneLabels, MAX_SCENE_LABELS } = await import('../src/kit/plantModel');
    const many = Array.from({ length: MAX_SCENE_LABELS + 50 }, (_, i) => ({ name: `设备${i}`, lon: 112 + i / 1e4, lat: 37 }));
    expect(sceneLabels({ equipment: many })).toHaveLength(MAX_SCENE_LABELS);
  });
});
