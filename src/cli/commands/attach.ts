// berth attach: connect our stdin/stdout/stderr to a running container until it exits (its status is ours) or the
// detach keys are typed.
import type { ParsedFlags } from '../args/index.js';
import type { Client } from '../../client/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { checkTty, monitorTtySize, streamAttached } from './attach-io.js';
import { forwardSignals } from './signals.js';

async function runningContainer(client: Client, name: string) {
  const c = await client.containers.inspect(name);
  if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
  return c;
}

export default async function attach(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  const name = flags.args[0]!;
  const { result } = await client.containers.waitRegistered(name);
  const c = await runningContainer(client, name);
  const tty = c.Config.Tty === true;
  checkTty(cli, !flags.bool('no-stdin'), tty);
  const detachKeys = flags.string('detach-keys') || cli.config().detachKeys || '';
  const stdin = !flags.bool('no-stdin') && c.Config.OpenStdin === true;
  const stopSignals = flags.bool('sig-proxy') && !tty ? forwardSignals(client, name) : undefined;
  try {
    const hs = await client.containers.attach(name, {
      stdin,
      stdout: true,
      stderr: true,
      ...(detachKeys ? { detachKeys } : {}),
    });
    await runningContainer(client, name);
    if (tty && cli.stdout.isTTY) monitorTtySize(cli, (size) => client.containers.resize(name, size));
    const end = await streamAttached(cli, hs, { tty, stdin, stdout: true, stderr: true, detachKeys }).done;
    if (end === 'detached') throw new StatusError(1, 'read escape sequence');
    const r = await result;
    if (r.Error?.Message) throw new StatusError(1, r.Error.Message);
    if (r.StatusCode !== 0) throw new StatusError(r.StatusCode);
    return 0;
  } finally {
    stopSignals?.();
  }
}
