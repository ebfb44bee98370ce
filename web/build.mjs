// Builds the dashboard into dist/: one bundle of src/main.js and its CSS, MapLibre's worker, and
// index.html naming them, all with content-hashed names so the server can cache them for a year.
// Large files also get a gzipped twin, which the server sends to clients that take gzip. The field
// app (field/build.mjs) is built beside it into dist/field/ and the same assets/.
import {build} from 'esbuild';
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';

import {buildField} from './field/build.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const assets = join(dist, 'assets');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

// Start clean, keeping the committed placeholder.
for (const name of readdirSync(dist)) {
    if (name !== 'README.txt') rmSync(join(dist, name), {recursive: true, force: true});
}
mkdirSync(assets, {recursive: true});

// MapLibre's worker is a module of its own; the page tells MapLibre where it is (setWorkerUrl),
// a same-origin file, which the CSP's worker-src 'self' allows.
const workerSrc = readFileSync(join(root, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), 'utf8')
    .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
const workerName = `maplibre-gl-worker-${hash(workerSrc)}.mjs`;
writeFileSync(join(assets, workerName), workerSrc);

const result = await build({
    entryPoints: [join(root, 'src/main.js')],
    bundle: true,
    format: 'esm',
    // The chart engine is imported on first use (trends.js) and comes out as a chunk of its own.
    splitting: true,
    target: ['es2022'],
    minify: true,
    legalComments: 'eof',
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    define: {STREETCHIEF_WORKER_URL: JSON.stringify(`/assets/${workerName}`)},
    logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').pop());
const js = outputs.find((n) => n.startsWith('main-') && n.endsWith('.js'));
const css = outputs.find((n) => n.startsWith('main-') && n.endsWith('.css'));
if (!js || !css) throw new Error(`build: missing outputs in ${outputs.join(', ')}`);

const page = readFileSync(join(root, 'src/index.html'), 'utf8')
    .replaceAll('{{JS}}', `/assets/${js}`)
    .replaceAll('{{CSS}}', `/assets/${css}`);
writeFileSync(join(dist, 'index.html'), page);

const field = await buildField({root, dist, assets, hash, workerName});

let total = 0;
let totalGz = 0;
const lines = [];
for (const name of readdirSync(assets).sort()) {
    const path = join(assets, name);
    const size = statSync(path).size;
    if (!/\.(js|mjs|css)$/.test(name)) continue;
    const gz = gzipSync(readFileSync(path), {level: 9});
    if (size > 1024) writeFileSync(`${path}.gz`, gz);
    total += size;
    totalGz += gz.length;
    lines.push(`  ${name.padEnd(44)} ${(size / 1024).toFixed(0).padStart(6)} KiB  ${(gz.length / 1024).toFixed(0).padStart(5)} KiB gzipped`);
}
console.log(`web: built dist/ and dist/field/ (the field app's shell: ${(field.shellGz / 1024).toFixed(0)} KiB gzipped)`);
console.log(`web: built dist/ (${(total / 1024).toFixed(0)} KiB, ${(totalGz / 1024).toFixed(0)} KiB gzipped)\n${lines.join('\n')}`);
