// berth exec: run a command in a running container, attached (our stdio, exit status of the process) or -d.
import { type ParsedFlags, toExecCreateRequest, toExecStartRequest } from '../args/index.js';
import type { Cli } from './cli.js';
import { StatusError } from './cli.js';
import { checkTty, monitorTtySize, streamAttached } from './attach-io.js';
import { consoleSize } from './create-container.js';

export default async function exec(cli: Cli, flags: ParsedFlags): Promise<number> {
  const client = cli.client();
  const opts = toExecCreateRequest(flags, {
    env: cli.env,
    consoleSize: consoleSize(cli),
    configDetachKeys: cli.config().detachKeys,
  });
  const req = opts.request;
  // As docker: "no such container" comes before TTY complaints, and both before an exec is created.
  await client.containers.inspect(opts.container);
  if (!opts.detach) checkTty(cli, req.AttachStdin === true, opts.tty);
  const { Id: execId } = await client.exec.create(opts.container, req);
  if (!execId) throw new Error('exec ID empty');
  const startBody = toExecStartRequest(opts);
  if (opts.detach) {
    await client.exec.start(execId, { ...startBody, Detach: true });
    return 0;
  }
  const hs = await client.exec.start(execId, { ...startBody, Detach: false });
  const streaming = streamAttached(cli, hs, {
    tty: opts.tty,
    stdin: req.AttachStdin === true,
    stdout: req.AttachStdout === true,
    stderr: req.AttachStderr === true,
    stderrToStdout: opts.tty,
    detachKeys: req.DetachKeys ?? '',
  });
  if (opts.tty && cli.stdin.isTTY) monitorTtySize(cli, (size) => client.exec.resize(execId, size));
  if ((await streaming.done) === 'detached') throw new StatusError(1, 'read escape sequence');
  const inspect = await client.exec.inspect(execId);
  const code = inspect.ExitCode ?? 0;
  if (code !== 0) throw new StatusError(code);
  return 0;
}
