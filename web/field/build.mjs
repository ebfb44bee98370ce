// Builds the field app (/field/) beside the dashboard: its modules with code splitting, so that the
// map (MapLibre alone is ~250 KB gzipped) is a chunk loaded only when the map is opened; the page,
// the service worker (whose version is the build's hash, so a new build replaces the cached shell),
// the manifest and the icons, drawn here so that no binary file is committed.
import {build} from 'esbuild';
import {writeFileSync, mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';

import {PNG} from 'pngjs';

export async function buildField({root, dist, assets, hash, workerName}) {
    const src = join(root, 'field');
    const out = join(dist, 'field');
    mkdirSync(out, {recursive: true});
    // MapLibre's styles go with the map's chunk, as a file the chunk links when the map opens: CSS
    // imported by a split chunk would otherwise be folded into the shell's.
    const mapCSS = readFileSync(join(root, 'node_modules/maplibre-gl/dist/maplibre-gl.css'));
    const mapCSSName = `field-maplibre-${hash(mapCSS)}.css`;
    writeFileSync(join(assets, mapCSSName), mapCSS);

    const result = await build({
        entryPoints: [join(src, 'main.js')],
        bundle: true,
        splitting: true,
        format: 'esm',
        target: ['es2022'],
        minify: true,
        legalComments: 'eof',
        outdir: assets,
        entryNames: 'field-[name]-[hash]',
        chunkNames: 'field-chunk-[hash]',
        assetNames: 'field-[name]-[hash]',
        metafile: true,
        define: {STREETCHIEF_WORKER_URL: JSON.stringify(`/assets/${workerName}`), FIELD_MAP_CSS: JSON.stringify(`/assets/${mapCSSName}`)},
        logLevel: 'warning',
    });
    const outputs = result.metafile.outputs;
    const base = (p) => p.split('/').pop();
    const entry = Object.keys(outputs).find((p) => outputs[p].entryPoint?.endsWith('field/main.js'));
    if (!entry) throw new Error('field build: no entry output');
    // The shell is the entry and what it imports statically; dynamic imports (the map) come later.
    const shell = new Set();
    const walk = (p) => {
        if (shell.has(p)) return;
        shell.add(p);
        for (const imp of outputs[p].imports || []) if (imp.kind === 'import-statement') walk(imp.path);
    };
    walk(entry);
    const css = outputs[entry].cssBundle;
    const shellJS = [...shell].map(base);
    const lazy = Object.keys(outputs).filter((p) => !shell.has(p) && p !== css && !p.endsWith('.map')).map(base);

    const page = readFileSync(join(src, 'index.html'), 'utf8')
        .replaceAll('{{JS}}', `/assets/${base(entry)}`)
        .replaceAll('{{CSS}}', css ? `/assets/${base(css)}` : '')
        .replaceAll('{{PRELOAD}}', shellJS.filter((n) => n !== base(entry))
            .map((n) => `<link rel="modulepreload" href="/assets/${n}">`).join('\n'));
    writeFileSync(join(out, 'index.html'), page);

    const shellFiles = ['/field/', '/field/manifest.webmanifest', '/field/icon-192.png',
        ...shellJS.map((n) => `/assets/${n}`), ...(css ? [`/assets/${base(css)}`] : [])];
    const lazyFiles = [...lazy.map((n) => `/assets/${n}`), `/assets/${workerName}`, `/assets/${mapCSSName}`];
    const version = hash(Buffer.from(page + shellFiles.join() + lazyFiles.join()));
    const sw = await build({
        entryPoints: [join(src, 'sw.js')],
        bundle: true,
        format: 'iife',
        target: ['es2022'],
        minify: true,
        write: false,
        define: {FIELD_VERSION: JSON.stringify(version), FIELD_SHELL: JSON.stringify(shellFiles), FIELD_LAZY: JSON.stringify(lazyFiles)},
        logLevel: 'warning',
    });
    writeFileSync(join(out, 'sw.js'), sw.outputFiles[0].contents);

    writeFileSync(join(out, 'manifest.webmanifest'), JSON.stringify({
        name: '街巷长 · 外勤', short_name: '街巷长外勤', lang: 'zh-CN', start_url: '/field/', scope: '/field/',
        display: 'standalone', orientation: 'portrait', background_color: '#f4f1ea', theme_color: '#1b5e20',
        icons: [192, 512].map((n) => ({src: `/field/icon-${n}.png`, sizes: `${n}x${n}`, type: 'image/png', purpose: 'any maskable'})),
    }, null, 1));
    for (const n of [192, 512]) writeFileSync(join(out, `icon-${n}.png`), icon(n));

    let shellGz = gzipSync(page, {level: 9}).length;
    for (const n of [...shellJS, ...(css ? [base(css)] : [])]) shellGz += gzipSync(readFileSync(join(assets, n)), {level: 9}).length;
    return {shellGz, shell: shellJS};
}

// icon draws a map pin on the app's green, inside the maskable safe zone (the middle 80%).
function icon(n) {
    const png = new PNG({width: n, height: n});
    const cx = n / 2, cy = n * 0.44, r = n * 0.2;
    for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
            const dx = x - cx, dy = y - cy, d = Math.hypot(dx, dy);
            // The pin: a disc and a triangle below it meeting at the tip; a hole in the disc.
            const tipY = cy + r * 2.1;
            const inTail = y > cy && y < tipY && Math.abs(dx) < r * (tipY - y) / (tipY - cy) * 0.95;
            const pin = (d < r || inTail) && d > r * 0.42;
            const road = Math.abs(y - n * 0.8) < n * 0.025 && Math.abs(dx) < n * 0.3;
            const [R, G, B] = pin || road ? [255, 255, 255] : [0x1b, 0x5e, 0x20];
            const i = (y * n + x) * 4;
            png.data[i] = R;
            png.data[i + 1] = G;
            png.data[i + 2] = B;
            png.data[i + 3] = 255;
        }
    }
    return PNG.sync.write(png);
}
