// The device's position: one fix for a check-in, a watch for a patrol, and the thinning that keeps a
// track small (a phone reports a fix a second; a patrol needs one every few metres).
export const THIN_METRES = 5;
export const THIN_MS = 30000;
// Beyond this a fix says little about the street the user is in; the patrol skips it.
export const TRACK_MAX_ACCURACY_M = 100;

const R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;

// distanceM is the great-circle distance between two {lon, lat}, in metres.
export function distanceM(a, b) {
    const dLat = rad(b.lat - a.lat), dLon = rad(b.lon - a.lon);
    const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

// keep says whether a fix is worth keeping after the last kept one: far enough or late enough.
export function keep(last, fix) {
    if (!last) return true;
    return distanceM(last, fix) >= THIN_METRES || Date.parse(fix.at) - Date.parse(last.at) >= THIN_MS;
}

// fixOf turns a GeolocationPosition into the record's fix; lon and lat keep 7 decimals (1 cm). at
// is when the phone took the fix (a track's time); taken is when it was handed over here (a check-in's
// time: the moment the user checked in, which a fix the phone had kept a while precedes).
export function fixOf(pos) {
    const c = pos.coords;
    return {lon: round7(c.longitude), lat: round7(c.latitude), accuracy_m: Math.round(c.accuracy * 10) / 10,
        at: new Date(pos.timestamp || Date.now()).toISOString(), taken: new Date().toISOString()};
}

const round7 = (x) => Math.round(x * 1e7) / 1e7;

export class NoPosition extends Error {
    constructor(denied) {
        super(denied ? 'denied' : 'failed');
        this.denied = denied;
    }
}

// currentFix asks for a fresh fix and, when none comes in time (indoors, or a phone that reports
// only on movement), for the last one the phone has, whose own time says how old it is.
export async function currentFix({timeout = 8000} = {}) {
    try {
        return await ask({enableHighAccuracy: true, timeout, maximumAge: 0});
    } catch (e) {
        if (e.denied) throw e;
        return ask({enableHighAccuracy: true, timeout: 5000, maximumAge: 120000});
    }
}

function ask(options) {
    return new Promise((resolve, reject) => {
        if (!navigator.geolocation) {
            reject(new NoPosition(false));
            return;
        }
        navigator.geolocation.getCurrentPosition((pos) => resolve(fixOf(pos)),
            (err) => reject(new NoPosition(err.code === err.PERMISSION_DENIED)), options);
    });
}

// watch calls onFix with each fix until the returned stop is called.
export function watch(onFix, onError) {
    if (!navigator.geolocation) {
        onError(new NoPosition(false));
        return () => {};
    }
    const id = navigator.geolocation.watchPosition((pos) => onFix(fixOf(pos)),
        (err) => onError(new NoPosition(err.code === err.PERMISSION_DENIED)),
        {enableHighAccuracy: true, maximumAge: 0, timeout: 60000});
    return () => navigator.geolocation.clearWatch(id);
}
