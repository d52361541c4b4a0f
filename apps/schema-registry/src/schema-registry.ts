import {
  checkCompatibility,
  DEFAULT_COMPATIBILITY_LEVEL,
  isSchemaError,
  parseCompatibilityLevel,
  parseSchema,
  type CompatibilityLevel,
  type ParsedSchema,
  type SchemaType,
} from '@tributary/schema';
import type { Logger } from 'pino';
import { forwardToLeader, LeaderUnreachableError, type ForwardedRequest } from './leader-client';
import { RegistryErrors } from './registry-error';
import type { ConfigValue, RegistryRecord, SchemaReference, SchemaValue } from './registry-records';
import { MODES, schemaIdentity, type Mode } from './registry-state';
import type { SchemaRequest } from './schema-request';
import type { SchemaStore } from './schema-store';

export const LATEST_VERSION = -1;
/** Attempts of a write that keeps losing to concurrent writers before it fails (50001). */
const WRITE_ATTEMPTS_MAX = 10;

export interface SchemaRegistryConfig {
  readonly leaderEligibility: boolean;
  /** Deadline of a forwarded request. */
  readonly forwardTimeoutMs: number;
}

export interface CompatibilityAnswer {
  is_compatible: boolean;
  messages?: string[];
}

export interface ConfigUpdate {
  compatibility?: string;
  normalize?: boolean;
}

interface Plan<T> {
  readonly records: readonly RegistryRecord[];
  readonly result: T;
}

/**
 * Confluent Schema Registry's operations over the `_schemas` log (framework-free; the REST and
 * gRPC edges map to and from it). Reads answer from this instance's applied state. Writes run on
 * the leader only, one at a time: the leader plans records from its state, appends them, and
 * waits until it has applied them (retrying when a concurrent writer won). Any other instance
 * forwards writes to the leader's REST API and waits until it has applied the leader's answer.
 */
export class SchemaRegistry {
  private writing: Promise<unknown> = Promise.resolve();
  /** How other instances reach this one (its REST base URL): its identity in the leader rule; set by join(). */
  private url = '';
  /** This instance's registration on its way into the log: writes arriving meanwhile wait for it. */
  private joining: Promise<void> = Promise.resolve();
  private readonly parsed = new Map<string, ParsedSchema>();
  private closing = false;

  constructor(
    private readonly store: SchemaStore,
    private readonly config: SchemaRegistryConfig,
    private readonly logger: Logger,
  ) {}

  private get state() {
    return this.store.state;
  }

  /** Registers this instance, reachable at `url`, in the log (the leader rule reads the registrations). */
  async join(url: string): Promise<void> {
    this.url = url;
    this.joining = this.store.write([{ key: { keytype: 'INSTANCE', url }, value: { url, leaderEligibility: this.config.leaderEligibility } }]).then(() => undefined);
    await this.joining;
  }

  /** Called for every applied record: an instance evicted by a follower that could not reach it joins again. */
  onApplied(record: RegistryRecord): void {
    if (record.key.keytype === 'INSTANCE' && record.key.url === this.url && record.value === null && !this.closing) {
      this.logger.warn('this instance was reported unreachable and removed from the leader election; joining again');
      this.join(this.url).catch((error: unknown) => this.logger.error({ err: error }, 'joining again failed'));
    }
  }

  /** Leaves the election (so another instance leads at once). */
  async leave(): Promise<void> {
    this.closing = true;
    if (this.url !== '') await this.store.write([{ key: { keytype: 'INSTANCE', url: this.url }, value: null }]).catch(() => undefined);
  }

  get appliedOffset(): number {
    return this.store.appliedOffset;
  }

  leaderUrl(): string | null {
    return this.state.leaderUrl();
  }

  // ---- reads ----

  listSubjects(options: { prefix?: string; deleted?: boolean; deletedOnly?: boolean }): string[] {
    return this.state.subjectNames(options).filter((s) => s.startsWith(options.prefix ?? ''));
  }

  listVersions(subject: string, options: { deleted?: boolean; deletedOnly?: boolean }): number[] {
    if (this.state.versions(subject, { deleted: options.deleted || options.deletedOnly }).length === 0) throw RegistryErrors.subjectNotFound(subject);
    return this.state.versions(subject, options).map((v) => v.version);
  }

  getVersion(subject: string, version: number, options: { deleted?: boolean } = {}): SchemaValue {
    const versions = this.state.versions(subject, options);
    const found = version === LATEST_VERSION ? versions.at(-1) : versions.find((v) => v.version === version);
    if (found) return found;
    if (versions.length === 0) throw RegistryErrors.subjectNotFound(subject);
    throw RegistryErrors.versionNotFound(version);
  }

