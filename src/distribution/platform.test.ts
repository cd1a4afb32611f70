import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Descriptor } from '../image/types.js';
import { parsePlatform, selectManifest } from './platform.js';

const d = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a')}`,
  size: 1,
  platform: variant ? { os, architecture, variant } : { os, architecture },
});

test('--platform parses os/arch/variant with the usual aliases', () => {
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => parsePlatform('linux//x'), /unknown operating system or architecture/);
});

test('a manifest list entry is chosen by os, architecture and variant', () => {
  const list = [d('amd64', undefined, 'windows'), d('amd64'), d('arm', 'v6'), d('arm', 'v7'), d('arm64', 'v8')];
  assert.equal(selectManifest(list, { os: 'linux', architecture: 'amd64' }), list[1]);
  assert.equal(selectManifest(list, { os: 'linux', architecture: 'arm', variant: 'v7' }), list[3]);
  assert.equal(selectManifest(list, { os: 'linux', architecture: 'arm64', variant: 'v8' }), list[4]);
  assert.throws(
    () => selectManifest(list, { os: 'linux', architecture: 's390x' }),
    /no matching manifest for linux\/s390x in the manifest list entries/,
  );
});
