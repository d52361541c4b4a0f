/**
 * Metadata records, in the spirit of Kafka's KRaft records: the controller appends them to the
 * `__cluster_metadata` log and every node applies them, in order, to a MetadataImage. State
 * changes only by applying records, so the log (or a snapshot of records) is the state.
 *
 * Encoding of one record (the value of a Kafka record in a `__cluster_metadata` batch):
 *
 *   offset  size  field
 *        0     2  apiKey    record type, big-endian uint16; Kafka's MetadataRecordType numbers
 *                           (0 RegisterBroker, 1 UnregisterBroker, 2 Topic, 3 Partition, 4 Config,
 *                           5 PartitionChange, 9 RemoveTopic, 12 FeatureLevel, 15 ProducerIds,
 *                           17 BrokerRegistrationChange) and 1000 ClusterId (Tributary's own:
 *                           Kafka keeps the cluster id in meta.properties)
 *        2     2  version   record version, big-endian uint16: RegisterBroker is version 1 when it
 *                           carries an incarnationId and 0 when not; every other type is at 0
 *        4     n  body      UTF-8 JSON object of the record's fields (without `type`); optional
 *                           fields are omitted when absent
 *
 * JSON keeps the bodies readable in a dumped log; metadata is low-volume so size does not matter.
 * A new field means a new version; decoders refuse versions they do not know (UNSUPPORTED_VERSION)
 * rather than guess, and refuse malformed bodies (CORRUPT_MESSAGE) naming the field.
 */
import { TributaryError } from '@tributary/protocol';
import { isTopicId } from './topic-id';

export type ConfigResourceType = 'topic' | 'broker';

export interface BrokerEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface RegisterBrokerRecord {
  readonly type: 'RegisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  /** A fenced broker leads no partitions and takes no new replicas. */
  readonly fenced: boolean;
  /** Version 1: the broker process's id for this start (a new one per restart), so the controller
   * can tell a restart of the same broker from a second broker configured with the same id. */
  readonly incarnationId?: string;
}

export interface UnregisterBrokerRecord {
  readonly type: 'UnregisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface BrokerRegistrationChangeRecord {
  readonly type: 'BrokerRegistrationChange';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** Absent: unchanged. */
  readonly fenced?: boolean;
}

export interface TopicRecord {
  readonly type: 'Topic';
  readonly name: string;
  /** 16 bytes as 22 characters of unpadded base64url, like Kafka's Uuid.toString(). */
  readonly topicId: string;
}

export interface PartitionRecord {
  readonly type: 'Partition';
  readonly topicId: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/** A change to an existing partition; absent fields are unchanged. Bumps the partition epoch,
 * and the leader epoch when the leader changes. */
export interface PartitionChangeRecord {
  readonly type: 'PartitionChange';
  readonly topicId: string;
  readonly partition: number;
  readonly leader?: number;
  readonly isr?: readonly number[];
  readonly replicas?: readonly number[];
}

export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic';
  readonly topicId: string;
}

export interface ConfigRecord {
  readonly type: 'Config';
  readonly resourceType: ConfigResourceType;
  /** The topic name, or the broker id as a string ('' for the cluster-wide broker default). */
  readonly resourceName: string;
  readonly name: string;
  /** null deletes the entry. */
  readonly value: string | null;
}

export interface ProducerIdsRecord {
  readonly type: 'ProducerIds';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The first producer id not yet handed out: the block given to brokerId ends just before it. */
  readonly nextProducerId: number;
}

export interface FeatureLevelRecord {
  readonly type: 'FeatureLevel';
  readonly name: string;
  /** 0 removes the feature. */
  readonly featureLevel: number;
}

