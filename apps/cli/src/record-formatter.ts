import type { ConsumerRecord } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

export interface RecordFormat {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  nullLiteral: string;
}

const KNOWN = 'print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, null.literal';

/** Reads kafka-console-consumer's --property settings (DefaultMessageFormatter's names and defaults). */
export function recordFormat(properties: Map<string, string>): RecordFormat {
  const format: RecordFormat = {
    printTimestamp: false,
    printPartition: false,
    printOffset: false,
    printHeaders: false,
    printKey: false,
    printValue: true,
    keySeparator: '\t',
    lineSeparator: '\n',
    headersSeparator: ',',
    nullLiteral: 'null',
  };
  for (const [name, value] of properties) {
    switch (name) {
      case 'print.timestamp':
        format.printTimestamp = flag(name, value);
        break;
      case 'print.partition':
        format.printPartition = flag(name, value);
        break;
      case 'print.offset':
        format.printOffset = flag(name, value);
        break;
      case 'print.headers':
        format.printHeaders = flag(name, value);
        break;
      case 'print.key':
        format.printKey = flag(name, value);
        break;
      case 'print.value':
        format.printValue = flag(name, value);
        break;
      case 'key.separator':
        format.keySeparator = value;
        break;
      case 'line.separator':
        format.lineSeparator = value;
        break;
      case 'headers.separator':
        format.headersSeparator = value;
        break;
      case 'null.literal':
        format.nullLiteral = value;
        break;
      default:
        throw new TributaryError('INVALID_CONFIG', `unknown --property "${name}"; known: ${KNOWN}`);
    }
  }
  return format;
}

/**
 * One record as Kafka's DefaultMessageFormatter prints it: the enabled fields in the order
 * timestamp (`CreateTime:ms` or `LogAppendTime:ms`), `Partition:N`, `Offset:N`, headers
 * (`k1:v1,k2:v2` with headers.separator, or `NO_HEADERS`), key, value; fields separated by
 * key.separator; a null key, value or header value printed as null.literal; line.separator at the end.
 */
export function formatRecord(record: ConsumerRecord, format: RecordFormat): string {
  const fields: string[] = [];
  const text = (bytes: Buffer | null) => (bytes === null ? format.nullLiteral : bytes.toString('utf8'));
  if (format.printTimestamp) fields.push(`${record.timestampType}:${record.timestamp}`);
  if (format.printPartition) fields.push(`Partition:${record.partition}`);
  if (format.printOffset) fields.push(`Offset:${record.offset}`);
  if (format.printHeaders) {
    fields.push(record.headers.length === 0 ? 'NO_HEADERS' : record.headers.map((h) => `${h.key}:${text(h.value)}`).join(format.headersSeparator));
  }
  if (format.printKey) fields.push(text(record.key));
  if (format.printValue) fields.push(text(record.value));
  return fields.join(format.keySeparator) + format.lineSeparator;
}

/** Kafka reads these as "true" in any case, anything else as false; a typo here is refused instead. */
function flag(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'false') return v === 'true';
  throw new TributaryError('INVALID_CONFIG', `--property ${name} must be true or false, not "${value}"`);
}
