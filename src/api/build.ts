// POST /build's options (moby's ImageBuildOptions, as the query carries them) and /build/prune's answer.
export interface BuildOptions {
  /** The Dockerfile's path inside the context ('' = Dockerfile). */
  dockerfile: string;
  tags: string[];
  target: string;
  /** `--build-arg`: null means "from the environment", which a daemon does not have. */
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string[];
  networkMode: string;
  platform: string;
  quiet: boolean;
  /** `berth build --secret`: id → content, sent in the X-Berth-Build-Secrets header, never stored. */
  secrets: Map<string, Buffer>;
  /** X-Registry-Config: every login the client has, for the images FROM pulls. */
  registryConfig?: string;
}

export interface BuildPruneResponse {
  CachesDeleted: string[];
  SpaceReclaimed: number;
}

/** The header `berth build --secret` sends its secrets in: base64 of a JSON object id → base64 content. */
export const BUILD_SECRETS_HEADER = 'x-berth-build-secrets';
