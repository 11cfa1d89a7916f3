import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { deliveries } from '../../store/schema/index.js';

/**
 * Outbox rows by status and platform, for /metrics and reports. `uncertain` rows are the ones
 * that may or may not have arrived; staff decide whether to send them again.
 */
export async function deliveryCounts(db: DbOrTx): Promise<Array<{ status: string; platform: string | null; count: number }>> {
  return db
    .select({ status: deliveries.status, platform: deliveries.platform, count: sql<number>`count(*)::int` })
    .from(deliveries)
    .groupBy(deliveries.status, deliveries.platform);
}
