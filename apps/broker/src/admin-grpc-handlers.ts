import { Inject, Injectable } from '@nestjs/common';
import type { AlterConfigOp, ConfigResourceType } from '@tributary/metadata';
import { TributaryError } from '@tributary/protocol';
import {
  AlterConfigOp as ProtoAlterConfigOp,
  ConfigResourceType as ProtoConfigResourceType,
  type AdminServiceServer,
  type ConfigResource,
} from '@tributary/proto';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { unaryHandler } from '@tributary/service-common';
import { toBrokerNode, toConfigEntry, toTopicDescription } from './proto-mapping';
import { TopicAdmin } from './topic-admin';

/** tributary.broker.v1.AdminService: maps calls onto TopicAdmin. */
@Injectable()
export class AdminGrpcHandlers {
  constructor(
    @Inject(TopicAdmin) private readonly admin: TopicAdmin,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
  ) {}

  implementation(): AdminServiceServer {
    const admin = this.admin;
    const unary = <Req, Res>(handle: (request: Req) => Promise<Res>) => unaryHandler<Req, Res>(this.logger, handle);
    return {
      createTopic: unary(async (request) => {
        const result = await admin.createTopic({
          name: request.name,
          numPartitions: request.numPartitions,
          replicationFactor: request.replicationFactor,
          configs: request.configs,
          ifNotExists: request.ifNotExists,
          validateOnly: request.validateOnly,
        });
        return {
          topic: toTopicDescription({ topic: result.topic, configs: result.configs, isInternal: false }),
          created: result.created,
        };
      }),
      deleteTopic: unary(async (request) => {
        await admin.deleteTopic(request.name);
        return {};
      }),
      listTopics: unary(async (request) => ({
        topics: admin.listTopics(request.includeInternal).map((view) => ({
          name: view.topic.name,
          topicId: view.topic.topicId,
          isInternal: view.isInternal,
        })),
      })),
      describeTopics: unary(async (request) => ({ topics: admin.describeTopics(request.names).map(toTopicDescription) })),
      createPartitions: unary(async (request) => ({
        topic: toTopicDescription(
          await admin.createPartitions({ topic: request.topic, totalCount: request.totalCount, validateOnly: request.validateOnly }),
        ),
      })),
      describeConfigs: unary(async (request) => ({
        entries: admin.describeConfigs(toResource(request.resource), request.names).map(toConfigEntry),
      })),
      alterConfigs: unary(async (request) => {
        const ops = request.entries.map(
          (entry): AlterConfigOp =>
            entry.op === ProtoAlterConfigOp.DELETE ? { op: 'DELETE', name: entry.name } : { op: 'SET', name: entry.name, value: entry.value },
        );
        const entries = await admin.alterConfigs(toResource(request.resource), ops, request.validateOnly);
        return { entries: entries.map(toConfigEntry) };
      }),
      describeCluster: unary(async () => {
        const cluster = admin.describeCluster();
        return { clusterId: cluster.clusterId, controllerId: cluster.controllerId, brokers: cluster.brokers.map(toBrokerNode) };
      }),
    };
  }
}

function toResource(resource: ConfigResource | undefined): { type: ConfigResourceType; name: string } {
  switch (resource?.type) {
    case ProtoConfigResourceType.TOPIC:
      return { type: 'topic', name: resource.name };
    case ProtoConfigResourceType.BROKER:
      return { type: 'broker', name: resource.name };
    default:
      throw new TributaryError('INVALID_REQUEST', 'a config resource needs a type: TOPIC or BROKER');
  }
}
