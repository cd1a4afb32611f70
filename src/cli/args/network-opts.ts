// --network as the docker CLI reads it (opts.NetworkOpt): a name ("mynet", "host", "container:x") or the long syntax
// "name=mynet,alias=web,ip=10.0.0.5,driver-opt=k=v,gw-priority=1" (CSV; like the CLI, the whole field is lower-cased).
import { InvalidParameter } from '../../errdefs/index.js';
import { csvOrThrow } from './csv.js';
import { atoi, NumError } from './strconv.js';

export interface NetworkAttachment {
  target: string;
  aliases: string[];
  driverOpts?: Record<string, string>;
  links: string[];
  ipv4Address: string;
  ipv6Address: string;
  linkLocalIPs: string[];
  macAddress: string;
  gwPriority: number;
}

const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

export function parseNetworkOpt(value: string): NetworkAttachment {
  const n: NetworkAttachment = {
    target: '',
    aliases: [],
    links: [],
    ipv4Address: '',
    ipv6Address: '',
    linkLocalIPs: [],
    macAddress: '',
    gwPriority: 0,
  };
  if (!LONG_SYNTAX.test(value)) {
    n.target = value;
    return n;
  }
  for (const field of csvOrThrow(value)) {
    const lower = field.toLowerCase();
    const i = lower.indexOf('=');
    if (i <= 0) throw new InvalidParameter(`invalid field ${field}`);
    const key = lower.slice(0, i).trim();
    const val = lower.slice(i + 1).trim();
    switch (key) {
      case 'name':
        n.target = val;
        break;
      case 'alias':
        n.aliases.push(val);
        break;
      case 'ip':
        n.ipv4Address = val;
        break;
      case 'ip6':
        n.ipv6Address = val;
        break;
      case 'mac-address':
        n.macAddress = val;
        break;
      case 'link-local-ip':
        n.linkLocalIPs.push(val);
        break;
      case 'driver-opt': {
        const j = val.indexOf('=');
        if (j <= 0) throw new InvalidParameter('invalid key value pair format in driver options');
        n.driverOpts ??= {};
        n.driverOpts[val.slice(0, j).trim()] = val.slice(j + 1).trim();
        break;
      }
      case 'gw-priority':
        try {
          n.gwPriority = atoi(val);
        } catch (e) {
          const why = e instanceof NumError ? e.reason : String(e);
          throw new InvalidParameter(`invalid gw-priority (${val}): ${why}`);
        }
        break;
      default:
        throw new InvalidParameter(`invalid field key ${key}`);
    }
  }
  if (n.target.length === 0) throw new InvalidParameter('network name/id is not specified');
  return n;
}
