// PromptForConfirmation: "<message> [y/N] " on stdout, one line read from stdin; only "y"/"Y" agrees.
import type { Cli } from './cli.js';

export async function confirm(cli: Cli, message: string): Promise<boolean> {
  cli.out(`${message} [y/N] `);
  const stdin = cli.stdin;
  let line = '';
  for await (const chunk of stdin) {
    line += String(chunk);
    if (line.includes('\n')) break;
  }
  stdin.pause();
  return line.split('\n')[0]!.trim().toLowerCase() === 'y';
}
