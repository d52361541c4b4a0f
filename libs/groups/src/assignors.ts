/** The server-side assignors a group may choose (ConsumerGroupHeartbeat's ServerAssignor). */
import { AssignorName, PartitionAssignor } from './partition-assignor';
import { RangeAssignor } from './range-assignor';
import { UniformAssignor } from './uniform-assignor';

/** Kafka's group.consumer.assignors default lists uniform first, which makes it the default. */
export const DEFAULT_ASSIGNOR: AssignorName = 'uniform';

export const ASSIGNORS: Readonly<Record<AssignorName, PartitionAssignor>> = {
  uniform: new UniformAssignor(),
  range: new RangeAssignor(),
};