  referencedBy(subject: string, version: number): number[] {
    const found = this.getVersion(subject, version, { deleted: true });
    return this.state.referencedBy(subject, found.version);
  }

  schemaById(id: number): SchemaValue {
    const found = this.state.schemaById(id);
    if (!found) throw RegistryErrors.schemaNotFound(id);
    return found;
  }

  maxId(): number {
    return this.state.maxId;
  }

  versionsOfId(id: number, options: { deleted?: boolean }): SchemaValue[] {
    this.schemaById(id);
    return this.state.versionsOfId(id).filter((v) => options.deleted || !v.deleted);
  }

  listSchemas(options: { prefix?: string; deleted?: boolean; latestOnly?: boolean; offset?: number; limit?: number }): SchemaValue[] {
    const all = this.state.subjectNames({ deleted: options.deleted }).filter((s) => s.startsWith(options.prefix ?? ''));
    const schemas = all.flatMap((subject) => {
      const versions = this.state.versions(subject, { deleted: options.deleted });
      return options.latestOnly ? versions.slice(-1) : versions;
    });
    const offset = Math.max(0, options.offset ?? 0);
    return options.limit !== undefined && options.limit > 0 ? schemas.slice(offset, offset + options.limit) : schemas.slice(offset);
  }

  /** POST /subjects/{subject}: the version of this subject holding the schema. */
  lookup(subject: string, request: SchemaRequest, options: { normalize?: boolean; deleted?: boolean }): SchemaValue {
    const versions = this.state.versions(subject, { deleted: options.deleted });
    if (versions.length === 0) throw RegistryErrors.subjectNotFound(subject);
    const { stored } = this.prepare(subject, request, options.normalize);
    const id = this.state.idOf(schemaIdentity(stored));
    const found = versions.find((v) => v.id === id);
    if (!found) throw RegistryErrors.schemaNotFound();
    return found;
  }

  /**
   * Checks a schema against one version of a subject (`version`) or against what registering it
   * would check (`version` undefined: the latest, or all versions for a transitive level).
   */
  checkCompatibility(subject: string, version: number | undefined, request: SchemaRequest, options: { normalize?: boolean; verbose?: boolean }): CompatibilityAnswer {
    const undeleted = this.state.versions(subject);
    let previous: SchemaValue[];
    if (version === undefined) previous = undeleted;
    else if (version === LATEST_VERSION) previous = undeleted.slice(-1);
    else previous = [this.getVersion(subject, version)];
    const { parsed } = this.prepare(subject, request, options.normalize);
    const result = checkCompatibility({ newSchema: parsed, previousSchemas: previous.map((v) => this.parsedVersion(v)), level: this.levelInScope(subject) });
    return { is_compatible: result.compatible, ...(options.verbose ? { messages: [...result.messages] } : {}) };
  }

  getConfig(subject: string | null, defaultToGlobal: boolean): ConfigValue {
    const config = this.state.config(subject);
    if (config) return config;
    if (subject !== null && !defaultToGlobal) throw RegistryErrors.subjectCompatibilityNotConfigured(subject);
    return this.state.config(null) ?? { compatibilityLevel: DEFAULT_COMPATIBILITY_LEVEL };
  }

  getMode(subject: string | null, defaultToGlobal: boolean): { mode: Mode } {
    const mode = this.state.mode(subject);
    if (mode) return { mode };
    if (subject !== null && !defaultToGlobal) throw RegistryErrors.subjectModeNotConfigured(subject);
    return { mode: this.state.mode(null) ?? 'READWRITE' };
  }

  // ---- writes ----

