import { afterEach, describe, expect, it } from 'vitest';
import { Poller } from '../../jobs/poller.js';
import { createLogger } from '../../src/core/logger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('poller', () => {
  let poller: Poller | undefined;
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  it('runs early when woken, and a burst of wake-ups makes one round, not one each', async () => {
    let rounds = 0;
    poller = new Poller('test', 60_000, async () => {
      rounds++;
      return false;
    }, createLogger('silent')).start();
    await sleep(50);
    expect(rounds).toBe(1);
    for (let i = 0; i < 50; i++) poller.wake(20);
    await sleep(300);
    expect(rounds).toBe(2);
  });

  it('a wake-up during a round brings the round after it forward', async () => {
    let rounds = 0;
    let release: () => void = () => {};
    poller = new Poller('test', 60_000, async () => {
      rounds++;
      if (rounds === 1) await new Promise<void>((r) => (release = r));
      return false;
    }, createLogger('silent')).start();
    await sleep(50);
    poller.wake(20);
    release();
    await sleep(300);
    expect(rounds).toBe(2);
  });
});
