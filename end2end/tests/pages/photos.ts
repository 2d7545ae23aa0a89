import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';

/** An EXIF APP1 segment (big-endian TIFF, as many phones write it) with DateTimeOriginal and
 * a GPS position. */
export function exifSegment(takenAt: string, lat: number, lon: number): Buffer {
  const entries: Buffer[] = [];
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return b;
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  };
  const entry = (tag: number, type: number, count: number, value: Buffer) =>
    Buffer.concat([u16(tag), u16(type), u32(count), value]);
  const dms = (v: number) => {
    const d = Math.trunc(v);
    const m = Math.trunc((v - d) * 60);
    const s = Math.round(((v - d) * 60 - m) * 60 * 1000);
    return Buffer.concat([u32(d), u32(1), u32(m), u32(1), u32(s), u32(1000)]);
  };
  // Offsets are from the start of the TIFF header.
  const exifAt = 8 + 2 + 2 * 12 + 4;
  const dateAt = exifAt + 2 + 12 + 4;
  const gpsAt = dateAt + 20;
  const latAt = gpsAt + 2 + 4 * 12 + 4;
  const lonAt = latAt + 24;
  const date = Buffer.alloc(20);
  date.write(takenAt, 'ascii');
  const ref = (c: string) => Buffer.from([c.charCodeAt(0), 0, 0, 0]);
  entries.push(
    Buffer.from('MM\0\x2a\0\0\0\x08', 'latin1'),
    u16(2),
    entry(0x8769, 4, 1, u32(exifAt)),
    entry(0x8825, 4, 1, u32(gpsAt)),
    u32(0),
    u16(1),
    entry(0x9003, 2, 20, u32(dateAt)),
    u32(0),
    date,
    u16(4),
    entry(1, 2, 2, ref(lat < 0 ? 'S' : 'N')),
    entry(2, 5, 3, u32(latAt)),
    entry(3, 2, 2, ref(lon < 0 ? 'W' : 'E')),
    entry(4, 5, 3, u32(lonAt)),
    u32(0),
    dms(Math.abs(lat)),
    dms(Math.abs(lon)),
  );
  const tiff = Buffer.concat(entries);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), u16(tiff.length + 8), Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

/** A `w`×`h` camera-like JPEG, drawn and encoded by the browser, with EXIF spliced in after its
 * start marker. */
export async function cameraJpeg(
  page: Page,
  w: number,
  h: number,
  exif: { takenAt: string; lat: number; lon: number },
  seed = 7,
): Promise<Buffer> {
  const b64 = await page.evaluate(
    async ([w, h, first]) => {
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d')!;
      let seed = first;
      const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
      for (let i = 0; i < 4000; i++) {
        ctx.fillStyle = `#${(next() & 0xffffff).toString(16).padStart(6, '0')}`;
        ctx.fillRect(next() % w, next() % h, next() % 400, next() % 400);
      }
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return btoa(s);
    },
    [w, h, seed],
  );
  const plain = Buffer.from(b64, 'base64');
  return Buffer.concat([plain.subarray(0, 2), exifSegment(exif.takenAt, exif.lat, exif.lon), plain.subarray(2)]);
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Width and height from a JPEG's frame header. */
export function jpegSize(b: Buffer): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) throw new Error('not a JPEG segment');
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  throw new Error('no frame header');
}
