import { Command } from 'commander';
import type { Admin, TopicPartition } from '@tributary/client';
import type { GroupDescription, GroupMember } from '@tributary/proto';
import { isTributaryError, TributaryError } from '@tributary/protocol';
import { withAdmin } from './admin-config';
import { formatGroupStates, formatMembers, formatOffsets, formatReset, formatState, stateName, type OffsetRow } from './format-groups';
import { collect } from './key-value-list';
import { parseDateTime, planReset, resetScope, type ResetSpec } from './reset-offsets';

interface GroupsFlags {
  bootstrapServer: string;
  commandConfig?: string;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  group: string[];
  allGroups?: boolean;
  members?: boolean;
  offsets?: boolean;
  /** A flag with --describe; with --list, optionally the states to list (comma-separated). */
  state?: boolean | string;
  verbose?: boolean;
  topic: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: number;
  toDatetime?: string;
  shiftBy?: number;
  dryRun?: boolean;
  execute?: boolean;
}

type FlagName = keyof GroupsFlags;

const ACTIONS: FlagName[] = ['list', 'describe', 'delete', 'resetOffsets'];
const RESET_SPECS: FlagName[] = ['toEarliest', 'toLatest', 'toCurrent', 'toOffset', 'toDatetime', 'shiftBy'];
/** Group states from which offsets may be reset: nobody is consuming. */
const INACTIVE = ['EMPTY', 'DEAD'];

/** `tributary groups`: kafka-consumer-groups.sh's actions and flags. */
export function groupsCommand(): Command {
  return new Command('groups')
    .description('List, describe and delete consumer groups, and reset their offsets (as kafka-consumer-groups.sh)')
    .requiredOption('--bootstrap-server <host:port>', 'broker to connect to', 'localhost:9092')
    .option('--command-config <file>', 'a properties file of admin client configs (request.timeout.ms, default.api.timeout.ms, client.id)')
    .option('--list', 'list the groups (with --state, their states too)')
    .option('--describe', 'describe groups: committed offsets, log end offsets, lag and owners per partition (or --members, --state)')
    .option('--delete', 'delete empty groups and their committed offsets')
    .option('--reset-offsets', 'plan (--dry-run) or set (--execute) new committed offsets of an empty group')
    .option('--group <id>', 'the group (repeatable)', collect, [])
    .option('--all-groups', 'with --describe or --delete: every group')
    .option('--members', 'with --describe: the members, their hosts, client ids and partition counts')
    .option('--offsets', 'with --describe: the offsets view (the default)')
    .option('--state [states]', 'with --describe: coordinator, assignor, state and member count; with --list: show states, or only those listed (e.g. Stable,Empty)')
    .option('--verbose', 'with --describe --members or --state: more detail (instance ids, epochs, assignments)')
    .option('--topic <topic[:partitions]>', 'with --reset-offsets: a topic, or some of its partitions (orders:0,2) (repeatable)', collect, [])
    .option('--all-topics', 'with --reset-offsets: every partition the group has committed')
    .option('--to-earliest', 'reset to the earliest offset')
    .option('--to-latest', 'reset to the latest offset (the log end)')
    .option('--to-current', 'reset to the committed offset (the log end where none)')
    .option('--to-offset <n>', 'reset to this offset', integer)
    .option('--to-datetime <YYYY-MM-DDTHH:mm:SS.sss>', 'reset to the first offset at or after this time (local unless a zone such as Z or +01:00 follows)')
    .option('--shift-by <n>', 'move each committed offset by n (negative goes back)', integer)
    .option('--dry-run', 'with --reset-offsets: only print the new offsets')
    .option('--execute', 'with --reset-offsets: commit the new offsets')
    .action(async (flags: GroupsFlags) => {
      checkArgs(flags);
      await withAdmin(flags, (admin) => runGroups(admin, flags));
    });
}

