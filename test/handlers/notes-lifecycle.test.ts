import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { noteEvents, notes } from '../../src/store/schema/index.js';
import { button, inbox, restartedRouter, QUIET } from './notes-support.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;

describe.each(DATABASE_KINDS)('a note from first draft to adoption on %s', (kind) => {
  let h: Harness;
  let chan: Row;
  let zhao: Row;
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-11-02T01:00:00Z', settings: QUIET });
    chan = await h.addMember({ name: '陳大文', committee: '港澳台侨委员会', sector: '特邀香港人士', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '港澳台侨委员会' });
  });
  afterAll(() => h.close());

  it('takes a note through the dialogue, return, resubmission, adoption and 批示, telling the member each time', async () => {
    const me = h.as(chan);
    expect(text(await me.send('/newnote'))).toContain('第 1/3 步：請發送標題，不超過 60 字。');
    expect(text(await me.send('關於跨境學童交通安排的建議'))).toContain('第 2/3 步');
    expect(text(await me.send('每天有大量跨境學童經口岸上學，早高峰排隊時間長。建議增設學童專用通道。'))).toContain('第 3/3 步');
    const preview = await me.send('4');
    expect(text(preview)).toContain('標題：關於跨境學童交通安排的建議\n類別：教育文化');

    // The bot restarts between the preview and the confirmation: the draft is in the database.
    const after = restartedRouter(h);
    const submitted = await after.press(chan.id, button(preview, 'sqd:ok'));
    expect(text(submitted)).toBe('已提交，編號 #1。審閱進展會通知您，發送 /mynotes 可隨時查看。');
    expect(text(await after.press(chan.id, button(preview, 'sqd:ok')))).toBe('這份稿件已經提交過了（#1）。');

    const queue = text(await h.as(zhao).send('/notequeue'));
    expect(queue).toContain('待审的社情民意信息共 1 条');
    expect(queue).toContain('#1「關於跨境學童交通安排的建議」— 陳大文');

    h.clock.advance(3600_000);
    expect(text(await h.as(zhao).send('/noteclaim 1'))).toContain('已认领 #1');
    h.clock.advance(3600_000);
    expect(text(await h.as(zhao).send('/notereturn 1 请补充口岸名称和高峰时段的数据'))).toContain('已退回 #1');

    const returned = await inbox(h, chan.id);
    expect(returned).toEqual([
      '您的社情民意信息 #1「關於跨境學童交通安排的建議」已進入審閱。',
      '您的社情民意信息 #1「關於跨境學童交通安排的建議」被退回修改。\n理由：请补充口岸名称和高峰时段的数据\n請修改後重新提交（/revisenote 1）。',
    ]);

    const revising = await me.press('sqr:1');
    expect(text(revising)).toContain('修改 #1。退回理由：请补充口岸名称和高峰时段的数据');
    expect(text(await me.press(button(revising, 'sqd:edit', '改正文')))).toContain('請發送新的正文');
    const revised = await me.send('每天約有兩萬名跨境學童經深圳灣和福田口岸上學，早上七至八時排隊逾四十分鐘。建議增設學童專用通道。');
    expect(text(revised)).toContain('請核對 #1 的修改稿');
    expect(text(await me.press(button(revised, 'sqd:ok')))).toBe('修改稿已重新提交（#1，第 2 稿），將重新進入審閱。');

    h.clock.advance(86_400_000);
    await h.as(zhao).send('/noteclaim 1');
    expect(text(await h.as(zhao).send('/noteadopt 1 市级 单篇采用'))).toBe('已记录 #1 采用：市级 · 单篇采用（5 分）。作者会收到通知。');
    expect(text(await h.as(zhao).send('/noteinstruction 1 省级 请教育厅研究落实'))).toContain('已记录 #1 的省级领导批示（10 分）');

    expect((await inbox(h, chan.id)).slice(2)).toEqual([
      '您的社情民意信息 #1「關於跨境學童交通安排的建議」已進入審閱。',
      '好消息！您的社情民意信息 #1「關於跨境學童交通安排的建議」已被採用：市級 · 單篇採用。',
      '您的社情民意信息 #1「關於跨境學童交通安排的建議」獲得省級領導批示：请教育厅研究落实',
    ]);

    const card = text(await me.send('/note 1'));
    expect(card).toContain('狀態：已採用（市級 · 單篇採用）');
    expect(card).toContain('第 2 稿');
    expect(card).toContain('積分：16');
    expect(card).not.toContain('赵敏');
    expect(text(await me.send('/mynotes'))).toContain('#1「關於跨境學童交通安排的建議」— 已採用（市級 · 單篇採用）');

    const kinds = (await h.db.select().from(noteEvents).where(eq(noteEvents.noteId, 1)).orderBy(noteEvents.id)).map((e) => `${e.kind}:${e.actorId}`);
    expect(kinds).toEqual([`submitted:${chan.id}`, `claimed:${zhao.id}`, `returned:${zhao.id}`, `resubmitted:${chan.id}`, `claimed:${zhao.id}`, `adopted:${zhao.id}`, `instruction:${zhao.id}`]);
  });

  it('sends a member from a group chat to the private chat, and takes the one-line form there', async () => {
    const group = await h.as(chan, { chatId: 'group-9', kind: 'group' }).send('/newnote 標題 | 其他 | 正文');
    expect(text(group)).toBe('/newnote 涉及個人資料，請在與我的私訊中使用。');
    expect(await h.db.select().from(notes)).toHaveLength(1);

    const preview = await h.as(chan).send('/newnote 口岸的無障礙設施 | 城市管理 | 部分口岸缺少無障礙通道，建議增設。');
    expect(text(preview)).toContain('標題：口岸的無障礙設施\n類別：城市管理');
    expect(text(await h.as(chan).press(button(preview, 'sqd:ok')))).toContain('已提交，編號 #2');
  });
});
