import type { ProducerMessage } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

export interface LineMessageReaderSettings {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

/**
 * kafka-console-producer's LineMessageReader: turns one stdin line into a record. With every
 * option on, a line reads `h1:v1,h2:v2<TAB>key<TAB>value` (headers.delimiter, headers.separator,
 * headers.key.separator, key.separator). A key, value, header value or the whole header part
 * equal to null.marker becomes null. A missing separator fails the line unless ignore.error=true,
 * in which case that part is absent (the key null, the headers none) and the rest is the value.
 */
export class LineMessageReader {
  private constructor(private readonly settings: LineMessageReaderSettings) {}

  /** Reads --property / --reader-config settings; refuses unknown names and ambiguous separators. */
  static fromProperties(properties: Map<string, string>): LineMessageReader {
    const settings: LineMessageReaderSettings = {
      parseKey: false,
      keySeparator: '\t',
      parseHeaders: false,
      headersDelimiter: '\t',
      headersSeparator: ',',
      headersKeySeparator: ':',
      ignoreError: false,
      nullMarker: null,
    };
    for (const [name, value] of properties) {
      switch (name) {
        case 'parse.key':
          settings.parseKey = value.trim().toLowerCase() === 'true';
          break;
        case 'key.separator':
          settings.keySeparator = value;
          break;
        case 'parse.headers':
          settings.parseHeaders = value.trim().toLowerCase() === 'true';
          break;
        case 'headers.delimiter':
          settings.headersDelimiter = value;
          break;
        case 'headers.separator':
          settings.headersSeparator = value;
          break;
        case 'headers.key.separator':
          settings.headersKeySeparator = value;
          break;
        case 'ignore.error':
          settings.ignoreError = value.trim().toLowerCase() === 'true';
          break;
        case 'null.marker':
          settings.nullMarker = value;
          break;
        default:
          throw new TributaryError(
            'INVALID_CONFIG',
            `unknown --property "${name}"; known: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error`,
          );
      }
    }
    // Kafka refuses the same pairs: with them equal a line could be split two ways.
    if (settings.parseHeaders && settings.headersSeparator === settings.headersKeySeparator) {
      throw new TributaryError('INVALID_CONFIG', 'headers.separator and headers.key.separator may not be equal');
    }
    if (settings.nullMarker !== null) {
      for (const [name, separator] of [['key.separator', settings.keySeparator], ['headers.delimiter', settings.headersDelimiter], ['headers.separator', settings.headersSeparator], ['headers.key.separator', settings.headersKeySeparator]]) {
        if (settings.nullMarker === separator) throw new TributaryError('INVALID_CONFIG', `null.marker and ${name} may not be equal`);
      }
    }
    return new LineMessageReader(settings);
  }

  /** `lineNumber` counts from 1 and appears in errors, as in Kafka's. */
  read(line: string, lineNumber: number): ProducerMessage {
    const s = this.settings;
    const headers = s.parseHeaders ? this.part(line, 0, s.headersDelimiter, 'headers delimiter', lineNumber) : null;
    const headerOffset = headers === null ? 0 : headers.length + s.headersDelimiter.length;
    const key = s.parseKey ? this.part(line, headerOffset, s.keySeparator, 'key separator', lineNumber) : null;
    const keyOffset = key === null ? 0 : key.length + s.keySeparator.length;
    const value = line.slice(headerOffset + keyOffset);
    const message: ProducerMessage = { key: this.orNull(key), value: this.orNull(value) };
    if (headers !== null && headers !== s.nullMarker) message.headers = this.splitHeaders(headers, lineNumber);
    return message;
  }

  private part(line: string, start: number, separator: string, separatorName: string, lineNumber: number): string | null {
    const at = line.indexOf(separator, start);
    if (at >= 0) return line.slice(start, at);
    if (this.settings.ignoreError) return null;
    throw new TributaryError('INVALID_REQUEST', `No ${separatorName} found on line number ${lineNumber}: '${line}'`);
  }

  private splitHeaders(headers: string, lineNumber: number): { key: string; value: string | null }[] {
    const s = this.settings;
    return headers.split(s.headersSeparator).map((pair) => {
      const at = pair.indexOf(s.headersKeySeparator);
      if (at < 0) {
        if (s.ignoreError) return { key: pair, value: null };
        throw new TributaryError('INVALID_REQUEST', `No header key separator found in pair '${pair}' on line number ${lineNumber}`);
      }
      const key = pair.slice(0, at);
      if (key === s.nullMarker) throw new TributaryError('INVALID_REQUEST', `Header keys should not be equal to the null marker '${s.nullMarker}' as they can't be null`);
      return { key, value: this.orNull(pair.slice(at + s.headersKeySeparator.length)) };
    });
  }

  private orNull(text: string | null): string | null {
    return text === null || text === this.settings.nullMarker ? null : text;
  }
}