export interface ClusterIdRecord {
  readonly type: 'ClusterId';
  readonly clusterId: string;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | UnregisterBrokerRecord
  | BrokerRegistrationChangeRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord
  | ConfigRecord
  | ProducerIdsRecord
  | FeatureLevelRecord
  | ClusterIdRecord;

export type MetadataRecordType = MetadataRecord['type'];

export const METADATA_RECORD_API_KEYS: Readonly<Record<MetadataRecordType, number>> = {
  RegisterBroker: 0,
  UnregisterBroker: 1,
  Topic: 2,
  Partition: 3,
  Config: 4,
  PartitionChange: 5,
  RemoveTopic: 9,
  FeatureLevel: 12,
  ProducerIds: 15,
  BrokerRegistrationChange: 17,
  ClusterId: 1000,
};

const TYPE_BY_API_KEY = new Map<number, MetadataRecordType>(
  Object.entries(METADATA_RECORD_API_KEYS).map(([type, key]) => [key, type as MetadataRecordType]),
);

export const METADATA_RECORD_HEADER_BYTES = 4;
/** The highest version of each record type this code reads and writes. */
const VERSION_MAX: Readonly<Record<MetadataRecordType, number>> = {
  RegisterBroker: 1,
  UnregisterBroker: 0,
  Topic: 0,
  Partition: 0,
  Config: 0,
  PartitionChange: 0,
  RemoveTopic: 0,
  FeatureLevel: 0,
  ProducerIds: 0,
  BrokerRegistrationChange: 0,
  ClusterId: 0,
};

/** The lowest version that carries every field of `record`, so older readers read what they can. */
function recordVersion(record: MetadataRecord): number {
  return record.type === 'RegisterBroker' && record.incarnationId !== undefined ? 1 : 0;
}

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const apiKey = METADATA_RECORD_API_KEYS[record.type];
  if (apiKey === undefined) {
    throw new TributaryError('INVALID_REQUEST', `Cannot encode metadata record of unknown type ${JSON.stringify(record.type)}`);
  }
  const { type: _type, ...fields } = record;
  const body = Buffer.from(JSON.stringify(fields), 'utf8');
  const out = Buffer.allocUnsafe(METADATA_RECORD_HEADER_BYTES + body.length);
  out.writeUInt16BE(apiKey, 0);
  out.writeUInt16BE(recordVersion(record), 2);
  body.copy(out, METADATA_RECORD_HEADER_BYTES);
  return out;
}

