import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registryConfigAuth } from './login.js';

test("X-Registry-Config's entry for a registry becomes that registry's X-Registry-Auth (Hub's index URL is docker.io)", () => {
  const header = Buffer.from(
    JSON.stringify({
      'https://index.docker.io/v1/': { username: 'hub', password: 'h' },
      '127.0.0.1:5000': { username: 'local', password: 'l' },
    }),
  ).toString('base64url');
  const decode = (v: string | undefined) => JSON.parse(Buffer.from(v ?? '', 'base64url').toString('utf8'));
  assert.equal(decode(registryConfigAuth(header, 'docker.io')).username, 'hub');
  assert.equal(decode(registryConfigAuth(header, '127.0.0.1:5000')).username, 'local');
  assert.equal(registryConfigAuth(header, 'example.com'), undefined);
  assert.equal(registryConfigAuth(undefined, 'docker.io'), undefined);
  assert.throws(() => registryConfigAuth('%%%not base64', 'docker.io'), /X-Registry-Config/);
});
