// `login`, `logout`, `push`, `pull` with stored credentials and `search`: berth's CLI side by side with the real docker
// CLI against one sandboxed berthd, with berth-registry (token auth with projects, and htpasswd) started inside the
// daemon's sandbox. Each CLI keeps its own config directory, so each writes its own credentials.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { DOCKER_CLI, runCommand } from '../../fixtures/berthd.js';
import { type SandboxRegistry, startBerthRegistry } from '../../integration/distribution/registries.js';
import { binaryNames, type CommandResult, cliSkipReason, type Sandbox, startSandbox } from './harness.js';

const skip = await cliSkipReason();
const T = { skip, timeout: 120_000 };
let s: Sandbox;
let token: SandboxRegistry;
let basic: SandboxRegistry;
let busyboxId: string;

type Who = 'docker' | 'berth';
const configDir = (who: Who, name = '') => join(s.daemon.dir, `config-${who}${name}`);

/** One CLI with its own config directory (`name` picks another one, e.g. an empty one). */
function run(who: Who, args: string[], opts: { input?: string; config?: string } = {}): Promise<CommandResult> {
  return runCommand(who === 'docker' ? DOCKER_CLI : s.berthBin, args, {
    env: { ...s.env, DOCKER_CONFIG: configDir(who, opts.config) },
    timeoutMs: 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

/** What a user sees, with the binary's name and the config directory taken out. */
function seen(r: CommandResult, who: Who, config?: string) {
  const dir = (t: string) => t.replaceAll(configDir(who, config), 'CONFIG');
  return { code: r.code, stdout: dir(r.stdout), stderr: binaryNames(dir(r.stderr)) };
}

/** Runs `args` with docker, then berth, each with its own config, and asserts both print the same. */
async function same(args: string[], opts: { input?: string; config?: string } = {}): Promise<CommandResult> {
  const d = await run('docker', args, opts);
  const b = await run('berth', args, opts);
  assert.deepEqual(seen(b, 'berth', opts.config), seen(d, 'docker', opts.config), `berth ${args.join(' ')}`);
  return b;
}

const configJson = async (who: Who): Promise<{ auths: Record<string, { auth?: string; identitytoken?: string }> }> =>
  JSON.parse(await readFile(join(configDir(who), 'config.json'), 'utf8'));

const hash = (pw: string) => bcrypt.hashSync(pw, 4);

before(async () => {
  if (skip) return;
  s = await startSandbox();
  busyboxId = (await s.docker(['inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
  token = await startBerthRegistry(
    s.daemon,
    5000,
    `auth:\n  token: { service: berth-registry, issuer: berth-test }\nusers:\n  alice: { password: '${hash('alice-pw')}' }\n  bob: { password: '${hash('bob-pw')}' }\nprojects:\n  a: { members: { alice: developer } }\n  b: { members: { bob: developer } }\n`,
  );
  const htpasswd = join(s.daemon.dir, 'htpasswd');
  await writeFile(htpasswd, `carol:${hash('carol-pw')}\n`);
  basic = await startBerthRegistry(s.daemon, 5001, `auth:\n  htpasswd: { realm: berth-test, path: ${htpasswd} }\n`);
});

after(async () => {
  if (skip) return;
  await token?.stop();
  await basic?.stop();
  await s?.stop();
});

describe('berth login / push / logout / search print what docker prints', () => {
  it('refused logins: bad password, no TTY, conflicting or missing flags', T, async () => {
    const bad = await same(['login', '-u', 'alice', '--password-stdin', token.host], { input: 'wrong\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error response from daemon: .*unauthorized|401/i);
    const tty = await same(['login', token.host]);
    assert.equal(tty.stderr, 'Error: Cannot perform an interactive login from a non TTY device\n');
    await same(['login', '--password-stdin', token.host], { input: 'x' });
    await same(['login', '-u', 'alice', '-p', 'x', '--password-stdin', token.host], { input: 'x' });
    await same(['login', '-u', '', '-p', 'x', token.host]);
    await same(['login', 'a', 'b']);
  });

  it(
    'login (token auth) prints Login Succeeded and stores the refresh token as the identity token, not the password',
    T,
    async () => {
      const r = await same(['login', '-u', 'alice', '--password-stdin', token.host], { input: 'alice-pw\n' });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'Login Succeeded\n');
      // The token server gave a refresh token: both CLIs keep it instead of the password, so no warning either.
      assert.doesNotMatch(r.stderr, /stored unencrypted/);
      const [d, b] = [await configJson('docker'), await configJson('berth')];
      // Each login gets a token of its own (its own jti): the entries match but for the token's value.
      const shape = (c: typeof d) =>
        JSON.stringify(c, (k, v) => (k === 'identitytoken' && typeof v === 'string' && v !== '' ? '<token>' : v));
      assert.equal(shape(b), shape(d));
      assert.ok(b.auths[token.host]?.identitytoken);
      assert.ok(
        !Buffer.from(b.auths[token.host]?.auth ?? '', 'base64')
          .toString()
          .includes('alice-pw'),
      );
      // With only an identity token stored (no password), the docker CLI asks again, as berth's does (same()).
      const again = await same(['login', token.host]);
      assert.equal(again.stderr, 'Error: Cannot perform an interactive login from a non TTY device\n');
      const pflag = await same(['login', '-u', 'alice', '-p', 'alice-pw', `http://${token.host}/v2/`]);
      assert.equal(pflag.stderr, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    },
  );

  it('push draws the push lines; a re-push, -q and refusals match docker', T, async () => {
    const name = `${token.host}/a/busybox:1`;
    assert.equal((await s.docker(['tag', 'busybox', name])).code, 0);
    const first = await run('berth', ['push', name]);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.split('\n');
    assert.equal(lines[0], `The push refers to repository [${token.host}/a/busybox]`);
    assert.match(lines[1]!, /^[0-9a-f]{12}: Preparing$/);
    assert.match(first.stdout, /\n[0-9a-f]{12}: Pushed\n/);
    assert.match(first.stdout, /\n1: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
    assert.doesNotMatch(first.stdout, /Pushing/, 'byte counts are a terminal-only progress bar');
    const again = await same(['push', name]);
    assert.match(again.stdout, /: Layer already exists\n/);
    const quiet = await same(['push', '-q', name]);
    assert.equal(quiet.stdout, `${name}\n`);
    await same(['push', '-a', name]);
    await same(['push', `${token.host}/a/busybox`]);
    await same(['push', `busybox@sha256:${'0'.repeat(64)}`]);
    assert.equal((await s.docker(['tag', 'busybox', `${token.host}/b/busybox:1`])).code, 0);
    const denied = await same(['push', `${token.host}/b/busybox:1`]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /denied/);
  });

  it('pull uses the stored credentials; without them a private project is refused', T, async () => {
    const name = `${token.host}/a/busybox:1`;
    assert.equal((await s.berth(['rmi', name])).code, 0);
    // (docker's CLI answers a 401 here by prompting "Login prior to pull:", and waits on a stdin that is not a TTY.)
    const anon = await run('berth', ['pull', name], { config: '-empty' });
    assert.equal(anon.code, 1);
    assert.equal(anon.stderr, 'Error response from daemon: unauthorized: authentication required\n');
    const pulled = await run('berth', ['pull', name]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /Digest: sha256:[0-9a-f]{64}\n/);
    assert.match(
      pulled.stdout,
      new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${name}\n${name}\n$`),
    );
    assert.equal((await s.berth(['inspect', '-f', '{{.Id}}', name])).stdout.trim(), busyboxId);
  });

  it('logout removes the credentials; a push after it is refused', T, async () => {
    const out = await same(['logout', token.host]);
    assert.equal(out.stdout, `Removing login credentials for ${token.host}\n`);
    assert.deepEqual((await configJson('berth')).auths, {});
    assert.deepEqual(await configJson('berth'), await configJson('docker'));
    await same(['logout', `https://${token.host}`]);
    await same(['logout', 'a', 'b']);
    const refused = await same(['push', `${token.host}/a/busybox:1`]);
    assert.equal(refused.code, 1);
  });

  it('htpasswd: login, push, rmi, pull back, logout, refused', T, async () => {
    const name = `${basic.host}/team/busybox:1`;
    assert.equal((await s.docker(['tag', 'busybox', name])).code, 0);
    const anon = await same(['push', name]);
    assert.equal(anon.code, 1);
    const login = await same(['login', '-u', 'carol', '--password-stdin', basic.host], { input: 'carol-pw' });
    assert.equal(login.stdout, 'Login Succeeded\n');
    const pushed = await run('berth', ['push', name]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /: Pushed\n/);
    assert.equal((await s.berth(['rmi', name])).code, 0);
    const pulled = await run('berth', ['pull', '-q', name]);
    assert.deepEqual([pulled.code, pulled.stdout], [0, `${name}\n`]);
    await same(['logout', basic.host]);
    assert.equal((await same(['push', name])).code, 1);
  });

  it('search: a registry without the v1 search API is an error, as docker reports it', T, async () => {
    const r = await same(['search', `${token.host}/busybox`]);
    assert.equal(r.code, 1);
    await same(['search', '--limit', 'x', 'busybox']);
    await same(['search', '-f', 'is-automated=true', `${token.host}/busybox`]);
  });
});
