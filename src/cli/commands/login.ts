// berth login: check credentials through the daemon (POST /auth) and keep them in the CLI config file, as docker v28
// does without a credential helper: flags, stdin or prompts on a terminal; stored credentials tried first.
import type { ParsedFlags } from '../args/index.js';
import { ApiUnauthorized, isApiError } from '../../client/index.js';
import type { Cli } from './cli.js';
import {
  type AuthConfig,
  type CredentialsFile,
  convertToHostname,
  getAuthConfig,
  INDEX_SERVER,
  loadCredentials,
  saveCredentials,
} from './credentials.js';
import { errorText } from './errors.js';
import { readLine } from './prompt.js';

const REGISTER_SUGGEST =
  "Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.";

const unencryptedWarning = (file: string) => `
WARNING! Your credentials are stored unencrypted in '${file}'.
Configure a credential helper to remove this warning. See
https://docs.docker.com/go/credential-store/
`;

export default async function login(cli: Cli, flags: ParsedFlags): Promise<number> {
  let user = flags.string('username');
  let password = flags.string('password');
  if (flags.changed('password-stdin')) {
    if (flags.changed('password'))
      throw new Error('conflicting options: cannot specify both --password and --password-stdin');
    if (!flags.changed('username')) throw new Error('the --password-stdin option requires --username to be set');
  }
  if (flags.changed('username') && user === '') throw new Error('username is empty');
  if (flags.changed('password') && password === '') throw new Error('password is empty');
  if (password !== '') cli.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (flags.bool('password-stdin')) {
    if (user === '') throw new Error('username is empty');
    password = (await readAllStdin(cli)).replace(/\n$/, '').replace(/\r$/, '');
  }

  const arg = flags.args[0] ?? '';
  const serverAddress = arg !== '' && arg !== 'docker.io' ? arg : INDEX_SERVER;
  const isDefault = serverAddress === INDEX_SERVER;
  const key = isDefault ? serverAddress : convertToHostname(serverAddress);
  const file = await loadCredentials(cli.configDir);
  const stored: AuthConfig = user === '' && password === '' ? { ...getAuthConfig(file, key) } : {};
  stored.serveraddress = key;
  delete stored.identitytoken;

  let status: string | undefined;
  if (stored.username && stored.password) status = await loginWithStored(cli, file, stored);
  if (status === undefined) {
    if ((user === '' || password === '') && !cli.stdin.isTTY) {
      throw new Error('Error: Cannot perform an interactive login from a non TTY device');
    }
    user = user.trim();
    if (user === '') {
      if (key === INDEX_SERVER) cli.out(`${REGISTER_SUGGEST}\n`);
      const dflt = (stored.username ?? '').trim();
      user = (await readLine(cli, dflt === '' ? 'Username: ' : `Username (${dflt}): `)) || dflt;
      if (user === '') throw new Error('Error: Non-null Username Required');
    }
    password = password.trim();
    if (password === '') {
      password = await readLine(cli, 'Password: ', { hidden: true });
      cli.out('\n');
      if (password === '') throw new Error('Error: Password Required');
    }
    const auth: AuthConfig = { username: user, password, serveraddress: key };
    const res = await cli.client().registry.login(auth);
    await store(cli, file, withToken(auth, res.IdentityToken));
    status = res.Status;
  }
  if (status !== '') cli.out(`${status}\n`);
  return 0;
}

/** loginWithStoredCredentials: the status, or undefined when they did not do (then the user is asked). */
async function loginWithStored(cli: Cli, file: CredentialsFile, auth: AuthConfig): Promise<string | undefined> {
  cli.err(`Authenticating with existing credentials... [Username: ${auth.username}]\n`);
  cli.err("\n Info -> To login with a different account, run 'docker logout' followed by 'docker login'\n\n\n");
  try {
    const res = await cli.client().registry.login(auth);
    await store(cli, file, withToken(auth, res.IdentityToken));
    return res.Status;
  } catch (e) {
    if (!isApiError(e)) throw e;
    if (e instanceof ApiUnauthorized) cli.err('Stored credentials invalid or expired\n');
    else cli.err(`Login did not succeed, error: ${errorText(e)}\n`);
    return undefined;
  }
}

/** A registry that answers with an identity token gets that kept instead of the password. */
function withToken(auth: AuthConfig, token: string | undefined): AuthConfig {
  if (!token) return auth;
  const { password: _, ...rest } = auth;
  return { ...rest, identitytoken: token };
}

/** fileStore.Store: unchanged credentials leave the file alone; a stored password is warned about once. */
async function store(cli: Cli, file: CredentialsFile, auth: AuthConfig): Promise<void> {
  const key = auth.serveraddress ?? '';
  const old = file.auths.get(key);
  const fields = ['username', 'password', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;
  if (old && fields.every((f) => (old[f] ?? '') === (auth[f] ?? ''))) return;
  file.auths.set(key, auth);
  try {
    await saveCredentials(file);
  } catch (e) {
    throw new Error(`Error saving credentials: ${errorText(e)}`, { cause: e });
  }
  if (auth.password) cli.err(`${unencryptedWarning(file.filename)}\n`);
}

/** Everything on stdin, as text (`--password-stdin`, `build -f -`). */
export async function readAllStdin(cli: Cli): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of cli.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
