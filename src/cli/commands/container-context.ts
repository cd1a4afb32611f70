// formatter.ContainerContext: the fields `berth ps --format` templates see (ID, Image, Command, CreatedAt,
// RunningFor, Ports, State, Status, Size, Names, Labels, Label "x", Mounts, LocalVolumes, Networks, Platform), each
// computed as the docker CLI computes it, truncated unless --no-trunc.
import type { ContainerPort, ContainerSummary } from '../../api/index.js';
import { quote } from '../args/strconv.js';
import { FormatContext } from './format-context.js';
import { ellipsis, goTime, humanSize, timeAgo, truncateId } from './humanize.js';
import { familiarName, parseNormalizedNamed } from './reference.js';

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

export class ContainerContext extends FormatContext {
  readonly #c: ContainerSummary;
  readonly #trunc: boolean;
  /** Set when a template asked for Size (ps then asks the daemon for sizes). */
  sizeUsed = false;

  constructor(c: ContainerSummary, trunc: boolean) {
    super();
    this.#c = c;
    this.#trunc = trunc;
  }

  get [Symbol.toStringTag](): string {
    return '*formatter.ContainerContext';
  }

  ID(): string {
    return this.#trunc ? truncateId(this.#c.Id ?? '') : (this.#c.Id ?? '');
  }

  Names(): string {
    let names = (this.#c.Names ?? []).map((n) => n.replace(/^\//, ''));
    if (this.#trunc) {
      const plain = names.find((n) => !n.includes('/'));
      if (plain !== undefined) names = [plain];
    }
    return names.join(',');
  }

  Image(): string {
    const image = this.#c.Image ?? '';
    if (image === '') return '<no image>';
    if (this.#trunc) {
      const t = truncateId(this.#c.ImageID ?? '');
      if (t === truncateId(image)) return t;
      const ref = parseNormalizedNamed(image);
      if (ref) return ref.tag !== undefined ? `${familiarName(ref.name)}:${ref.tag}` : familiarName(ref.name);
    }
    return image;
  }

  Command(): string {
    const command = this.#c.Command ?? '';
    return goQuote(this.#trunc ? ellipsis(command, 20) : command);
  }

  CreatedAt(): string {
    return goTime(this.#c.Created ?? 0);
  }

  RunningFor(): string {
    return timeAgo(this.#c.Created ?? 0);
  }

  Platform(): null {
    return null;
  }

  Ports(): string {
    return displayablePorts(this.#c.Ports ?? []);
  }

  State(): string {
    return this.#c.State ?? '';
  }

  Status(): string {
    return this.#c.Status ?? '';
  }

  Size(): string {
    this.sizeUsed = true;
    const rw = humanSize(this.#c.SizeRw ?? 0, 3);
    const rootfs = this.#c.SizeRootFs ?? 0;
    return rootfs > 0 ? `${rw} (virtual ${humanSize(rootfs, 3)})` : rw;
  }

  Labels(): string {
    const labels = this.#c.Labels;
    if (!labels) return '';
    return Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  Label(name: string): string {
    return this.#c.Labels?.[name] ?? '';
  }

  Mounts(): string {
    return (this.#c.Mounts ?? [])
      .map((m) => {
        const name = m.Name ? m.Name : (m.Source ?? '');
        return this.#trunc ? ellipsis(name, 15) : name;
      })
      .join(',');
  }

  LocalVolumes(): string {
    return String((this.#c.Mounts ?? []).filter((m) => m.Driver === 'local').length);
  }

  Networks(): string {
    return Object.keys(this.#c.NetworkSettings?.Networks ?? {}).join(',');
  }
}

/** strconv.Quote, with a fast path for printable ASCII (the usual command line). */
function goQuote(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : quote(s);
}

/** formatter.DisplayablePorts: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports grouped into ranges. */
export function displayablePorts(ports: readonly ContainerPort[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      (a.IP ?? '').localeCompare(b.IP ?? '') ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      a.Type.localeCompare(b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== current) {
        const host = p.IP.includes(':') ? `[${p.IP}]` : p.IP;
        hostMappings.push(`${host}:${p.PublicPort ?? 0}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: current, last: current });
    } else if (current === g.last + 1) {
      g.last = current;
    } else {
      result.push(formGroup(key, g.first, g.last));
      groups.set(key, { first: current, last: current });
    }
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  const ip = parts.length > 1 ? parts[0]! : '';
  const type = parts.length > 1 ? parts[1]! : parts[0]!;
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}
