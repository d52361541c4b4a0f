import { TributaryError } from '@tributary/protocol';
import type { SchemaType } from '@tributary/schema';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry's API carries it. */
export interface SchemaInput {
  /** AVRO when omitted. */
  schemaType?: SchemaType;
  schema: string;
  references?: SchemaReference[];
}

export interface RegisteredSchema extends Required<SchemaInput> {
  id: number;
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  version: number;
}

export interface SchemaRegistryClientOptions {
  /** The registry's base URL, e.g. http://localhost:8081. */
  url: string;
  /** Deadline of one request; default 30000. */
  requestTimeoutMs?: number;
  /** How long a subject's latest version is cached (use-latest); default forever, as Confluent's latest.cache.ttl.sec=-1. */
  latestCacheTtlMs?: number;
}

/** The registry answered with an error: Confluent's `error_code` and message, and the HTTP status. */
export class SchemaRegistryError extends TributaryError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(status >= 500 ? 'UNKNOWN_SERVER_ERROR' : 'INVALID_REQUEST', message);
    this.name = 'SchemaRegistryError';
  }
}

const MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A client of Confluent's Schema Registry REST API (ours or Confluent's), over Node's fetch.
 * What never changes is cached for good: schemas by id, ids of registered schemas per subject;
 * a subject's latest version for latestCacheTtlMs.
 */
export class SchemaRegistryClient {
  private readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly latestCacheTtlMs: number;
  private readonly schemasById = new Map<number, Promise<RegisteredSchema>>();
  private readonly idsBySubjectSchema = new Map<string, Promise<number>>();
  private readonly latestBySubject = new Map<string, { atMs: number; version: Promise<SubjectVersion> }>();

  constructor(options: SchemaRegistryClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.latestCacheTtlMs = options.latestCacheTtlMs ?? Infinity;
  }

  /** Registers a schema under a subject (or finds it registered) and answers its id. */
  register(subject: string, schema: SchemaInput, options: { normalize?: boolean } = {}): Promise<number> {
    const key = `${subject}\0${options.normalize === true}\0${JSON.stringify(body(schema))}`;
    return this.cached(this.idsBySubjectSchema, key, async () => {
      const answer = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions${query(options)}`, body(schema))) as { id: number };
      return answer.id;
    });
  }

  /** The version of a subject holding a schema (POST /subjects/{subject}); 40401/40403 when none. */
  async lookup(subject: string, schema: SchemaInput, options: { normalize?: boolean } = {}): Promise<SubjectVersion> {
    return subjectVersion(await this.request('POST', `/subjects/${encodeURIComponent(subject)}${query(options)}`, body(schema)));
  }

  getSchemaById(id: number): Promise<RegisteredSchema> {
    return this.cached(this.schemasById, id, async () => {
      const answer = (await this.request('GET', `/schemas/ids/${id}`)) as Partial<RegisteredSchema>;
      return { id, schemaType: answer.schemaType ?? 'AVRO', schema: answer.schema ?? '', references: answer.references ?? [] };
    });
  }

  /** Every subject and version a schema id is registered under (GET /schemas/ids/{id}/versions). */
  async getSubjectVersionsById(id: number): Promise<{ subject: string; version: number }[]> {
    return (await this.request('GET', `/schemas/ids/${id}/versions`)) as { subject: string; version: number }[];
  }

  /** A version of a subject: a number, or 'latest'. */
  async getVersion(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    return subjectVersion(await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`));
  }

  /** The subject's latest version, cached for latestCacheTtlMs. */
  getLatest(subject: string): Promise<SubjectVersion> {
    const cached = this.latestBySubject.get(subject);
    if (cached && Date.now() - cached.atMs < this.latestCacheTtlMs) return cached.version;
    const version = this.getVersion(subject, 'latest');
    this.latestBySubject.set(subject, { atMs: Date.now(), version });
    version.catch(() => this.latestBySubject.delete(subject));
    return version;
  }

  async listSubjects(options: { deleted?: boolean } = {}): Promise<string[]> {
    return (await this.request('GET', `/subjects${options.deleted ? '?deleted=true' : ''}`)) as string[];
  }

  async listVersions(subject: string): Promise<number[]> {
    return (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions`)) as number[];
  }

  /** Whether the registry would accept the schema; `version` checks one version only, else as registering would. */
  async checkCompatibility(subject: string, schema: SchemaInput, options: { version?: number | 'latest'; verbose?: boolean } = {}): Promise<{ isCompatible: boolean; messages: string[] }> {
    const versionPath = options.version === undefined ? '' : `/${options.version}`;
    const answer = (await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions${versionPath}${options.verbose ? '?verbose=true' : ''}`, body(schema))) as {
      is_compatible: boolean;
      messages?: string[];
    };
    return { isCompatible: answer.is_compatible, messages: answer.messages ?? [] };
  }

  /** The compatibility level of a subject (falling back to the global one) or, without a subject, the global one. */
  async getCompatibility(subject?: string): Promise<string> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`;
    return ((await this.request('GET', path)) as { compatibilityLevel: string }).compatibilityLevel;
  }

  async setCompatibility(level: string, subject?: string): Promise<string> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;
    return ((await this.request('PUT', path, { compatibility: level })) as { compatibility: string }).compatibility;
  }

  /** Reference name → schema text of a schema's references, dependencies first (what the codecs need). */
  async resolveReferences(references: readonly SchemaReference[], resolved: Record<string, string> = {}): Promise<Record<string, string>> {
    for (const reference of references) {
      if (reference.name in resolved) continue;
      const target = await this.getVersion(reference.subject, reference.version < 0 ? 'latest' : reference.version);
      await this.resolveReferences(target.references, resolved);
      resolved[reference.name] = target.schema;
    }
    return resolved;
  }

  private async request(method: string, path: string, json?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: MEDIA_TYPE, ...(json === undefined ? {} : { 'content-type': MEDIA_TYPE }) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      throw new TributaryError('NETWORK_EXCEPTION', `the schema registry at ${this.baseUrl} cannot be reached (${method} ${path}): ${reason}`);
    }
    const text = await response.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new SchemaRegistryError(response.status, response.status, `the schema registry answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok) {
      const error = answer as { error_code?: number; message?: string };
      throw new SchemaRegistryError(response.status, error.error_code ?? response.status, error.message ?? text);
    }
    return answer;
  }

  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let value = cache.get(key);
    if (!value) {
      value = load();
      cache.set(key, value);
      // A failure is not remembered: the next call asks again.
      value.catch(() => cache.delete(key));
    }
    return value;
  }
}

function body(schema: SchemaInput): Record<string, unknown> {
  return {
    schema: schema.schema,
    ...(schema.schemaType && schema.schemaType !== 'AVRO' ? { schemaType: schema.schemaType } : {}),
    ...(schema.references && schema.references.length > 0 ? { references: schema.references } : {}),
  };
}

function query(options: { normalize?: boolean }): string {
  return options.normalize ? '?normalize=true' : '';
}

function subjectVersion(answer: unknown): SubjectVersion {
  const a = answer as Partial<SubjectVersion>;
  return { subject: a.subject ?? '', version: a.version ?? 0, id: a.id ?? 0, schemaType: a.schemaType ?? 'AVRO', schema: a.schema ?? '', references: a.references ?? [] };
}
