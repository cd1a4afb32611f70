// berth network connect / disconnect: attach a container to a network (aliases, --ip/--ip6, links, driver options)
// or detach it.
import type { EndpointSettings } from '../../api/networks.js';
import { kvStringsToMap, type ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';

export default async function networkConnect(cli: Cli, flags: ParsedFlags): Promise<number> {
  const [network = '', container = ''] = flags.args;
  if (cli.spec.path === 'network disconnect') {
    await cli.client().networks.disconnect(network, container, flags.bool('force'));
    return 0;
  }
  const config: Partial<EndpointSettings> & { GwPriority?: number } = {
    IPAMConfig: {
      IPv4Address: flags.string('ip'),
      IPv6Address: flags.string('ip6'),
      LinkLocalIPs: flags.list('link-local-ip'),
    },
    Links: flags.list('link'),
    Aliases: flags.list('alias'),
    DriverOpts: kvStringsToMap(flags.list('driver-opt')),
  };
  if (flags.changed('gw-priority')) config.GwPriority = flags.number('gw-priority');
  await cli.client().networks.connect(network, container, config);
  return 0;
}
