// berth events: the daemon's event stream (--since/--until/--filter), one line each in docker's format or -f.
import type { FilterArgs, ParsedFlags } from '../args/index.js';
import type { EventMessage } from '../../api/system.js';
import { parseTemplate, type Template } from '../template/index.js';
import { encodeFilters } from '../../client/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { filterValues } from './ps.js';
import { getTimestamp } from './timestamp.js';

/** time.Unix(0, ns).Format("2006-01-02T15:04:05.000000000Z07:00") in the local zone. */
export function rfc3339NanoFixed(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const off = -new Date(ms).getTimezoneOffset();
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
  const frac = String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
  const abs = Math.abs(off);
  const zone =
    off === 0
      ? 'Z'
      : `${off < 0 ? '-' : '+'}${String(Math.trunc(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local}.${frac}${zone}`;
}

/** prettyPrintEvent: "<time> container start <id> (image=busybox, name=x)". */
export function eventLine(e: EventMessage): string {
  let s = '';
  if (e.timeNano && String(e.timeNano) !== '0') s += `${rfc3339NanoFixed(BigInt(e.timeNano))} `;
  else if (e.time) s += `${rfc3339NanoFixed(BigInt(e.time) * 1_000_000_000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${s}\n`;
}

/** events.Actor. */
class Actor {
  constructor(
    readonly ID: string,
    readonly Attributes: Map<string, string>,
  ) {}
}

/**
 * events.Message: a struct (so an unknown field is an error, as in Go), its JSON keys in Go's order with the
 * omitempty ones left out, its Go field names (Status, Time, …) readable by templates but not marshalled.
 */
class Message {
  [k: string]: unknown;
  constructor(e: EventMessage) {
    if (e.status) this.status = e.status;
    if (e.id) this.id = e.id;
    if (e.from) this.from = e.from;
    this.Type = e.Type;
    this.Action = e.Action;
    this.Actor = new Actor(e.Actor?.ID ?? '', new Map(Object.entries(e.Actor?.Attributes ?? {})));
    this.scope = e.scope;
    this.time = e.time;
    this.timeNano = typeof e.timeNano === 'string' ? BigInt(e.timeNano) : e.timeNano;
    const alias = (go: string, json: string, zero: unknown) =>
      Object.defineProperty(this, go, { value: this[json] ?? zero, enumerable: false });
    alias('Status', 'status', '');
    alias('ID', 'id', '');
    alias('From', 'from', '');
    alias('Scope', 'scope', '');
    alias('Time', 'time', 0);
    alias('TimeNano', 'timeNano', 0);
  }
  get [Symbol.toStringTag](): string {
    return '*events.Message';
  }
}

export default async function events(cli: Cli, flags: ParsedFlags): Promise<number> {
  const format = flags.string('format');
  let tmpl: Template | undefined;
  if (format !== '') {
    try {
      tmpl = parseTemplate(format === 'json' ? '{{json .}}' : format);
      tmpl.execute(new Message({ Type: '', Action: '', Actor: { ID: '', Attributes: {} } } as unknown as EventMessage));
    } catch (e) {
      throw new StatusError(64, `Error parsing format: ${(e as Error).message}`);
    }
  }
  const since = flags.string('since');
  const until = flags.string('until');
  const res = await cli.client().transport.request('GET', '/events', {
    query: {
      since: since ? getTimestamp(since) : undefined,
      until: until ? getTimestamp(until) : undefined,
      filters: encodeFilters(filterValues(flags.get<FilterArgs>('filter'))),
    },
  });
  for await (const e of eventLines(res)) {
    cli.out(tmpl ? `${tmpl.execute(new Message(e))}\n` : eventLine(e));
  }
  return 0;
}

/**
 * The daemon's newline-separated events. timeNano is read as text first: nanoseconds since 1970 need 61 bits, more
 * than a double keeps exactly, and the default format prints all nine digits.
 */
async function* eventLines(res: AsyncIterable<Buffer | string>): AsyncGenerator<EventMessage> {
  let buf = '';
  const parse = (line: string): EventMessage | undefined => {
    if (line.trim() === '') return undefined;
    const e = JSON.parse(line.replace(/"timeNano":(\d+)/, '"timeNano":"$1"')) as EventMessage & { timeNano: unknown };
    return e;
  };
  for await (const chunk of res) {
    buf += String(chunk);
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const e = parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (e) yield e;
      nl = buf.indexOf('\n');
    }
  }
  const last = parse(buf);
  if (last) yield last;
}
