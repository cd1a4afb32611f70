// The docker CLI's --sig-proxy: signals the CLI receives are passed on to the container (`POST /kill?signal=INT`).
import type { Client } from '../../client/index.js';

// The signals Node lets a process catch and that mean something to a container's process.
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Forwards signals to container `id` until the returned function is called. */
export function forwardSignals(client: Client, id: string): () => void {
  const handlers = FORWARDED.map((sig) => {
    const handler = () => {
      client.containers.kill(id, sig.slice(3)).catch(() => {});
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return () => {
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  };
}
