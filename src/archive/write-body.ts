// A tar entry's body written to an open file in 1 MiB batches: each write is a thread-pool round trip (or a syscall),
// and a tar's body comes in small chunks. For cp's extraction and layer apply alike.

/** Writes `body` to `fh`; returns the number of bytes written. */
export async function writeBody(
  fh: { writev(buffers: Buffer[]): Promise<unknown> },
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
): Promise<number> {
  let written = 0;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for await (const chunk of body) {
    pending.push(chunk);
    pendingLen += chunk.length;
    if (pendingLen >= 1 << 20) {
      await fh.writev(pending);
      written += pendingLen;
      pending = [];
      pendingLen = 0;
    }
  }
  if (pendingLen > 0) {
    await fh.writev(pending);
    written += pendingLen;
  }
  return written;
}
