import { BrokerHeartbeatManager } from './broker-heartbeat-manager';

describe('BrokerHeartbeatManager', () => {
  it('a lease lasts sessionTimeoutMs from the last contact and expires exactly then', () => {
    const heartbeats = new BrokerHeartbeatManager();
    heartbeats.touch(1, 10, 1000);
    heartbeats.touch(2, 11, 1500);
    expect(heartbeats.hasValidSession(1, 10, 1999, 1000)).toBe(true);
    expect(heartbeats.hasValidSession(1, 10, 2000, 1000)).toBe(false);
    expect(heartbeats.expired(1999, 1000)).toEqual([]);
    expect(heartbeats.expired(2000, 1000).map((l) => l.brokerId)).toEqual([1]);
    expect(heartbeats.expired(2500, 1000).map((l) => [l.brokerId, l.brokerEpoch])).toEqual([[1, 10], [2, 11]]);
  });

  it('a session belongs to one epoch: another epoch has none', () => {
    const heartbeats = new BrokerHeartbeatManager();
    heartbeats.touch(1, 10, 0);
    expect(heartbeats.hasValidSession(1, 9, 1, 1000)).toBe(false);
    expect(heartbeats.hasValidSession(2, 10, 1, 1000)).toBe(false);
  });

  it('a late reading of the same epoch does not shorten the lease; a new epoch starts over', () => {
    const heartbeats = new BrokerHeartbeatManager();
    heartbeats.touch(1, 10, 500);
    heartbeats.touch(1, 10, 100);
    expect(heartbeats.lease(1)?.lastContactMs).toBe(500);
    heartbeats.touch(1, 12, 100);
    expect(heartbeats.lease(1)).toEqual({ brokerId: 1, brokerEpoch: 12, lastContactMs: 100, inControlledShutdown: false });
  });

  it('controlled shutdown sticks to the lease until the epoch changes', () => {
    const heartbeats = new BrokerHeartbeatManager();
    heartbeats.touch(1, 10, 0);
    heartbeats.beginControlledShutdown(1);
    heartbeats.touch(1, 10, 5);
    expect(heartbeats.inControlledShutdown(1)).toBe(true);
    heartbeats.touch(1, 11, 6);
    expect(heartbeats.inControlledShutdown(1)).toBe(false);
  });

  it('reset gives every broker named a fresh lease and forgets the others', () => {
    const heartbeats = new BrokerHeartbeatManager();
    heartbeats.touch(1, 10, 0);
    heartbeats.touch(9, 10, 0);
    heartbeats.reset([{ brokerId: 1, brokerEpoch: 10 }, { brokerId: 2, brokerEpoch: 3 }], 5000);
    expect(heartbeats.hasValidSession(1, 10, 5999, 1000)).toBe(true);
    expect(heartbeats.hasValidSession(2, 3, 5999, 1000)).toBe(true);
    expect(heartbeats.lease(9)).toBeUndefined();
    heartbeats.remove(1);
    expect(heartbeats.lease(1)).toBeUndefined();
  });
});
