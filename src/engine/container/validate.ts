// Checks a create request's HostConfig as moby's daemon does (verifyContainerSettings), with Docker's messages;
// returns the warnings Docker would give.
import type { HostConfig } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import { parseRestartPolicy } from './restart.js';

const MIN_MEMORY = 6 * 1024 * 1024;
/** The log drivers built into dockerd 20.10 on Linux. */
const DOCKER_LOG_DRIVERS = new Set([
  'none',
  'local',
  'json-file',
  'syslog',
  'journald',
  'gelf',
  'fluentd',
  'awslogs',
  'splunk',
  'gcplogs',
  'logentries',
]);

export function validateHostConfig(hc: HostConfig): string[] {
  const warnings: string[] = [];
  const policy = parseRestartPolicy(hc.RestartPolicy);
  if (hc.AutoRemove && policy.name !== 'no') {
    throw new InvalidParameter(`can't create 'AutoRemove' container with restart policy`);
  }
  // moby: Memory != 0 && Memory < 6MB, so a negative limit is refused too.
  if (hc.Memory && hc.Memory < MIN_MEMORY) {
    throw new InvalidParameter('Minimum memory limit allowed is 6MB');
  }
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
    throw new InvalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hc.MemorySwap && hc.MemorySwap > 0 && !hc.Memory) {
    throw new InvalidParameter('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (hc.MemoryReservation && hc.Memory && hc.MemoryReservation > hc.Memory) {
    throw new InvalidParameter('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (hc.NanoCpus && hc.NanoCpus > 0 && hc.CpuPeriod && hc.CpuPeriod > 0) {
    throw new InvalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (hc.NanoCpus && hc.NanoCpus > 0 && hc.CpuQuota && hc.CpuQuota > 0) {
    throw new InvalidParameter('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (hc.NanoCpus && hc.NanoCpus < 0) throw new InvalidParameter('invalid NanoCpus: must be positive');
  if (hc.CpuPeriod && (hc.CpuPeriod < 1000 || hc.CpuPeriod > 1_000_000)) {
    throw new InvalidParameter('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (hc.CpuQuota && hc.CpuQuota > 0 && hc.CpuQuota < 1000) {
    throw new InvalidParameter('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  // Limits a cgroup would refuse only at start, when the container already exists (moby's texts, but moby clamps a
  // negative CpuShares to the minimum where berth refuses it, as the runtime would).
  if (hc.CpuShares && hc.CpuShares < 0) {
    throw new InvalidParameter(`invalid CPU shares (${hc.CpuShares}): the minimum allowed cpu-shares is 2`);
  }
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidParameter(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (hc.BlkioWeight && (hc.BlkioWeight < 10 || hc.BlkioWeight > 1000)) {
    throw new InvalidParameter('Range of blkio weight is from 10 to 1000');
  }
  if (hc.OomScoreAdj && (hc.OomScoreAdj < -1000 || hc.OomScoreAdj > 1000)) {
    throw new InvalidParameter(`Invalid value ${hc.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  if (hc.ShmSize && hc.ShmSize < 0) throw new InvalidParameter('SHM size can not be less than 0');
  if (hc.OomKillDisable && !hc.Memory) {
    warnings.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  }
  const logType = hc.LogConfig?.Type ?? '';
  if (logType !== '' && logType !== 'json-file') {
    // A name that is none of Docker's drivers is a plugin to dockerd, and there are none here: dockerd's words.
    if (!DOCKER_LOG_DRIVERS.has(logType)) {
      throw new InvalidParameter(`error looking up logging plugin ${logType}: plugin "${logType}" not found`);
    }
    throw new InvalidParameter(`logging driver "${logType}" is not supported yet (only json-file)`);
  }
  if (hc.NetworkMode === 'host' && Object.keys(hc.PortBindings ?? {}).length > 0) {
    warnings.push('Published ports are discarded when using host network mode');
  }
  return warnings;
}
