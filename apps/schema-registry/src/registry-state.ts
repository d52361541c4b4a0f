import type { ConfigValue, RegistryRecord, SchemaReference, SchemaValue } from './registry-records';

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

export interface RegisteredInstance {
  readonly url: string;
  readonly leaderEligibility: boolean;
  /** Offset of the record that registered it: the earliest eligible registration leads. */
  readonly offset: number;
}

interface IdEntry {
  readonly identity: string;
  readonly value: SchemaValue;
  /** "subject\0version" of every version holding this id, deleted ones included. */
  readonly slots: Set<string>;
}

/** What makes two registrations the same schema: its type, text and references (by name, subject, version). */
export function schemaIdentity(value: Pick<SchemaValue, 'schemaType' | 'references' | 'schema'>): string {
  return `${value.schemaType}\n${JSON.stringify(value.references)}\n${value.schema}`;
}

/**
 * The registry's state, rebuilt by applying the `_schemas` topic in order; no I/O. Every instance
 * applies the same records in the same order with the same rules, so all agree on it.
 *
 * Writes are optimistic: a writer computes records from what it has applied so far, appends them,
 * and learns from apply() whether they took. A SCHEMA record that conflicts with what the log
 * already holds is rejected (ignored by everyone), so two writers can never give one id to two
 * schemas, two schemas one subject version, or one schema two ids: the first in the log wins and
 * the loser retries against the new state.
 */
