import { SECRET_HEADER } from '../options/index.js';
import { inputName } from '../util/remote.js';

/** A word as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
function quoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}


/**
 * The command line that continues this run: the same arguments, with `--resume` (and without `--force`,
 * which would start the report afresh), a secret header's value (`-H 'asapp-api-secret: …'`) and a URL's
 * credentials and secret query parameters (a presigned URL's signature) shown as `***`, as inputs are named
 * everywhere (inputName). Credentials in the environment are not on it, and stay where they are.
 */
export function resumeCommand(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--force') continue;
    if (word === '-H' || word === '--header') words.push(word, masked(argv[++i] ?? ''));
    else if (word.startsWith('--header=')) words.push(`--header=${masked(word.slice('--header='.length))}`);
    else if (word.startsWith('-H')) words.push(`-H${masked(word.slice(2))}`);
    else words.push(inputName(word));
  }
  if (!words.includes('--resume')) words.splice(words[0] === 'submit' ? 1 : 0, 0, '--resume');
  return ['bulk-submit', ...words].map(quoted).join(' ');
}

/** `Name: value` with a secret-looking name → `Name: ***`. */
function masked(line: string): string {
  const colon = line.indexOf(':');
  return colon > 0 && SECRET_HEADER.test(line.slice(0, colon)) ? `${line.slice(0, colon)}: ***` : line;
}
