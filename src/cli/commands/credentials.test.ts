import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  authConfigKey,
  convertToHostname,
  encodeAuthConfig,
  getAuthConfig,
  imageDomain,
  loadCredentials,
  registryAuthFor,
  saveCredentials,
  searchDomain,
} from './credentials.js';

test('X-Registry-Auth is URL-safe base64 of the JSON with empty fields left out', () => {
  assert.equal(encodeAuthConfig({}), 'e30=');
  const v = encodeAuthConfig({ username: 'a?>', password: '', serveraddress: 'h:5000' });
  assert.doesNotMatch(v, /[+/]/);
  assert.deepEqual(JSON.parse(Buffer.from(v, 'base64url').toString()), { username: 'a?>', serveraddress: 'h:5000' });
});

test("registry keys follow docker's rules: Docker Hub is its v1 index URL, others their host", () => {
  assert.equal(authConfigKey(imageDomain('busybox')!), 'https://index.docker.io/v1/');
  assert.equal(authConfigKey(imageDomain('index.docker.io/me/app:1')!), 'https://index.docker.io/v1/');
  assert.equal(authConfigKey(imageDomain('127.0.0.1:5000/a/b:1')!), '127.0.0.1:5000');
  assert.equal(imageDomain('UPPER'), undefined);
  assert.equal(searchDomain('busybox'), 'docker.io');
  assert.equal(searchDomain('me/app'), 'docker.io');
  assert.equal(searchDomain('localhost/app'), 'localhost');
  assert.equal(searchDomain('reg.example:5000/app'), 'reg.example:5000');
  assert.equal(convertToHostname('https://reg.example:5000/v2/'), 'reg.example:5000');
  assert.equal(convertToHostname('http://reg.example/'), 'reg.example');
  assert.equal(convertToHostname('reg.example:5000/path'), 'reg.example:5000');
});

test('credentials round-trip through config.json as `auths` with base64 auth, other keys kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-creds-'));
  try {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ psFormat: 'x', auths: { 'https://h:1': { auth: Buffer.from('u:p:w').toString('base64') } } }),
    );
    const f = await loadCredentials(dir);
    assert.deepEqual(getAuthConfig(f, 'h:1'), { username: 'u', password: 'p:w', serveraddress: 'https://h:1' });
    f.auths.set('h:2', { username: 'v', password: 'q', serveraddress: 'h:2', identitytoken: 't' });
    await saveCredentials(f);
    const text = await readFile(join(dir, 'config.json'), 'utf8');
    assert.deepEqual(JSON.parse(text), {
      auths: { 'https://h:1': { auth: 'dTpwOnc=' }, 'h:2': { auth: 'djpx', identitytoken: 't' } },
      psFormat: 'x',
    });
    assert.match(text, /^\{\n\t"auths": \{\n\t\t"https:\/\/h:1": \{\n\t\t\t"auth": "dTpwOnc="/);
    const header = await registryAuthFor(dir, 'h:2');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), {
      username: 'v',
      password: 'q',
      serveraddress: 'h:2',
      identitytoken: 't',
    });
    assert.equal(await registryAuthFor(join(dir, 'missing'), 'h:2'), 'e30=');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a new config.json is created private (0600) in a 0700 directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-creds-'));
  try {
    const f = await loadCredentials(join(dir, 'sub'));
    f.auths.set('h', { username: 'u', password: 'p', serveraddress: 'h' });
    await saveCredentials(f);
    assert.equal((await stat(join(dir, 'sub', 'config.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'sub'))).mode & 0o777, 0o700);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
