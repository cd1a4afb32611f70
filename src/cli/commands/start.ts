// berth start: start containers and print their names; with -a/-i attach to one first (as docker start does: attach,
// register the wait, start, stream, then exit with the container's status).
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { monitorTtySize, streamAttached } from './attach-io.js';
import { errorText, logrusError } from './errors.js';
import { forwardSignals } from './signals.js';

export default async function start(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  const names = flags.args;
  if (!flags.bool('attach') && !flags.bool('interactive')) {
    const failed: string[] = [];
    for (const name of names) {
      try {
        await client.containers.start(name);
        cli.out(`${name}\n`);
      } catch (e) {
        cli.err(`${errorText(e)}\n`);
        failed.push(name);
      }
    }
    if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
    return 0;
  }
  if (names.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
  const c = await client.containers.inspect(names[0]!);
  const tty = c.Config.Tty === true;
  const stopSignals = tty ? undefined : forwardSignals(client, c.Id);
  try {
    const detachKeys = flags.string('detach-keys') || cli.config().detachKeys || '';
    const stdin = flags.bool('interactive') && c.Config.OpenStdin === true;
    const hs = await client.containers.attach(c.Id, {
      stdin,
      stdout: true,
      stderr: true,
      ...(detachKeys ? { detachKeys } : {}),
    });
    const streaming = streamAttached(cli, hs, { tty, stdin, stdout: true, stderr: true, detachKeys });
    const condition = c.HostConfig.AutoRemove ? 'removed' : 'next-exit';
    const { result } = await client.containers.waitRegistered(c.Id, condition);
    const status = result.then(
      (r) => r.StatusCode,
      (e: unknown) => {
        cli.err(logrusError(`error waiting for container: ${errorText(e)}`));
        return 125;
      },
    );
    try {
      await client.containers.start(c.Id);
    } catch (e) {
      await streaming.cancel();
      if (c.HostConfig.AutoRemove) await status;
      throw e;
    }
    if (tty && cli.stdout.isTTY) monitorTtySize(cli, (size) => client.containers.resize(c.Id, size));
    if ((await streaming.done) === 'detached') return 0;
    const code = await status;
    if (code !== 0) throw new StatusError(code);
    return 0;
  } finally {
    stopSignals?.();
  }
}
