import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LOCALES, type Locale } from '../src/core/i18n.js';
import { UserError } from '../src/core/errors.js';
import { AUDIENCE_PLATFORMS } from '../src/store/schema/index.js';
import { parseAudience } from '../src/domain/notices/audience.js';
import { checkNoticeText, correctableNotice, parseSendTime, submitNotice, type NoticeDraft } from '../src/domain/notices/compose.js';
import { needsApproval } from '../src/domain/notices/approval.js';
import { countRecipients, noticeRecipients } from '../src/domain/notices/fanout.js';
import { listGroupChats } from '../src/domain/notices/groups.js';
import { renderNotice } from '../src/domain/notices/message.js';
import { buttonData, type ButtonAction, type Command, type DialogHandler, type HandlerResult, type MemberCtx, type Reply } from '../src/router/types.js';
import { describeAudience, describeCounts } from './notices-view.js';

/** Dialogue kind of composing a notice (or a correction), and the prefix of its buttons. */
export const COMPOSE_DIALOG = 'notices.compose';
const DIALOG_PREFIX = 'ntd';

const CHOICES = ['v-zh-Hans', 'v-zh-Hant', 'v-en', 'next', 'now', 'yes', 'no', 'send'] as const;
type Choice = (typeof CHOICES)[number];

/** Words staff may type instead of pressing a button (platforms without buttons, habit). */
const TYPED: Record<string, Choice> = {
  next: 'next', continue: 'next', done: 'next', 继续: 'next', 繼續: 'next', 完成: 'next', 下一步: 'next',
  'zh-hans': 'v-zh-Hans', 简体: 'v-zh-Hans', 簡體: 'v-zh-Hans',
  'zh-hant': 'v-zh-Hant', 繁体: 'v-zh-Hant', 繁體: 'v-zh-Hant',
  en: 'v-en', english: 'v-en', 英文: 'v-en',
  yes: 'yes', y: 'yes', 是: 'yes', 要: 'yes', 需要: 'yes',
  no: 'no', n: 'no', 否: 'no', 不: 'no', 不要: 'no', 不需要: 'no',
  send: 'send', 发送: 'send', 發送: 'send', 提交: 'send',
};

const stateSchema = z.object({
  step: z.enum(['text', 'versions', 'version', 'audience', 'when', 'confirm', 'preview']),
  draftKey: z.string().min(1),
  text: z.string().optional(),
  versions: z.partialRecord(z.enum(LOCALES), z.string()).default({}),
  versionLang: z.enum(LOCALES).optional(),
  audience: z
    .object({
      allMembers: z.boolean(), committees: z.array(z.string()), sectors: z.array(z.string()), regions: z.array(z.string()),
      roles: z.array(z.enum(['member', 'staff', 'admin'])), platforms: z.array(z.enum(AUDIENCE_PLATFORMS)), groupIds: z.array(z.number().int()),
    })
    .optional(),
  /** ISO moment, or null for "now". */
  sendAt: z.string().nullable().optional(),
  confirm: z.boolean().optional(),
  correctsNoticeId: z.number().int().nullable().default(null),
});
type State = z.infer<typeof stateSchema>;
type Step = State['step'];

async function readState(ctx: MemberCtx, raw: unknown): Promise<State> {
  const parsed = stateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  await ctx.dialog.end();
  throw new UserError('errors.dialogGone');
}

function toDraft(state: State): NoticeDraft {
  if (state.text === undefined || state.audience === undefined) throw new UserError('errors.dialogGone');
  return {
    draftKey: state.draftKey, text: state.text, versions: state.versions, audience: state.audience,
    sendAt: state.sendAt ? new Date(state.sendAt) : null, confirm: state.confirm ?? false, correctsNoticeId: state.correctsNoticeId,
  };
}

const button = (ctx: MemberCtx, labelKey: string, choice: Choice, params = {}) => ({ label: ctx.t(labelKey, params), data: buttonData(DIALOG_PREFIX, choice) });

