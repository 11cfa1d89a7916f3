import { members } from '../../store/schema/index.js';

/**
 * A small roster so a fresh checkout has someone to be: members and staff in all three
 * languages and several time zones. Seeded only into an empty database, for the console chat
 * (src/domain/demo/console-demo.ts).
 */
export const DEMO_ROSTER: (typeof members.$inferInsert)[] = [
  { rosterKey: 'demo-wang', name: '王明', committee: '社会和法制委员会', sector: '经济界', region: '上海', role: 'member', locale: 'zh-Hans', timeZone: 'Asia/Shanghai', wecomUserId: 'demo-wang' },
  { rosterKey: 'demo-li', name: '李华', committee: '社会和法制委员会', sector: '教育界', region: '北京', role: 'member', locale: 'zh-Hans', timeZone: 'Asia/Shanghai', wecomUserId: 'demo-li' },
  { rosterKey: 'demo-chan', name: '陳大文', committee: '港澳台侨委员会', sector: '特邀香港人士', region: '香港', role: 'member', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' },
  { rosterKey: 'demo-lin', name: '林美玲', committee: '港澳台侨委员会', sector: '台湾同胞', region: '台北', role: 'member', locale: 'zh-Hant', timeZone: 'Asia/Taipei' },
  { rosterKey: 'demo-smith', name: 'Alice Smith', committee: '港澳台侨委员会', sector: '海外列席', region: 'London', role: 'member', locale: 'en', timeZone: 'Europe/London' },
  { rosterKey: 'demo-zhao', name: '赵敏', committee: '社会和法制委员会', sector: '', region: '上海', role: 'staff', locale: 'zh-Hans', timeZone: 'Asia/Shanghai', wecomUserId: 'demo-zhao' },
  { rosterKey: 'demo-wong', name: '黃志強', committee: '港澳台侨委员会', sector: '', region: '香港', role: 'staff', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' },
  { rosterKey: 'demo-admin', name: 'Admin', committee: '', sector: '', region: '', role: 'admin', locale: 'en', timeZone: 'Asia/Shanghai' },
];
