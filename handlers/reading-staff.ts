import { z } from 'zod';
import { dateArg, idArg, parseArgs, textArg, timeArg } from '../src/core/input.js';
import { UserError } from '../src/core/errors.js';
import { audit, oneMember } from '../src/domain/members/members.js';
import { CHAT_KEY, createGroup, listGroups, visibleGroup } from '../src/domain/reading/groups.js';
import { createSessions, sessionRoster, visibleSession } from '../src/domain/reading/sessions.js';
import { cancelSession, moveSession, setCapacity } from '../src/domain/reading/session-changes.js';
import { canLeadGroup } from '../src/domain/reading/groups.js';
import { whereOf } from '../src/domain/reading/index.js';
import type { Command, Reply } from '../src/router/types.js';
import { endArg, endMoment, sessionOptions, splitOptions, zonedMoment } from './reading-input.js';
import { when } from './reading-format.js';

/** /readinggroup "TITLE" LEAD [COMMITTEE] [platform:chatId] */
const readinggroup: Command<[string, string, ...string[]]> = {
  name: 'readinggroup', role: 'staff', summaryKey: 'reading.cmd.readinggroup.summary', usageKey: 'reading.cmd.readinggroup.usage',
  args: z.tuple([textArg(100), textArg(50)]).rest(z.string()),
  run: async (ctx, [title, leadRef, ...extra]) => {
    let committee = '';
    let chatKey: string | null = null;
    for (const word of extra) {
      if (/^[a-z]+:/i.test(word)) {
        if (chatKey !== null || !CHAT_KEY.test(word)) throw new UserError('reading.badChatKey', { value: word.slice(0, 80) });
        chatKey = word;
      } else {
        if (committee !== '' || word.length > 50) throw new UserError('reading.groupExtraWord', { value: word.slice(0, 50) });
        committee = word;
      }
    }
    const lead = await oneMember(ctx.deps.db, leadRef);
    const group = await createGroup(ctx.deps.db, { title, leadMemberId: lead.id, committee, chatKey }, ctx.member.id);
    return {
      text: ctx.t('reading.group.created', {
        id: group.id, title, lead: lead.name, committee: committee || ctx.t('reading.group.allCommittees'), chat: chatKey ?? '—',
      }),
    };
  },
};

const readinggroups: Command = {
  name: 'readinggroups', role: 'member', summaryKey: 'reading.cmd.readinggroups.summary', usageKey: 'reading.cmd.readinggroups.usage',
  run: async (ctx) => {
    const groups = await listGroups(ctx.deps.db, ctx.member);
    if (groups.length === 0) return { text: ctx.t('reading.group.none') };
    const lines = groups.map(({ group, leadName }) => ctx.t('reading.group.line', {
      id: group.id, title: group.title, lead: leadName, committee: group.committee || ctx.t('reading.group.allCommittees'),
    }));
    return { text: [ctx.t('reading.group.listTitle'), ...lines].join('\n') };
  },
};

const sessionSchema = z.tuple([idArg, dateArg, timeArg, endArg]);

/** /readingsession GROUP DATE TIME END [url=…] [place=…] [cap=N] [weeks=N], in the staff member's zone. */
const readingsession: Command = {
  name: 'readingsession', role: 'staff', summaryKey: 'reading.cmd.readingsession.summary', usageKey: 'reading.cmd.readingsession.usage',
  privateOnly: true,
  run: async (ctx, _words, argText) => {
    const { words, options } = splitOptions(argText);
    const [groupId, date, time, end] = parseArgs(sessionSchema, words, 'reading.cmd.readingsession.usage');
    const opts = sessionOptions(options, ctx.deps.settings.reading.maxWeeks);
    const group = await visibleGroup(ctx.deps.db, ctx.member, groupId);
    const startsAt = zonedMoment(date, time, ctx.timeZone);
    const endsAt = endMoment(end, date, startsAt, ctx.timeZone);
    const created = await createSessions(ctx.deps.db, { groupId, startsAt, endsAt, ...opts, timeZone: ctx.timeZone }, ctx.member.id, ctx.deps.clock.now());
    const lines = created.map((s) => ctx.t('reading.session.createdLine', { id: s.id, when: when(ctx, s), code: s.checkinCode }));
    return { text: [ctx.t('reading.session.created', { count: created.length, title: group.title, where: whereOf(created[0]!) }), ...lines].join('\n') };
  },
};

