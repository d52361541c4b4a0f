import { Inject, Injectable } from '@nestjs/common';
import { GROUP_STATES, GroupError, type Assignment, type GroupDescription as CoreGroupDescription, type GroupState, type HeartbeatRequest } from '@tributary/groups';
import type { MetadataImage } from '@tributary/metadata';
import type { ConsumerGroupHeartbeatRequest, GroupDescription, GroupServiceServer, OffsetCommitRequest, TopicPartitions } from '@tributary/proto';
import { ErrorCode, TributaryError } from '@tributary/protocol';
import { unaryHandler } from '@tributary/service-common';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from '../broker-logger';
import { GroupCoordinator } from './group-coordinator';

/** tributary.broker.v1.GroupService over the GroupCoordinator: maps messages and delegates. */
@Injectable()
export class GroupGrpcHandlers {
  constructor(
    @Inject(GroupCoordinator) private readonly coordinator: GroupCoordinator,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  implementation(): GroupServiceServer {
    return {
      findCoordinator: unaryHandler(this.logger, async ({ groupId }) => ({ coordinator: await this.coordinator.findCoordinator(groupId) })),

      consumerGroupHeartbeat: unaryHandler(this.logger, async (request, call) => {
        const response = await this.coordinator.run(request.groupId, (state, image) => {
          const result = state.heartbeat(toHeartbeatRequest(request, call.getPeer()), Date.now(), image);
          const { errorCode, errorMessage } = result.response;
          if (errorCode !== 'NONE') throw new GroupError(errorCode, errorMessage ?? errorCode);
          return result;
        });
        return {
          memberId: response.memberId,
          memberEpoch: response.memberEpoch,
          heartbeatIntervalMs: response.heartbeatIntervalMs,
          assignment: response.assignment && { topicPartitions: toTopicPartitions(response.assignment) },
        };
      }),

      offsetCommit: unaryHandler(this.logger, async (request) => {
        await this.coordinator.run(request.groupId, (state, image) => {
          requireTopicPartitions(image, request);
          return state.commitOffsets(
            {
              groupId: request.groupId,
              memberId: request.memberId,
              memberEpoch: request.memberEpoch,
              offsets: request.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata })),
            },
            Date.now(),
          );
        });
        return {};
      }),

      offsetFetch: unaryHandler(this.logger, async ({ groupId, partitions }) => {
        const offsets = await this.coordinator.read(groupId, (state) => state.fetchOffsets(groupId, partitions.length > 0 ? partitions : undefined));
        return { offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestampMs: o.commitTimestampMs })) };
      }),

      listGroups: unaryHandler(this.logger, async ({ states }) => {
        const wanted = states.map(toGroupState);
        const groups = await this.coordinator.readAll((state) => state.listGroups(wanted.length > 0 ? wanted : undefined));
        return { groups: groups.map((g) => ({ groupId: g.groupId, state: g.state })) };
      }),

      describeGroups: unaryHandler(this.logger, async ({ groupIds }) => ({
        groups: await Promise.all(
          groupIds.map((groupId) =>
            this.coordinator.read(groupId, (state) => toGroupDescription(state.describeGroups([groupId])[0])).catch((error: unknown) => ({ ...EMPTY_DESCRIPTION, groupId, ...errorOf(error, this.logger) })),
          ),
        ),
      })),

      deleteGroups: unaryHandler(this.logger, async ({ groupIds }) => ({
        results: await Promise.all(
          groupIds.map((groupId) =>
            this.coordinator.run(groupId, (state) => state.deleteGroup(groupId)).then(
              () => ({ groupId, errorCode: ErrorCode.NONE, errorMessage: '' }),
              (error: unknown) => ({ groupId, ...errorOf(error, this.logger) }),
            ),
          ),
        ),
      })),
    };
  }
}

const EMPTY_DESCRIPTION: GroupDescription = { groupId: '', errorCode: ErrorCode.NONE, errorMessage: '', state: 'DEAD', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] };

function toHeartbeatRequest(request: ConsumerGroupHeartbeatRequest, peer: string): HeartbeatRequest {
  return {
    groupId: request.groupId,
    memberId: request.memberId,
    memberEpoch: request.memberEpoch,
    instanceId: request.instanceId,
    rackId: request.rackId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    subscribedTopicNames: request.subscribedTopicNames?.names,
    subscribedTopicRegex: request.subscribedTopicRegex,
    serverAssignor: request.serverAssignor,
    ownedTopicPartitions: request.ownedTopicPartitions?.topicPartitions,
    clientId: request.clientId,
    clientHost: peer,
  };
}

/** As KafkaApis: a commit naming a topic or partition that does not exist changes nothing. */
function requireTopicPartitions(image: MetadataImage, request: OffsetCommitRequest): void {
  for (const { topic, partition } of request.offsets) {
    const count = image.partitionCount(topic);
    if (count === undefined || partition < 0 || partition >= count) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `cannot commit an offset for ${topic}-${partition}: ${count === undefined ? 'no such topic' : `the topic has ${count} partitions`}; nothing was committed`);
    }
  }
}

function toGroupState(name: string): GroupState {
  const state = name.toUpperCase() as GroupState;
  if (!GROUP_STATES.includes(state)) throw new TributaryError('INVALID_REQUEST', `unknown group state ${name}; use ${GROUP_STATES.join(', ')}`);
  return state;
}

function toTopicPartitions(assignment: Assignment): TopicPartitions[] {
  return Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions: [...partitions] }));
}

function toGroupDescription(group: CoreGroupDescription): GroupDescription {
  return {
    groupId: group.groupId,
    errorCode: group.state === 'DEAD' ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
    errorMessage: group.state === 'DEAD' ? `group ${group.groupId} does not exist` : '',
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignor: group.assignor,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      memberEpoch: m.memberEpoch,
      memberState: m.memberState,
      assignment: toTopicPartitions(m.assignment),
      targetAssignment: toTopicPartitions(m.targetAssignment),
    })),
  };
}

function errorOf(error: unknown, logger: Logger): { errorCode: number; errorMessage: string } {
  if (error instanceof TributaryError) return { errorCode: ErrorCode[error.code], errorMessage: error.message };
  // As unaryHandler does for a whole call: a failure that is no domain error is a bug, logged with its stack.
  logger.error({ err: error }, 'unexpected failure in a per-group answer');
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (error as Error).message };
}
