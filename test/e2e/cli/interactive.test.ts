// `berth run -it` in a real terminal (tmux, on a server of its own): the container gets a TTY sized like ours, its
// exit status becomes ours, and Ctrl-P Ctrl-Q detaches, leaving it running.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliSkipReason, eventually, type Sandbox, startSandbox } from './harness.js';

const run = promisify(execFile);
const haveTmux = await run('tmux', ['-V']).then(
  () => true,
  () => false,
);
const skip = (await cliSkipReason()) ?? (haveTmux ? undefined : 'tmux is not installed');
const T = { skip, timeout: 60_000 };
const SERVER = `berth-e2e-${process.pid}`;
let s: Sandbox;
let work: string;

const tmux = (...args: string[]) => run('tmux', ['-L', SERVER, ...args]);
const screen = async (session: string) => (await tmux('capture-pane', '-t', session, '-p')).stdout;
const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;

/** Starts `berth <args>` in an 80x24 tmux session; its exit status is written to `<work>/<session>.rc`. */
async function startInTmux(session: string, args: string[]): Promise<string> {
  const rc = join(work, `${session}.rc`);
  const env = `DOCKER_HOST=${quote(s.env.DOCKER_HOST!)} DOCKER_CONFIG=${quote(s.env.DOCKER_CONFIG!)}`;
  const cmd = `env ${env} ${quote(s.berthBin)} ${args.map(quote).join(' ')}; echo $? > ${quote(rc)}; sleep 60`;
  await tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', cmd);
  return rc;
}

const exitStatus = async (rc: string) => {
  let text = '';
  await eventually(
    async () => {
      text = await readFile(rc, 'utf8').catch(() => '');
      return text.endsWith('\n');
    },
    10_000,
    `${rc}`,
  );
  return Number(text.trim());
};

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'berth-tty-e2e-'));
  s = await startSandbox();
});

after(async () => {
  if (skip) return;
  await tmux('kill-server').catch(() => {});
  try {
    await s?.stop();
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
});

describe('berth run -it in a terminal', () => {
  it('gives the container a terminal of our size and exits with its status', T, async () => {
    const rc = await startInTmux('exit', ['run', '-it', '--rm', 'busybox', 'sh']);
    await eventually(async () => (await screen('exit')).includes('/ #'), 10_000, 'the shell prompt');
    await tmux('send-keys', '-t', 'exit', 'tty; stty size', 'Enter');
    await eventually(async () => /\/dev\/pts\/0\n24 80\n/.test(await screen('exit')), 10_000, 'tty and stty output');
    await tmux('send-keys', '-t', 'exit', 'exit 3', 'Enter');
    assert.equal(await exitStatus(rc), 3);
  });

  it('Ctrl-P Ctrl-Q detaches, exits 0 and leaves the container running', T, async () => {
    const rc = await startInTmux('detach', ['run', '-it', '--name', 'tty-detach', 'busybox', 'sh']);
    await eventually(async () => (await screen('detach')).includes('/ #'), 10_000, 'the shell prompt');
    await tmux('send-keys', '-t', 'detach', 'C-p', 'C-q');
    assert.equal(await exitStatus(rc), 0);
    const r = await s.berth(['inspect', '-f', '{{.State.Running}}', 'tty-detach']);
    assert.equal(r.stdout, 'true\n');
    await s.berth(['rm', '-f', 'tty-detach']);
  });

  it('exec -it runs in the container on a terminal of its own, with the exec status', T, async () => {
    await s.berth(['run', '-d', '--name', 'tty-exec', 'busybox', 'sleep', '1000']);
    const rc = await startInTmux('exec', ['exec', '-it', 'tty-exec', 'sh']);
    await eventually(async () => (await screen('exec')).includes('/ #'), 10_000, 'the shell prompt');
    await tmux('send-keys', '-t', 'exec', 'tty; echo in-exec; exit 6', 'Enter');
    assert.equal(await exitStatus(rc), 6);
    assert.match(await screen('exec'), /^in-exec$/m);
    // The pty comes from the container's own devpts, so the process can name its terminal.
    assert.match(await screen('exec'), /^\/dev\/pts\/\d+$/m);
    await s.berth(['rm', '-f', 'tty-exec']);
  });

  it('save and export refuse to write a tar to the terminal', T, async () => {
    const rc = await startInTmux('save', ['save', 'busybox']);
    assert.equal(await exitStatus(rc), 1);
    assert.match(await screen('save'), /^cowardly refusing to save to a terminal\. Use the -o flag or redirect$/m);
  });
});
