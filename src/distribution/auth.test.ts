import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialsOf, decodeRegistryAuth, parseChallenges } from './auth.js';

test('X-Registry-Auth decodes base64url JSON; empty and {} are anonymous', () => {
  const h = Buffer.from(JSON.stringify({ username: 'dev', password: 'p?>', serveraddress: 'r:5000' })).toString(
    'base64url',
  );
  assert.deepEqual(decodeRegistryAuth(h), { username: 'dev', password: 'p?>', serveraddress: 'r:5000' });
  assert.deepEqual(decodeRegistryAuth('e30='), {});
  assert.deepEqual(decodeRegistryAuth(undefined), {});
  assert.throws(() => decodeRegistryAuth('bm90IGpzb24'), /invalid X-Registry-Auth header/);
});

test('credentials come from the fields, else from auth', () => {
  assert.deepEqual(credentialsOf({ username: 'a', password: 'b' }), { username: 'a', password: 'b' });
  assert.deepEqual(credentialsOf({ auth: Buffer.from('u:p:q').toString('base64') }), {
    username: 'u',
    password: 'p:q',
  });
  assert.equal(credentialsOf({}), undefined);
});

test('challenges: Bearer with quoted params, Basic, several in one header', () => {
  const c = parseChallenges(
    'Bearer realm="http://127.0.0.1:5000/token",service="berth-registry",scope="repository:a/b:pull,push", Basic realm="x"',
  );
  assert.equal(c.length, 2);
  assert.equal(c[0]?.scheme, 'bearer');
  assert.deepEqual(c[0]?.params, {
    realm: 'http://127.0.0.1:5000/token',
    service: 'berth-registry',
    scope: 'repository:a/b:pull,push',
  });
  assert.deepEqual(c[1], { scheme: 'basic', params: { realm: 'x' } });
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
  ]);
});
