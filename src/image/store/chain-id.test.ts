import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Digest } from '../../lib/digest.js';
import { chainIds, topChainId } from './chain-id.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

test('chain IDs follow the OCI formula: first = diff ID, then sha256(previous + " " + diff ID)', () => {
  const d0 = `sha256:${'a'.repeat(64)}` as Digest;
  const d1 = `sha256:${'b'.repeat(64)}` as Digest;
  const d2 = `sha256:${'c'.repeat(64)}` as Digest;
  // Worked by hand: no library code in the expectation.
  const c1 = `sha256:${hex(`sha256:${'a'.repeat(64)} sha256:${'b'.repeat(64)}`)}`;
  const c2 = `sha256:${hex(`${c1} sha256:${'c'.repeat(64)}`)}`;
  assert.deepEqual(chainIds([d0, d1, d2]), [d0, c1, c2]);
  assert.equal(topChainId([d0, d1, d2]), c2);
});

test('a fixed vector (computed once with sha256sum, outside Node)', () => {
  // printf '%s' '<d0> <d1>' | sha256sum
  const diffIds = [
    'sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1',
    'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
  ] as Digest[];
  assert.deepEqual(chainIds(diffIds), [
    diffIds[0],
    'sha256:c3191d32a37d7159b2e30830937d2e30268ad6c375a773a8994911a3aba9b93f',
  ]);
});

test('an image without layers has no chain', () => {
  assert.deepEqual(chainIds([]), []);
  assert.equal(topChainId([]), undefined);
});
