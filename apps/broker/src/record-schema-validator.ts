import { Inject, Injectable } from '@nestjs/common';
import type { BrokerConfig, EffectiveTopicConfig, SubjectNameStrategyName } from '@tributary/metadata';
import { decodeRecordBatch, splitBatches, TributaryError } from '@tributary/protocol';
import { decodeWireFormat, recordNameOf, SchemaRegistryClient, SchemaRegistryError, SUBJECT_NAME_STRATEGIES } from '@tributary/serdes';
import { BROKER_CONFIG } from './broker-config-provider';

/** Confluent's "schema not found" error code. */
const SCHEMA_NOT_FOUND = 40403;

type Side = 'key' | 'value';

/**
 * Broker-side schema validation, as Confluent Server's confluent.key/value.schema.validation:
 * with key.schema.validation or value.schema.validation on for a topic, every record's key or
 * value must be in Confluent's wire format (magic byte 0, 4-byte schema id) and its schema id
 * registered under the subject the topic's subject name strategy names. As in Confluent, the
 * payload itself is not decoded. A batch with one bad record is refused whole (INVALID_RECORD).
 */
@Injectable()
export class RecordSchemaValidator {
  private readonly registry: SchemaRegistryClient | undefined;
  /**
   * `<id>\0<subject>` pairs the registry confirmed. Once registered, an id stays under its subject
   * (a soft delete keeps it readable, and hard deletes are rare), so this is never invalidated;
   * a pair not yet confirmed is asked for again, so a schema registered a moment ago is found.
   */
  private readonly confirmed = new Set<string>();

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    const url = config.schemaRegistryUrl;
    this.registry = url === null ? undefined : new SchemaRegistryClient({ url, requestTimeoutMs: config.requestTimeoutMs });
  }

  /** Throws INVALID_RECORD naming the first record that fails; resolves when every record passes (or validation is off). */
  async validate(topic: string, batches: Buffer, config: EffectiveTopicConfig): Promise<void> {
    const sides: [Side, SubjectNameStrategyName][] = [];
    if (config.keySchemaValidation) sides.push(['key', config.keySchemaValidation]);
    if (config.valueSchemaValidation) sides.push(['value', config.valueSchemaValidation]);
    if (sides.length === 0) return;
    if (this.registry === undefined) {
      throw new TributaryError('INVALID_CONFIG', `topic ${topic} has ${sides.map(([side]) => `${side}.schema.validation`).join(' and ')}=true, but this broker has no schema.registry.url to check schema ids against`);
    }
    let index = 0;
    for (const batch of splitBatches(batches)) {
      for (const record of decodeRecordBatch(batch).records) {
        for (const [side, strategy] of sides) await this.check(this.registry, topic, side, strategy, record[side], index);
        index++;
      }
    }
  }

  private async check(registry: SchemaRegistryClient, topic: string, side: Side, strategy: SubjectNameStrategyName, bytes: Buffer | null, index: number): Promise<void> {
    const refuse = (why: string) => new TributaryError('INVALID_RECORD', `record ${index} of the batch to ${topic} was refused by ${side}.schema.validation: ${why}`);
    if (bytes === null) throw refuse(`its ${side} is null, so it carries no schema id`);
    let schemaId: number;
    try {
      schemaId = decodeWireFormat(bytes).schemaId;
    } catch (error) {
      throw refuse(`its ${side} is not in Confluent's wire format (${(error as Error).message})`);
    }
    const ask = <T>(answer: Promise<T>): Promise<T> =>
      answer.catch((error: unknown) => {
        throw error instanceof SchemaRegistryError && error.errorCode === SCHEMA_NOT_FOUND ? refuse(`schema id ${schemaId} is not registered in the schema registry`) : error;
      });
    // Only the record-name strategies need the schema itself (the client caches it by id).
    const recordName = strategy === 'TopicNameStrategy' ? undefined : recordNameOf(await ask(registry.getSchemaById(schemaId)));
    let subject: string;
    try {
      subject = SUBJECT_NAME_STRATEGIES[strategy](topic, side === 'key', recordName);
    } catch (error) {
      throw refuse(`schema id ${schemaId}: ${(error as Error).message}`);
    }
    const pair = `${schemaId}\0${subject}`;
    if (this.confirmed.has(pair)) return;
    const registered = await ask(registry.getSubjectVersionsById(schemaId));
    if (!registered.some((entry) => entry.subject === subject)) {
      throw refuse(`schema id ${schemaId} is not registered under subject ${subject} (it is under ${registered.map((e) => e.subject).join(', ') || 'no subject'})`);
    }
    this.confirmed.add(pair);
  }
}
