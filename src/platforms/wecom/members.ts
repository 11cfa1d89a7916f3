/**
 * The one member fact the WeCom adapter needs itself: the language of someone writing to the
 * robot, for the few answers the adapter gives without the router (a picture it cannot read).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../store/db.js';
import { identities, members } from '../../store/schema/index.js';
import type { Locale } from '../../core/i18n.js';

/** The language of the member behind a WeCom userid (bound, or on the roster), else `fallback`. */
export async function localeOfWecomUser(db: Db, userid: string, fallback: Locale): Promise<Locale> {
  const [bound] = await db
    .select({ locale: members.locale })
    .from(identities)
    .innerJoin(members, eq(identities.memberId, members.id))
    .where(and(eq(identities.platform, 'wecom'), eq(identities.platformUserId, userid)));
  if (bound) return bound.locale;
  const [rostered] = await db.select({ locale: members.locale }).from(members).where(eq(members.wecomUserId, userid));
  return rostered?.locale ?? fallback;
}
