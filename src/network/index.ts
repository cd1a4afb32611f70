// Container networking. For now: network namespaces made ahead of the container, with loopback up.
export { createNetns, deleteNetns, prepareNetnsDir } from './netns.js';
export {
  isNetPlanError,
  macFromIPv4,
  type NetOp,
  NetPlanError,
  runNetPlan,
  vethName,
} from './netlink/index.js';
