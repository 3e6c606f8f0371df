// 三维模型 in the browser (docs/plant-models.md): a tiny 3D Tiles tileset (one orange glTF box,
// written here as bytes) is uploaded for the enterprise with the page's session, the enterprise
// page's 三维模型 tab opens it in Cesium (loaded from /cesium/, nothing from outside), and the
// WebGL canvas must show the box: enough orange pixels over the plain globe and sky.

const T = 20000;

// CRC-32 (IEEE) for the ZIP's stored entries.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP of stored entries: [[name, Buffer]]. */
export function storedZip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const head = (sig, extra) => {
      const b = Buffer.alloc(extra ? 46 : 30);
      let at = 0;
      const u16 = (v) => { b.writeUInt16LE(v, at); at += 2; };
      const u32 = (v) => { b.writeUInt32LE(v >>> 0, at); at += 4; };
      u32(sig);
      if (extra) u16(20);
      u16(20); u16(0x0800); u16(0); u16(0); u16(0x21);
      u32(crc); u32(data.length); u32(data.length); u16(n.length); u16(0);
      if (extra) { u16(0); u16(0); u16(0); u32(0); u32(offset); }
      return Buffer.concat([b, n]);
    };
    const local = head(0x04034b50, false);
    parts.push(local, data);
    central.push(head(0x02014b50, true));
    offset += local.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** A binary glTF of one orange box, `half` metres each way, standing on y = 0 (glTF y-up). */
export function glbBox(half = 40) {
  const pos = [];
  for (let i = 0; i < 8; i++) pos.push(i & 1 ? half : -half, i & 2 ? 2 * half : 0, i & 4 ? half : -half);
  const faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]];
  const idx = faces.flatMap((q) => [q[0], q[1], q[2], q[0], q[2], q[3]]);
  const bin = Buffer.alloc(96 + 72);
  pos.forEach((v, i) => bin.writeFloatLE(v, i * 4));
  idx.forEach((v, i) => bin.writeUInt16LE(v, 96 + i * 2));
  const json = {
    asset: { version: '2.0', generator: 'hazmon dashboard test' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, indices: 1, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorFactor: [1, 0.45, 0.05, 1] }, doubleSided: true, extensions: { KHR_materials_unlit: {} } }],
    extensionsUsed: ['KHR_materials_unlit'],
    buffers: [{ byteLength: bin.length }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: 96, target: 34962 }, { buffer: 0, byteOffset: 96, byteLength: 72, target: 34963 }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 8, type: 'VEC3', min: [-half, 0, -half], max: [half, 2 * half, half] },
      { bufferView: 1, componentType: 5123, count: 36, type: 'SCALAR' },
    ],
  };
  let text = Buffer.from(JSON.stringify(json), 'utf8');
  if (text.length % 4) text = Buffer.concat([text, Buffer.alloc(4 - (text.length % 4), 0x20)]);
  const header = Buffer.alloc(20);
  header.write('glTF', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + text.length + 8 + bin.length, 8);
  header.writeUInt32LE(text.length, 12);
  header.writeUInt32LE(0x4e4f534a, 16);
  const binHead = Buffer.alloc(8);
  binHead.writeUInt32LE(bin.length, 0);
  binHead.writeUInt32LE(0x004e4942, 4);
  return Buffer.concat([header, text, binHead, bin]);
}

/** East-north-up at (lon, lat) on WGS84 as a column-major 4x4. */
function enu(lonDeg, latDeg) {
  const a = 6378137, e2 = 6.69437999014e-3;
  const lon = (lonDeg * Math.PI) / 180, lat = (latDeg * Math.PI) / 180;
  const n = a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  const [x, y, z] = [n * Math.cos(lat) * Math.cos(lon), n * Math.cos(lat) * Math.sin(lon), n * (1 - e2) * Math.sin(lat)];
  return [
    -Math.sin(lon), Math.cos(lon), 0, 0,
    -Math.sin(lat) * Math.cos(lon), -Math.sin(lat) * Math.sin(lon), Math.cos(lat), 0,
    Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat), 0,
    x, y, z, 1,
  ];
}

/** The archive of a one-box model at (lon, lat): tileset.json and tiles/box.glb. */
export function boxModelZip(lon = 112.55, lat = 37.87) {
  const tileset = {
    asset: { version: '1.1' },
    geometricError: 500,
    root: {
      transform: enu(lon, lat),
      boundingVolume: { box: [0, 0, 40, 40, 0, 0, 0, 40, 0, 0, 0, 40] },
      geometricError: 0,
      refine: 'ADD',
      content: { uri: 'tiles/box.glb' },
    },
  };
  return storedZip([
    ['tileset.json', Buffer.from(JSON.stringify(tileset), 'utf8')],
    ['tiles/box.glb', glbBox()],
  ]);
}

/** Uploads the box for `company` with the page's session, opens 企业档案 → 三维模型 and counts
 * the box's pixels on the Cesium canvas; deletes the model afterwards. Returns the count. */
export async function plantModelRenders(page, { url, company, minPixels = 500 }) {
  const zip = boxModelZip().toString('base64');
  const up = await page.evaluate(async ({ c, b64 }) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const r = await fetch(`/api/v1/upload/enterprises/${c}/plant-models?name=${encodeURIComponent('浏览器测试模型')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', Authorization: 'Bearer ' + sessionStorage.getItem('hazmon-token') },
      body: bytes,
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { c: company, b64: zip });
  if (up.status !== 201) throw new Error(`uploading the model: ${up.status} ${JSON.stringify(up.body)}`);
  try {
    await page.goto(`${url}/enterprises/${company}?tab=models3d`, { timeout: T });
    await page.waitForSelector('[data-testid=plant-model-viewer][data-state=ready] canvas', { timeout: T });
    // A few frames after the last tile: the canvas keeps its drawing buffer (preserveDrawingBuffer).
    await page.waitForTimeout(500);
    const pixels = await page.evaluate(() => {
      const src = document.querySelector('[data-testid=plant-model-viewer] canvas');
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      const g = c.getContext('2d');
      g.drawImage(src, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let orange = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i] > d[i + 1] + 40 && d[i + 1] > d[i + 2] + 20) orange++;
      return orange;
    });
    if (pixels < minPixels) throw new Error(`the model's canvas shows ${pixels} box pixels (want at least ${minPixels})`);
    return pixels;
  } finally {
    await page.evaluate(async (id) => {
      await fetch(`/api/v1/plant-models/${id}`, { method: 'DELETE', headers: { Authorization: 'Bearer ' + sessionStorage.getItem('hazmon-token') } });
    }, up.body.id);
  }
}
