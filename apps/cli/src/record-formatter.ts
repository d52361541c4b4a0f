import type { ConsumerRecord } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';

export interface RecordFormat {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: string;
  lineSeparator: string;
}

/** Reads kafka-console-consumer's --property settings (print.key, key.separator, …). */
export function recordFormat(properties: Map<string, string>): RecordFormat {
  const format: RecordFormat = {
    printTimestamp: false,
    printPartition: false,
    printOffset: false,
    printKey: false,
    printValue: true,
    keySeparator: '\t',
    lineSeparator: '\n',
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
      default:
        throw new TributaryError('INVALID_CONFIG', `unknown --property "${name}"; known: print.timestamp, print.partition, print.offset, print.key, print.value, key.separator, line.separator`);
    }
  }
  return format;
}

/**
 * One record as Kafka's DefaultMessageFormatter prints it: the enabled fields in the order
 * timestamp (`CreateTime:ms`), `Partition:N`, `Offset:N`, key, value, separated by key.separator,
 * a null key or value as "null", and the line separator at the end.
 */
export function formatRecord(record: ConsumerRecord, format: RecordFormat): string {
  const fields: string[] = [];
  if (format.printTimestamp) fields.push(`${record.timestampType}:${record.timestamp}`);
  if (format.printPartition) fields.push(`Partition:${record.partition}`);
  if (format.printOffset) fields.push(`Offset:${record.offset}`);
  if (format.printKey) fields.push(record.key === null ? 'null' : record.key.toString('utf8'));
  if (format.printValue) fields.push(record.value === null ? 'null' : record.value.toString('utf8'));
  return fields.join(format.keySeparator) + format.lineSeparator;
}

function flag(name: string, value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TributaryError('INVALID_CONFIG', `--property ${name} must be true or false, not "${value}"`);
}
