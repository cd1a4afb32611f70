import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedSizes } from './shared-size.js';

describe('sharedSizes', () => {
  const size = (c: string) => ({ a: 100, b: 20, c: 3 })[c] ?? 0;

  it('is 0 for an image whose layers no other image has', () => {
    assert.deepEqual([...sharedSizes([{ id: 'i1', chainIds: ['a', 'b'] }], size)], [['i1', 0]]);
  });

  it('counts the layers two images have in common, for each of them', () => {
    const shared = sharedSizes(
      [
        { id: 'base', chainIds: ['a'] },
        { id: 'child', chainIds: ['a', 'b'] },
        { id: 'other', chainIds: ['c'] },
      ],
      size,
    );
    assert.deepEqual(Object.fromEntries(shared), { base: 100, child: 100, other: 0 });
  });
});
