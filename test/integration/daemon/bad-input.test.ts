// Bad input to berthd: malformed or mistyped JSON, unknown containers, name conflicts, invalid references and names,
// unsupported features, garbage on the socket. Each gets Docker's status and a {"message"} body, and after each the
// daemon still answers `docker version`.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { daemonSuite } from './helpers.js';

const s = await daemonSuite();
const T = { skip: s.skip, timeout: 30_000 };
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** The daemon still answers the CLI. */
async function alive(): Promise<void> {
  const r = await s.d.dockerResult(['version', '--format', '{{.Server.Version}}']);
  assert.equal(r.code, 0, `berthd stopped answering: ${r.stderr}\n${await s.d.logTail()}`);
}

/** The JSON error body Docker sends: exactly {"message": string}. */
function message(body: string): string {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['message']);
  assert.equal(typeof parsed.message, 'string');
  return parsed.message as string;
}

test('malformed JSON to /containers/create is a 400 with a message', T, async () => {
  const r = await s.d.request('POST', '/containers/create', '{"Image": "busybox", ', JSON_TYPE);
  assert.equal(r.status, 400);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.match(message(r.body), /invalid JSON|unexpected EOF/i);
  await alive();
});

test('an empty body, a JSON array and a non-JSON content type are 400s', T, async () => {
  const empty = await s.d.request('POST', '/containers/create', '', JSON_TYPE);
  assert.equal(empty.status, 400);
  message(empty.body);
  const array = await s.d.request('POST', '/containers/create', '[1, 2]', JSON_TYPE);
  assert.equal(array.status, 400);
  message(array.body);
  const text = await s.d.request('POST', '/containers/create', '{"Image":"busybox"}', { 'Content-Type': 'text/plain' });
  assert.equal(text.status, 400);
  assert.match(message(text.body), /Content-Type/);
  await alive();
});

test('a field of the wrong type (HostConfig.Memory: "lots") is a 400, not a container', T, async () => {
  const r = await s.d.request(
    'POST',
    '/containers/create?name=typed-wrong',
    JSON.stringify({ Image: 'busybox', HostConfig: { Memory: 'lots' } }),
    JSON_TYPE,
  );
  await s.d.dockerResult(['rm', '-f', 'typed-wrong']);
  assert.equal(r.status, 400);
  assert.match(message(r.body), /Memory/);
  await alive();
});

test('a create without an image is a 400', T, async () => {
  const r = await s.d.request('POST', '/containers/create', JSON.stringify({ Cmd: ['true'] }), JSON_TYPE);
  assert.equal(r.status, 400);
  message(r.body);
  await alive();
});

test('an unknown container is a 404 "No such container: x" over the API', T, async () => {
  for (const [method, path] of [
    ['GET', '/containers/no-such-ctr/json'],
    ['POST', '/containers/no-such-ctr/start'],
    ['POST', '/containers/no-such-ctr/stop'],
    ['POST', '/containers/no-such-ctr/kill'],
    ['POST', '/containers/no-such-ctr/wait'],
    ['DELETE', '/containers/no-such-ctr'],
    ['GET', '/containers/no-such-ctr/logs?stdout=1'],
    ['GET', '/containers/no-such-ctr/top'],
  ] as const) {
    const r = await s.d.request(method, path);
    assert.equal(r.status, 404, `${method} ${path}: ${r.status} ${r.body}`);
    assert.equal(message(r.body), 'No such container: no-such-ctr', `${method} ${path}`);
  }
  await alive();
});

test(
  'an unknown container through the CLI: "Error response from daemon: No such container: x", exit 1',
  T,
  async () => {
    for (const verb of ['start', 'stop', 'restart', 'kill', 'rm', 'logs', 'wait', 'pause', 'top', 'port', 'diff']) {
      const r = await s.d.dockerResult([verb, 'no-such-ctr']);
      assert.equal(r.code, 1, `docker ${verb}: ${r.stderr}`);
      assert.match(r.stderr, /Error response from daemon: No such container: no-such-ctr/, `docker ${verb}`);
    }
    await alive();
  },
);

