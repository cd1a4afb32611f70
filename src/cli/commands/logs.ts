// berth logs: a container's output so far (and, with -f, as it comes), stdout and stderr kept apart unless the
// container has a TTY.
import type { ParsedFlags } from '../args/index.js';
import { demux } from '../../client/index.js';
import type { Cli } from './cli.js';
import { getTimestamp } from './timestamp.js';

const writeTo = (stream: NodeJS.WriteStream) => (chunk: Buffer) =>
  stream.write(chunk) ? undefined : new Promise<void>((r) => stream.once('drain', r));

export default async function logs(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  const c = await client.containers.inspect(flags.args[0]!);
  const since = flags.string('since');
  const until = flags.string('until');
  const res = await client.containers.logs(c.Id, {
    stdout: true,
    stderr: true,
    follow: flags.bool('follow'),
    ...(since ? { since: getTimestamp(since) } : {}),
    ...(until ? { until: getTimestamp(until) } : {}),
    timestamps: flags.bool('timestamps'),
    details: flags.bool('details'),
    tail: flags.string('tail'),
  });
  const out = writeTo(cli.stdout);
  if (c.Config.Tty) {
    for await (const chunk of res) await out(chunk as Buffer);
  } else {
    await demux(res, out, writeTo(cli.stderr));
  }
  return 0;
}
