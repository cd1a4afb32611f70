// Docker's 8-byte stream framing, as berth's shim speaks it on an attach connection (docs/helper-protocol.md):
// `[kind, 0, 0, 0, len u32 BE]` then `len` bytes. Shared by every runtime's attach stream and the engine's attach.
export const FrameKind = { Stdin: 0, Stdout: 1, Stderr: 2, CloseStdin: 3, Resize: 4 } as const;

export function frame(kind: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(rows, 0);
  p.writeUInt16BE(cols, 2);
  return frame(FrameKind.Resize, p);
}

/** Splits a framed byte stream into (kind, payload) callbacks; returns a push function for incoming chunks. */
export function frameReader(onFrame: (kind: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const len = buf.readUInt32BE(4);
      if (buf.length < 8 + len) break;
      onFrame(buf[0] as number, buf.subarray(8, 8 + len));
      buf = buf.subarray(8 + len);
    }
  };
}