/** What the member is asked at `state.step`. */
async function prompt(ctx: MemberCtx, state: State): Promise<Reply> {
  switch (state.step) {
    case 'text':
      return state.correctsNoticeId
        ? { text: ctx.t('notices.compose.askCorrectionText', { id: state.correctsNoticeId, max: 2000 }) }
        : { text: ctx.t('notices.compose.askText', { max: 2000 }) };
    case 'versions': {
      const own = LOCALES.filter((l) => state.versions[l] !== undefined).map((l) => ctx.t(`lang.name.${l}`));
      return {
        text: ctx.t('notices.compose.askVersions', { length: [...(state.text ?? '')].length, versions: own.length ? own.join(', ') : ctx.t('notices.compose.noVersions') }),
        buttons: [
          LOCALES.map((l) => button(ctx, 'notices.compose.versionButton', `v-${l}` as Choice, { language: ctx.t(`lang.name.${l}`) })),
          [button(ctx, 'notices.compose.nextButton', 'next')],
        ],
      };
    }
    case 'version':
      return { text: ctx.t('notices.compose.askVersion', { language: ctx.t(`lang.name.${state.versionLang ?? ctx.locale}`), max: 2000 }) };
    case 'audience': {
      const groups = await listGroupChats(ctx.deps.db);
      const names = groups.slice(0, 30).map((g) => g.name).join(', ');
      return { text: ctx.t('notices.compose.askAudience', { groups: names || ctx.t('notices.compose.noGroups') }) };
    }
    case 'when':
      return { text: ctx.t('notices.compose.askWhen', { zone: ctx.timeZone }), buttons: [[button(ctx, 'notices.compose.nowButton', 'now')]] };
    case 'confirm':
      return {
        text: ctx.t('notices.compose.askConfirm'),
        buttons: [[button(ctx, 'notices.compose.confirmYesButton', 'yes'), button(ctx, 'notices.compose.confirmNoButton', 'no')]],
      };
    case 'preview':
      return preview(ctx, state);
  }
}

/** The notice as members will see it, in the composer's language (and each other language it has a version for), with the recipients per platform. */
async function preview(ctx: MemberCtx, state: State): Promise<Reply> {
  const draft = toDraft(state);
  const content = { ...draft, id: '…' };
  const parts = [ctx.t('notices.compose.previewTitle'), renderNotice(content, ctx.locale, ctx.timeZone)];
  if (Object.keys(draft.versions).length > 0) {
    for (const l of LOCALES.filter((x) => x !== ctx.locale)) {
      parts.push(ctx.t('notices.compose.previewIn', { language: ctx.t(`lang.name.${l}`) }), renderNotice(content, l, ctx.timeZone));
    }
  }
  const counts = await countRecipients(ctx.deps.db, draft);
  const waits = await needsApproval(ctx.deps.db, ctx.deps.settings.notices, await noticeRecipients(ctx.deps.db, draft));
  parts.push(
    ctx.t('notices.compose.previewFacts', {
      audience: await describeAudience(ctx, ctx.deps.db, draft.audience, draft.correctsNoticeId),
      recipients: describeCounts(ctx, counts),
      when: draft.sendAt ?? ctx.t('notices.compose.whenNow'),
      confirm: ctx.t(draft.confirm ? 'common.yes' : 'common.no'),
    }),
  );
  if (waits) parts.push(ctx.t('notices.compose.needsApproval'));
  parts.push(ctx.t('notices.compose.previewHint'));
  return {
    text: parts.join('\n\n'),
    buttons: [[button(ctx, waits ? 'notices.compose.submitButton' : 'notices.compose.sendButton', 'send')]],
  };
}

async function goTo(ctx: MemberCtx, state: State, step: Step): Promise<Reply> {
  const next = { ...state, step };
  await ctx.dialog.update(next);
  return prompt(ctx, next);
}

/** A button press or its typed equivalent, valid only at the step that offers it. */
async function choose(ctx: MemberCtx, state: State, choice: Choice): Promise<HandlerResult> {
  if (state.step === 'versions' && choice.startsWith('v-')) return goTo(ctx, { ...state, versionLang: choice.slice(2) as Locale }, 'version');
  if (state.step === 'versions' && choice === 'next') return goTo(ctx, state, state.correctsNoticeId ? 'confirm' : 'audience');
  if (state.step === 'when' && choice === 'now') return goTo(ctx, { ...state, sendAt: null }, 'confirm');
  if (state.step === 'confirm' && (choice === 'yes' || choice === 'no')) return goTo(ctx, { ...state, confirm: choice === 'yes' }, 'preview');
  if (state.step === 'preview' && choice === 'send') return send(ctx, state);
  throw new UserError('errors.buttonExpired');
}

