// Network plans: namespaces, links, addresses, routes, sysctls and in-namespace commands, run by berth-helper.
export { encodeNetPlan, netOpArgs } from './encode.js';
export { macFromIPv4, vethName } from './names.js';
export { NetOpcode, type NetOp, type NetPlan } from './ops.js';
export {
  isNetPlanError,
  NetPlanError,
  parseNetPlanReply,
  type RunNetPlanOptions,
  runNetPlan,
  runNetPlanVia,
} from './run.js';
