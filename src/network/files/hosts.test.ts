// /etc/hosts texts against what Docker 20.10 writes for the same container.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostsFile } from './hosts.js';

const LOCAL =
  '127.0.0.1\tlocalhost\n' +
  '::1\tlocalhost ip6-localhost ip6-loopback\n' +
  'fe00::0\tip6-localnet\n' +
  'ff00::0\tip6-mcastprefix\n' +
  'ff02::1\tip6-allnodes\n' +
  'ff02::2\tip6-allrouters\n';

describe('hostsFile', () => {
  it('a default-bridge container: the localhost lines, then its own address under its hostname', () => {
    assert.equal(
      hostsFile({ hostname: 'f00dcafe1234', addresses: ['172.17.0.2'] }),
      `${LOCAL}172.17.0.2\tf00dcafe1234\n`,
    );
  });

  it('--network none: no address, only the localhost lines', () => {
    assert.equal(hostsFile({ hostname: 'x' }), LOCAL);
  });

  it('a domain name (-h web --domainname example.com, or -h web.example.com) gives the FQDN and the bare name', () => {
    const want = `${LOCAL}10.0.0.2\tweb.example.com web\nfd00::2\tweb.example.com web\n`;
    assert.equal(hostsFile({ hostname: 'web', domainname: 'example.com', addresses: ['10.0.0.2', 'fd00::2'] }), want);
    assert.equal(hostsFile({ hostname: 'web.example.com', addresses: ['10.0.0.2', 'fd00::2'] }), want);
  });

  it('--add-host entries, then links, then the own line; IPv6 add-hosts split on the first colon', () => {
    const text = hostsFile({
      hostname: 'app',
      addresses: ['172.17.0.4'],
      extraHosts: ['db.local:10.1.2.3', 'gw:172.17.0.1', 'v6host:fd00::9'],
      links: [
        { alias: 'db', name: 'postgres', hostname: 'abc123', addresses: ['172.17.0.2'] },
        { alias: 'cache', name: 'cache', hostname: 'def456', addresses: ['172.17.0.3', 'fd00::3'] },
      ],
    });
    assert.equal(
      text,
      LOCAL +
        '10.1.2.3\tdb.local\n' +
        '172.17.0.1\tgw\n' +
        'fd00::9\tv6host\n' +
        '172.17.0.2\tdb abc123 postgres\n' +
        '172.17.0.3\tcache def456\n' +
        'fd00::3\tcache def456\n' +
        '172.17.0.4\tapp\n',
    );
  });

  it("the host's network: the host's file as is, or Docker's own without addresses once --add-host is given", () => {
    const host = '127.0.0.1 localhost\n10.0.0.1 myhost\n';
    assert.equal(hostsFile({ hostname: 'myhost', hostHosts: host, addresses: ['10.0.0.1'] }), host);
    assert.equal(
      hostsFile({ hostname: 'myhost', hostHosts: host, extraHosts: ['a:1.2.3.4'], addresses: ['10.0.0.1'] }),
      `${LOCAL}1.2.3.4\ta\n`,
    );
  });
});
