import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerConfig as ImageConfig } from '../../image/types.js';
import { commandOf, mergeConfig } from './merge.js';

const IMAGE: ImageConfig = {
  Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8'],
  Entrypoint: ['/docker-entrypoint.sh'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  WorkingDir: '/srv',
  User: 'www-data',
  Labels: { maintainer: 'image', tier: 'web' },
  ExposedPorts: { '80/tcp': {} },
  Volumes: { '/var/cache': {} },
  StopSignal: 'SIGQUIT',
};

describe('mergeConfig (moby daemon/commit.go merge)', () => {
  it('takes everything from the image when the request sets nothing', () => {
    const out = mergeConfig({ Image: 'nginx' }, IMAGE);
    assert.deepEqual(out.Env, IMAGE.Env);
    assert.deepEqual(out.Entrypoint, ['/docker-entrypoint.sh']);
    assert.deepEqual(out.Cmd, ['nginx', '-g', 'daemon off;']);
    assert.equal(out.WorkingDir, '/srv');
    assert.equal(out.User, 'www-data');
    assert.deepEqual(out.Labels, { maintainer: 'image', tier: 'web' });
    assert.deepEqual(out.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(out.Volumes, { '/var/cache': {} });
    assert.equal(out.StopSignal, 'SIGQUIT');
  });

  it("puts the request's Env first, then the image's variables it does not override", () => {
    const out = mergeConfig({ Env: ['FOO=bar', 'LANG=en_GB.UTF-8'] }, IMAGE);
    assert.deepEqual(out.Env, ['FOO=bar', 'LANG=en_GB.UTF-8', 'PATH=/usr/local/bin:/usr/bin:/bin']);
  });

  it("a request Cmd replaces the image's Cmd but keeps its Entrypoint", () => {
    const out = mergeConfig({ Cmd: ['-v'] }, IMAGE);
    assert.deepEqual(out.Entrypoint, ['/docker-entrypoint.sh']);
    assert.deepEqual(out.Cmd, ['-v']);
  });

  it("a request Entrypoint drops the image's Cmd", () => {
    const out = mergeConfig({ Entrypoint: ['/bin/sh'] }, IMAGE);
    assert.deepEqual(out.Entrypoint, ['/bin/sh']);
    assert.equal(out.Cmd, null);
  });

  it('a string Entrypoint or Cmd counts as a one-element list', () => {
    const out = mergeConfig({ Entrypoint: '/bin/sh', Cmd: 'ls' }, IMAGE);
    assert.deepEqual(out.Entrypoint, ['/bin/sh']);
    assert.deepEqual(out.Cmd, ['ls']);
    assert.deepEqual(commandOf(out), { path: '/bin/sh', args: ['ls'] });
  });

  it('`--entrypoint ""` ([""]) resets the entrypoint and does not bring back the image Cmd', () => {
    const out = mergeConfig({ Entrypoint: [''] }, IMAGE);
    assert.equal(out.Entrypoint, null);
    assert.equal(out.Cmd, null);
    const withCmd = mergeConfig({ Entrypoint: [''], Cmd: ['echo', 'hi'] }, IMAGE);
    assert.equal(withCmd.Entrypoint, null);
    assert.deepEqual(withCmd.Cmd, ['echo', 'hi']);
  });

  it("an empty (non-null) Entrypoint list takes the image's Cmd but not its Entrypoint", () => {
    const out = mergeConfig({ Entrypoint: [] }, IMAGE);
    assert.deepEqual(out.Cmd, IMAGE.Cmd);
    assert.ok(out.Entrypoint === null || (Array.isArray(out.Entrypoint) && out.Entrypoint.length === 0));
  });

  it("request labels win over the image's, the image's others are kept", () => {
    const out = mergeConfig({ Labels: { tier: 'db', owner: 'me' } }, IMAGE);
    assert.deepEqual(out.Labels, { maintainer: 'image', tier: 'db', owner: 'me' });
  });

  it('ExposedPorts and Volumes are the union of both', () => {
    const out = mergeConfig({ ExposedPorts: { '443/tcp': {} }, Volumes: { '/data': {} } }, IMAGE);
    assert.deepEqual(out.ExposedPorts, { '80/tcp': {}, '443/tcp': {} });
    assert.deepEqual(out.Volumes, { '/var/cache': {}, '/data': {} });
  });

  it('request User, WorkingDir and StopSignal win', () => {
    const out = mergeConfig({ User: '1000', WorkingDir: '/tmp', StopSignal: 'SIGTERM' }, IMAGE);
    assert.equal(out.User, '1000');
    assert.equal(out.WorkingDir, '/tmp');
    assert.equal(out.StopSignal, 'SIGTERM');
  });

  it("the image's Healthcheck is used when the request has none", () => {
    const hc = { Test: ['CMD', 'true'], Interval: 5e9, Retries: 4 };
    const out = mergeConfig({}, { ...IMAGE, Healthcheck: hc });
    assert.deepEqual(out.Healthcheck, hc);
  });

  it("Healthcheck fields left zero in the request come from the image's, field by field", () => {
    const image = { ...IMAGE, Healthcheck: { Test: ['CMD', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 4 } };
    // `docker run --health-interval 10s` sends every field, the unset ones as zero.
    const out = mergeConfig(
      { Healthcheck: { Test: [], Interval: 10e9, Timeout: 0, StartPeriod: 0, Retries: 0 } },
      image,
    );
    assert.deepEqual(out.Healthcheck?.Test, ['CMD', 'true']);
    assert.equal(out.Healthcheck?.Interval, 10e9);
    assert.equal(out.Healthcheck?.Timeout, 2e9);
    assert.equal(out.Healthcheck?.Retries, 4);
    // `--health-cmd` alone keeps the image's timing.
    const cmdOnly = mergeConfig({ Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'] } }, image);
    assert.deepEqual(cmdOnly.Healthcheck?.Test, ['CMD-SHELL', 'curl -f localhost']);
    assert.equal(cmdOnly.Healthcheck?.Interval, 5e9);
    assert.equal(cmdOnly.Healthcheck?.Retries, 4);
  });

  it('`--no-healthcheck` (Test ["NONE"]) survives the merge', () => {
    const image = { ...IMAGE, Healthcheck: { Test: ['CMD', 'true'] } };
    const out = mergeConfig({ Healthcheck: { Test: ['NONE'] } }, image);
    assert.deepEqual(out.Healthcheck?.Test, ['NONE']);
  });

  it('works without an image config', () => {
    const out = mergeConfig({ Cmd: ['true'], Env: ['A=1'] }, undefined);
    assert.deepEqual(out.Env, ['A=1']);
    assert.deepEqual(out.Cmd, ['true']);
    assert.equal(out.Entrypoint, null);
    assert.equal(out.Volumes, null);
  });
});

describe('commandOf', () => {
  it('splits Entrypoint + Cmd into path and args', () => {
    assert.deepEqual(commandOf({ Entrypoint: ['/e', 'x'], Cmd: ['y'] }), { path: '/e', args: ['x', 'y'] });
    assert.deepEqual(commandOf({ Cmd: ['ls', '-l'] }), { path: 'ls', args: ['-l'] });
  });

  it('is undefined when there is nothing to run', () => {
    assert.equal(commandOf({ Entrypoint: null, Cmd: null }), undefined);
  });
});
