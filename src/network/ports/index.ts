// Published ports: what a container asks for (PortBindings, -P) and the host ports it gets.
export { type HostPort, type PortAllocation, PortAllocator, type PortRange, ephemeralRange } from './allocator.js';
export {
  type PortBinding,
  type PortMap,
  type PortRequest,
  type Proto,
  parseHostPort,
  parsePortKey,
  portRequests,
} from './bindings.js';
export { bindProbe, type PortProbe } from './probe.js';
