import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { Tributary, type RecordCallback } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import { collect, keyValueList } from './key-value-list';
import { producerProperties } from './producer-properties';

interface ProduceFlags {
  bootstrapServer: string;
  topic: string;
  property: string[];
  producerProperty: string[];
}

/** `tributary produce`: kafka-console-producer; one record per stdin line until stdin closes. */
export function produceCommand(): Command {
  return new Command('produce')
    .description('Send one record per line of stdin (as kafka-console-producer.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .requiredOption('--topic <name>', 'the topic to produce to')
    .option('--property <key=value>', 'parse.key=true, key.separator=SEP (default tab), ignore.error=true (repeatable)', collect, [])
    .option('--producer-property <key=value>', 'a producer config such as acks=all, linger.ms, compression.type (repeatable)', collect, [])
    .action(async (flags: ProduceFlags) => {
      const props = keyValueList(flags.property, '--property');
      const parseKey = props.get('parse.key') === 'true';
      const keySeparator = props.get('key.separator') ?? '\t';
      const ignoreError = props.get('ignore.error') === 'true';
      const options = producerProperties(keyValueList(flags.producerProperty, '--producer-property'), { batchSize: 256 * 1024 });
      const producer = new Tributary({ bootstrapServers: flags.bootstrapServer }).producer(options);
      let firstError: Error | null = null;
      const onAck: RecordCallback = (error) => {
        firstError ??= error;
      };
      try {
        await producer.connect();
        let lineNumber = 0;
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          lineNumber++;
          if (firstError) break;
          let key: string | null = null;
          let value = line;
          if (parseKey) {
            const at = line.indexOf(keySeparator);
            if (at < 0) {
              if (ignoreError) {
                producer.produce({ topic: flags.topic, key: null, value: line }, onAck);
                continue;
              }
              throw new TributaryError('INVALID_REQUEST', `no key separator found on line number ${lineNumber}: '${line}'`);
            }
            key = line.slice(0, at);
            value = line.slice(at + keySeparator.length);
          }
          if (!producer.produce({ topic: flags.topic, key, value }, onAck)) await producer.whenWritable();
        }
        await producer.flush();
      } finally {
        await producer.close();
      }
      if (firstError) throw firstError;
    });
}
