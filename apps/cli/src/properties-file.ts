/*
 * Java .properties format, as Kafka's tools read --producer.config, --consumer.config,
 * --command-config and --reader-config (java.util.Properties.load):
 *   - one `key=value`, `key:value` or `key value` per logical line; whitespace around the
 *     separator is dropped, as is leading whitespace of the line;
 *   - lines whose first non-blank character is `#` or `!` are comments; blank lines are skipped;
 *   - a line ending in an odd number of backslashes continues on the next line (whose leading
 *     whitespace is dropped);
 *   - escapes: \t \n \r \f, \uXXXX, and a backslash before any other character keeps that character.
 */
import { readFileSync } from 'node:fs';
import { TributaryError } from '@tributary/protocol';

/** Reads a properties file; `flag` names the option in the error when the file cannot be read. */
export function readPropertiesFile(path: string, flag: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TributaryError('INVALID_CONFIG', `${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseProperties(text);
}

export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const at = separatorIndex(line);
    const key = line.slice(0, at);
    const value = line.slice(at).replace(/^\s*[=:]?\s*/, '');
    properties.set(unescape(key), unescape(value));
  }
  return properties;
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!pending && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    const trailing = line.length - line.replace(/\\+$/, '').length;
    if (trailing % 2 === 1) {
      pending += line.slice(0, -1);
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  if (pending) lines.push(pending);
  return lines;
}

/** Index of the first unescaped `=`, `:` or whitespace: where the key ends. */
function separatorIndex(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '=' || c === ':' || /\s/.test(c)) return i;
  }
  return line.length;
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? c),
  );
}
