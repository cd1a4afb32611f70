// PortBindings / -P to port requests: the forms the docker CLI sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { type PortMap, parseHostPort, portRequests } from './index.js';

describe('port requests from HostConfig', () => {
  it('takes every binding form: any port, fixed, range, one address, udp and sctp', () => {
    const got = portRequests(
      {
        '80/tcp': [
          { HostIp: '', HostPort: '8080' },
          { HostIp: '127.0.0.1', HostPort: '' },
        ],
        '53/udp': [{ HostPort: '8000-8010' }],
        '9/sctp': [{ HostIp: '::1', HostPort: '9' }],
        '443': [{}],
      },
      false,
      { '22/tcp': {} },
    );
    assert.deepEqual(got, [
      { proto: 'sctp', containerPort: 9, hostIp: '::1', hostPortStart: 9, hostPortEnd: 9 },
      { proto: 'tcp', containerPort: 80, hostIp: '', hostPortStart: 8080, hostPortEnd: 8080 },
      { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 },
      { proto: 'tcp', containerPort: 443, hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
      { proto: 'udp', containerPort: 53, hostIp: '', hostPortStart: 8000, hostPortEnd: 8010 },
    ]);
  });

  it('-P adds every exposed port not bound already, on any host port', () => {
    const got = portRequests({ '80/tcp': [{ HostPort: '8080' }] }, true, { '80/tcp': {}, '53/udp': {}, '8080': {} });
    assert.deepEqual(
      got.map((r) => `${r.containerPort}/${r.proto}:${r.hostPortStart}`),
      ['80/tcp:8080', '8080/tcp:0', '53/udp:0'],
    );
    assert.deepEqual(portRequests(undefined, false, { '80/tcp': {} }), []);
  });

  it('refuses bad input with InvalidParameter', () => {
    for (const [bindings, re] of [
      [{ '80/icmp': [{}] }, /invalid proto 'icmp'/],
      [{ 'x/tcp': [{}] }, /invalid port specification: "x\/tcp"/],
      [{ '80/tcp': [{ HostPort: '70000' }] }, /invalid port specification: "70000"/],
      [{ '80/tcp': [{ HostPort: '9-8' }] }, /invalid port specification: "9-8"/],
      [{ '80/tcp': [{ HostIp: '1.2.3', HostPort: '' }] }, /invalid IP address: 1\.2\.3/],
    ] as [PortMap, RegExp][]) {
      assert.throws(
        () => portRequests(bindings, false, undefined),
        (e: unknown) => isInvalidParameter(e) && re.test(e.message),
      );
    }
    assert.deepEqual(parseHostPort('8000-8010'), { start: 8000, end: 8010 });
  });
});