/** ConsumerGroupCommand's argument checks, with its messages. */
function checkArgs(flags: GroupsFlags): void {
  if (ACTIONS.filter((a) => flags[a]).length !== 1) {
    throw new TributaryError('INVALID_REQUEST', 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets');
  }
  const action = ACTIONS.find((a) => flags[a]) as FlagName;
  const allowedWith: [FlagName, FlagName[]][] = [
    ['group', ['describe', 'delete', 'resetOffsets']],
    ['allGroups', ['describe', 'delete']],
    ['members', ['describe']],
    ['offsets', ['describe']],
    ['state', ['describe', 'list']],
    ['verbose', ['describe']],
    ['topic', ['resetOffsets']],
    ['allTopics', ['resetOffsets']],
    ['dryRun', ['resetOffsets']],
    ['execute', ['resetOffsets']],
    ...RESET_SPECS.map((s): [FlagName, FlagName[]] => [s, ['resetOffsets']]),
  ];
  for (const [option, actions] of allowedWith) {
    if (given(flags, option) && !actions.includes(action)) throw invalidWith(option, action);
  }
  if (action !== 'list' && flags.group.length === 0 && !flags.allGroups) {
    throw new TributaryError('INVALID_REQUEST', `Option [${kebab(action)}] takes one of these options: [all-groups], [group]`);
  }
  if (flags.group.length > 0 && flags.allGroups) throw invalidWith('group', 'allGroups');
  const views = (['members', 'offsets', 'state'] as FlagName[]).filter((v) => given(flags, v));
  if (views.length > 1) throw invalidWith(views[0], views[1]);
  if (flags.describe && typeof flags.state === 'string') throw new TributaryError('INVALID_REQUEST', 'Option [state] takes no value with [describe]');
  if (!flags.resetOffsets) return;
  if ((flags.topic.length > 0) === Boolean(flags.allTopics)) {
    throw new TributaryError('INVALID_REQUEST', 'One of the reset scopes should be defined: --all-topics, --topic.');
  }
  if (RESET_SPECS.filter((s) => given(flags, s)).length !== 1) {
    throw new TributaryError('INVALID_REQUEST', 'Option [reset-offsets] takes exactly one of these options: --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --shift-by');
  }
  if (flags.dryRun && flags.execute) throw invalidWith('dryRun', 'execute');
}

function given(flags: GroupsFlags, option: FlagName): boolean {
  const value = flags[option];
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

function invalidWith(option: FlagName, other: FlagName): TributaryError {
  return new TributaryError('INVALID_REQUEST', `Option "[${kebab(option)}]" can't be used with option "[${kebab(other)}]"`);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function runGroups(admin: Admin, flags: GroupsFlags): Promise<void> {
  if (flags.list) return list(admin, flags);
  const groupIds = flags.allGroups ? (await admin.listGroups()).map((g) => g.groupId) : flags.group;
  if (flags.describe) {
    for (const groupId of groupIds) process.stdout.write(await describe(admin, groupId, flags));
  } else if (flags.delete) {
    await admin.deleteGroups(groupIds);
    process.stdout.write(`Deletion of requested consumer groups (${groupIds.map((g) => `'${g}'`).join(', ')}) was successful.\n`);
  } else {
    for (const groupId of groupIds) await resetOffsets(admin, groupId, flags);
  }
}

async function list(admin: Admin, flags: GroupsFlags): Promise<void> {
  const states = typeof flags.state === 'string' ? flags.state.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '') : [];
  const groups = await admin.listGroups({ states });
  process.stdout.write(flags.state === undefined ? groups.map((g) => `${g.groupId}\n`).join('') : formatGroupStates(groups));
}

async function describe(admin: Admin, groupId: string, flags: GroupsFlags): Promise<string> {
  const [group] = await admin.describeGroups([groupId]);
  if (flags.state !== undefined) return formatState(group, await admin.findCoordinator(groupId), Boolean(flags.verbose));
  const noMembers = group.members.length === 0 ? `\nConsumer group '${groupId}' has no active members.\n` : '';
  if (flags.members) return noMembers || formatMembers(group, Boolean(flags.verbose));
  return noMembers + formatOffsets(groupId, await offsetRows(admin, group));
}

/** Every partition the group committed or a member owns (with its owner), then members that own nothing. */
async function offsetRows(admin: Admin, group: GroupDescription): Promise<OffsetRow[]> {
  const owners = new Map<string, GroupMember>();
  for (const member of group.members) for (const { topic, partitions } of member.assignment) for (const partition of partitions) owners.set(`${topic}:${partition}`, member);
  const committed = await admin.fetchOffsets(group.groupId);
  const partitions = new Map<string, TopicPartition>(committed.map(({ topic, partition }) => [`${topic}:${partition}`, { topic, partition }]));
  for (const key of owners.keys()) {
    const colon = key.lastIndexOf(':');
    partitions.set(key, { topic: key.slice(0, colon), partition: Number(key.slice(colon + 1)) });
  }
  const lags = partitions.size > 0 ? await admin.groupLag(group.groupId, [...partitions.values()]) : [];
  const rows: OffsetRow[] = lags
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((l) => ({ topic: l.topic, partition: l.partition, currentOffset: l.committedOffset, logEndOffset: l.logEndOffset, lag: l.lag, member: owners.get(`${l.topic}:${l.partition}`) ?? null }));
  const idle = group.members.filter((m) => m.assignment.every((t) => t.partitions.length === 0));
  return [...rows, ...idle.map((member) => ({ topic: null, partition: null, currentOffset: null, logEndOffset: null, lag: null, member }))];
}

/** As Kafka: only while nobody consumes; the plan is printed, and committed only with --execute. */
async function resetOffsets(admin: Admin, groupId: string, flags: GroupsFlags): Promise<void> {
  const state = await groupState(admin, groupId);
  if (!INACTIVE.includes(state)) {
    throw new TributaryError('NON_EMPTY_GROUP', `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${stateName(state)}.`);
  }
  if (!flags.dryRun && !flags.execute) {
    process.stderr.write('WARN: No action will be performed as the --execute option is missing. Add --dry-run to say so, or --execute to reset the offsets.\n');
  }
  const scope = await resetScope(admin, groupId, flags.topic, Boolean(flags.allTopics));
  const { rows, warnings } = await planReset(admin, groupId, scope, resetSpec(flags));
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
  if (flags.execute) await admin.alterOffsets(groupId, rows);
  process.stdout.write(formatReset(groupId, rows));
}

/** The group's state; DEAD when it does not exist (offsets may be set for a new group). */
async function groupState(admin: Admin, groupId: string): Promise<string> {
  try {
    return (await admin.describeGroups([groupId]))[0].state;
  } catch (e) {
    if (isTributaryError(e, 'GROUP_ID_NOT_FOUND')) return 'DEAD';
    throw e;
  }
}

function resetSpec(flags: GroupsFlags): ResetSpec {
  if (flags.toEarliest) return { to: 'earliest' };
  if (flags.toLatest) return { to: 'latest' };
  if (flags.toCurrent) return { to: 'current' };
  if (flags.toOffset !== undefined) return { to: 'offset', offset: flags.toOffset };
  if (flags.toDatetime !== undefined) return { to: 'datetime', timestampMs: parseDateTime(flags.toDatetime) };
  return { shiftBy: flags.shiftBy as number };
}

function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw new TributaryError('INVALID_REQUEST', `expected an integer, got "${value}"`);
  return n;
}
