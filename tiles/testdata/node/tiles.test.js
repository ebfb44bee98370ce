// Decodes the golden tiles with @mapbox/vector-tile — the decoder MapLibre GL uses — and checks the
// same invariants as the Go tests (tiles.Check): layers declared in ../schema.json, version 2, extent
// 4096, no empty layers or features, integer coordinates inside the tile and its 64-unit buffer,
// closed rings of four points or more, every polygon's exterior ring clockwise in tile coordinates
// (positive surveyor area, y down) and holes counter-clockwise, properties typed as declared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(testdata, 'schema.json'), 'utf8'));
const goldens = readdirSync(testdata).filter((f) => f.endsWith('.mvt')).sort();
const EXTENT = 4096;
const BUFFER = 64;

// surveyor is the ring's signed area by the surveyor's formula, as MVT 2.1 §4.3.4.4 defines it.
function surveyor(ring) {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    s += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
  }
  return s / 2;
}

const jsType = { String: 'string', Number: 'number', Boolean: 'boolean' };

test('there are golden tiles to check', () => {
  assert.ok(goldens.length >= 3, `only ${goldens.length} golden tiles in ${testdata}`);
});

for (const name of goldens) {
  test(`golden tile ${name} decodes with @mapbox/vector-tile and keeps the MVT 2.1 invariants`, () => {
    let buf = readFileSync(join(testdata, name));
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
    const tile = new VectorTile(new PbfReader(buf));
    const names = Object.keys(tile.layers);
    assert.ok(names.length > 0, 'no layers');
    for (const layerName of names) {
      const layer = tile.layers[layerName];
      const fields = schema[layerName];
      assert.ok(fields, `layer ${layerName} is not declared`);
      assert.equal(layer.version, 2, `${layerName}: version`);
      assert.equal(layer.extent, EXTENT, `${layerName}: extent`);
      assert.ok(layer.length > 0, `${layerName}: no features`);
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i);
        const where = `${layerName} feature ${i}`;
        assert.ok([1, 2, 3].includes(f.type), `${where}: geometry type ${f.type}`);
        const rings = f.loadGeometry();
        assert.ok(rings.length > 0, `${where}: empty geometry`);
        for (const ring of rings) {
          assert.ok(ring.length > 0, `${where}: empty part`);
          for (const p of ring) {
            assert.ok(Number.isInteger(p.x) && Number.isInteger(p.y), `${where}: ${p.x},${p.y} off the grid`);
            assert.ok(p.x >= -BUFFER && p.x <= EXTENT + BUFFER && p.y >= -BUFFER && p.y <= EXTENT + BUFFER,
              `${where}: ${p.x},${p.y} outside the buffer`);
          }
        }
        if (f.type === 2) {
          for (const line of rings) assert.ok(line.length >= 2, `${where}: line of one point`);
        }
        if (f.type === 3) {
          // loadGeometry closes rings; the first ring must be an exterior, and every ring is either
          // an exterior (positive) or a hole (negative), never flat.
          assert.ok(surveyor(rings[0]) > 0, `${where}: first ring is not clockwise in tile coordinates`);
          for (const ring of rings) {
            assert.ok(ring.length >= 4, `${where}: ring of ${ring.length} points`);
            const a = ring[0], z = ring[ring.length - 1];
            assert.ok(a.x === z.x && a.y === z.y, `${where}: open ring`);
            assert.notEqual(surveyor(ring), 0, `${where}: ring without area`);
          }
          const geojson = f.toGeoJSON(0, 0, 0);
          assert.ok(['Polygon', 'MultiPolygon'].includes(geojson.geometry.type), `${where}: ${geojson.geometry.type}`);
        }
        for (const [k, v] of Object.entries(f.properties)) {
          assert.ok(k in fields, `${where}: property ${k} is not declared`);
          assert.equal(typeof v, jsType[fields[k]], `${where}: property ${k} is ${typeof v}, declared ${fields[k]}`);
        }
      }
    }
  });
}
