import { DeliveryGate } from './delivery-gate';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('DeliveryGate', () => {
  it('runs exclusive work only once the delivery in progress ends, and holds the next one meanwhile', async () => {
    const gate = new DeliveryGate();
    const steps: string[] = [];
    gate.begin();
    const work = gate.exclusive(async () => void steps.push('work'));
    await flush();
    expect(steps).toEqual([]);
    expect(gate.held).toBe(true);
    const nextDelivery = gate.opened().then(() => steps.push('next delivery'));
    gate.end();
    await Promise.all([work, nextDelivery]);
    expect(steps).toEqual(['work', 'next delivery']);
    expect(gate.held).toBe(false);
  });

  it('calls an idle callback synchronously when the delivery ends, before anything else runs', () => {
    const gate = new DeliveryGate();
    const steps: string[] = [];
    gate.whenIdle(() => steps.push('idle at once'));
    gate.begin();
    gate.whenIdle(() => steps.push('idle after the delivery'));
    steps.push('delivering');
    gate.end();
    steps.push('after end');
    expect(steps).toEqual(['idle at once', 'delivering', 'idle after the delivery', 'after end']);
  });

  it('stops waiting for the application once closed (close() may come from inside a handler)', async () => {
    const gate = new DeliveryGate();
    gate.begin();
    let ran = false;
    const work = gate.exclusive(async () => void (ran = true));
    gate.close();
    await work;
    expect(ran).toBe(true);
  });
});