export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaValue>>();
  private readonly ids = new Map<number, IdEntry>();
  private readonly idByIdentity = new Map<string, number>();
  private readonly configs = new Map<string | null, ConfigValue>();
  private readonly modes = new Map<string | null, Mode>();
  private readonly instanceByUrl = new Map<string, RegisteredInstance>();
  private highestId = 0;

  /** Applies one record; false when it is a SCHEMA record that lost to an earlier one. */
  apply(record: RegistryRecord, offset: number): boolean {
    switch (record.key.keytype) {
      case 'SCHEMA':
        return record.value === null ? (this.removeVersion(record.key.subject, record.key.version), true) : this.putVersion(record.value as SchemaValue);
      case 'DELETE_SUBJECT': {
        const watermark = (record.value as { version: number } | null)?.version;
        if (watermark !== undefined) this.softDeleteUpTo(record.key.subject, watermark);
        return true;
      }
      case 'CONFIG':
        setOrDelete(this.configs, record.key.subject, record.value as ConfigValue | null);
        return true;
      case 'MODE':
        setOrDelete(this.modes, record.key.subject, ((record.value as { mode: string } | null)?.mode ?? null) as Mode | null);
        return true;
      case 'INSTANCE': {
        const value = record.value as { url: string; leaderEligibility: boolean } | null;
        setOrDelete(this.instanceByUrl, record.key.url, value && { url: value.url, leaderEligibility: value.leaderEligibility !== false, offset });
        return true;
      }
      case 'ID_FLOOR':
        this.highestId = Math.max(this.highestId, (record.value as { id: number } | null)?.id ?? 0);
        return true;
    }
  }

  private putVersion(value: SchemaValue): boolean {
    const identity = schemaIdentity(value);
    const versions = this.subjects.get(value.subject);
    const existing = versions?.get(value.version);
    if (existing) {
      // Only the deleted flag of a version may change.
      if (existing.id !== value.id || schemaIdentity(existing) !== identity) return false;
      versions!.set(value.version, value);
      return true;
    }
    const entry = this.ids.get(value.id);
    const importing = this.modeInScope(value.subject) === 'IMPORT';
    if (entry) {
      if (entry.identity !== identity) return false;
    } else {
      if (value.id <= this.highestId && !importing) return false;
      const other = this.idByIdentity.get(identity);
      if (other !== undefined && other !== value.id && !importing) return false;
    }
    if (!versions) this.subjects.set(value.subject, new Map([[value.version, value]]));
    else versions.set(value.version, value);
    const slots = entry?.slots ?? new Set<string>();
    slots.add(slotKey(value.subject, value.version));
    if (!entry) this.ids.set(value.id, { identity, value, slots });
    if (!this.idByIdentity.has(identity)) this.idByIdentity.set(identity, value.id);
    this.highestId = Math.max(this.highestId, value.id);
    return true;
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const existing = versions?.get(version);
    if (!existing) return;
    versions!.delete(version);
    if (versions!.size === 0) this.subjects.delete(subject);
    const entry = this.ids.get(existing.id);
    entry?.slots.delete(slotKey(subject, version));
    if (entry && entry.slots.size === 0) {
      this.ids.delete(existing.id);
      if (this.idByIdentity.get(entry.identity) === existing.id) this.idByIdentity.delete(entry.identity);
    }
  }

  private softDeleteUpTo(subject: string, watermark: number): void {
    const versions = this.subjects.get(subject);
    for (const [version, value] of versions ?? []) {
      if (version <= watermark && !value.deleted) versions!.set(version, { ...value, deleted: true });
    }
  }

  /** A subject's versions in order; soft-deleted ones only when asked. */
  versions(subject: string, options: { deleted?: boolean; deletedOnly?: boolean } = {}): SchemaValue[] {
    const all = [...(this.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    if (options.deletedOnly) return all.filter((v) => v.deleted);
    return options.deleted ? all : all.filter((v) => !v.deleted);
  }

  version(subject: string, version: number): SchemaValue | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** Every subject with a version (a soft-deleted one counts when `deleted`), sorted. */
  subjectNames(options: { deleted?: boolean; deletedOnly?: boolean } = {}): string[] {
    return [...this.subjects.keys()].filter((s) => this.versions(s, options).length > 0 && (!options.deletedOnly || this.versions(s).length === 0)).sort();
  }

  schemaById(id: number): SchemaValue | undefined {
    return this.ids.get(id)?.value;
  }

  /** Subject versions holding an id, sorted by subject then version. */
  versionsOfId(id: number): SchemaValue[] {
    const entry = this.ids.get(id);
    if (!entry) return [];
    return [...entry.slots]
      .map((slot) => {
        const separator = slot.lastIndexOf('\0');
        return this.subjects.get(slot.slice(0, separator))!.get(Number(slot.slice(separator + 1)))!;
      })
      .sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  idOf(identity: string): number | undefined {
    return this.idByIdentity.get(identity);
  }

  get maxId(): number {
    return this.highestId;
  }

  /** Ids of the versions (deleted ones included) whose references name this subject version. */
  referencedBy(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values()) {
      for (const value of versions.values()) {
        if (value.references.some((r: SchemaReference) => r.subject === subject && r.version === version)) ids.add(value.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  config(subject: string | null): ConfigValue | undefined {
    return this.configs.get(subject);
  }

  mode(subject: string | null): Mode | undefined {
    return this.modes.get(subject);
  }

  /** Confluent's rule: a global READONLY_OVERRIDE wins over subjects; otherwise the subject's, then the global mode. */
  modeInScope(subject: string): Mode {
    const global = this.modes.get(null) ?? 'READWRITE';
    if (global === 'READONLY_OVERRIDE') return global;
    return this.modes.get(subject) ?? global;
  }

  instances(): RegisteredInstance[] {
    return [...this.instanceByUrl.values()].sort((a, b) => a.offset - b.offset);
  }

  /** The leader: the leader-eligible instance registered earliest among those registered now. */
  leaderUrl(): string | null {
    return this.instances().find((i) => i.leaderEligibility)?.url ?? null;
  }
}

function slotKey(subject: string, version: number): string {
  return `${subject}\0${version}`;
}

function setOrDelete<K, V>(map: Map<K, V>, key: K, value: V | null): void {
  if (value === null) map.delete(key);
  else map.set(key, value);
}
