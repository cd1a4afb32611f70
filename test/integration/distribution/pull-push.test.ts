// docker pull/push/login through berthd against real registries started in the daemon's own network namespace:
// berth-registry (no auth, token auth with projects, htpasswd) and Debian's docker-registry (distribution 2.8).
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { daemonSuite } from '../daemon/helpers.js';
import { type SandboxRegistry, startBerthRegistry, startDistribution } from './registries.js';

const suite = await daemonSuite();
const skip = suite.skip ? { skip: suite.skip } : {};

/** Every file under `dir` (the layer store's records), for "nothing half-written" checks. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

describe('docker pull / push through berthd', skip, () => {
  let plain: SandboxRegistry;
  const regs: SandboxRegistry[] = [];
  const layerDb = () => join(suite.d.dir, 'data', 'image');
  const imageIds = async () => (await suite.d.docker('images', '-aq', '--no-trunc')).stdout.trim().split('\n').sort();

  before(async () => {
    plain = await startBerthRegistry(suite.d, 5000);
    regs.push(plain);
  });
  after(async () => {
    for (const r of regs) await r.stop();
  });

  it('pushes busybox, pulls it back after rmi, and runs it', async () => {
    const d = suite.d;
    const name = `${plain.host}/library/busybox:latest`;
    await d.docker('tag', 'busybox:latest', name);
    const pushed = await d.docker('push', name);
    assert.match(pushed.stdout, new RegExp(`The push refers to repository \\[${plain.host}/library/busybox\\]`));
    assert.match(pushed.stdout, /: Pushed/);
    assert.match(pushed.stdout, /latest: digest: sha256:[0-9a-f]{64} size: \d+/);
    // Pushed again: the registry has every blob, nothing is compressed again.
    const again = await d.docker('push', name);
    assert.match(again.stdout, /Layer already exists/);

    await d.docker('rmi', name);
    await d.docker('rmi', 'busybox:latest');
    const pulled = await d.docker('pull', name);
    assert.match(pulled.stdout, /Pulling from library\/busybox/);
    assert.match(pulled.stdout, /Pull complete/);
    assert.match(pulled.stdout, /Digest: sha256:[0-9a-f]{64}/);
    assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${plain.host}/library/busybox:latest`));
    assert.equal((await d.docker('inspect', '-f', '{{.Id}}', name)).stdout.trim(), suite.busyboxId);
    const digests = (await d.docker('inspect', '-f', '{{json .RepoDigests}}', name)).stdout;
    assert.match(digests, new RegExp(`${plain.host}/library/busybox@sha256:`));
    const run = await d.docker('run', '--rm', name, 'echo', 'pulled');
    assert.equal(run.stdout.trim(), 'pulled');
    await d.docker('tag', name, 'busybox:latest');

    const up = await d.docker('pull', name);
    assert.match(up.stdout, /Already exists/);
    assert.match(up.stdout, new RegExp(`Status: Image is up to date for ${plain.host}/library/busybox:latest`));
  });

  it('cross-mounts a blob into another repository of the same registry', async () => {
    const d = suite.d;
    const other = `${plain.host}/other/busybox:latest`;
    await d.docker('tag', 'busybox:latest', other);
    const pushed = await d.docker('push', other);
    assert.match(pushed.stdout, /Mounted from library\/busybox/);
    await d.docker('rmi', other);
  });

  it('an unknown tag is 404 manifest unknown, and leaves the stores as they were', async () => {
    const d = suite.d;
    const before = await filesUnder(layerDb());
    const ids = await imageIds();
    const r = await d.dockerResult(['pull', `${plain.host}/library/busybox:nope`]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      new RegExp(`manifest for ${plain.host}/library/busybox:nope not found: manifest unknown: manifest unknown`),
    );
    const http = await d.request('POST', `/images/create?fromImage=${plain.host}/library/busybox&tag=nope`);
    assert.equal(http.status, 404);
    assert.deepEqual(await filesUnder(layerDb()), before);
    assert.deepEqual(await imageIds(), ids);
  });

  it('a registry that is down is an error naming the connection refused', async () => {
    const r = await suite.d.dockerResult(['pull', '127.0.0.1:5999/library/busybox:latest']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /127\.0\.0\.1:5999.*connection refused/);
  });

  it('pull -a pulls every tag; concurrent pulls of one image all succeed', async () => {
    const d = suite.d;
    const repo = `${plain.host}/library/busybox`;
    await d.docker('tag', 'busybox:latest', `${repo}:v2`);
    await d.docker('push', `${repo}:v2`);
    await d.docker('rmi', `${repo}:v2`);
    const all = await d.docker('pull', '-a', repo);
    assert.match(all.stdout, /Pulling from library\/busybox/);
    const tags = (await d.docker('images', '--format', '{{.Tag}}', repo)).stdout.trim().split('\n').sort();
    assert.deepEqual(tags, ['latest', 'v2']);

    // From scratch: remove every reference so the layers go, then three pulls at once.
    await d.docker('rmi', `${repo}:v2`, `${repo}:latest`, 'busybox:latest');
    const results = await Promise.all([1, 2, 3].map(() => d.dockerResult(['pull', `${repo}:latest`])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.equal((await d.docker('inspect', '-f', '{{.Id}}', `${repo}:latest`)).stdout.trim(), suite.busyboxId);
    await d.docker('tag', `${repo}:latest`, 'busybox:latest');
  });

  it("pushes to and pulls from Debian's docker-registry (distribution 2.8); a corrupted blob fails the pull cleanly", async (t) => {
    const d = suite.d;
    const dist = await startDistribution(d, 5001);
    if (!dist) {
      t.skip('docker-registry is not installed');
      return;
    }
    regs.push(dist);
    const name = `${dist.host}/tools/busybox:1`;
    await d.docker('tag', 'busybox:latest', name);
    await d.docker('push', name);
    await d.docker('rmi', name);
    // A fresh repository name so berthd has no layer: rmi of busybox would take the layers it shares.
    const pulled = await d.docker('pull', name);
    assert.match(pulled.stdout, /Digest: sha256:/);
    assert.equal((await d.docker('run', '--rm', name, 'echo', 'from-distribution')).stdout.trim(), 'from-distribution');
    await d.docker('rmi', name);

    // Corrupt the layer blob on disk (same size): distribution serves it as is; berth must refuse it whole.
    const blobs = join(dist.root, 'docker', 'registry', 'v2', 'blobs', 'sha256');
    let biggest = { path: '', size: 0 };
    for (const f of await filesUnder(blobs)) {
      const s = (await stat(f)).size;
      if (s > biggest.size) biggest = { path: f, size: s };
    }
    const bytes = await readFile(biggest.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(biggest.path, bytes);
    // With busybox gone the layer must be downloaded: untag every name of the image first.
    const names = (await d.docker('inspect', '-f', '{{join .RepoTags " "}}', suite.busyboxId)).stdout.trim().split(' ');
    await d.docker('save', '-o', join(d.dir, 'busybox.tar'), 'busybox:latest');
    await d.docker('rmi', ...names);
    const beforeFiles = await filesUnder(layerDb());
    const ids = await imageIds();
    const r = await d.dockerResult(['pull', name]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /filesystem layer verification failed for digest sha256:[0-9a-f]{64}/);
    assert.deepEqual(await filesUnder(layerDb()), beforeFiles);
    assert.deepEqual(await imageIds(), ids);
    assert.deepEqual((await d.leftovers()).mounts, []);
    await d.docker('load', '-i', join(d.dir, 'busybox.tar'));
  });
});

const hash = (pw: string) => bcrypt.hashSync(pw, 4);

describe('registry auth through berthd: token (projects and roles), basic, docker login', skip, () => {
  const regs: SandboxRegistry[] = [];
  after(async () => {
    for (const r of regs) await r.stop();
  });
  const login = (host: string, user: string, pw: string) =>
    suite.d.dockerResult(['login', '-u', user, '--password-stdin', host], { input: pw });

  it('a developer of project a pushes to a and is refused on b; a guest pulls only; a bad password is refused', async () => {
    const d = suite.d;
    const r = await startBerthRegistry(
      d,
      5002,
      `auth:\n  token: { service: berth-registry, issuer: berth-test }\nusers:\n  alice: { password: '${hash('alice-pw')}' }\n  bob: { password: '${hash('bob-pw')}' }\nprojects:\n  a: { members: { alice: developer, bob: guest } }\n  b: { members: { bob: developer } }\n`,
    );
    regs.push(r);
    const bad = await login(r.host, 'alice', 'wrong');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unauthorized|401/i);

    const ok = await login(r.host, 'alice', 'alice-pw');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    // The token server gave a refresh token: the CLI keeps it as the identity token, not the password, and the
    // pushes below authenticate with it (OAuth2's refresh grant).
    const saved = JSON.parse(await readFile(join(d.dir, 'cli', 'config.json'), 'utf8')) as {
      auths: Record<string, { auth?: string; identitytoken?: string }>;
    };
    const entry = saved.auths[r.host];
    assert.ok(entry?.identitytoken, JSON.stringify(saved));
    assert.ok(
      !Buffer.from(entry.auth ?? '', 'base64')
        .toString()
        .includes('alice-pw'),
    );
    await d.docker('tag', 'busybox:latest', `${r.host}/a/busybox:1`);
    await d.docker('tag', 'busybox:latest', `${r.host}/b/busybox:1`);
    await d.docker('push', `${r.host}/a/busybox:1`);
    const refused = await d.dockerResult(['push', `${r.host}/b/busybox:1`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /denied/);

    assert.equal((await login(r.host, 'bob', 'bob-pw')).code, 0);
    await d.docker('rmi', `${r.host}/a/busybox:1`);
    const pulled = await d.docker('pull', `${r.host}/a/busybox:1`);
    assert.match(pulled.stdout, /Status: /);
    await d.docker('tag', 'busybox:latest', `${r.host}/a/busybox:2`);
    const guestPush = await d.dockerResult(['push', `${r.host}/a/busybox:2`]);
    assert.notEqual(guestPush.code, 0);
    assert.match(guestPush.stderr, /denied/);

    await d.docker('logout', r.host);
    const anon = await d.dockerResult(['pull', `${r.host}/a/busybox:1`]);
    assert.notEqual(anon.code, 0);
    for (const n of [`${r.host}/a/busybox:1`, `${r.host}/a/busybox:2`, `${r.host}/b/busybox:1`]) {
      await d.dockerResult(['rmi', n]);
    }
  });

  it("docker build pulls a private FROM with the CLI's stored logins (X-Registry-Config), and not without them", async () => {
    const d = suite.d;
    const r = await startBerthRegistry(
      d,
      5004,
      `auth:\n  token: { service: berth-registry, issuer: berth-test }\nusers:\n  dora: { password: '${hash('dora-pw')}' }\nprojects:\n  p: { members: { dora: developer } }\n`,
    );
    regs.push(r);
    assert.equal((await login(r.host, 'dora', 'dora-pw')).code, 0);
    const base = `${r.host}/p/base:1`;
    await d.docker('tag', 'busybox:latest', base);
    await d.docker('push', base);
    await d.docker('rmi', base);
    const ctx = join(d.dir, 'from-private');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${base}\nRUN echo built > /b\n`);
    const built = await d.dockerResult(['build', '-t', 'from-private:1', ctx]);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    await d.docker('rmi', 'from-private:1', base);
    await d.docker('logout', r.host);
    const refused = await d.dockerResult(['build', '--no-cache', ctx]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /unauthorized|denied|authentication required/i);
  });

  it('basic auth (htpasswd): login, push and pull; anonymous is refused', async () => {
    const d = suite.d;
    const dir = join(d.dir, 'htpasswd');
    await writeFile(dir, `carol:${hash('carol-pw')}\n`);
    const r = await startBerthRegistry(d, 5003, `auth:\n  htpasswd: { realm: berth-test, path: ${dir} }\n`);
    regs.push(r);
    const name = `${r.host}/team/busybox:1`;
    await d.docker('tag', 'busybox:latest', name);
    const anon = await d.dockerResult(['push', name]);
    assert.notEqual(anon.code, 0);
    assert.equal((await login(r.host, 'carol', 'carol-pw')).code, 0);
    await d.docker('push', name);
    await d.docker('rmi', name);
    await d.docker('pull', name);
    await d.docker('rmi', name);
    await d.docker('logout', r.host);
  });
});
