import type { Producer, ProducerMessage, RecordMetadata } from '@tributary/client';
import type { SchemaSerializer } from './schema-serializer';

export interface SerializingMessage extends Omit<ProducerMessage, 'key' | 'value'> {
  key?: unknown;
  value: unknown;
}

/**
 * A producer that serializes keys and values with schema serializers before sending. Every
 * message of a send() is serialized first: one that does not match its schema fails the whole
 * send with a SerializationError and nothing is sent.
 */
export class SerializingProducer {
  constructor(
    private readonly producer: Producer,
    private readonly serializers: { key?: SchemaSerializer; value: SchemaSerializer },
  ) {}

  async send(request: { topic: string; messages: SerializingMessage[] }): Promise<RecordMetadata[]> {
    const messages = await Promise.all(
      request.messages.map(async (message): Promise<ProducerMessage> => ({
        ...message,
        key: message.key === undefined || message.key === null ? null : this.serializers.key ? await this.serializers.key.serialize(request.topic, message.key) : (message.key as Buffer | string),
        value: message.value === null ? null : await this.serializers.value.serialize(request.topic, message.value),
      })),
    );
    return this.producer.send({ topic: request.topic, messages });
  }

  flush(): Promise<void> {
    return this.producer.flush();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
