import type { Db } from '../../../src/store/db.js';
import type { DeliverySettings } from '../../../src/domain/delivery/settings.js';
import { memberDigests } from '../../../src/domain/digests/member-digest.js';
import type { RecurringHandlers } from '../../../jobs/workers/digests.js';

/**
 * The recurring work of scheduler tests: the real weekly member digest, composed without the
 * features' sources (each section says "none"), so the test is about once-per-period only.
 */
export function testRecurringWork(db: Db, settings: DeliverySettings): RecurringHandlers {
  return { 'member-digest': (now) => memberDigests(db, {}, settings.memberDigest, now) };
}
