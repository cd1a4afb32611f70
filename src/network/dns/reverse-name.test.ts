// PTR names, upstream addresses and TCP framing: the pure parts of the embedded DNS server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, frame } from './framing.js';
import { parseReverseName } from './reverse-name.js';
import { parseUpstream } from './upstream.js';

describe('PTR names', () => {
  it('reads in-addr.arpa and ip6.arpa names back to addresses', () => {
    assert.equal(parseReverseName('2.0.17.172.in-addr.arpa'), '172.17.0.2');
    const v6 = `${'1.0.0.0.'.repeat(1)}${'0.0.0.0.'.repeat(6)}0.0.d.f.ip6.arpa`;
    assert.equal(parseReverseName(v6), 'fd00::1');
  });

  it('rejects partial zones, bad octets and other names', () => {
    for (const n of [
      '17.172.in-addr.arpa',
      '256.0.17.172.in-addr.arpa',
      '01.0.17.172.in-addr.arpa',
      'x.ip6.arpa',
      'web',
    ]) {
      assert.equal(parseReverseName(n), undefined, n);
    }
  });
});

describe('upstream addresses', () => {
  it('takes ip, ip:port, a bare IPv6 and [v6]:port', () => {
    assert.deepEqual(parseUpstream('127.0.0.53'), { host: '127.0.0.53', port: 53, family: 4 });
    assert.deepEqual(parseUpstream('10.0.0.1:5353'), { host: '10.0.0.1', port: 5353, family: 4 });
    assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53, family: 6 });
    assert.deepEqual(parseUpstream('[fd00::1]:54'), { host: 'fd00::1', port: 54, family: 6 });
  });

  it('refuses names, bad ports and unbracketed v6 with a port', () => {
    for (const s of ['dns.google', '10.0.0.1:0', '10.0.0.1:70000', '[10.0.0.1]x', '']) {
      assert.throws(() => parseUpstream(s), /invalid DNS server address/, s);
    }
  });
});

describe('TCP framing', () => {
  it('splits a stream into messages across chunk boundaries', () => {
    const r = new FrameReader();
    const stream = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('de'))]);
    assert.deepEqual(r.push(stream.subarray(0, 1)), []);
    assert.deepEqual(r.push(stream.subarray(1, 6)).map(String), ['abc']);
    assert.deepEqual(r.push(stream.subarray(6)).map(String), ['de']);
    assert.throws(() => r.push(Buffer.from([0, 0])), /zero-length/);
  });
});
