// berth run: the docker CLI's sequence — create (pulling a missing image), attach before start, register the wait
// (next-exit, or removed with --rm) before start, start, stream until the container's output ends, then exit with
// its status; -d prints the ID instead. Engine failures exit 125, or 126/127 when the command cannot be run.
import { type ParsedFlags, toCreateRequest, withHelpText } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { checkTty, monitorTtySize, type Streaming, streamAttached } from './attach-io.js';
import { consoleSize, createContainer } from './create-container.js';
import { errorText, logrusError } from './errors.js';
import { forwardSignals } from './signals.js';

/** toStatusError: the daemon's words decide 127 (not found), 126 (not executable) or 125. */
export function runError(cli: Cli, e: unknown): StatusError {
  const text = errorText(e);
  let status = 125;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(text)) {
    status = 127;
  } else if (/permission denied|is a directory/.test(text)) {
    status = 126;
  }
  return new StatusError(status, withHelpText(`${cli.bin} run`, text), { cause: e });
}

export default async function run(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  const opts = toCreateRequest(flags, {
    env: cli.env,
    consoleSize: consoleSize(cli),
    configDetachKeys: cli.config().detachKeys,
    daemonHost: client.host,
  });
  for (const w of opts.warnings) cli.err(`WARNING: ${w}\n`);
  const req = opts.request;
  if (!opts.detach) checkTty(cli, req.AttachStdin === true, opts.tty);

  let id: string;
  try {
    id = await createContainer(cli, opts);
  } catch (e) {
    throw runError(cli, e);
  }
  // With a TTY, Ctrl-C reaches the container through the terminal; signals are not proxied.
  const stopSignals = opts.sigProxy && !opts.tty ? forwardSignals(client, id) : undefined;
  try {
    const attach = req.AttachStdin || req.AttachStdout || req.AttachStderr;
    if (!attach) cli.out(`${id}\n`);
    let streaming: Streaming | undefined;
    if (attach) {
      const hs = await client.containers.attach(id, {
        stdin: req.AttachStdin,
        stdout: req.AttachStdout,
        stderr: req.AttachStderr,
        ...(opts.detachKeys ? { detachKeys: opts.detachKeys } : {}),
      });
      streaming = streamAttached(cli, hs, {
        tty: opts.tty,
        stdin: req.AttachStdin === true,
        stdout: req.AttachStdout === true,
        stderr: req.AttachStderr === true,
        stderrToStdout: opts.tty,
        detachKeys: opts.detachKeys,
      });
    }
    const status = attach || opts.rm ? (await exitStatus(cli, id, opts.rm)).code : undefined;
    try {
      await client.containers.start(id);
    } catch (e) {
      await streaming?.cancel();
      // docker waits for the daemon to remove the container; bounded here, so a daemon that does not cannot hang us.
      if (opts.rm && status) await Promise.race([status, new Promise((r) => setTimeout(r, 3000).unref())]);
      throw runError(cli, e);
    }
    if (!streaming || !status) return 0;
    if (opts.tty && cli.stdout.isTTY) monitorTtySize(cli, (size) => client.containers.resize(id, size));
    // As docker run: the output is read to its end even when the exit status comes first.
    if ((await streaming.done) === 'detached') return 0;
    const code = await status;
    if (code !== 0) throw new StatusError(code);
    return 0;
  } finally {
    stopSignals?.();
  }
}

/** waitExitOrRemoved, registered with the daemon before this resolves; its promise gives 125 when waiting fails. */
async function exitStatus(cli: Cli, id: string, removed: boolean): Promise<{ code: Promise<number> }> {
  const { result } = await cli.client().containers.waitRegistered(id, removed ? 'removed' : 'next-exit');
  const code = result.then(
    (r) => {
      if (r.Error?.Message) {
        cli.err(logrusError(`Error waiting for container: ${r.Error.Message}`));
        return 125;
      }
      return r.StatusCode;
    },
    (e: unknown) => {
      cli.err(logrusError(`error waiting for container: ${errorText(e)}`));
      return 125;
    },
  );
  return { code };
}
