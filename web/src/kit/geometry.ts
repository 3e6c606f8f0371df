// Geometry of the video pages: detection boxes and ROI polygons are normalised to the frame
// (0..1, docs/video.md); the picture is drawn letterboxed ("object-fit: contain") into a box of
// another size. Pure functions, tested in tests/geometry.test.ts.

export interface Size {
  width: number;
  height: number;
}
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
export type Point = [number, number];

/** Where a picture of `image` size lands inside a `box` when scaled to fit whole (object-fit: contain). */
export function containRect(image: Size, box: Size): Rect {
  if (!(image.width > 0 && image.height > 0 && box.width > 0 && box.height > 0)) return { x: 0, y: 0, w: 0, h: 0 };
  const scale = Math.min(box.width / image.width, box.height / image.height);
  const w = image.width * scale;
  const h = image.height * scale;
  return { x: (box.width - w) / 2, y: (box.height - h) / 2, w, h };
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** A normalised box (x, y = top left) in pixels of the drawn picture; clipped to the picture. */
export function boxToPixels(box: { x?: number; y?: number; w?: number; h?: number }, drawn: Rect): Rect {
  const x0 = clamp01(box.x ?? 0);
  const y0 = clamp01(box.y ?? 0);
  const x1 = clamp01((box.x ?? 0) + (box.w ?? 0));
  const y1 = clamp01((box.y ?? 0) + (box.h ?? 0));
  return { x: drawn.x + x0 * drawn.w, y: drawn.y + y0 * drawn.h, w: (x1 - x0) * drawn.w, h: (y1 - y0) * drawn.h };
}

/** A normalised point in pixels of the drawn picture. */
export function toPixels(p: Point, drawn: Rect): Point {
  return [drawn.x + clamp01(p[0]) * drawn.w, drawn.y + clamp01(p[1]) * drawn.h];
}

/** A pixel position (e.g. a click) as a normalised point of the picture, clamped to its edges,
 * rounded to 4 decimals (about a tenth of a pixel at 1080p); null when the picture is not drawn. */
export function toNormalised(px: Point, drawn: Rect): Point | null {
  if (!(drawn.w > 0 && drawn.h > 0)) return null;
  const r = (v: number) => Math.round(clamp01(v) * 10000) / 10000;
  return [r((px[0] - drawn.x) / drawn.w), r((px[1] - drawn.y) / drawn.h)];
}

/** Index of the vertex within `radius` pixels of `px` (the nearest), or -1. */
export function hitVertex(poly: Point[], px: Point, drawn: Rect, radius = 8): number {
  let best = -1;
  let bestD = radius * radius;
  poly.forEach((p, i) => {
    const [x, y] = toPixels(p, drawn);
    const d = (x - px[0]) ** 2 + (y - px[1]) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** Shoelace area of a normalised polygon (share of the frame, 0..1). */
export function polygonArea(poly: Point[]): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i];
    const [x2, y2] = poly[(i + 1) % poly.length];
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2;
}

function orient(a: Point, b: Point, c: Point): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return Math.abs(v) < 1e-12 ? 0 : v > 0 ? 1 : -1;
}
function onSegment(a: Point, b: Point, p: Point): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}
/** Whether segments ab and cd touch or cross. */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/** Whether two non-adjacent edges of the closed polygon cross. */
export function selfIntersects(poly: Point[]): boolean {
  const n = poly.length;
  if (n < 4) return false;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // adjacent edges share a vertex
      if (segmentsIntersect(poly[i], poly[(i + 1) % n], poly[j], poly[(j + 1) % n])) return true;
    }
  }
  return false;
}

/** Why an ROI cannot be saved (Chinese, for the editor), or '' when it can. Mirrors the camera
 * schema (3..64 points in 0..1, a name of at most 64 characters) and refuses shapes that would
 * make an analyser watch nothing (crossing edges, no area). */
export function roiProblem(name: string, poly: Point[], otherNames: string[] = []): string {
  const n = name.trim();
  if (!n) return '请填写区域名称';
  if (n.length > 64) return '区域名称最长 64 个字符';
  if (n === '全画面') return '“全画面”是整幅画面的保留名称';
  if (otherNames.includes(n)) return `区域名称“${n}”已存在`;
  if (poly.length < 3) return '区域至少需要 3 个顶点';
  if (poly.length > 64) return '区域最多 64 个顶点';
  if (poly.some(([x, y]) => !(x >= 0 && x <= 1 && y >= 0 && y <= 1))) return '顶点超出画面';
  if (selfIntersects(poly)) return '区域的边相互交叉，请调整顶点顺序';
  if (polygonArea(poly) < 0.0005) return '区域面积过小';
  return '';
}

/** Whether a normalised point lies inside the polygon (even-odd rule). */
export function pointInPolygon(p: Point, poly: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
