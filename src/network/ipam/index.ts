// IPAM: address arithmetic, per-subnet pools (allocate, request, release, JSON state), Docker's default pools and
// its validation of a network's IPAM config. Pure: no I/O.
export {
  type Addr,
  contains,
  type Family,
  formatAddr,
  formatPrefix,
  masked,
  overlaps,
  parseAddr,
  parsePrefix,
  type Prefix,
} from './addr.js';
export {
  type AddressPoolSpec,
  DEFAULT_ADDRESS_POOLS,
  DEFAULT_ADDRESS_POOLS_V6,
  pickSubnet,
} from './default-pools.js';
export { AddressPool, type PoolSpec, type PoolState } from './pool.js';
export { type IpamConfigInput, overlapsAny, POOL_OVERLAP, validateIpam } from './validate.js';
