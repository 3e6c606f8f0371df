// 3-D plant models (三维倾斜摄影, docs/plant-models.md) on the enterprise page: what the upload form
// checks before sending, the archive codes of a refused upload in Chinese, and the one loader of
// CesiumJS. Cesium (about 5 MB of script and 7 MB of workers and assets) is not bundled: the build
// copies its prebuilt files to dist/cesium/ (vite.config.ts) and the viewer loads them on first
// use, so no other page grows (ADR 0030).
import type { components } from '../api/schema';

export type PlantModel = components['schemas']['PlantModel'];

/** The roles that upload and delete models (the registry's writers; docs/security.md). */
export const PLANT_MODEL_WRITERS = ['province_admin', 'city_officer', 'county_officer', 'enterprise_user'] as const;

/** The upload body limit of hazmond's default configuration (http.max_body_bytes). */
export const MAX_ARCHIVE_BYTES = 4 * 1024 * 1024;

/** Why the chosen file and name cannot be sent, or null. */
export function uploadProblem(file: { name: string; size: number } | null | undefined, name: string): string | null {
  if (!file) return '请选择三维模型压缩包（.zip）';
  if (!/\.zip$/i.test(file.name)) return '三维模型须为 3D Tiles 的 .zip 压缩包（含 tileset.json）';
  if (file.size === 0) return '压缩包为空';
  if (file.size > MAX_ARCHIVE_BYTES) return `压缩包超过 ${formatBytes(MAX_ARCHIVE_BYTES)}，请精简后再上传`;
  const n = [...name.trim()].length;
  if (n === 0) return '请填写模型名称';
  if (n > 100) return '模型名称最多 100 个字';
  return null;
}

/** The model's name when none is typed: the file's name without .zip. */
export function defaultName(fileName: string): string {
  return fileName.replace(/\.zip$/i, '').slice(0, 100);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The codes of a refused archive (422, the first error's message before its colon). */
export const ARCHIVE_CODE_LABELS: Readonly<Record<string, string>> = {
  not_zip: '不是可读取的 ZIP 压缩包',
  too_many_entries: '压缩包内文件过多（至多 2000 个）',
  too_large: '解压后过大（单个文件至多 16 MB，合计至多 48 MB）',
  ratio: '压缩比异常（疑似压缩炸弹）',
  unsafe_path: '含有指向压缩包以外的路径',
  symlink: '含有符号链接',
  encrypted: '含有加密文件',
  compression: '使用了不支持的压缩方式',
  file_type: '含有 3D Tiles 以外的文件类型',
  duplicate: '含有重名文件',
  no_tileset: '根目录（或唯一的顶层文件夹）中没有 tileset.json',
  bad_tileset: 'tileset.json 格式错误',
  bad_gltf: '模型瓦片（glTF）格式错误',
  outside_reference: '引用了压缩包以外的地址',
  missing_file: '引用的文件不在压缩包内',
};

/** A refused upload in Chinese: the archive code's text and the entry it names. */
export function archiveProblemText(errors: ReadonlyArray<{ pointer: string; message: string }>): string | null {
  const first = errors[0];
  if (!first) return null;
  const code = first.message.split(':')[0];
  const label = ARCHIVE_CODE_LABELS[code];
  if (!label) return null;
  const entry = first.pointer.startsWith('/archive/') ? first.pointer.slice('/archive/'.length) : '';
  return entry ? `${label}：${entry}` : label;
}

/** Where the copied Cesium build lives under the dashboard. */
export const CESIUM_BASE = '/cesium/';

type CesiumModule = typeof import('cesium');
type CesiumWindow = Window & { CESIUM_BASE_URL?: string; CESIUM_WORKERS?: string; Cesium?: CesiumModule };
let loading: Promise<CesiumModule> | null = null;

/**
 * Loads Cesium.js (the classic build: window.Cesium) and its widget styles once. Two things keep
 * it inside the dashboard's Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval', no
 * eval): the classic build, because the ES module build reaches Knockout's `(0, eval)("this")`
 * at load; and CESIUM_WORKERS removed after loading, because with it Cesium starts its web
 * workers from blob: scripts, which script-src refuses, and without it as module workers from
 * /cesium/Workers/ (same origin).
 */
export function loadCesium(doc: Document = document): Promise<CesiumModule> {
  if (loading) return loading;
  loading = new Promise<CesiumModule>((resolve, reject) => {
    const w = doc.defaultView as CesiumWindow | null;
    if (!w) return reject(new Error('no window'));
    if (w.Cesium) return resolve(w.Cesium);
    w.CESIUM_BASE_URL = CESIUM_BASE;
    const css = doc.createElement('link');
    css.rel = 'stylesheet';
    css.href = CESIUM_BASE + 'Widgets/widgets.css';
    doc.head.appendChild(css);
    const s = doc.createElement('script');
    s.src = CESIUM_BASE + 'Cesium.js';
    s.async = true;
    s.onload = () => {
      delete w.CESIUM_WORKERS;
      if (w.Cesium) resolve(w.Cesium);
      else reject(new Error('Cesium.js did not define Cesium'));
    };
    s.onerror = () => reject(new Error('Cesium.js could not be loaded'));
    doc.head.appendChild(s);
  }).catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** A label in the 3-D scene: a registry row of the enterprise that has coordinates. */
export interface SceneLabel {
  kind: 'hazard' | 'camera' | 'equipment';
  text: string;
  lon: number;
  lat: number;
}

interface Placed {
  name?: string | null;
  lon?: number | null;
  lat?: number | null;
}

const LABEL_PREFIX: Record<SceneLabel['kind'], string> = { hazard: '危险源', camera: '摄像头', equipment: '设备' };
export const MAX_SCENE_LABELS = 300;

/** The labels of the rows with a longitude and latitude on the earth, hazard sources first. */
export function sceneLabels(rows: { hazard?: Placed[]; camera?: Placed[]; equipment?: Placed[] }): SceneLabel[] {
  const out: SceneLabel[] = [];
  for (const kind of ['hazard', 'camera', 'equipment'] as const) {
    for (const r of rows[kind] ?? []) {
      const { lon, lat } = r;
      if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) continue;
      if (Math.abs(lon) > 180 || Math.abs(lat) > 90 || (lon === 0 && lat === 0)) continue;
      out.push({ kind, text: `${LABEL_PREFIX[kind]}：${r.name || '未命名'}`, lon, lat });
      if (out.length >= MAX_SCENE_LABELS) return out;
    }
  }
  return out;
}
