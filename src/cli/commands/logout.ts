// berth logout: remove a registry's credentials from the CLI config file, under every key older CLIs stored them by
// (the address as given, its host name, and that with http:// or https://), as docker v28 does.
import type { ParsedFlags } from '../args/index.js';
import type { Cli } from './cli.js';
import { convertToHostname, INDEX_SERVER, loadCredentials, saveCredentials } from './credentials.js';
import { errorText } from './errors.js';

export default async function logout(cli: Cli, flags: ParsedFlags): Promise<number> {
  const serverAddress = flags.args[0] || INDEX_SERVER;
  const isDefault = flags.args[0] === undefined || flags.args[0] === '';
  const hostname = isDefault ? serverAddress : convertToHostname(serverAddress);
  const keys = isDefault ? [serverAddress] : [serverAddress, hostname, `http://${hostname}`, `https://${hostname}`];
  cli.out(`Removing login credentials for ${hostname}\n`);
  const file = await loadCredentials(cli.configDir);
  let removed = false;
  for (const k of keys) removed = file.auths.delete(k) || removed;
  if (!removed) return 0;
  try {
    await saveCredentials(file);
  } catch (e) {
    // fileStore.Erase failed for every key: docker warns and still succeeds.
    cli.err('WARNING: could not erase credentials:\n');
    for (const k of keys) cli.err(`${k}: ${errorText(e)}\n`);
  }
  return 0;
}
