import { threadReplies } from './adapters/twitter/format.js';
const lead = Array.from({ length: 120 }, (_, i) => `Sentence ${i} explains 東京都 one more detail of the ferry 👩‍👩‍👧‍👦 timetable.`).join(' ').slice(0, 10000);
for (let i = 0; i < 20; i++) threadReplies(lead, 24);
for (let i = 0; i < 20; i++) threadReplies(lead, 3);