export function decodeMetadataRecord(bytes: Uint8Array): MetadataRecord {
  if (bytes.length < METADATA_RECORD_HEADER_BYTES) {
    throw corrupt(`it is ${bytes.length} bytes, shorter than the ${METADATA_RECORD_HEADER_BYTES}-byte header`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const apiKey = buf.readUInt16BE(0);
  const version = buf.readUInt16BE(2);
  const type = TYPE_BY_API_KEY.get(apiKey);
  if (type === undefined) {
    throw new TributaryError('UNSUPPORTED_VERSION', `Unknown metadata record type ${apiKey}; this node is older than the log it reads, upgrade it`);
  }
  if (version > VERSION_MAX[type]) {
    throw new TributaryError(
      'UNSUPPORTED_VERSION',
      `${type} metadata record version ${version} is newer than the highest known (${VERSION_MAX[type]}); upgrade this node`,
    );
  }
  let fields: unknown;
  try {
    fields = JSON.parse(buf.toString('utf8', METADATA_RECORD_HEADER_BYTES));
  } catch (e) {
    throw corrupt(`the ${type} body is not JSON (${(e as Error).message})`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw corrupt(`the ${type} body is not an object`);
  if (Object.prototype.hasOwnProperty.call(fields, 'type')) throw corrupt(`the ${type} body has a "type" field; the type is in the header`);
  const record = { ...fields, type } as MetadataRecord;
  checkMetadataRecord(record);
  if (recordVersion(record) !== version) throw corrupt(`the fields of ${type} are those of version ${recordVersion(record)}, the header says ${version}`);
  return record;
}

function corrupt(reason: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `Malformed metadata record: ${reason}`);
}

/**
 * Checks that `record` has exactly the fields of its type, well typed; throws CORRUPT_MESSAGE
 * naming the field otherwise. Decoding calls it; callers building records by hand may too.
 */
export function checkMetadataRecord(record: MetadataRecord): void {
  const r = record as unknown as Record<string, unknown>;
  const fieldsSeen = new Set<string>(['type']);
  const field = (name: string, ok: (v: unknown) => boolean, what: string, optional = false): void => {
    fieldsSeen.add(name);
    const v = r[name];
    if (v === undefined && optional) return;
    if (!ok(v)) throw corrupt(`${record.type}.${name} is ${JSON.stringify(v)}, expected ${what}`);
  };
  const int32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;
  const int64 = (v: unknown) => Number.isSafeInteger(v);
  const str = (v: unknown) => typeof v === 'string';
  const ids = (v: unknown) => Array.isArray(v) && v.every(int32);
  const topicId = (v: unknown) => typeof v === 'string' && isTopicId(v);
  switch (record.type) {
    case 'RegisterBroker':
      field('brokerId', int32, 'an int32');
      field('brokerEpoch', int64, 'an int64');
      field('endpoints', (v) => Array.isArray(v) && v.every(isEndpoint), 'a list of {host, port}');
      field('rack', (v) => v === null || str(v), 'a string or null');
      field('fenced', (v) => typeof v === 'boolean', 'a boolean');
      field('incarnationId', (v) => str(v) && (v as string).length > 0, 'a non-empty string', true);
      break;
    case 'UnregisterBroker':
      field('brokerId', int32, 'an int32');
      field('brokerEpoch', int64, 'an int64');
      break;
    case 'BrokerRegistrationChange':
      field('brokerId', int32, 'an int32');
      field('brokerEpoch', int64, 'an int64');
      field('fenced', (v) => typeof v === 'boolean', 'a boolean', true);
      break;
    case 'Topic':
      field('name', str, 'a string');
      field('topicId', topicId, 'a 22-character base64url topic id');
      break;
    case 'Partition':
      field('topicId', topicId, 'a 22-character base64url topic id');
      field('partition', int32, 'an int32');
      field('replicas', ids, 'a list of int32 broker ids');
      field('isr', ids, 'a list of int32 broker ids');
      field('leader', int32, 'an int32');
      field('leaderEpoch', int32, 'an int32');
      field('partitionEpoch', int32, 'an int32');
      break;
    case 'PartitionChange':
      field('topicId', topicId, 'a 22-character base64url topic id');
      field('partition', int32, 'an int32');
      field('leader', int32, 'an int32', true);
      field('isr', ids, 'a list of int32 broker ids', true);
      field('replicas', ids, 'a list of int32 broker ids', true);
      break;
    case 'RemoveTopic':
      field('topicId', topicId, 'a 22-character base64url topic id');
      break;
    case 'Config':
      field('resourceType', (v) => v === 'topic' || v === 'broker', "'topic' or 'broker'");
      field('resourceName', str, 'a string');
      field('name', str, 'a string');
      field('value', (v) => v === null || str(v), 'a string or null');
      break;
    case 'ProducerIds':
      field('brokerId', int32, 'an int32');
      field('brokerEpoch', int64, 'an int64');
      field('nextProducerId', int64, 'an int64');
      break;
    case 'FeatureLevel':
      field('name', str, 'a string');
      field('featureLevel', (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 15, 'an int16 >= 0');
      break;
    case 'ClusterId':
      field('clusterId', (v) => str(v) && (v as string).length > 0, 'a non-empty string');
      break;
    default:
      throw corrupt(`unknown record type ${JSON.stringify((record as { type: unknown }).type)}`);
  }
  const extra = Object.keys(r).filter((k) => !fieldsSeen.has(k));
  if (extra.length > 0) throw corrupt(`${record.type} has unknown field(s) ${extra.join(', ')}`);
}

function isEndpoint(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    Object.keys(e).length === 2 &&
    typeof e['host'] === 'string' &&
    Number.isInteger(e['port']) &&
    (e['port'] as number) >= 0 &&
    (e['port'] as number) <= 65535
  );
}
