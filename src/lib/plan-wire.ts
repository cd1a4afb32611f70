// The length-prefixed wire format of berth-helper's plans (docs/helper-protocol.md), shared by the init plan and the
// network plan: u32le total length, then per op: u32le opcode, u32le argc, argc × (u32le length, bytes).

/** An argument: text, a number (sent as decimal text) or raw bytes. */
export type WireArg = string | number | bigint | Uint8Array;
/** One op: its opcode and its arguments. */
export type WireOp = readonly [code: number, args: readonly WireArg[]];

/** Strings are written straight into the buffer: a Buffer per argument (a plan has ~250) showed in start-up profiles. */
function argValue(a: WireArg): string | Uint8Array {
  return a instanceof Uint8Array || typeof a === 'string' ? a : a.toString();
}

const byteLength = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

/** Encodes the ops, including the leading u32le total length, into one buffer (sized first, then filled). */
export function encodeWireOps(wireOps: readonly WireOp[]): Buffer {
  const ops = wireOps.map(([code, args]) => ({ code, args: args.map(argValue) }));
  let size = 0;
  for (const { args } of ops) {
    size += 8;
    for (const a of args) size += 4 + byteLength(a);
  }
  const buf = Buffer.allocUnsafe(size + 4);
  let off = buf.writeUInt32LE(size, 0);
  for (const { code, args } of ops) {
    off = buf.writeUInt32LE(code, off);
    off = buf.writeUInt32LE(args.length, off);
    for (const a of args) {
      const len = byteLength(a);
      off = buf.writeUInt32LE(len, off);
      if (typeof a === 'string') buf.write(a, off, 'utf8');
      else buf.set(a, off);
      off += len;
    }
  }
  return buf;
}
