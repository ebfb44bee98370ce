// Photos for a report, made small in the browser before they are sent: a phone's camera picture is
// 3–8 MB, over a street's mobile signal that is the difference between a report that arrives and one
// that does not, and the server takes at most 5 MB a photo.
export const MAX_PHOTOS = 6;
export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

export class NotAnImage extends Error {}

// compress draws the picture, turned the way its EXIF orientation says (createImageBitmap's
// imageOrientation), into a canvas whose longest side is at most MAX_SIDE, and encodes it as JPEG.
// Every photo is drawn again, even a small JPEG: that drops its EXIF block, which carries the
// phone's model, the time and often a position the reporter did not choose to send. Where the new
// JPEG would be larger than an original JPEG, a lower quality is tried, so what is sent is never
// larger than what was picked when that was a JPEG. The field app, whose photos wait on the phone
// and go over a street's signal in batches, asks for a lower quality.
export async function compress(file, {quality = QUALITY} = {}) {
    if (file.type && !file.type.startsWith('image/')) throw new NotAnImage(file.name);
    let bitmap;
    try {
        bitmap = await createImageBitmap(file, {imageOrientation: 'from-image'});
    } catch {
        throw new NotAnImage(file.name);
    }
    try {
        const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        const width = Math.max(1, Math.round(bitmap.width * scale));
        const height = Math.max(1, Math.round(bitmap.height * scale));
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const ctx = canvas.getContext('2d');
        // JPEG has no transparency: a PNG's transparent parts become white, not black.
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, width, height);
        ctx.drawImage(bitmap, 0, 0, width, height);
        const encode = (q) => new Promise((resolve, reject) =>
            canvas.toBlob((b) => (b ? resolve(b) : reject(new NotAnImage(file.name))), 'image/jpeg', q));
        let blob = await encode(quality);
        for (const q of [0.6, 0.4].filter((x) => x < quality)) {
            if (file.type !== 'image/jpeg' || blob.size <= file.size) break;
            blob = await encode(q);
        }
        return {blob, width, height, original: file.size};
    } finally {
        bitmap.close();
    }
}
