// Legacy link variables against moby 20.10's daemon/links (its tests' cases, and the exact order it emits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkEnv } from './link-env.js';

describe('linkEnv', () => {
  it('one port, the linked container env minus HOME and PATH, in Docker order', () => {
    assert.deepEqual(
      linkEnv({
        name: '/web/db',
        ip: '172.17.0.2',
        env: ['PASSWORD=gordon', 'HOME=/root', 'PATH=/bin', 'EMPTY=', 'NOEQUALS', 'X=a=b'],
        exposedPorts: ['6379/tcp'],
      }),
      [
        'DB_PORT=tcp://172.17.0.2:6379',
        'DB_PORT_6379_TCP=tcp://172.17.0.2:6379',
        'DB_PORT_6379_TCP_ADDR=172.17.0.2',
        'DB_PORT_6379_TCP_PORT=6379',
        'DB_PORT_6379_TCP_PROTO=tcp',
        'DB_NAME=/web/db',
        'DB_ENV_PASSWORD=gordon',
        'DB_ENV_EMPTY=',
        'DB_ENV_X=a=b',
      ],
    );
  });

  it('a run of consecutive ports gets the _START/_END forms first; the lowest port, tcp first, is ALIAS_PORT', () => {
    const env = linkEnv({
      name: '/app/my-db',
      ip: '10.0.0.5',
      exposedPorts: ['6381/tcp', '6379/tcp', '6380', '53/udp', '53/tcp'],
    });
    assert.deepEqual(env, [
      'MY_DB_PORT=tcp://10.0.0.5:53',
      'MY_DB_PORT_6379_TCP_START=tcp://10.0.0.5:6379',
      'MY_DB_PORT_6379_TCP_ADDR=10.0.0.5',
      'MY_DB_PORT_6379_TCP_PROTO=tcp',
      'MY_DB_PORT_6379_TCP_PORT_START=6379',
      'MY_DB_PORT_6379_TCP_END=tcp://10.0.0.5:6381',
      'MY_DB_PORT_6379_TCP_PORT_END=6381',
      'MY_DB_PORT_53_TCP=tcp://10.0.0.5:53',
      'MY_DB_PORT_53_TCP_ADDR=10.0.0.5',
      'MY_DB_PORT_53_TCP_PORT=53',
      'MY_DB_PORT_53_TCP_PROTO=tcp',
      'MY_DB_PORT_53_UDP=udp://10.0.0.5:53',
      'MY_DB_PORT_53_UDP_ADDR=10.0.0.5',
      'MY_DB_PORT_53_UDP_PORT=53',
      'MY_DB_PORT_53_UDP_PROTO=udp',
      ...['6379', '6380', '6381'].flatMap((p) => [
        `MY_DB_PORT_${p}_TCP=tcp://10.0.0.5:${p}`,
        `MY_DB_PORT_${p}_TCP_ADDR=10.0.0.5`,
        `MY_DB_PORT_${p}_TCP_PORT=${p}`,
        `MY_DB_PORT_${p}_TCP_PROTO=tcp`,
      ]),
      'MY_DB_NAME=/app/my-db',
    ]);
  });

  it('no exposed port: only the name', () => {
    assert.deepEqual(linkEnv({ name: '/a/b', ip: '10.0.0.2' }), ['B_NAME=/a/b']);
  });
});