/** Staff and the group's lead reader see a session's code, answers and attendance. */
const readingshow: Command<[number]> = {
  name: 'readingshow', role: 'member', summaryKey: 'reading.cmd.readingshow.summary', usageKey: 'reading.cmd.readingshow.usage',
  privateOnly: true,
  args: z.tuple([idArg]),
  run: async (ctx, [sessionId]) => {
    const { db } = ctx.deps;
    const { session, group } = await visibleSession(db, ctx.member, sessionId);
    if (!canLeadGroup(ctx.member, group)) throw new UserError('reading.notLead', { id: group.id });
    const roster = await sessionRoster(db, sessionId);
    const names = (status: string) => roster.answers.filter((a) => a.status === status).map((a) => a.name).join(', ') || '—';
    await audit(db, ctx.member.id, 'reading.session.show', `reading:${sessionId}`);
    return {
      text: ctx.t('reading.session.card', {
        id: session.id, title: group.title, when: when(ctx, session), where: whereOf(session),
        capacity: session.capacity ?? ctx.t('reading.session.noLimit'), code: session.checkinCode,
        state: ctx.t(session.cancelledAt ? 'reading.session.stateCancelled' : 'reading.session.stateActive'),
        yes: names('yes'), maybe: names('maybe'), no: names('no'),
        waitlist: roster.waitlist.join(', ') || '—', present: roster.present,
      }),
    };
  },
};

const moveSchema = z.tuple([idArg, dateArg, timeArg, endArg]);

const readingmove: Command<[number, string, string, string]> = {
  name: 'readingmove', role: 'staff', summaryKey: 'reading.cmd.readingmove.summary', usageKey: 'reading.cmd.readingmove.usage',
  args: moveSchema,
  run: async (ctx, [sessionId, date, time, end]) => {
    const { group } = await visibleSession(ctx.deps.db, ctx.member, sessionId);
    const startsAt = zonedMoment(date, time, ctx.timeZone);
    const endsAt = endMoment(end, date, startsAt, ctx.timeZone);
    const session = await moveSession(ctx.deps.db, group, sessionId, startsAt, endsAt, ctx.member.id, ctx.deps.clock.now());
    return { text: ctx.t('reading.session.moved', { id: session.id, title: group.title, when: when(ctx, session) }) };
  },
};

const readingcancel: Command<[number]> = {
  name: 'readingcancel', role: 'staff', summaryKey: 'reading.cmd.readingcancel.summary', usageKey: 'reading.cmd.readingcancel.usage',
  args: z.tuple([idArg]),
  run: async (ctx, [sessionId]) => {
    const { group } = await visibleSession(ctx.deps.db, ctx.member, sessionId);
    const session = await cancelSession(ctx.deps.db, group, sessionId, ctx.member.id, ctx.deps.clock.now());
    return { text: ctx.t('reading.session.cancelled', { id: session.id, title: group.title, startsAt: session.startsAt }) };
  },
};

const capacityArg = z.string().transform((s) => s.toLowerCase()).refine((s) => /^\d{1,5}$/.test(s) && Number(s) >= 1 || ['none', '不限', 'off'].includes(s), { message: 'reading.badCapacityArg' })
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : null));

const readingcap: Command<[number, number | null]> = {
  name: 'readingcap', role: 'staff', summaryKey: 'reading.cmd.readingcap.summary', usageKey: 'reading.cmd.readingcap.usage',
  args: z.tuple([idArg, capacityArg]),
  run: async (ctx, [sessionId, capacity]): Promise<Reply> => {
    const { group } = await visibleSession(ctx.deps.db, ctx.member, sessionId);
    const { promoted } = await setCapacity(ctx.deps.db, group, sessionId, capacity, ctx.member.id, ctx.deps.clock.now());
    return {
      text: ctx.t('reading.session.capacitySet', {
        id: sessionId, capacity: capacity ?? ctx.t('reading.session.noLimit'), promoted: promoted.length,
      }),
    };
  },
};

/** Staff scheduling and the lead reader's view of a session. */
export const readingStaffCommands: Command<any>[] = [readinggroups, readinggroup, readingsession, readingshow, readingmove, readingcancel, readingcap];
