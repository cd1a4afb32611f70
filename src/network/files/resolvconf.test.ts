// resolv.conf texts against libnetwork 20.10's (its FilterResolvDNS test vectors, and what a container gets per mode).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterResolvDns, resolvConf, resolvOptions, searchDomains } from './resolvconf.js';

describe('filterResolvDns (libnetwork FilterResolvDNS vectors)', () => {
  const ns0 = 'nameserver 10.16.60.14\nnameserver 10.16.60.21\n';
  const cases: Array<[string, boolean, string]> = [
    [ns0, false, ns0],
    ['nameserver 10.16.60.14\nnameserver 10.16.60.21\nnameserver 127.0.0.1\n', false, ns0],
    ['nameserver 10.16.60.14\nnameserver 127.0.0.1\nnameserver 10.16.60.21\n', false, ns0],
    ['nameserver 127.0.1.1\nnameserver 10.16.60.14\nnameserver 10.16.60.21\n', false, ns0],
    ['nameserver ::1\nnameserver 10.16.60.14\nnameserver 127.0.2.1\nnameserver 10.16.60.21\n', false, ns0],
    ['nameserver 10.16.60.14\nnameserver ::1\nnameserver 10.16.60.21\nnameserver ::1', false, ns0],
    ['nameserver 10.16.60.14\nnameserver 2002:dead:beef::1\nnameserver 10.16.60.21\nnameserver ::1', false, ns0],
    ['nameserver 10.16.60.14\nnameserver FE80::BB1%1\nnameserver FE80::BB1%eth0\nnameserver 10.16.60.21\n', false, ns0],
    [
      'nameserver 10.16.60.14\nnameserver 2002:dead:beef::1\nnameserver 10.16.60.21\nnameserver ::1',
      true,
      'nameserver 10.16.60.14\nnameserver 2002:dead:beef::1\nnameserver 10.16.60.21\n',
    ],
    [
      'nameserver 127.0.0.1\nnameserver ::1\nnameserver 127.0.2.1',
      true,
      '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844',
    ],
    ['nameserver 127.0.0.1\nnameserver ::1\nnameserver 127.0.2.1', false, '\nnameserver 8.8.8.8\nnameserver 8.8.4.4'],
  ];
  for (const [input, ipv6, want] of cases) {
    it(`${JSON.stringify(input)} ipv6=${ipv6}`, () => assert.equal(filterResolvDns(input, ipv6), want));
  }

  it('search and options: the last line counts, comments ignored', () => {
    assert.deepEqual(searchDomains('\t  search\t foo.example.com\t example.com\t# ignored'), [
      'foo.example.com',
      'example.com',
    ]);
    assert.deepEqual(searchDomains('search dup1\nsearch a b\nnameserver 1.2.3.4'), ['a', 'b']);
    assert.deepEqual(resolvOptions('options opt1 opt2\noptions opt3 opt4'), ['opt3', 'opt4']);
    assert.deepEqual(resolvOptions('# ignored'), []);
  });
});

// A systemd-resolved host, and a classic one.
const RESOLVED = '# This is /etc/resolv.conf\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n';
const CLASSIC = 'domain corp\nsearch corp example.com\nnameserver 10.0.0.2\nnameserver fd00::53\nnameserver 10.0.0.3\n';

