import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { t } from '../../core/i18n.js';
import type { Settings } from '../../settings.js';
import { DEMO_ROSTER } from '../members/demo-roster.js';
import { createShift } from '../shifts/shifts.js';
import type { ShiftLevel } from '../../store/schema/shifts.js';
import { createGroup } from '../reading/groups.js';
import { createSessions } from '../reading/sessions.js';
import { parseAudience } from '../notices/audience.js';
import { submitNotice } from '../notices/compose.js';

const ZONE = 'Asia/Shanghai';

/** Upcoming duty shifts of the demo: days from today (Shanghai), times, theme, level, seats. */
const DEMO_SHIFTS: Array<{ inDays: number; start: string; end: string; theme: string; level: ShiftLevel; capacity: number }> = [
  { inDays: 3, start: '09:00', end: '12:00', theme: '教育民生', level: 'city', capacity: 3 },
  { inDays: 5, start: '14:00', end: '17:00', theme: '营商环境', level: 'province', capacity: 2 },
  { inDays: 8, start: '09:00', end: '11:30', theme: '生态环境保护', level: 'county', capacity: 2 },
];

/**
 * Seeds the console chat's demo into an empty database: the demo roster, a few upcoming shifts, a
 * reading group with a session in four days, and a notice to one committee, so a newcomer trying
 * `/shifts`, `/readings` or staff's `/notices` finds something. Only the console chat calls this;
 * a deployment with Telegram or WeCom starts from an empty roster. It is one transaction that
 * stops when the roster was there already, so processes starting together seed it once.
 */
export async function seedConsoleDemo(db: Db, settings: Settings, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [{ count }] = (await tx.select({ count: sql<number>`count(*)::int` }).from(members)) as [{ count: number }];
    if (count > 0) return false;
    // Another process seeding at the same time holds these keys until it commits; then none are new.
    const added = await tx.insert(members).values(DEMO_ROSTER).onConflictDoNothing().returning({ id: members.id });
    if (added.length < DEMO_ROSTER.length) return false;
    const demoDb = tx as unknown as Db;
    const byKey = async (rosterKey: string) => (await tx.select().from(members).where(eq(members.rosterKey, rosterKey)))[0]!;
    const staff = await byKey('demo-zhao');
    const lead = await byKey('demo-li');

    const today = DateTime.fromJSDate(now).setZone(ZONE).startOf('day');
    for (const s of DEMO_SHIFTS) {
      await createShift(demoDb, {
        date: today.plus({ days: s.inDays }).toISODate()!, start: s.start, end: s.end, zone: ZONE,
        theme: s.theme, level: s.level, capacity: s.capacity, place: '委员工作室（线上）', contact: staff.name,
      }, staff.id, now);
    }

    const group = await createGroup(demoDb, { title: '乡土中国', leadMemberId: lead.id, committee: '', chatKey: null }, staff.id);
    const startsAt = today.plus({ days: 4 }).set({ hour: 19, minute: 30 });
    await createSessions(tx, {
      groupId: group.id, startsAt: startsAt.toJSDate(), endsAt: startsAt.plus({ minutes: 90 }).toJSDate(),
      onlineUrl: 'https://meeting.example.org/dushu', place: null, capacity: 20, weeks: 1, timeZone: ZONE,
    }, staff.id, now);

    await submitNotice(demoDb, {
      draftKey: 'console-demo', text: t('zh-Hans', 'console.demo.notice'),
      versions: { 'zh-Hant': t('zh-Hant', 'console.demo.notice'), en: t('en', 'console.demo.notice') },
      audience: await parseAudience(tx, `committee:${staff.committee}`), sendAt: null, confirm: true, correctsNoticeId: null,
    }, staff, settings.notices, now);
    return true;
  });
}
