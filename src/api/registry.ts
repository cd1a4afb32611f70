// Registry wire shapes of the Engine API (moby's api/types/registry): the credentials X-Registry-Auth and POST /auth
// carry, and a search result.

/** Docker's AuthConfig, as the CLI sends it. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), the CLI config file's form. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** AuthConfig's fields, in the order moby's struct declares (and its JSON encodes) them. */
export const AUTH_CONFIG_FIELDS = [
  'username',
  'password',
  'auth',
  'email',
  'serveraddress',
  'identitytoken',
  'registrytoken',
] as const satisfies readonly (keyof AuthConfig)[];

/** One result of `GET /images/search`. */
export interface SearchResult {
  star_count: number;
  is_official: boolean;
  name: string;
  is_automated: boolean;
  description: string;
}
