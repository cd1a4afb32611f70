import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilityMask, capabilityNames, parseStatusMask } from './capabilities.js';

test('capability names map to bits and back, with or without the CAP_ prefix', () => {
  assert.equal(capabilityMask(['CAP_KILL', 'net_bind_service']), (1n << 5n) | (1n << 10n));
  assert.deepEqual(capabilityNames((1n << 5n) | (1n << 21n)), ['CAP_KILL', 'CAP_SYS_ADMIN']);
  assert.throws(() => capabilityMask(['CAP_FLY']), /unknown capability "CAP_FLY"/);
  assert.equal(parseStatusMask('CapBnd:\t00000000a80425fb\n', 'CapBnd'), 0xa80425fbn);
});
