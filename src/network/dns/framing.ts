// DNS over TCP's message framing (RFC 1035 4.2.2, RFC 7766): each message preceded by its length, 2 bytes big-endian.

/** `msg` with its 2-byte length prefix. */
export function frame(msg: Buffer): Buffer {
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(msg.length, 0);
  return Buffer.concat([head, msg]);
}

/** Splits a TCP byte stream into messages; a zero length is not a DNS message and throws. */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order; a partial one waits for the next chunk. */
  push(chunk: Buffer): Buffer[] {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (len === 0) throw new Error('zero-length DNS message');
      if (buf.length < 2 + len) break;
      out.push(buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
    }
    this.#pending = buf;
    return out;
  }
}