  async register(subject: string, request: SchemaRequest, normalize: boolean): Promise<{ id: number }> {
    // Registering what the subject holds already answers its id at once, on any instance and in any mode (as Confluent does).
    const existing = request.version === undefined ? this.registeredId(subject, request, normalize) : undefined;
    if (existing !== undefined && (request.id === undefined || request.id === existing)) return { id: existing };
    return this.write(() => this.planRegister(subject, request, normalize), {
      method: 'POST',
      path: `/subjects/${encodeURIComponent(subject)}/versions?normalize=${normalize}`,
      body: { schema: request.schema, schemaType: request.schemaType, references: request.references, id: request.id, version: request.version },
    });
  }

  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.write(() => this.planDeleteSubject(subject, permanent), { method: 'DELETE', path: `/subjects/${encodeURIComponent(subject)}?permanent=${permanent}` });
  }

  async deleteVersion(subject: string, version: number, permanent: boolean): Promise<number> {
    return this.write(() => this.planDeleteVersion(subject, version, permanent), {
      method: 'DELETE',
      path: `/subjects/${encodeURIComponent(subject)}/versions/${version}?permanent=${permanent}`,
    });
  }

  async setConfig(subject: string | null, update: ConfigUpdate): Promise<ConfigUpdate> {
    return this.write(() => this.planSetConfig(subject, update), { method: 'PUT', path: scopedPath('/config', subject), body: update });
  }

  async deleteConfig(subject: string | null): Promise<ConfigValue> {
    return this.write(
      () => {
        const previous = this.getConfig(subject, subject === null);
        return { records: [{ key: { keytype: 'CONFIG', subject }, value: null }], result: previous };
      },
      { method: 'DELETE', path: scopedPath('/config', subject) },
    );
  }

  async setMode(subject: string | null, modeName: string, force: boolean): Promise<{ mode: Mode }> {
    return this.write(() => this.planSetMode(subject, modeName, force), {
      method: 'PUT',
      path: `${scopedPath('/mode', subject)}?force=${force}`,
      body: { mode: modeName },
    });
  }

  async deleteMode(subject: string | null): Promise<{ mode: Mode }> {
    return this.write(
      () => {
        const previous = this.getMode(subject, subject === null);
        return { records: [{ key: { keytype: 'MODE', subject }, value: null }], result: previous };
      },
      { method: 'DELETE', path: scopedPath('/mode', subject) },
    );
  }

  /**
   * Runs a write here when this instance leads (one at a time; planned again whenever a
   * concurrent writer won), or forwards it. A leader that cannot be reached is removed from the
   * election (its registration tombstoned) and the write goes to the next leader, possibly this
   * instance: ids stay unique regardless, as the log decides between concurrent writers.
   */
  private async write<T>(plan: () => Plan<T>, forward: ForwardedRequest): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.state.leaderUrl() === null) await this.joining;
      const leader = this.state.leaderUrl();
      if (leader === null) throw RegistryErrors.unknownLeader();
      if (leader === this.url) return this.exclusive(() => this.writeHere(plan));
      try {
        const answer = await forwardToLeader(leader, forward, this.config.forwardTimeoutMs);
        await this.store.waitApplied(answer.appliedOffset);
        return answer.body as T;
      } catch (error) {
        if (!(error instanceof LeaderUnreachableError)) throw error;
        if (attempt > 0) throw RegistryErrors.forwardingFailed(`Error while forwarding the request to the leader: ${error.message}`, error);
        this.logger.warn({ leader }, 'the leader cannot be reached; removing it from the election');
        await this.store.write([{ key: { keytype: 'INSTANCE', url: leader }, value: null }]);
      }
    }
  }

  private async writeHere<T>(plan: () => Plan<T>): Promise<T> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS_MAX; attempt++) {
      const { records, result } = plan();
      if (records.length === 0 || (await this.store.write(records))) return result;
      this.logger.info({ attempt }, 'a concurrent writer won; planning the write again');
    }
    throw RegistryErrors.store(`the write lost to concurrent writers ${WRITE_ATTEMPTS_MAX} times; try again`);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writing.then(task, task);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private planRegister(subject: string, request: SchemaRequest, normalize: boolean): Plan<{ id: number }> {
    const mode = this.state.modeInScope(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    if (request.id !== undefined && mode !== 'IMPORT') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in import mode`);
    if (request.id === undefined && mode !== 'READWRITE') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is not in read-write mode`);
    const all = this.state.versions(subject, { deleted: true });
    const undeleted = all.filter((v) => !v.deleted);
    const nextVersion = (all.at(-1)?.version ?? 0) + 1;
    const { parsed, stored } = this.prepare(subject, request, normalize);
    const identity = schemaIdentity(stored);
    let id = request.id;
    const existingId = this.state.idOf(identity);
    if (existingId !== undefined && (id === undefined || id === existingId)) {
      const holder = undeleted.find((v) => v.id === existingId);
      if (holder && request.version === undefined) return { records: [], result: { id: existingId } };
      id = existingId;
    }
    if (mode !== 'IMPORT') {
      const check = checkCompatibility({ newSchema: parsed, previousSchemas: undeleted.map((v) => this.parsedVersion(v)), level: this.levelInScope(subject) });
      if (!check.compatible) throw RegistryErrors.incompatible(subject, check.messages);
    }
    const version = request.version ?? nextVersion;
    if (version !== nextVersion && mode !== 'IMPORT') throw RegistryErrors.invalidSchema('Version is not one more than previous version');
    const occupant = this.state.version(subject, version);
    if (occupant) {
      if (occupant.id === id && schemaIdentity(occupant) === identity) return { records: [], result: { id } };
      throw RegistryErrors.operationNotPermitted(`Version ${version} of subject ${subject} holds schema ${occupant.id} already; overwriting it is not permitted.`);
    }
    if (id !== undefined && id !== existingId) {
      const holder = this.state.schemaById(id);
      if (holder && schemaIdentity(holder) !== identity) throw RegistryErrors.operationNotPermitted(`Overwrite new schema with id ${id} is not permitted.`);
    }
    const assigned = id ?? this.state.maxId + 1;
    const records: RegistryRecord[] = all
      .filter((v) => v.deleted && v.id === assigned && v.version < version)
      .map((v) => ({ key: { keytype: 'SCHEMA', subject, version: v.version }, value: null }));
    records.push({ key: { keytype: 'SCHEMA', subject, version }, value: { subject, version, id: assigned, ...stored, deleted: false } });
    return { records, result: { id: assigned } };
  }

  private planDeleteSubject(subject: string, permanent: boolean): Plan<number[]> {
    const all = this.state.versions(subject, { deleted: true });
    if (all.length === 0) throw RegistryErrors.subjectNotFound(subject);
    const undeleted = all.filter((v) => !v.deleted);
    if (!permanent && undeleted.length === 0) throw RegistryErrors.subjectSoftDeleted(subject);
    this.checkWritable(subject);
    const targets = permanent ? all : undeleted;
    for (const v of targets) {
      if (this.state.referencedBy(subject, v.version).length > 0) throw RegistryErrors.referenceExists(subject, v.version);
      if (permanent && !v.deleted) throw RegistryErrors.subjectNotSoftDeleted(subject);
    }
    const versions = targets.map((v) => v.version);
    const records: RegistryRecord[] = permanent
      ? this.permanentDeletes(subject, versions)
      : [{ key: { keytype: 'DELETE_SUBJECT', subject }, value: { subject, version: Math.max(...versions) } }, ...this.subjectSettingsDeletes(subject)];
    return { records, result: versions };
  }

  private planDeleteVersion(subject: string, versionId: number, permanent: boolean): Plan<number> {
    const all = this.state.versions(subject, { deleted: true });
    const target = versionId === LATEST_VERSION ? (permanent ? all : all.filter((v) => !v.deleted)).at(-1) : all.find((v) => v.version === versionId);
    if (!target) {
      if (all.length === 0) throw RegistryErrors.subjectNotFound(subject);
      throw RegistryErrors.versionNotFound(versionId);
    }
    if (!permanent && target.deleted) throw RegistryErrors.versionSoftDeleted(subject, target.version);
    this.checkWritable(subject);
    if (this.state.referencedBy(subject, target.version).length > 0) throw RegistryErrors.referenceExists(subject, target.version);
    if (permanent && !target.deleted) throw RegistryErrors.versionNotSoftDeleted(subject, target.version);
    const lastUndeleted = all.filter((v) => !v.deleted).length === 1;
    const records: RegistryRecord[] = permanent
      ? this.permanentDeletes(subject, [target.version])
      : [{ key: { keytype: 'SCHEMA', subject, version: target.version }, value: { ...target, deleted: true } }, ...(lastUndeleted ? this.subjectSettingsDeletes(subject) : [])];
    return { records, result: target.version };
  }

  private planSetConfig(subject: string | null, update: ConfigUpdate): Plan<ConfigUpdate> {
    if (update.compatibility === undefined && update.normalize === undefined) throw RegistryErrors.invalidCompatibilityLevel();
    let level: CompatibilityLevel | undefined;
    if (update.compatibility !== undefined) {
      try {
        level = parseCompatibilityLevel(update.compatibility);
      } catch {
        throw RegistryErrors.invalidCompatibilityLevel();
      }
    }
    const current = this.state.config(subject) ?? this.getConfig(null, true);
    const value: ConfigValue = {
      compatibilityLevel: level ?? current.compatibilityLevel,
      ...(update.normalize !== undefined ? { normalize: update.normalize } : current.normalize !== undefined ? { normalize: current.normalize } : {}),
    };
    return {
      records: [{ key: { keytype: 'CONFIG', subject }, value }],
      result: { ...(level ? { compatibility: level } : {}), ...(update.normalize !== undefined ? { normalize: update.normalize } : {}) },
    };
  }

  private planSetMode(subject: string | null, modeName: string, force: boolean): Plan<{ mode: Mode }> {
    const mode = (typeof modeName === 'string' ? modeName.toUpperCase() : '') as Mode;
    if (!MODES.includes(mode)) throw RegistryErrors.invalidMode();
    if (mode === 'IMPORT' && !force) {
      const nonEmpty = subject === null ? this.state.subjectNames({ deleted: true }).length > 0 : this.state.versions(subject, { deleted: true }).length > 0;
      if (nonEmpty) throw RegistryErrors.operationNotPermitted('Cannot import since found existing subjects');
    }
    return { records: [{ key: { keytype: 'MODE', subject }, value: { mode } }], result: { mode } };
  }

  private checkWritable(subject: string): void {
    const mode = this.state.modeInScope(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw RegistryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  }

  /** Tombstones for versions, and the id floor so compaction never lets an id be given again. */
  private permanentDeletes(subject: string, versions: number[]): RegistryRecord[] {
    return [
      { key: { keytype: 'ID_FLOOR' }, value: { id: this.state.maxId } },
      ...versions.map((version): RegistryRecord => ({ key: { keytype: 'SCHEMA', subject, version }, value: null })),
    ];
  }

  /** A subject with no version left loses its compatibility and mode settings, as in Confluent. */
  private subjectSettingsDeletes(subject: string): RegistryRecord[] {
    const records: RegistryRecord[] = [];
    if (this.state.config(subject)) records.push({ key: { keytype: 'CONFIG', subject }, value: null });
    if (this.state.mode(subject)) records.push({ key: { keytype: 'MODE', subject }, value: null });
    return records;
  }

  // ---- schemas ----

  private registeredId(subject: string, request: SchemaRequest, normalize: boolean): number | undefined {
    const { stored } = this.prepare(subject, request, normalize);
    const id = this.state.idOf(schemaIdentity(stored));
    return this.state.versions(subject).some((v) => v.id === id) ? id : undefined;
  }

  /** Parses a request's schema with its references and gives the form to store (canonical, or normalized). */
  private prepare(subject: string, request: SchemaRequest, normalize = false): { parsed: ParsedSchema; stored: Pick<SchemaValue, 'schemaType' | 'references' | 'schema'> } {
    if (request.schema.trim() === '') throw RegistryErrors.invalidSchema('Empty schema');
    const references = request.references.map((r) => ({ ...r, version: this.referencedVersion(r).version }));
    const parsed = this.parse(request.schemaType, request.schema, references);
    const useNormalized = normalize || this.state.config(subject)?.normalize === true || this.state.config(null)?.normalize === true;
    return { parsed, stored: { schemaType: request.schemaType, references, schema: useNormalized ? parsed.normalizedString : parsed.canonicalString } };
  }

  private parse(schemaType: SchemaType, schema: string, references: readonly SchemaReference[], version?: number): ParsedSchema {
    try {
      return parseSchema({ schemaType, schema, references: this.resolveReferences(references), ...(version ? { version } : {}) });
    } catch (error) {
      if (isSchemaError(error)) throw RegistryErrors.invalidSchema(error.message);
      throw error;
    }
  }

  /** A stored version parsed (cached: versions never change their schema). */
  private parsedVersion(value: SchemaValue): ParsedSchema {
    const key = `${value.id}\0${value.subject}\0${value.version}`;
    let parsed = this.parsed.get(key);
    if (!parsed) {
      parsed = this.parse(value.schemaType, value.schema, value.references, value.version);
      this.parsed.set(key, parsed);
    }
    return parsed;
  }

  private referencedVersion(reference: SchemaReference): SchemaValue {
    const versions = this.state.versions(reference.subject, { deleted: true });
    const found = reference.version === LATEST_VERSION ? versions.filter((v) => !v.deleted).at(-1) : versions.find((v) => v.version === reference.version);
    if (!found) throw RegistryErrors.invalidSchema(`Invalid schema: no schema reference found for subject "${reference.subject}" and version ${reference.version}`);
    return found;
  }

  /** Reference name → schema text, dependencies first (depth-first, as Confluent expands them). */
  private resolveReferences(references: readonly SchemaReference[], resolved: Record<string, string> = {}): Record<string, string> {
    for (const reference of references) {
      if (reference.name in resolved) continue;
      const target = this.referencedVersion(reference);
      resolved[reference.name] = '';
      this.resolveReferences(target.references, resolved);
      delete resolved[reference.name];
      resolved[reference.name] = target.schema;
    }
    return resolved;
  }

  private levelInScope(subject: string): CompatibilityLevel {
    return parseCompatibilityLevel((this.state.config(subject) ?? this.state.config(null))?.compatibilityLevel ?? DEFAULT_COMPATIBILITY_LEVEL);
  }
}

function scopedPath(base: string, subject: string | null): string {
  return subject === null ? base : `${base}/${encodeURIComponent(subject)}`;
}
