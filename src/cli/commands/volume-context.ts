// formatter's volumeContext: the fields of `volume ls --format` and `system df -v` (Name, Driver, Scope, Mountpoint,
// Labels, Label, Links, Size) over one volume.
import type { Volume } from '../../api/volumes.js';
import { FormatContext } from './format-context.js';
import { humanSize } from './humanize.js';

export const VOLUME_HEADERS: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Availability: 'AVAILABILITY',
  Group: 'GROUP',
};

export class VolumeContext extends FormatContext {
  readonly #v: Volume;

  constructor(v: Volume) {
    super();
    this.#v = v;
  }

  get [Symbol.toStringTag](): string {
    return '*formatter.volumeContext';
  }

  Name(): string {
    return this.#v.Name;
  }
  Driver(): string {
    return this.#v.Driver;
  }
  Scope(): string {
    return this.#v.Scope;
  }
  Mountpoint(): string {
    return this.#v.Mountpoint;
  }
  Labels(): string {
    return Object.entries(this.#v.Labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }
  Label(name: string): string {
    return this.#v.Labels?.[name] ?? '';
  }
  Links(): string {
    const n = this.#v.UsageData?.RefCount ?? -1;
    return n < 0 ? 'N/A' : String(n);
  }
  Size(): string {
    const n = this.#v.UsageData?.Size ?? -1;
    return n < 0 ? 'N/A' : humanSize(n);
  }
  Availability(): string {
    return 'N/A';
  }
  Group(): string {
    return 'N/A';
  }
  Status(): string {
    return 'N/A';
  }
}

/** sortorder.NaturalLess: runs of digits compare as numbers, the rest byte by byte (the CLI's volume order). */
export function naturalLess(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
