// Derives web/public/maps/shanxi.geojson from the map of 山西省 that Apache ECharts 4.9.0 shipped
// (npm package echarts@4.9.0, file map/json/province/shanxi.json, Apache-2.0; shanxi1.json is
// 陕西). That file stores coordinates in ECharts' compact "UTF8Encoding" form; this script decodes
// them (the decoder of echarts 4.9.0's src/coord/geo/parseGeoJson.js) into plain GeoJSON and adds
// each city's administrative division code. Run once, by hand:
//   npm pack echarts@4.9.0 && tar xzf echarts-4.9.0.tgz
//   node scripts/derive-shanxi-map.mjs package/map/json/province/shanxi.json > public/maps/shanxi.geojson
import { readFileSync } from 'node:fs';

const CODES = {
  太原市: '140100', 大同市: '140200', 阳泉市: '140300', 长治市: '140400', 晋城市: '140500', 朔州市: '140600',
  晋中市: '140700', 运城市: '140800', 忻州市: '140900', 临汾市: '141000', 吕梁市: '141100',
};

function decodeRing(s, offsets, scale) {
  const out = [];
  let px = offsets[0];
  let py = offsets[1];
  for (let i = 0; i < s.length; i += 2) {
    let x = s.charCodeAt(i) - 64;
    let y = s.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += px;
    y += py;
    px = x;
    py = y;
    out.push([Math.round((x / scale) * 1e5) / 1e5, Math.round((y / scale) * 1e5) / 1e5]);
  }
  return out;
}

const src = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const scale = src.UTF8Scale ?? 1024;
const features = src.features.map((f) => {
  const g = f.geometry;
  let coordinates;
  if (g.type === 'Polygon') coordinates = g.coordinates.map((r, i) => decodeRing(r, g.encodeOffsets[i], scale));
  else coordinates = g.coordinates.map((p, i) => p.map((r, j) => decodeRing(r, g.encodeOffsets[i][j], scale)));
  const name = f.properties.name;
  if (!CODES[name]) throw new Error('unknown city ' + name);
  return {
    type: 'Feature',
    properties: { name, adcode: CODES[name], center: f.properties.cp },
    geometry: { type: g.type, coordinates },
  };
});
process.stdout.write(JSON.stringify({
  type: 'FeatureCollection',
  name: '山西省 (140000)',
  source: 'Apache ECharts 4.9.0 (npm echarts@4.9.0), map/json/province/shanxi.json, Apache-2.0; decoded by web/scripts/derive-shanxi-map.mjs',
  features,
}) + '\n');
