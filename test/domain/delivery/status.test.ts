import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/store/db.js';
import { deliveries, identities, members } from '../../../src/store/schema/index.js';
import { addDeliveries } from '../../../src/domain/outbox.js';
import { claimDelivery, markCrashedSend, markSent, releaseClaim } from '../../../src/domain/delivery/status.js';
import { groupRoute, memberChannels, pickChannel } from '../../../src/domain/delivery/routing.js';
import { takeUnqueued } from '../../../src/domain/delivery/queueing.js';
import { DATABASE_KINDS, freshDatabase } from '../../support/db.js';

const NOW = new Date('2026-12-01T02:00:00Z');

describe.each(DATABASE_KINDS)('delivery status and routing (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.delete(deliveries);
    await database.db.delete(members);
  });
  const db = () => database.db;

  async function oneRow(): Promise<number> {
    const [m] = await db().insert(members).values({ rosterKey: 'm', name: 'M' }).returning();
    await addDeliveries(db(), [{ kind: 'k', ref: 'r', to: { memberId: m!.id }, template: 'common.yes' }]);
    const [row] = await db().select().from(deliveries);
    return row!.id;
  }

  it('only one of many concurrent claims wins, so a row is handed to a platform once', async () => {
    const id = await oneRow();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => claimDelivery(db(), id, NOW)));
    expect(tokens.filter(Boolean)).toHaveLength(1);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('a send found orphaned becomes uncertain; the slow worker that comes back still records sent', async () => {
    const id = await oneRow();
    const token = (await claimDelivery(db(), id, NOW))!;
    expect(await markCrashedSend(db(), id, 'someone-else')).toBe(false);
    expect(await markCrashedSend(db(), id, token)).toBe(true);
    expect(await markSent(db(), id, 'wrong-token', 'telegram', '1', NOW)).toBe(false);
    expect(await markSent(db(), id, token, 'telegram', '77', NOW)).toBe(true);
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, id));
    expect(row).toMatchObject({ status: 'sent', platformMessageId: '77' });
    // Released claims only apply to the claim that is still sending.
    await releaseClaim(db(), id, token, 'late');
    expect((await db().select().from(deliveries))[0]!.status).toBe('sent');
  });

  it('routes a member to the platform used last, skips where they are unreachable, and groups by chatKey', async () => {
    const [m] = await db().insert(members).values({ rosterKey: 'r', name: 'R', wecomUserId: 'wc-r' }).returning();
    await db().insert(identities).values([
      { platform: 'telegram', platformUserId: '42', memberId: m!.id, chatId: '42', lastSeenAt: new Date('2026-11-30T00:00:00Z') },
    ]);
    const both = (await memberChannels(db(), [m!.id], new Set(['telegram', 'wecom']))).get(m!.id)!;
    expect(both.map((c) => `${c.platform}:${c.chatId}`)).toEqual(['telegram:42', 'wecom:wc-r']);
    expect(pickChannel(both, ['telegram'])).toEqual({ platform: 'wecom', chatId: 'wc-r', kind: 'private' });
    expect(pickChannel(both, ['telegram', 'wecom'])).toBeUndefined();
    const consoleOnly = (await memberChannels(db(), [m!.id], new Set(['console']))).get(m!.id)!;
    expect(consoleOnly).toEqual([{ platform: 'console', chatId: `console-${m!.id}`, kind: 'private' }]);
    expect(groupRoute('telegram:-100123', new Set(['telegram']))).toEqual({ platform: 'telegram', chatId: '-100123', kind: 'group' });
    expect(groupRoute('wecom:room', new Set(['telegram']))).toBeUndefined();
    expect(groupRoute('wecom:room', new Set(['console']))).toEqual({ platform: 'console', chatId: 'wecom:room', kind: 'group' });
  });

  it('concurrent relays take each row once; rows nobody can receive fail at once', async () => {
    const [reach] = await db().insert(members).values({ rosterKey: 'a', name: 'A' }).returning();
    const [nobody] = await db().insert(members).values({ rosterKey: 'b', name: 'B' }).returning();
    await db().insert(identities).values({ platform: 'telegram', platformUserId: '1', memberId: reach!.id, chatId: '1' });
    await addDeliveries(db(), Array.from({ length: 40 }, (_, i) => ({ kind: 'k', ref: `r:${i}`, to: { memberId: reach!.id }, template: 'common.yes' })));
    await addDeliveries(db(), [{ kind: 'k', ref: 'x', to: { memberId: nobody!.id }, template: 'common.yes' }]);
    const opts = { now: NOW, horizonMs: 60_000, limit: 15, active: new Set(['telegram'] as const) };
    const rounds = await Promise.all(Array.from({ length: 4 }, () => takeUnqueued(db(), opts)));
    const again = await takeUnqueued(db(), opts);
    const ids = [...rounds.flat(), ...again].map((r) => r.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    const failed = await db().select().from(deliveries).where(eq(deliveries.memberId, nobody!.id));
    expect(failed[0]).toMatchObject({ status: 'failed' });
    expect(failed[0]!.lastError).toContain('no channel');
  });
});
