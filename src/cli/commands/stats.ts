// berth stats: CPU, memory, network, block I/O and PIDs of containers; --no-stream prints one table, otherwise the
// table is redrawn every half second from the daemon's live streams.
import type { ParsedFlags } from '../args/index.js';
import type { Client, ContainerStats } from '../../client/index.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { errorText } from './errors.js';
import { headers } from './format-context.js';
import { invalidEntry, STATS_HEADERS, StatsContext, type StatsEntry, statsEntry } from './stats-context.js';

const DEFAULT_TABLE =
  'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

async function targets(
  client: Client,
  names: readonly string[],
  all: boolean,
): Promise<{ name: string; id: string }[]> {
  if (names.length > 0) return names.map((n) => ({ name: n, id: n }));
  const list = await client.containers.list({ all });
  return list.map((c) => ({ name: c.Id, id: c.Id }));
}

export default async function stats(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  let format = flags.string('format') || cli.config().statsFormat || 'table';
  if (format === 'table') format = DEFAULT_TABLE;
  const trunc = !flags.bool('no-trunc');
  const render = (entries: StatsEntry[]) =>
    renderFormat(
      format,
      entries.map((e) => new StatsContext(e, trunc)),
      headers(STATS_HEADERS),
    );
  const list = await targets(client, flags.args, flags.bool('all'));

  if (flags.bool('no-stream')) {
    const errors: string[] = [];
    const entries = await Promise.all(
      list.map(async (t) => {
        try {
          return statsEntry(t.name, await client.containers.stats(t.id, { stream: false }));
        } catch (e) {
          if (flags.args.length > 0) errors.push(errorText(e));
          return invalidEntry(t.name);
        }
      }),
    );
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    cli.out(render(entries));
    return 0;
  }

  const latest = new Map<string, StatsEntry>(list.map((t) => [t.name, invalidEntry(t.name)]));
  const failures: unknown[] = [];
  for (const t of list) {
    void (async () => {
      try {
        const stream = await client.containers.stats(t.id);
        for await (const v of stream) latest.set(t.name, statsEntry(t.name, v as ContainerStats));
      } catch (e) {
        if (flags.args.length > 0) failures.push(e);
      }
    })();
  }
  const tty = cli.stdout.isTTY;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    if (failures.length > 0) throw new StatusError(1, errorText(failures[0]));
    cli.out((tty ? '\x1b[2J\x1b[H' : '') + render([...latest.values()]));
  }
}