async function send(ctx: MemberCtx, state: State): Promise<HandlerResult> {
  const { deps } = ctx;
  let outcome;
  try {
    outcome = await submitNotice(deps.db, toDraft(state), ctx.member, deps.settings.notices, deps.clock.now());
  } catch (err) {
    // The chosen time passed while the preview was open: ask for a new one, keep the rest.
    if (err instanceof UserError && err.key === 'notices.compose.pastTime') return [{ text: ctx.t(err.key, err.params) }, await goTo(ctx, state, 'when')];
    if (err instanceof UserError && err.key === 'notices.compose.alreadySent') await ctx.dialog.end();
    throw err;
  }
  await ctx.dialog.end();
  const { notice, members, chats } = outcome;
  if (notice.status === 'awaiting_approval') return { text: ctx.t('notices.compose.awaitingApproval', { id: notice.id, members, chats }) };
  if (notice.sendAt && notice.sendAt > deps.clock.now()) return { text: ctx.t('notices.compose.scheduled', { id: notice.id, at: notice.sendAt, members, chats }) };
  return { text: ctx.t('notices.compose.queued', { id: notice.id, members, chats }) };
}

async function onText(ctx: MemberCtx, raw: unknown, text: string): Promise<HandlerResult> {
  const state = await readState(ctx, raw);
  switch (state.step) {
    case 'text':
      return goTo(ctx, { ...state, text: checkNoticeText(text) }, 'versions');
    case 'version': {
      const lang = state.versionLang ?? ctx.locale;
      return goTo(ctx, { ...state, versions: { ...state.versions, [lang]: checkNoticeText(text) }, versionLang: undefined }, 'versions');
    }
    case 'audience': {
      const audience = await parseAudience(ctx.deps.db, text);
      const counts = await countRecipients(ctx.deps.db, { audience, correctsNoticeId: null });
      if (counts.members + counts.chats === 0) throw new UserError('notices.audience.nobody');
      return goTo(ctx, { ...state, audience }, 'when');
    }
    case 'when': {
      const at = parseSendTime(text, ctx.timeZone, ctx.deps.clock.now());
      return goTo(ctx, { ...state, sendAt: at ? at.toISOString() : null }, 'confirm');
    }
    default: {
      const choice = TYPED[text.trim().toLowerCase()];
      if (!choice) throw new UserError('notices.compose.useButtons');
      return choose(ctx, state, choice);
    }
  }
}

/** Starts composing a correction of notice `noticeId`, which must have gone out. */
export async function startCorrection(ctx: MemberCtx, noticeId: number): Promise<Reply> {
  const original = await correctableNotice(ctx.deps.db, noticeId);
  const state: State = { step: 'text', draftKey: randomUUID(), versions: {}, audience: original.audience, correctsNoticeId: noticeId };
  await ctx.dialog.start(COMPOSE_DIALOG, state);
  return prompt(ctx, state);
}

export const notifyCommand: Command = {
  name: 'notify', role: 'staff', summaryKey: 'notices.notify.summary', usageKey: 'notices.notify.usage', privateOnly: true,
  run: async (ctx) => {
    const state: State = { step: 'text', draftKey: randomUUID(), versions: {}, correctsNoticeId: null };
    await ctx.dialog.start(COMPOSE_DIALOG, state);
    return prompt(ctx, state);
  },
};

export const composeDialog: DialogHandler = { kind: COMPOSE_DIALOG, role: 'staff', onText };

export const composeButtons: ButtonAction<[Choice]> = {
  prefix: DIALOG_PREFIX, role: 'staff',
  parts: z.tuple([z.enum(CHOICES)]),
  run: async (ctx, [choice]) => {
    const current = ctx.dialog.current;
    if (current?.kind !== COMPOSE_DIALOG) throw new UserError('errors.buttonExpired');
    return choose(ctx, await readState(ctx, current.state), choice);
  },
};