describe('resolvConf', () => {
  it("host network: the host's file as is", () => {
    assert.deepEqual(resolvConf({ mode: 'host', host: RESOLVED }), { content: RESOLVED, upstreams: [] });
  });

  it('host network with --dns*: built from the host file with the flags overriding, loopback kept', () => {
    assert.equal(
      resolvConf({ mode: 'host', host: RESOLVED, dnsSearch: ['x.test'] }).content,
      'search x.test\nnameserver 127.0.0.53\noptions edns0 trust-ad\n',
    );
  });

  it('default bridge: loopback (and without IPv6, IPv6) nameservers dropped, the rest byte for byte', () => {
    assert.equal(
      resolvConf({ mode: 'bridge', host: CLASSIC }).content,
      'domain corp\nsearch corp example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n',
    );
    assert.equal(resolvConf({ mode: 'bridge', host: CLASSIC, ipv6: true }).content, CLASSIC);
  });

  it("default bridge on a systemd-resolved host: Docker's Google fallback, or the one given (the bridge gateway)", () => {
    // Filtered once with IPv6 on (Google's four appended), then with the network's setting (the IPv6 two removed).
    assert.equal(
      resolvConf({ mode: 'bridge', host: RESOLVED }).content,
      '# This is /etc/resolv.conf\noptions edns0 trust-ad\nsearch lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n',
    );
    assert.equal(
      resolvConf({ mode: 'bridge', host: RESOLVED, fallback: ['172.17.0.1'] }).content,
      '# This is /etc/resolv.conf\noptions edns0 trust-ad\nsearch lan\n\nnameserver 172.17.0.1',
    );
  });

  it('default bridge with --dns, --dns-search, --dns-option: each replaces its lines', () => {
    assert.equal(
      resolvConf({
        mode: 'bridge',
        host: CLASSIC,
        dns: ['1.1.1.1', '9.9.9.9'],
        dnsOptions: ['timeout:1', 'attempts:2'],
      }).content,
      'search corp example.com\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions timeout:1 attempts:2\n',
    );
    assert.equal(
      resolvConf({ mode: 'bridge', host: RESOLVED, dnsSearch: ['.'], fallback: ['172.17.0.1'] }).content,
      'nameserver 172.17.0.1\noptions edns0 trust-ad\n',
      'a search of "." writes no search line; loopback servers are not kept',
    );
  });

  it('embedded DNS: 127.0.0.11, search and options kept, ndots:0 added; the real servers returned', () => {
    assert.deepEqual(resolvConf({ mode: 'embedded', host: RESOLVED }), {
      content: 'search lan\nnameserver 127.0.0.11\noptions edns0 trust-ad ndots:0\n',
      upstreams: ['127.0.0.53'],
    });
    assert.deepEqual(resolvConf({ mode: 'embedded', host: CLASSIC }), {
      content: 'search corp example.com\nnameserver 127.0.0.11\noptions ndots:0\n',
      upstreams: ['10.0.0.2', '10.0.0.3'],
    });
    assert.deepEqual(resolvConf({ mode: 'embedded', host: CLASSIC, ipv6: true }), {
      content: 'search corp example.com\nnameserver 127.0.0.11\nnameserver fd00::53\noptions ndots:0\n',
      upstreams: ['10.0.0.2', '10.0.0.3'],
    });
  });

  it('embedded DNS with --dns*: the flags decide, --dns servers are the upstreams, a user ndots is kept', () => {
    assert.deepEqual(resolvConf({ mode: 'embedded', host: CLASSIC, dns: ['1.1.1.1', '2606:4700::1111'] }), {
      content: 'search corp example.com\nnameserver 127.0.0.11\nnameserver 2606:4700::1111\noptions ndots:0\n',
      upstreams: ['1.1.1.1'],
    });
    assert.deepEqual(resolvConf({ mode: 'embedded', host: RESOLVED, dnsOptions: ['ndots:3', 'rotate'] }), {
      content: 'search lan\nnameserver 127.0.0.11\noptions ndots:3 rotate\n',
      upstreams: ['127.0.0.53'],
    });
    assert.throws(
      () => resolvConf({ mode: 'embedded', host: '', dnsOptions: ['ndots'] }),
      /^InvalidParameter: invalid ndots option ndots$/,
    );
    assert.throws(
      () => resolvConf({ mode: 'embedded', host: '', dnsOptions: ['ndots:-1'] }),
      /invalid number for ndots option: -1/,
    );
  });

  it('embedded DNS keeps at most three upstreams, and falls back when the host lists none', () => {
    const many = [1, 2, 3, 4].map((i) => `nameserver 10.0.0.${i}`).join('\n');
    assert.deepEqual(resolvConf({ mode: 'embedded', host: many }).upstreams, ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.deepEqual(resolvConf({ mode: 'embedded', host: '' }), {
      content: 'nameserver 127.0.0.11\noptions ndots:0\n',
      upstreams: ['8.8.8.8', '8.8.4.4'],
    });
  });
});
