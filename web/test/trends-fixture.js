// The trend endpoint's answer for the browser tests, where the server does not offer it (404):
// GET /api/v1/kpis/trend?interval&from&to&by[&subdistrict][&community] as its contract has it, with
// the demo city's real units so that the dashboard can drill down from a series.
const DAY = 86400000;
const ms = (d) => Date.parse(`${d}T00:00:00Z`);
const iso = (t) => new Date(t).toISOString().slice(0, 10);

function starts(interval, from, to) {
    const out = [];
    let t = ms(from);
    if (interval === 'week') t -= ((new Date(t).getUTCDay() + 6) % 7) * DAY; // Mondays
    if (interval === 'month') t = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), 1);
    while (t <= ms(to)) {
        out.push(iso(t));
        if (interval === 'month') {
            const d = new Date(t);
            t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        } else {
            t += (interval === 'week' ? 7 : 1) * DAY;
        }
    }
    return out;
}

// trendFixture answers for q (URLSearchParams) from units: [{id, level, parent, name}].
export function trendFixture(q, units) {
    const by = q.get('by');
    const sub = Number(q.get('subdistrict'));
    const com = Number(q.get('community'));
    let list = units.filter((u) => u.level === by);
    if (by === 'community' && sub) list = list.filter((u) => u.parent === sub);
    if (com) list = list.filter((u) => u.id === com);
    if (by === 'district') list = [{id: 0, name: '全区'}];
    const xs = starts(q.get('interval'), q.get('from'), q.get('to'));
    return {interval: q.get('interval'), from: q.get('from'), to: q.get('to'), by,
        series: list.map((u) => ({key: String(u.id), name: u.name, points: xs.map((start, i) => {
            const opened = ((u.id * 7 + i * 3) % 11) + 2;
            return {start, opened, closed: Math.max(0, opened - ((u.id + i) % 4)), overdue: (u.id + i) % 3};
        })}))};
}

// serveTrend routes the trend endpoint: the server's answer when it has one, else the fixture
// (and the OpenAPI document, which the dashboard reads to know the route is there, then names it).
// used.fixture says which it was.
export async function serveTrend(page, units, used = {}) {
    await page.route(/\/api\/openapi\.json$/, async (route) => {
        const res = await route.fetch();
        const doc = await res.json();
        doc.paths['/api/v1/kpis/trend'] ||= {get: {summary: 'trend (test fixture)'}};
        return route.fulfill({response: res, body: JSON.stringify(doc)});
    });
    await page.route(/\/api\/v1\/kpis\/trend\?/, async (route) => {
        const res = await route.fetch();
        if (res.status() !== 404) {
            used.server = true;
            return route.fulfill({response: res});
        }
        used.fixture = true;
        const q = new URL(route.request().url()).searchParams;
        return route.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(trendFixture(q, units))});
    });
    return used;
}

// demoUnits lists the demo city's subdistricts and communities for the fixture.
export async function demoUnits(session) {
    const out = [];
    for (const level of ['subdistrict', 'community']) {
        let after = '';
        for (;;) {
            const c = await session.get(`/api/v1/admin-units?level=${level}&limit=1000${after}`);
            out.push(...c.features.map((f) => ({id: f.id, level, parent: f.properties.parent_id, name: f.properties.name})));
            if (!c.next) break;
            after = `&after=${c.next}`;
        }
    }
    return out;
}
