import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { validateHostConfig } from './validate.js';

const MiB = 1024 * 1024;
const invalid = (message: string) => (e: unknown) => e instanceof InvalidParameter && e.message === message;
const refuses = (hc: HostConfig, message: string) => assert.throws(() => validateHostConfig(hc), invalid(message));

describe('validateHostConfig (moby verifyContainerSettings)', () => {
  it('accepts an empty HostConfig without warnings', () => {
    assert.deepEqual(validateHostConfig({}), []);
  });

  it('accepts sensible resources', () => {
    assert.deepEqual(
      validateHostConfig({ Memory: 64 * MiB, MemorySwap: 128 * MiB, MemoryReservation: 32 * MiB, NanoCpus: 5e8 }),
      [],
    );
    assert.deepEqual(validateHostConfig({ Memory: 64 * MiB, MemorySwap: -1 }), []);
    assert.deepEqual(validateHostConfig({ CpuPeriod: 100_000, CpuQuota: 50_000 }), []);
  });

  it('refuses limits a cgroup would only refuse at start', () => {
    refuses({ CpuShares: -5 }, 'invalid CPU shares (-5): the minimum allowed cpu-shares is 2');
    refuses({ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100');
    refuses({ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000');
    refuses({ OomScoreAdj: 1001 }, 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
    refuses({ ShmSize: -1 }, 'SHM size can not be less than 0');
    assert.deepEqual(
      validateHostConfig({ CpuShares: 512, MemorySwappiness: -1, BlkioWeight: 500, OomScoreAdj: -500 }),
      [],
    );
  });

  it('refuses --rm with a restart policy', () => {
    refuses(
      { AutoRemove: true, RestartPolicy: { Name: 'always' } },
      "can't create 'AutoRemove' container with restart policy",
    );
    assert.deepEqual(validateHostConfig({ AutoRemove: true, RestartPolicy: { Name: 'no' } }), []);
  });

  it('checks the restart policy', () => {
    assert.throws(() => validateHostConfig({ RestartPolicy: { Name: 'bogus' } }), InvalidParameter);
  });

  it('memory below 6MB', () => {
    refuses({ Memory: 6 * MiB - 1 }, 'Minimum memory limit allowed is 6MB');
    assert.deepEqual(validateHostConfig({ Memory: 6 * MiB }), []);
  });

  it('swap below memory', () => {
    refuses(
      { Memory: 64 * MiB, MemorySwap: 32 * MiB },
      'Minimum memoryswap limit should be larger than memory limit, see usage',
    );
  });

  it('swap without memory', () => {
    refuses({ MemorySwap: 64 * MiB }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
  });

  it('reservation above the limit', () => {
    refuses(
      { Memory: 32 * MiB, MemoryReservation: 64 * MiB },
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    );
  });

  it('NanoCpus with a CPU period or quota', () => {
    refuses({ NanoCpus: 1e9, CpuPeriod: 100_000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
    refuses({ NanoCpus: 1e9, CpuQuota: 50_000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  });

  it('CPU period and quota bounds', () => {
    const period = 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)';
    refuses({ CpuPeriod: 999 }, period);
    refuses({ CpuPeriod: 1_000_001 }, period);
    refuses({ CpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
    assert.deepEqual(validateHostConfig({ CpuQuota: -1 }), []);
  });

  it('warns when the OOM killer is off without a memory limit', () => {
    assert.deepEqual(validateHostConfig({ OomKillDisable: true }), [
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    ]);
    assert.deepEqual(validateHostConfig({ OomKillDisable: true, Memory: 64 * MiB }), []);
  });

  it('leaves network modes to the network lookup at create (a user network is a name)', () => {
    for (const NetworkMode of ['', 'default', 'bridge', 'none', 'host', 'container:abc', 'mynet']) {
      assert.deepEqual(validateHostConfig({ NetworkMode }), [], NetworkMode);
    }
  });

  it('accepts json-file logging only', () => {
    assert.deepEqual(validateHostConfig({ LogConfig: { Type: 'json-file' } }), []);
    refuses({ LogConfig: { Type: 'syslog' } }, 'logging driver "syslog" is not supported yet (only json-file)');
  });

  it("refuses a driver Docker does not have either with dockerd's plugin lookup error", () => {
    refuses({ LogConfig: { Type: 'x' } }, 'error looking up logging plugin x: plugin "x" not found');
  });

  it('accepts --volumes-from (resolved at create, with the other container)', () => {
    assert.deepEqual(validateHostConfig({ VolumesFrom: ['other:ro'] }), []);
  });

  it('warns that published ports are discarded on the host network, as dockerd', () => {
    const ports = { '80/tcp': [{ HostPort: '8080' }] };
    assert.deepEqual(validateHostConfig({ NetworkMode: 'host', PortBindings: ports }), [
      'Published ports are discarded when using host network mode',
    ]);
    assert.deepEqual(validateHostConfig({ PortBindings: ports }), []);
  });
});
