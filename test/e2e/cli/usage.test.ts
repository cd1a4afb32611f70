// berth's CLI without a daemon: help, version, flag and usage errors (docker's texts and exit statuses, compared with
// the real docker CLI where it is installed), and the words it uses when the daemon cannot be reached.
import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DOCKER_CLI } from '../../fixtures/berthd.js';
import { runCommand } from '../../fixtures/dockerd.js';
import { repoRoot } from '../../fixtures/rootfs.js';
import { binaryNames, normalized } from './harness.js';

const root = await repoRoot();
const BERTH = join(root, 'bin', 'berth');
const built = await access(join(root, 'dist', 'bin', 'berth.cjs'), constants.R_OK).then(
  () => true,
  () => false,
);
const haveDocker = await access(DOCKER_CLI, constants.X_OK).then(
  () => true,
  () => false,
);
const skip = built ? undefined : 'dist/bin/berth.cjs is missing: run `node scripts/bundle.mjs`';
const NOWHERE = 'unix:///nonexistent/berth-e2e.sock';
const env = {
  ...process.env,
  DOCKER_HOST: NOWHERE,
  DOCKER_CONFIG: '/nonexistent/docker-config',
  DOCKER_CLI_HINTS: 'false',
};

const berth = (...args: string[]) => runCommand(BERTH, args, { env, timeoutMs: 20_000 });
const docker = (...args: string[]) => runCommand(DOCKER_CLI, args, { env, timeoutMs: 20_000 });

describe('berth without a daemon', () => {
  it('prints the help of a command on stdout and exits 0', { skip }, async () => {
    const r = await berth('ps', '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: {2}berth ps \[OPTIONS\]\n\nList containers\n\nAliases:\n {2}berth container ls/);
    assert.match(r.stdout, /-a, --all +Show all containers \(default shows just running\)/);
  });

  it('prints the root help, the management help and the version', { skip }, async () => {
    const help = await berth('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: {2}berth \[OPTIONS\] COMMAND\n/);
    assert.match(help.stdout, /\n {2}container +Manage containers\n/);
    const bare = await berth();
    assert.equal(bare.code, 0);
    assert.match(bare.stderr, /^Usage: {2}berth \[OPTIONS\] COMMAND/);
    const group = await berth('container', '--help');
    assert.match(group.stdout, /^Usage: {2}berth container COMMAND\n\nManage containers\n/);
    assert.match(group.stdout, /\n {2}ls +List containers\n/);
    const v = await berth('-v');
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^berth version \d+\.\d+\.\d+/);
  });

  it('says the daemon cannot be reached in docker words and exits 1', { skip }, async () => {
    const r = await berth('ps');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Cannot connect to the Docker daemon at ${NOWHERE}. Is the docker daemon running?\n`);
  });

  it('a missing image on run reaches the daemon first, so it also reports the daemon', { skip }, async () => {
    const r = await berth('run', '--rm', 'busybox', 'true');
    assert.equal(r.code, 125);
    assert.match(
      r.stderr,
      /^berth: Cannot connect to the Docker daemon at .*\n\nRun 'berth run --help' for more information\n$/,
    );
  });
});

describe('flag and usage errors match the docker CLI', () => {
  const cases: string[][] = [
    ['ps', '--foo'],
    ['ps', '-a', 'extra'],
    ['run', '--foo', 'busybox'],
    ['run'],
    ['run', '-p', 'abc', 'busybox'],
    ['run', '--memory', 'lots', 'busybox'],
    ['stop'],
    ['logs', 'a', 'b'],
    ['rename', 'a'],
    ['nosuchcommand'],
    ['container', 'nosuch'],
    ['images', '-x'],
    ['exec', 'onlyone'],
    ['--foo'],
    ['ps', '--help'],
    ['stop', '--help'],
    ['images', '--help'],
    ['logs', '--help'],
    ['run', '--help'],
  ];
  for (const args of cases) {
    it(args.join(' ') || '(none)', {
      skip: skip ?? (haveDocker ? undefined : 'the docker CLI is not installed'),
    }, async () => {
      const [b, d] = await Promise.all([berth(...args), docker(...args)]);
      const nb = normalized(b);
      const nd = normalized(d);
      nb.stdout = binaryNames(nb.stdout);
      nd.stdout = binaryNames(nd.stdout);
      assert.deepEqual(nb, nd);
    });
  }
});
