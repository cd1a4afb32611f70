import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerAddresses } from './addresses.js';

const specs = (id: string) =>
  id === 'n'
    ? [{ subnet: '10.8.0.0/24' }, { subnet: 'fd00:8::/64' }]
    : id === 'r'
      ? [{ subnet: '10.99.0.0/24', ipRange: '10.99.0.128/25', gateway: '10.99.0.1' }]
      : undefined;

test('addresses are handed out per owner, in turn, and given back with the owner', () => {
  const book = new ContainerAddresses(specs);
  assert.equal(book.allocate('n', 'a', 4), '10.8.0.2');
  assert.equal(book.allocate('n', 'a', 6), 'fd00:8::2');
  assert.equal(book.allocate('n', 'b', 4, '10.8.0.50'), '10.8.0.50');
  assert.throws(() => book.allocate('n', 'c', 4, '10.8.0.50'), /Address already in use/);
  assert.throws(() => book.allocate('n', 'c', 4, '10.9.0.1'), /no configured subnet or ip-range contain/);
  assert.equal(book.allocate('n', 'c', 4), '10.8.0.3');
  book.release('a');
  // A freed address is not reused at once: the search goes on after the last one handed out.
  assert.equal(book.allocate('n', 'd', 4), '10.8.0.4');
  assert.equal(book.allocate('r', 'd', 4), '10.99.0.128', 'dynamic addresses come from the ip-range');
  book.release('d', 'r');
  assert.equal(book.allocate('r', 'e', 4), '10.99.0.129');
  assert.throws(() => book.allocate('gone', 'e', 4), /has no IPv4 subnet/);
});

test('a daemon start marks what running containers hold, so nothing is handed out twice', () => {
  const book = new ContainerAddresses(specs);
  book.reserve('n', 'a', '10.8.0.2');
  book.reserve('n', 'b', '10.8.0.3');
  book.reserve('n', 'b', '10.8.0.3'); // twice is harmless
  assert.equal(book.allocate('n', 'c', 4), '10.8.0.4');
  book.release('b');
  assert.equal(book.allocate('n', 'd', 4, '10.8.0.3'), '10.8.0.3');
});