test('a name already in use is a 409 Conflict (CLI exit 125 for run/create)', T, async () => {
  await s.d.docker('create', '--name', 'taken', 'busybox', 'true');
  const id = (await s.d.docker('inspect', '-f', '{{.Id}}', 'taken')).stdout.trim();
  const r = await s.d.request('POST', '/containers/create?name=taken', JSON.stringify({ Image: 'busybox' }), JSON_TYPE);
  assert.equal(r.status, 409);
  assert.equal(
    message(r.body),
    `Conflict. The container name "/taken" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
  const cli = await s.d.dockerResult(['run', '--name', 'taken', 'busybox', 'true']);
  assert.equal(cli.code, 125);
  assert.match(cli.stderr, /Conflict\. The container name "\/taken" is already in use/);
  await s.d.docker('rm', 'taken');
  await alive();
});

test('an invalid container name is a 400', T, async () => {
  for (const name of ['a', 'bad/name', '-dash', 'sp ace']) {
    const r = await s.d.request(
      'POST',
      `/containers/create?name=${encodeURIComponent(name)}`,
      JSON.stringify({ Image: 'busybox' }),
      JSON_TYPE,
    );
    assert.equal(r.status, 400, `${name}: ${r.status} ${r.body}`);
    assert.match(message(r.body), /Invalid container name/);
  }
  await alive();
});

test('an invalid image reference is a 400 "invalid reference format"', T, async () => {
  // ("UPPER/case" would be valid: an upper-case first component is a registry host to Docker.)
  for (const image of ['Bad::ref', 'busybox/UPPER', 'busybox:tag with space']) {
    const r = await s.d.request('POST', '/containers/create', JSON.stringify({ Image: image }), JSON_TYPE);
    assert.equal(r.status, 400, `${image}: ${r.status} ${r.body}`);
    assert.match(message(r.body), /invalid reference format/);
  }
  const cli = await s.d.dockerResult(['tag', 'busybox', 'Bad:Ref']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /invalid reference format/);
  await alive();
});

test('an unknown image at create is a 404 "No such image"', T, async () => {
  const r = await s.d.request('POST', '/containers/create', JSON.stringify({ Image: 'not-here:1' }), JSON_TYPE);
  assert.equal(r.status, 404);
  assert.equal(message(r.body), 'No such image: not-here:1');
  await alive();
});

test('a volume name with "/" or ".." is a 400 in dockerd\'s words, an unknown volume driver a 404', T, async () => {
  for (const bind of ['my/vol:/data', '..:/data']) {
    const r = await s.d.request(
      'POST',
      '/containers/create',
      JSON.stringify({ Image: 'busybox', HostConfig: { Binds: [bind] } }),
      JSON_TYPE,
    );
    assert.equal(r.status, 400, bind);
    assert.match(message(r.body), /includes invalid characters for a local volume name/);
  }
  const driver = await s.d.request(
    'POST',
    '/volumes/create',
    JSON.stringify({ Name: 'v1', Driver: 'nfs-plugin' }),
    JSON_TYPE,
  );
  assert.equal(driver.status, 404);
  assert.match(message(driver.body), /plugin "nfs-plugin" not found/);
  await alive();
});

test('an invalid restart policy, a negative memory and an unknown signal are 400s', T, async () => {
  const policy = await s.d.request(
    'POST',
    '/containers/create',
    JSON.stringify({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }),
    JSON_TYPE,
  );
  assert.equal(policy.status, 400, policy.body);
  const memory = await s.d.request(
    'POST',
    '/containers/create',
    JSON.stringify({ Image: 'busybox', HostConfig: { Memory: -5 } }),
    JSON_TYPE,
  );
  assert.equal(memory.status, 400, memory.body);
  await s.d.docker('run', '-d', '--name', 'signalled', 'busybox', 'sleep', '300');
  const sig = await s.d.request('POST', '/containers/signalled/kill?signal=SIGNOPE');
  assert.equal(sig.status, 400, sig.body);
  await s.d.docker('rm', '-f', 'signalled');
  await alive();
});

test('unknown routes are 404 and unsupported API versions 400', T, async () => {
  const route = await s.d.request('GET', '/no/such/route');
  assert.equal(route.status, 404);
  message(route.body);
  const old = await s.d.request('GET', '/v1.12/version');
  assert.equal(old.status, 400);
  assert.match(message(old.body), /client version 1\.12 is too old\. Minimum supported API version is 1\.24/);
  const future = await s.d.request('GET', '/v9.99/version');
  assert.equal(future.status, 400);
  assert.match(message(future.body), /client version 9\.99 is too new/);
  const ok = await s.d.request('GET', '/v1.24/version');
  assert.equal(ok.status, 200);
  await alive();
});

test('/_ping answers GET and HEAD with the API-Version header', T, async () => {
  const get = await s.d.request('GET', '/_ping');
  assert.equal(get.status, 200);
  assert.equal(get.body, 'OK');
  assert.match(String(get.headers['api-version']), /^1\.\d+$/);
  const head = await s.d.request('HEAD', '/_ping');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.match(String(head.headers['api-version']), /^1\.\d+$/);
});

test('garbage on the socket and a connection dropped mid-body leave the daemon serving', T, async () => {
  const garbage = await rawExchange('\x00\x01\x02 this is not HTTP\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400/);
  // Promise 1000 bytes of body, send 10, hang up.
  await rawExchange(
    'POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Image":',
    true,
  );
  await alive();
});

test('docker version and info work (the daemon answers as a Docker engine)', T, async () => {
  const v = await s.d.docker('version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}');
  assert.match(v.stdout, /^1\.\d+ linux\n$/);
  const info = await s.d.docker('info', '--format', '{{.OperatingSystem}} {{.Driver}} {{.Containers}}');
  assert.match(info.stdout, /^\S.* (overlay2|vfs) \d+\n$/);
});

/** Writes `data` on a fresh connection and collects what comes back (or hangs up at once when `hangUp`). */
function rawExchange(data: string, hangUp = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(s.d.socketPath);
    let out = '';
    sock.on('data', (b: Buffer) => {
      out += b.toString();
    });
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
    sock.write(data, () => {
      if (hangUp) sock.destroy();
    });
    setTimeout(() => sock.destroy(), 3000);
  });
}

test('a corrupt tar to import and to load is refused naming the fault, and the daemon keeps serving', T, async () => {
  // A valid header start followed by garbage: the layer apply (on a worker thread) fails mid-stream. As dockerd, an
  // error after the progress stream began is its last JSON message (errorDetail), under the 200 already sent.
  const junk = `${'a.txt'.padEnd(100, '\0')}${'x'.repeat(412)}${'garbage'.repeat(1_200_000)}`;
  const tar = { 'Content-Type': 'application/x-tar' };
  const refusal = (r: { status: number; body: string }) =>
    r.status >= 400
      ? message(r.body)
      : (JSON.parse(r.body.trim().split('\n').at(-1) ?? '{}').errorDetail?.message ?? '');
  const imported = await s.d.request('POST', '/images/create?fromSrc=-&repo=bad/import', junk, tar);
  assert.match(refusal(imported), /invalid tar header/, imported.body);
  await alive();
  const loaded = await s.d.request('POST', '/images/load', junk, tar);
  assert.match(refusal(loaded), /tar/, loaded.body);
  await alive();
  const images = await s.d.docker('images', '--format', '{{.Repository}}');
  assert.doesNotMatch(images.stdout, /bad\/import/);
});
