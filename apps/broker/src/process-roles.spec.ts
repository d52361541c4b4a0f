import { parseBrokerConfig } from '@tributary/metadata';
import { planProcess } from './process-roles';

const plan = (config: Record<string, string>) => planProcess(parseBrokerConfig(config));

describe('planProcess (process.roles and controller.quorum.voters)', () => {
  it('with neither set, runs combined with this node as the only voter', () => {
    expect(plan({})).toEqual({ kind: 'combined', voters: undefined });
  });

  it('with voters and no roles, runs a broker following them', () => {
    expect(plan({ 'controller.quorum.voters': '1@h1:9093,2@h2:9093' })).toEqual({
      kind: 'broker',
      voters: new Map([
        [1, 'h1:9093'],
        [2, 'h2:9093'],
      ]),
    });
  });

  it('with broker,controller and voters that include node.id, runs combined as one voter of that quorum', () => {
    const result = plan({ 'process.roles': 'broker,controller', 'node.id': '2', 'controller.quorum.voters': '1@h1:9093,2@h2:9093' });
    expect(result.kind).toBe('combined');
    expect([...(result.voters?.keys() ?? [])]).toEqual([1, 2]);
  });

  it.each([
    [{ 'process.roles': 'broker' }, /process.roles=broker needs controller.quorum.voters/],
    [{ 'process.roles': 'controller' }, /start tributary-controller/],
    [{ 'process.roles': 'broker,controller', 'node.id': '3', 'controller.quorum.voters': '1@h1:9093' }, /node.id=3 is not among controller.quorum.voters \(1\)/],
    [{ 'process.roles': 'zookeeper' }, /process.roles/],
    [{ 'controller.quorum.voters': '1@nohostport' }, /controller.quorum.voters|host:port/],
  ])('refuses %j with a message saying why', (config, message) => {
    expect(() => plan(config)).toThrow(message);
  });
});
