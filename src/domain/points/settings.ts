import { z } from 'zod';

const points = z.number().min(-1000).max(1000);
/**
 * Points per item of one category, with the defaults of the common local rules; a settings file
 * may change some items and keep the defaults of the others, and add items of its own.
 */
const category = (defaults: Record<string, number>) =>
  z
    .object(Object.fromEntries(Object.entries(defaults).map(([item, n]) => [item, points.default(n)])))
    .catchall(points)
    .prefault({});

/**
 * The one points table of the performance record (section "points" of SETTINGS_FILE): points per
 * item of each category (see DutyFact). An item missing from the table scores nothing.
 */
export const pointsSettings = z
  .object({
    table: z
      .object({
        /** 提案: lead proposer, each co-signer, filed (立案) on top, excellent (优秀提案) on top. */
        proposals: category({ lead: 15, cosigner: 3, filed: 5, excellent: 10 }),
      })
      .catchall(z.record(z.string(), points))
      .prefault({}),
  })
  .prefault({});

export type PointsSettings = z.infer<typeof pointsSettings>;

/** The points one fact earns by the table. */
export function pointsOf(fact: { category: string; item: string; share?: number }, settings: PointsSettings): number {
  const perItem = (settings.table as Record<string, Record<string, number> | undefined>)[fact.category]?.[fact.item] ?? 0;
  return perItem * (fact.share ?? 1);
}
