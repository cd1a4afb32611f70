// How the docker CLI words an error: a daemon's answer as "Error response from daemon: …", everything else as is.
import { isApiError } from '../../client/index.js';

/** The text the docker CLI prints for `e`. */
export function errorText(e: unknown): string {
  if (isApiError(e)) return `Error response from daemon: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** errors.Join's text: one error per line. */
export const joinErrors = (errs: readonly unknown[]): string => errs.map(errorText).join('\n');

/** A logrus error line, as the docker CLI logs the failures it does not return: time="…" level=error msg="…". */
export function logrusError(message: string, now = new Date()): string {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return `time="${time}" level=error msg=${JSON.stringify(message)}\n`;
}
