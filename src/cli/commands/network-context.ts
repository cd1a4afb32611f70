// formatter's networkContext: the fields of `network ls --format` (ID, Name, Driver, Scope, IPv4, IPv6, Internal,
// Labels, Label, CreatedAt) over one network of the list.
import type { NetworkResource } from '../../api/networks.js';
import { FormatContext } from './format-context.js';
import { goTime, truncateId } from './humanize.js';

export const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

export class NetworkContext extends FormatContext {
  readonly #n: NetworkResource & { EnableIPv4?: boolean };
  readonly #trunc: boolean;

  constructor(n: NetworkResource, trunc: boolean) {
    super();
    this.#n = n;
    this.#trunc = trunc;
  }

  get [Symbol.toStringTag](): string {
    return '*formatter.networkContext';
  }

  ID(): string {
    return this.#trunc ? truncateId(this.#n.Id) : this.#n.Id;
  }
  Name(): string {
    return this.#n.Name;
  }
  Driver(): string {
    return this.#n.Driver;
  }
  Scope(): string {
    return this.#n.Scope;
  }
  IPv4(): string {
    return String(this.#n.EnableIPv4 ?? false);
  }
  IPv6(): string {
    return String(this.#n.EnableIPv6);
  }
  Internal(): string {
    return String(this.#n.Internal);
  }
  Labels(): string {
    return Object.entries(this.#n.Labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }
  Label(name: string): string {
    return this.#n.Labels?.[name] ?? '';
  }
  /** Go's time.Time.String(), with the nanoseconds the daemon gave. */
  CreatedAt(): string {
    const ms = Date.parse(this.#n.Created);
    if (Number.isNaN(ms)) return '0001-01-01 00:00:00 +0000 UTC';
    const frac = /\.(\d+)/.exec(this.#n.Created)?.[1]?.replace(/0+$/, '') ?? '';
    const s = goTime(Math.floor(ms / 1000));
    return frac === '' ? s : s.replace(/^(\S+ \S+)/, `$1.${frac}`);
  }
}
