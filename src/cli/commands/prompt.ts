// The docker CLI's prompts: PromptForConfirmation ("<message> [y/N] " on stdout, one line read from stdin; only
// "y"/"Y" agrees) and ReadInput (a line, with the echo off for a password).
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

/**
 * prompt.ReadInput: `message` on stdout, then one line from stdin without its line ending. `hidden` reads it with the
 * terminal's echo off (a password), as DisableInputEcho does.
 */
export async function readLine(cli: Cli, message: string, opts: { hidden?: boolean } = {}): Promise<string> {
  cli.out(message);
  const stdin = cli.stdin;
  const raw = opts.hidden === true && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  // 'data' events, not for-await: leaving a for-await loop destroys stdin, and a password prompt follows the username.
  let line = '';
  try {
    line = await new Promise<string>((resolve, reject) => {
      let text = '';
      const done = (err?: Error) => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
        if (err) reject(err);
        else resolve(text);
      };
      const onData = (chunk: Buffer | string) => {
        const s = String(chunk);
        // Enter ends the line; in raw mode Ctrl-C and Ctrl-D end the prompt as an interrupted read.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: Ctrl-C and Ctrl-D are what it looks for
        const end = s.search(raw ? /[\r\n\x03\x04]/ : /\n/);
        text += end < 0 ? s : s.slice(0, end);
        if (end < 0) return;
        if (raw && (s[end] === '\x03' || s[end] === '\x04')) done(new Error('EOF'));
        else done();
      };
      const onEnd = () => done(text === '' ? new Error('EOF') : undefined);
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    });
  } finally {
    if (raw) stdin.setRawMode(false);
  }
  if (!raw) return line.replace(/\r$/, '');
  // What the user erased (backspace, DEL) is not part of the answer.
  const kept: string[] = [];
  for (const ch of line) {
    if (ch === '\x7f' || ch === '\b') kept.pop();
    else kept.push(ch);
  }
  return kept.join('');
}
