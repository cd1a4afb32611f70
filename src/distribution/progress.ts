// Docker's JSON progress messages for pull and push (what the docker CLI draws as per-layer lines): the message
// shape, and a byte counter that reports a layer's progress at most every 100 ms.
import { shortId } from '../lib/digest.js';

export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: unknown;
}

export type ProgressOut = (m: ProgressMessage) => void;

/** One layer's line: `id` is the 12-hex short form of the digest it is named by. */
export function layerLine(out: ProgressOut, digest: string) {
  const id = shortId(digest);
  return {
    id,
    status: (status: string) => out({ status, progressDetail: {}, id }),
    bytes: (status: string, current: number, total: number) =>
      out({ status, progressDetail: total > 0 ? { current, total } : { current }, id }),
  };
}

/** Reports bytes moved (Downloading, Pushing) at most every `intervalMs`, and always the last count. */
export class ByteProgress {
  private last = 0;
  current = 0;

  constructor(
    private readonly report: (current: number) => void,
    private readonly intervalMs = 100,
  ) {}

  add(n: number): void {
    this.current += n;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.report(this.current);
    }
  }

  flush(): void {
    this.report(this.current);
  }
}
