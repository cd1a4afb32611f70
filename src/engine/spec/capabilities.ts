// The capability set a container gets: Docker's defaults adjusted by CapAdd/CapDrop ("ALL" and names with or without
// the CAP_ prefix, case-insensitive), or every capability when privileged.
import { InvalidParameter } from '../../errdefs/index.js';
import { CAPABILITY_NAMES } from '../../runtime/capabilities.js';

export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

function normalize(cap: string, field: 'CapAdd' | 'CapDrop'): string {
  const upper = cap.toUpperCase();
  if (upper === 'ALL') return upper;
  const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) {
    throw new InvalidParameter(`invalid ${field}: unknown capability: "${name}"`);
  }
  return name;
}

export function containerCapabilities(add: readonly string[], drop: readonly string[], privileged: boolean): string[] {
  if (privileged) return [...CAPABILITY_NAMES];
  const drops = drop.map((c) => normalize(c, 'CapDrop'));
  const adds = add.map((c) => normalize(c, 'CapAdd'));
  let caps = adds.includes('ALL') ? [...CAPABILITY_NAMES] : [...DOCKER_DEFAULT_CAPS];
  if (drops.includes('ALL') && !adds.includes('ALL')) caps = [];
  caps = caps.filter((c) => !drops.includes(c));
  for (const c of adds) if (c !== 'ALL' && !caps.includes(c)) caps.push(c);
  return caps;
}
