// The API over TCP is mutual TLS only, and an authorization plugin (Docker's AuthZ protocol) can refuse requests by
// endpoint and by the client certificate's name: a plugin in this test allows `reader` to read only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AuthzRequest } from '../../../src/server/authz.js';
import { daemonSuite } from './helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'berth-authz-'));
const pki = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
pki(
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  'ca.key',
  '-out',
  'ca.pem',
  '-days',
  '2',
  '-subj',
  '/CN=berth-test-ca',
);
const issue = async (name: string, ext: string) => {
  pki(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  );
  await writeFile(join(dir, `${name}.ext`), ext);
  pki(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
};
await issue('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
await issue('admin', 'extendedKeyUsage=clientAuth\n');
await issue('reader', 'extendedKeyUsage=clientAuth\n');

// The plugin: implements authz; `reader` may only GET; everyone else anything. It records what it was asked.
const asked: AuthzRequest[] = [];
const pluginSock = join(dir, 'authz.sock');
const plugin: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    res.setHeader('Content-Type', 'application/vnd.docker.plugins.v1.2+json');
    if (req.url === '/Plugin.Activate') return res.end(JSON.stringify({ Implements: ['authz'] }));
    if (req.url === '/AuthZPlugin.AuthZReq') {
      const r = body as AuthzRequest;
      asked.push(r);
      const allow = r.User !== 'reader' || r.RequestMethod === 'GET' || r.RequestMethod === 'HEAD';
      return res.end(JSON.stringify(allow ? { Allow: true } : { Allow: false, Msg: `${r.User} may only read` }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
});
await new Promise<void>((resolve) => plugin.listen(pluginSock, resolve));

const suite = await daemonSuite({
  args: [
    '-H',
    'tcp://127.0.0.1:2376',
    '--tlsverify',
    '--tlscacert',
    join(dir, 'ca.pem'),
    '--tlscert',
    join(dir, 'server.pem'),
    '--tlskey',
    join(dir, 'server.key'),
    '--authorization-plugin',
    `unix://${pluginSock}`,
  ],
});
after(async () => {
  plugin.close();
  await rm(dir, { recursive: true, force: true });
});
const T = { skip: suite.skip, timeout: 60_000 };

/** curl inside the daemon's network namespace, over TLS with `who`'s client certificate (or none). */
async function api(who: string | undefined, method: string, path: string, body?: string) {
  const certs = who ? ['--cert', join(dir, `${who}.pem`), '--key', join(dir, `${who}.key`)] : [];
  const r = await suite.d.inSandbox('curl', [
    '-sS',
    '--max-time',
    '20',
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
    '--cacert',
    join(dir, 'ca.pem'),
    ...certs,
    '-X',
    method,
    ...(body ? ['-H', 'Content-Type: application/json', '-d', body] : []),
    `https://127.0.0.1:2376${path}`,
  ]);
  const lines = r.stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n'), stderr: r.stderr, code: r.code };
}

test('over TCP: a client without a certificate is refused at the handshake', T, async () => {
  const r = await api(undefined, 'GET', '/_ping');
  assert.notEqual(r.code, 0);
  assert.ok(!(r.status >= 200 && r.status < 300), JSON.stringify(r));
});

test(
  "the authorization plugin sees the certificate's name and refuses by endpoint: reader reads, cannot create",
  T,
  async () => {
    const list = await api('reader', 'GET', '/v1.41/containers/json');
    assert.equal(list.status, 200, list.body + list.stderr);
    const created = await api(
      'reader',
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: ['true'] }),
    );
    assert.equal(created.status, 403, created.body);
    assert.equal(
      JSON.parse(created.body).message,
      `authorization denied by plugin unix://${pluginSock}: reader may only read`,
    );
    const admin = await api(
      'admin',
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: 'busybox', Cmd: ['true'] }),
    );
    assert.equal(admin.status, 201, admin.body);
    const id = JSON.parse(admin.body).Id as string;
    assert.equal((await api('reader', 'DELETE', `/v1.41/containers/${id}`)).status, 403);
    assert.equal((await api('admin', 'DELETE', `/v1.41/containers/${id}`)).status, 204);
    const seen = asked.find((a) => a.RequestMethod === 'POST' && a.User === 'reader');
    assert.ok(seen, 'the plugin was asked');
    assert.equal(seen.UserAuthNMethod, 'TLS');
    assert.equal(seen.RequestURI, '/v1.41/containers/create');
    // The unix socket's clients carry no certificate: the plugin is asked with an empty user.
    await suite.d.docker('ps');
    assert.ok(asked.some((a) => a.User === '' && a.RequestURI.includes('/containers/json')));
  },
);
