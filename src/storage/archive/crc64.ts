// CRC-64 with the ISO polynomial, as Go's hash/crc64 computes it (tar-split's per-file checksum, so berth's
// tar-split.json.gz files carry the same payloads as moby's). Slicing-by-8 over two 32-bit halves,
// read as aligned 32-bit words.

const POLY_HI = 0xd8000000 | 0; // ISO 0xD800000000000000, reversed form; its low half is zero
const TH = new Int32Array(256 * 8);
const TL = new Int32Array(256 * 8);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const bit = lo & 1;
    lo = (lo >>> 1) | (hi << 31);
    hi >>>= 1;
    if (bit) hi ^= POLY_HI;
  }
  TH[i] = hi;
  TL[i] = lo;
}
for (let i = 0; i < 256; i++) {
  let hi = TH[i]!;
  let lo = TL[i]!;
  for (let t = 1; t < 8; t++) {
    const idx = lo & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx]!;
    hi = (hi >>> 8) ^ TH[idx]!;
    TH[t * 256 + i] = hi;
    TL[t * 256 + i] = lo;
  }
}

// Input is read as little-endian 32-bit words where the platform's Int32Array is little-endian (else byte by byte).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A running CRC-64/ISO (Go's crc64.New(crc64.MakeTable(crc64.ISO))). */
export class Crc64 {
  // The register, kept inverted between updates.
  private hi = -1;
  private lo = -1;

  update(b: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    const n = b.length;
    // Bytes one at a time up to a 4-byte boundary, so the rest can be read as 32-bit words.
    let i = LITTLE_ENDIAN ? Math.min(n, (4 - (b.byteOffset & 3)) & 3) : n;
    for (let k = 0; k < i; k++) {
      const idx = (lo ^ b[k]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx]!;
      hi = (hi >>> 8) ^ TH[idx]!;
    }
    const pairs = (n - i) >>> 3;
    if (pairs > 0) {
      const w = new Int32Array(b.buffer, b.byteOffset + i, pairs * 2);
      const m = w.length;
      for (let k = 0; k < m; k += 2) {
        const x = lo ^ w[k]!;
        const y = hi ^ w[k + 1]!;
        hi =
          TH[1792 + (x & 0xff)]! ^
          TH[1536 + ((x >>> 8) & 0xff)]! ^
          TH[1280 + ((x >>> 16) & 0xff)]! ^
          TH[1024 + (x >>> 24)]! ^
          TH[768 + (y & 0xff)]! ^
          TH[512 + ((y >>> 8) & 0xff)]! ^
          TH[256 + ((y >>> 16) & 0xff)]! ^
          TH[y >>> 24]!;
        lo =
          TL[1792 + (x & 0xff)]! ^
          TL[1536 + ((x >>> 8) & 0xff)]! ^
          TL[1280 + ((x >>> 16) & 0xff)]! ^
          TL[1024 + (x >>> 24)]! ^
          TL[768 + (y & 0xff)]! ^
          TL[512 + ((y >>> 8) & 0xff)]! ^
          TL[256 + ((y >>> 16) & 0xff)]! ^
          TL[y >>> 24]!;
      }
      i += pairs * 8;
    }
    for (; i < n; i++) {
      const idx = (lo ^ b[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx]!;
      hi = (hi >>> 8) ^ TH[idx]!;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The checksum as 8 big-endian bytes (Go's Sum(nil)). */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
