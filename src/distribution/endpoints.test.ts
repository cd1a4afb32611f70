import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointsFor, isInsecure } from './endpoints.js';

const hosts = { insecureRegistries: ['reg.lan:5000', '10.1.0.0/16'], registryMirrors: ['http://127.0.0.1:6000'] };

test('loopback, listed hosts and CIDRs are insecure; others are not', () => {
  assert.equal(isInsecure('127.0.0.1:5000', hosts), true);
  assert.equal(isInsecure('localhost:5000', hosts), true);
  assert.equal(isInsecure('reg.lan:5000', hosts), true);
  assert.equal(isInsecure('reg.lan:5001', hosts), false);
  assert.equal(isInsecure('10.1.2.3:443', hosts), true);
  assert.equal(isInsecure('10.2.0.1', hosts), false);
  assert.equal(isInsecure('ghcr.io', hosts), false);
});

test('docker.io goes to its mirrors first (pulls only), then registry-1.docker.io', () => {
  assert.deepEqual(
    endpointsFor('docker.io', hosts).map((e) => [e.host, e.mirror]),
    [
      ['127.0.0.1:6000', true],
      ['registry-1.docker.io', false],
    ],
  );
  assert.deepEqual(
    endpointsFor('docker.io', hosts, true).map((e) => e.host),
    ['registry-1.docker.io'],
  );
  assert.deepEqual(endpointsFor('127.0.0.1:5000', hosts), [{ host: '127.0.0.1:5000', insecure: true, mirror: false }]);
});
